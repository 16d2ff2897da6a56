import { expect, it } from 'vitest';
import { createBudget, type Budget } from '../../shared/domain/budgets';
import type { Alert } from '../../shared/domain/alerts';
import type { SpendMonth, StoredAlert, StoredAnomaly } from '../../shared/domain/insights';
import { BudgetImageSchema } from '../../shared/services/spend-processor';
import { RecategorizeImageSchema } from '../../shared/services/categorizer-processor';
import type { UserRule } from '../../shared/domain/categorizer/user-rules';
import { ConflictError, InvalidCursorError, type Page, type PageRequest } from '../../shared/ports/store';
import { forEachBackend, uid } from './backends';

/**
 * The contract of RuleStore and InsightsStore (budgets, settings, alerts, anomalies, projections), written once
 * against the port and run on DynamoDB Local, PostgreSQL and PGlite (backends.ts). On the Postgres backends, the
 * changes the processors consume (budgets, re-categorization requests) are checked in the outbox too.
 */

const NOW = '2026-11-20T12:00:00.000Z';
/** A fresh user per test: backends are shared by the tests of a file. */
const user = (name: string) => uid(name);

function budget(userId: string, id: string, over: Partial<Budget> = {}): Budget {
  return {
    ...createBudget(
      {
        category: 'FOOD_AND_DRINK',
        period: 'monthly',
        limit: '500.00',
        currency: 'USD',
        thresholds: [0.8, 1],
      },
      { id, userId, now: NOW },
    ),
    ...over,
  };
}

function alert(userId: string, id: string, createdAt: string): Alert {
  return {
    id,
    kind: 'budget_threshold',
    user_id: userId,
    budget_id: 'b1',
    message: `alert ${id}`,
    created_at: createdAt,
  };
}

function anomaly(userId: string, id: string, date: string): StoredAnomaly {
  return {
    id,
    userId,
    transactionId: `t_${id}`,
    kind: 'amount_outlier',
    score: 7.5,
    explanation: `$412.50 at BESTBUY is 6.3 times your usual purchase (${id})`,
    details: { amount_minor: 41_250, basis: 'merchant' },
    date,
    detectedAt: NOW,
  };
}

function rule(userId: string, id: string, over: Partial<UserRule> = {}): UserRule {
  return {
    id,
    user_id: userId,
    match: { merchant: `Merchant ${id}`, min_amount: '1.50', description_regex: '^cafe.*' },
    category: { primary: 'FOOD_AND_DRINK', detailed: null },
    priority: 10,
    created_at: NOW,
    updated_at: NOW,
    ...over,
  };
}

/** Every page of a list, following cursors; checks each page's size. */
async function allPages<T>(
  read: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page<T> = await read({ limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (cursor);
  return { items, pages };
}

/** Of settled racers: how many won, and that every loser lost with a ConflictError. */
function winners(results: PromiseSettledResult<unknown>[]): number {
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
  return results.filter((r) => r.status === 'fulfilled').length;
}

const ids = (alerts: StoredAlert[]) => alerts.map((s) => s.alert.id);

forEachBackend('RuleStore', (backend) => {
  it('puts (creates or replaces by id), lists by id, deletes once, and scopes by user', async () => {
    const { store } = backend();
    const [ann, bob] = [user('ann'), user('bob')];
    await store.putUserRule(rule(ann, 'r2'));
    await store.putUserRule(rule(ann, 'r1', { priority: -5 }));
    await store.putUserRule(rule(ann, 'R9'));
    await store.putUserRule(rule(bob, 'r1'));
    expect(await store.listUserRules(ann)).toEqual([
      rule(ann, 'R9'),
      rule(ann, 'r1', { priority: -5 }),
      rule(ann, 'r2'),
    ]);
    // A repeated put is idempotent; a put of the id with other values replaces it.
    await store.putUserRule(rule(ann, 'r2'));
    const changed = rule(ann, 'r2', {
      match: { description_contains: 'coffee' },
      category: { primary: 'TRAVEL', detailed: 'TRAVEL_FLIGHTS' },
      updated_at: '2026-11-21T00:00:00.000Z',
    });
    await store.putUserRule(changed);
    expect((await store.listUserRules(ann)).find((r) => r.id === 'r2')).toEqual(changed);
    expect(await store.listUserRules(ann)).toHaveLength(3);
    expect(await store.deleteUserRule(bob, 'r2')).toBe(false);
    expect(await store.deleteUserRule(ann, 'r2')).toBe(true);
    expect(await store.deleteUserRule(ann, 'r2')).toBe(false);
    expect((await store.listUserRules(ann)).map((r) => r.id)).toEqual(['R9', 'r1']);
    expect(await store.listUserRules(bob)).toEqual([rule(bob, 'r1')]);
    expect(await store.listUserRules(user('cy'))).toEqual([]);
  });

  it('a re-categorization request goes through the change feed every time it is asked', async () => {
    const { store, outbox } = backend();
    const dee = user('dee');
    await store.requestRecategorization(dee, NOW, 'rule r1 changed');
    await store.requestRecategorization(dee, '2026-11-20T12:00:01.000Z', 'rule r2 changed');
    if (!outbox) return;
    const rows = await outbox(dee);
    expect(rows.map((r) => [r.entity, r.eventName])).toEqual([
      ['recategorize', 'INSERT'],
      ['recategorize', 'MODIFY'],
    ]);
    const [first, second] = rows.map((r) => RecategorizeImageSchema.parse(r.after));
    expect(first).toMatchObject({
      entity: 'recategorize',
      userId: dee,
      requestedAt: NOW,
      reason: 'rule r1 changed',
    });
    expect(second).toMatchObject({ requestedAt: '2026-11-20T12:00:01.000Z', reason: 'rule r2 changed' });
    expect(first!.requestId).not.toEqual(second!.requestId);
    expect(rows[1]!.before).toEqual(rows[0]!.after);
  });
});

forEachBackend('BudgetStore and SettingsStore', (backend) => {
  it('creates once, reads, lists oldest first, replaces, deletes, and scopes by user', async () => {
    const { store } = backend();
    const [ann, bob] = [user('ann'), user('bob')];
    await store.putNewBudget(budget(ann, 'b1'));
    await store.putNewBudget(
      budget(ann, 'b0', { createdAt: '2026-11-21T00:00:00.000Z', category: 'TRAVEL' }),
    );
    await store.putNewBudget(budget(ann, 'a9', { createdAt: '2026-11-21T00:00:00.000Z' }));
    await expect(store.putNewBudget(budget(ann, 'b1', { limitMinor: 1 }))).rejects.toThrow(ConflictError);
    expect(await store.getBudget(ann, 'b1')).toEqual(budget(ann, 'b1'));
    // Oldest first; the same instant by id.
    expect((await store.listBudgets(ann)).map((b) => b.id)).toEqual(['b1', 'a9', 'b0']);
    expect(await store.getBudget(bob, 'b1')).toBeNull();
    expect(await store.listBudgets(bob)).toEqual([]);

    await store.replaceBudget(budget(ann, 'b1', { limitMinor: 60_000, thresholds: [0.5, 0.75, 1.25] }));
    expect(await store.getBudget(ann, 'b1')).toEqual(
      budget(ann, 'b1', { limitMinor: 60_000, thresholds: [0.5, 0.75, 1.25] }),
    );
    await expect(store.replaceBudget(budget(bob, 'b1'))).rejects.toThrow(ConflictError);
    expect(await store.getBudget(bob, 'b1')).toBeNull();
    expect(await store.deleteBudget(bob, 'b1')).toBe(false);
    expect(await store.deleteBudget(ann, 'b1')).toBe(true);
    expect(await store.deleteBudget(ann, 'b1')).toBe(false);
    await expect(store.replaceBudget(budget(ann, 'b1'))).rejects.toThrow(ConflictError);
    expect((await store.listBudgets(ann)).map((b) => b.id)).toEqual(['a9', 'b0']);
  });

  it('two writers of a new budget with the same id: one wins, the other gets a ConflictError', async () => {
    const { store } = backend();
    const eve = user('eve');
    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled([
        store.putNewBudget(budget(eve, `b${round}`, { limitMinor: 100 })),
        store.putNewBudget(budget(eve, `b${round}`, { limitMinor: 200 })),
      ]);
      expect(winners(results)).toBe(1);
      const won = results[0]!.status === 'fulfilled' ? 100 : 200;
      expect((await store.getBudget(eve, `b${round}`))!.limitMinor).toBe(won);
    }
  });

  it('a replacement racing a delete: whichever lands second sees the outcome of the first', async () => {
    const { store } = backend();
    const fay = user('fay');
    await store.putNewBudget(budget(fay, 'b1'));
    const [replaced, deleted] = await Promise.allSettled([
      store.replaceBudget(budget(fay, 'b1', { limitMinor: 7 })),
      store.deleteBudget(fay, 'b1'),
    ]);
    expect(deleted).toEqual({ status: 'fulfilled', value: true });
    if (replaced.status === 'rejected') expect(replaced.reason).toBeInstanceOf(ConflictError);
    expect(await store.getBudget(fay, 'b1')).toBeNull();
  });

  it('budget writes go through the change feed as the spend processor reads them (Postgres: the outbox)', async () => {
    const { store, outbox } = backend();
    const gus = user('gus');
    const b = budget(gus, 'b1');
    await store.putNewBudget(b);
    await expect(store.putNewBudget(b)).rejects.toThrow(ConflictError);
    const edited = budget(gus, 'b1', { limitMinor: 1_000, updatedAt: '2026-11-21T00:00:00.000Z' });
    await store.replaceBudget(edited);
    await store.replaceBudget(edited); // changes nothing: no change record (DynamoDB writes no stream record)
    await expect(store.replaceBudget(budget(gus, 'nope'))).rejects.toThrow(ConflictError);
    expect(await store.deleteBudget(gus, 'b1')).toBe(true);
    expect(await store.deleteBudget(gus, 'b1')).toBe(false);
    if (!outbox) return;
    const rows = await outbox(gus);
    expect(rows.map((r) => [r.entity, r.eventName])).toEqual([
      ['budget', 'INSERT'],
      ['budget', 'MODIFY'],
      ['budget', 'REMOVE'],
    ]);
    const image = (v: Record<string, unknown> | null) => (v === null ? null : BudgetImageSchema.parse(v));
    expect(rows.map((r) => [image(r.before), image(r.after)])).toEqual([
      [null, b],
      [b, edited],
      [edited, null],
    ]);
    expect(rows.every((r) => (r.after ?? r.before)!.entity === 'budget')).toBe(true);
  });

  it('settings default to UTC, keep what is put, and are the user\u2019s own', async () => {
    const { store } = backend();
    const [cy, dee] = [user('cy'), user('dee')];
    expect(await store.getUserSettings(cy)).toEqual({ timeZone: 'UTC', updatedAt: null });
    await store.putUserSettings(cy, { timeZone: 'Asia/Kolkata', updatedAt: NOW });
    expect(await store.getUserSettings(cy)).toEqual({ timeZone: 'Asia/Kolkata', updatedAt: NOW });
    await store.putUserSettings(cy, { timeZone: 'America/New_York', updatedAt: null });
    expect(await store.getUserSettings(cy)).toEqual({ timeZone: 'America/New_York', updatedAt: null });
    expect(await store.getUserSettings(dee)).toEqual({ timeZone: 'UTC', updatedAt: null });
  });
});

forEachBackend('AlertStore', (backend) => {
  it('writes once per id: a second put returns the first alert as stored, published or not', async () => {
    const { store } = backend();
    const eve = user('eve');
    const first = await store.putAlert(alert(eve, 'a1', '2026-11-20T10:00:00.000Z'));
    expect(first).toEqual({
      created: true,
      stored: { alert: alert(eve, 'a1', '2026-11-20T10:00:00.000Z'), publishedAt: null },
    });
    const again = await store.putAlert({
      ...alert(eve, 'a1', '2026-11-20T11:00:00.000Z'),
      message: 'other',
    });
    expect(again).toEqual({ created: false, stored: first.stored });
    await store.markAlertPublished(eve, 'a1', NOW);
    expect(await store.putAlert(alert(eve, 'a1', NOW))).toEqual({
      created: false,
      stored: { alert: alert(eve, 'a1', '2026-11-20T10:00:00.000Z'), publishedAt: NOW },
    });
    // Another user's alert of the same id is another alert.
    const other = user('other');
    expect((await store.putAlert(alert(other, 'a1', NOW))).created).toBe(true);
    await expect(store.markAlertPublished(user('nobody'), 'a1', NOW)).rejects.toThrow();
  });

  it('two writers of the same alert: exactly one creates it, both get the stored one', async () => {
    const { store } = backend();
    const hal = user('hal');
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        store.putAlert({ ...alert(hal, 'a1', NOW), message: `writer ${i}` }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const stored = results.find((r) => r.created)!.stored;
    for (const r of results) expect(r.stored).toEqual(stored);
    expect((await store.listAlerts(hal, {}, { limit: 10 })).items).toEqual([stored]);
  });

  it('lists newest first, from `since` (inclusive), and only the caller\u2019s', async () => {
    const { store } = backend();
    const [fay, gus] = [user('fay'), user('gus')];
    for (let i = 0; i < 5; i++) await store.putAlert(alert(fay, `f${i}`, `2026-11-2${i}T00:00:00.000Z`));
    // Same instant: by id, descending.
    await store.putAlert(alert(fay, 'f2b', '2026-11-22T00:00:00.000Z'));
    await store.putAlert(alert(gus, 'g1', '2026-11-22T00:00:00.000Z'));
    expect(ids((await store.listAlerts(fay, {}, { limit: 100 })).items)).toEqual([
      'f4',
      'f3',
      'f2b',
      'f2',
      'f1',
      'f0',
    ]);
    expect(
      ids((await store.listAlerts(fay, { since: '2026-11-22T00:00:00.000Z' }, { limit: 100 })).items),
    ).toEqual(['f4', 'f3', 'f2b', 'f2']);
    expect(
      (await store.listAlerts(fay, { since: '2026-12-01T00:00:00.000Z' }, { limit: 100 })).items,
    ).toEqual([]);
    expect(ids((await store.listAlerts(gus, {}, { limit: 10 })).items)).toEqual(['g1']);
    expect((await store.listAlerts(user('ivy'), {}, { limit: 10 })).items).toEqual([]);
  });

  it('pages by cursor without gaps or repeats at every page size, the boundaries included', async () => {
    const { store } = backend();
    const jo = user('jo');
    const all = Array.from({ length: 6 }, (_, i) => alert(jo, `j${i}`, `2026-11-0${i + 1}T00:00:00.000Z`));
    for (const a of all) await store.putAlert(a);
    const newestFirst = all.map((a) => a.id).reverse();
    for (const limit of [1, 2, 3, 5, 6, 7]) {
      const { items, pages } = await allPages((p) => store.listAlerts(jo, {}, p), limit);
      expect(ids(items)).toEqual(newestFirst);
      // An exact multiple may end with one empty page (DynamoDB's LastEvaluatedKey), never more.
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(6 / limit));
      expect(pages).toBeLessThanOrEqual(Math.ceil(6 / limit) + (6 % limit === 0 ? 1 : 0));
      const since = await allPages(
        (p) => store.listAlerts(jo, { since: '2026-11-03T00:00:00.000Z' }, p),
        limit,
      );
      expect(ids(since.items)).toEqual(newestFirst.slice(0, 4));
    }
    // An alert written between two pages: older ones still come, none twice.
    const p1 = await store.listAlerts(jo, {}, { limit: 2 });
    await store.putAlert(alert(jo, 'j9', '2026-11-30T00:00:00.000Z'));
    const rest = await allPages(
      (p) => store.listAlerts(jo, {}, { ...p, cursor: p.cursor ?? p1.nextCursor }),
      2,
    );
    expect(ids([...p1.items, ...rest.items])).toEqual(newestFirst);
  });

  it('refuses a cursor of another user or another list position', async () => {
    const { store } = backend();
    const [kim, lee] = [user('kim'), user('lee')];
    for (let i = 0; i < 3; i++) await store.putAlert(alert(kim, `k${i}`, `2026-11-0${i + 1}T00:00:00.000Z`));
    await store.putAlert(alert(lee, 'l1', NOW));
    const p1 = await store.listAlerts(kim, {}, { limit: 2 });
    expect(p1.nextCursor).not.toBeNull();
    await expect(store.listAlerts(lee, {}, { limit: 1, cursor: p1.nextCursor })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(store.listAlerts(kim, {}, { limit: 1, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(
      InvalidCursorError,
    );
    // A position before `since` is outside the query.
    await expect(
      store.listAlerts(kim, { since: '2026-11-03T00:00:00.000Z' }, { limit: 1, cursor: p1.nextCursor }),
    ).rejects.toThrow(InvalidCursorError);
  });
});

forEachBackend('AnomalyStore', (backend) => {
  it('writes once per id, lists by transaction date within a range, deletes by id, and scopes by user', async () => {
    const { store } = backend();
    const [hal, ian] = [user('hal'), user('ian')];
    expect(await store.putAnomaly(anomaly(hal, 'n1', '2026-10-01'))).toBe(true);
    expect(await store.putAnomaly({ ...anomaly(hal, 'n1', '2026-10-01'), score: 99 })).toBe(false);
    await store.putAnomaly(anomaly(hal, 'n3', '2026-11-05'));
    await store.putAnomaly(anomaly(hal, 'n2', '2026-11-05'));
    await store.putAnomaly(anomaly(hal, 'n4', '2026-11-30'));
    await store.putAnomaly(anomaly(ian, 'x1', '2026-11-05'));
    const list = async (range: { from?: string; to?: string }) =>
      (await store.listAnomalies(hal, range)).map((a) => a.id);
    expect(await list({})).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(await list({ from: '2026-11-01', to: '2026-11-30' })).toEqual(['n2', 'n3', 'n4']);
    expect(await list({ from: '2026-11-05', to: '2026-11-05' })).toEqual(['n2', 'n3']);
    expect(await list({ to: '2026-11-05' })).toEqual(['n1', 'n2', 'n3']);
    expect(await list({ from: '2026-11-06' })).toEqual(['n4']);
    expect(await list({ from: '2026-12-01' })).toEqual([]);
    expect((await store.listAnomalies(hal, { from: '2026-10-01', to: '2026-10-01' }))[0]).toEqual(
      anomaly(hal, 'n1', '2026-10-01'),
    );
    await store.deleteAnomalies(hal, ['n1', 'n4', 'never']);
    await store.deleteAnomalies(hal, []);
    await store.deleteAnomalies(ian, ['n2']);
    expect(await list({})).toEqual(['n2', 'n3']);
    expect((await store.listAnomalies(ian, {})).map((a) => a.id)).toEqual(['x1']);
  });

  it('two writers of the same anomaly: exactly one writes it', async () => {
    const { store } = backend();
    const jay = user('jay');
    const results = await Promise.all([
      store.putAnomaly(anomaly(jay, 'n1', '2026-11-01')),
      store.putAnomaly({ ...anomaly(jay, 'n1', '2026-11-01'), score: 3 }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.listAnomalies(jay, {})).toHaveLength(1);
  });

  it('deletes many at once', async () => {
    const { store } = backend();
    const kay = user('kay');
    const many = Array.from({ length: 60 }, (_, i) =>
      anomaly(kay, `m${String(i).padStart(2, '0')}`, '2026-11-01'),
    );
    for (const a of many) await store.putAnomaly(a);
    await store.deleteAnomalies(
      kay,
      many.filter((_, i) => i % 3).map((a) => a.id),
    );
    expect((await store.listAnomalies(kay, {})).map((a) => a.id)).toEqual(
      many.filter((_, i) => i % 3 === 0).map((a) => a.id),
    );
  });
});

forEachBackend('ProjectionStore', (backend) => {
  const month = (m: string, rev: number, entries: [string, string][] = []): SpendMonth => ({
    month: m,
    rev,
    entries: new Map(entries),
  });

  it('loads months (empty at rev 0), saves them on their revision only, and reads the rollups of a range', async () => {
    const { store } = backend();
    const [joy, kim] = [user('joy'), user('kim')];
    const months = await store.loadSpendMonths(joy, ['2026-10', '2026-11', '2026-10']);
    expect([...months.values()]).toEqual([month('2026-10', 0), month('2026-11', 0)]);
    const nov = months.get('2026-11')!;
    nov.entries.set('t1', '2026-11-03|-1250|USD|FOOD_AND_DRINK||');
    expect(await store.saveSpendMonth(joy, nov, 'cells-11', NOW)).toBe(1);
    await expect(store.saveSpendMonth(joy, nov, 'stale', NOW)).rejects.toThrow(ConflictError);
    const reread = (await store.loadSpendMonths(joy, ['2026-11'])).get('2026-11')!;
    expect(reread).toEqual(month('2026-11', 1, [['t1', '2026-11-03|-1250|USD|FOOD_AND_DRINK||']]));
    reread.entries.set('t2', '2026-11-04|-50|USD|||p');
    expect(await store.saveSpendMonth(joy, reread, 'cells-11b', NOW)).toBe(2);
    await expect(store.saveSpendMonth(joy, { ...reread, rev: 5 }, 'ahead', NOW)).rejects.toThrow(
      ConflictError,
    );
    await store.saveSpendMonth(joy, month('2026-09', 0), 'cells-09', NOW);
    expect(await store.readSpendRollups(joy, '2026-09', '2026-11')).toEqual(['cells-09', 'cells-11b']);
    expect(await store.readSpendRollups(joy, '2026-10', '2026-10')).toEqual([]);
    expect(await store.readSpendRollups(joy, '2026-11', '2026-11')).toEqual(['cells-11b']);
    expect(await store.readSpendRollups(kim, '2026-01', '2026-12')).toEqual([]);
    expect((await store.loadSpendMonths(kim, ['2026-11'])).get('2026-11')).toEqual(month('2026-11', 0));
  });

  it('two writers of a month at the same revision: one wins, the other gets a ConflictError', async () => {
    const { store } = backend();
    const lou = user('lou');
    for (const rev of [0, 1, 2]) {
      const results = await Promise.allSettled([
        store.saveSpendMonth(lou, month('2026-11', rev, [['t', 'a']]), 'cells-a', NOW),
        store.saveSpendMonth(lou, month('2026-11', rev, [['t', 'b']]), 'cells-b', NOW),
      ]);
      expect(winners(results)).toBe(1);
      const won = results[0]!.status === 'fulfilled' ? 'a' : 'b';
      expect((await store.loadSpendMonths(lou, ['2026-11'])).get('2026-11')).toEqual(
        month('2026-11', rev + 1, [['t', won]]),
      );
      // The rollup is the winner's, written with its month.
      expect(await store.readSpendRollups(lou, '2026-11', '2026-11')).toEqual([`cells-${won}`]);
    }
    for (const rev of [0, 1]) {
      const results = await Promise.allSettled([
        store.saveHistoryMonth(lou, month('2026-11', rev, [['h', 'a']]), NOW),
        store.saveHistoryMonth(lou, month('2026-11', rev, [['h', 'b']]), NOW),
      ]);
      expect(winners(results)).toBe(1);
    }
  });

  it('keeps the anomaly history months apart from the spend months, with the same revision rule', async () => {
    const { store } = backend();
    const joy = user('joy');
    await store.saveSpendMonth(joy, month('2026-11', 0, [['t1', 'x']]), 'cells', NOW);
    const m = (await store.loadHistoryMonths(joy, ['2026-11'])).get('2026-11')!;
    expect(m).toEqual(month('2026-11', 0));
    m.entries.set('t9', '["2026-11-03",-1250,"USD",null,null,0,"acc","2026-11-03T10:00:00Z","Cafe"]');
    expect(await store.saveHistoryMonth(joy, m, NOW)).toBe(1);
    await expect(store.saveHistoryMonth(joy, m, NOW)).rejects.toThrow(ConflictError);
    expect((await store.loadHistoryMonths(joy, ['2026-11'])).get('2026-11')).toEqual(
      month('2026-11', 1, [['t9', m.entries.get('t9')!]]),
    );
    expect([...(await store.loadSpendMonths(joy, ['2026-11'])).get('2026-11')!.entries.keys()]).toEqual([
      't1',
    ]);
    expect((await store.loadHistoryMonths(user('zed'), ['2026-11'])).get('2026-11')!.rev).toBe(0);
  });

  it('loads more than 100 months in one call, and a month of thousands of entries', async () => {
    const { store } = backend();
    const lee = user('lee');
    const many = Array.from(
      { length: 130 },
      (_, i) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
    );
    await store.saveSpendMonth(lee, month(many[129]!, 0, [['t', 'v']]), 'c', NOW);
    const loaded = await store.loadSpendMonths(lee, many);
    expect(loaded.size).toBe(130);
    expect(loaded.get(many[129]!)!.rev).toBe(1);
    const entries = Array.from({ length: 3_000 }, (_, i): [string, string] => [
      `txn_${String(i).padStart(6, '0')}`,
      `2026-11-${String((i % 28) + 1).padStart(2, '0')}|-${i}|USD|FOOD_AND_DRINK|FOOD_AND_DRINK_COFFEE|`,
    ]);
    await store.saveHistoryMonth(lee, month('2026-11', 0, entries), NOW);
    const back = (await store.loadHistoryMonths(lee, ['2026-11'])).get('2026-11')!;
    expect(back.entries).toEqual(new Map(entries));
  });
});
