import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankEnv } from '../../shared/banks/kit/config';
import { generatorOptions } from '../../shared/banks/kit/data-source';
import { visibleTransactions } from '../../shared/banks/kit/replay';
import { cleanText } from '../../shared/banks/kit/normalizer';
import { generateUser } from '../../shared/generator';
import type { BankRecordVersion } from '../../shared/generator/types';
import { formatDecimal } from '../../shared/domain/money';
import { transactionId } from '../../shared/domain/reconcile';
import { merchantOf } from '../../shared/domain/correction-rules';
import { Api, submitConsent } from '../support/api';
import { waitForCategorized, waitForCategory } from '../support/categorize';
import { devToken, startTwinProcess, type TwinProcess } from '../support/twin-process';

/**
 * Corrections over HTTP against the twin. The bank's clock is frozen just before a pending card payment posts with
 * a tip (a new amount and a longer description); the user corrects it, then the bank's clock moves past the posting
 * and the connection syncs again.
 */

interface T {
  id: string;
  account_id: string;
  date: string;
  amount: string;
  currency: string;
  description: string;
  merchant_name: string | null;
  category: { primary: string; detailed: string | null; source: string; rule_id: string | null } | null;
  status: string;
  reconciled: boolean;
  conflicts: { field: string; user_value: unknown; bank_value: unknown; bank_value_at_correction: unknown }[];
  updated_at: string;
}
interface Detail extends T {
  original: Record<string, unknown>;
  history: { seq: number; kind: string; actor: string }[];
}
interface Audit {
  entries: {
    seq: number;
    at: string;
    actor: string;
    action: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    note: string | null;
  }[];
}
interface Problem {
  status: number;
  errors?: { path: string; message: string }[];
}

const BANK = 'bank_a';
const user0 = generateUser(generatorOptions(bankEnv({ STAGE: 'local' })), 0);

/** A pending card payment that posts with a changed amount and description, a while into the year. */
const target = (() => {
  for (const txn of user0.transactions) {
    const [appear] = txn.events;
    const post = txn.events.find((e) => e.kind === 'post');
    if (!appear || appear.kind !== 'appear' || appear.version.status !== 'pending') continue;
    if (!post || post.kind !== 'post' || txn.events.length !== 2 || txn.bank !== BANK) continue;
    if (post.at < '2026-01-15' || post.version.amountMinor === appear.version.amountMinor) continue;
    if (post.version.description === appear.version.description) continue;
    return { pending: appear.version, posted: post.version, postAt: post.at };
  }
  throw new Error('no pending payment that posts with a tip in the generated data');
})();
const T0 = new Date(Date.parse(target.postAt) - 60_000).toISOString();
const T1 = new Date(Date.parse(target.postAt) + 60_000).toISOString();
/** Bank records whose life cycle moves between T0 and T1, besides the target's. */
const movingBetween = (() => {
  const before = new Map(visibleTransactions(user0, BANK, new Date(T0)).map((v) => [v.bankTxnId, v]));
  return visibleTransactions(user0, BANK, new Date(T1)).filter((v) => {
    const b = before.get(v.bankTxnId);
    return !b || b.amountMinor !== v.amountMinor || b.description !== v.description || b.status !== v.status;
  });
})();

let twin: TwinProcess;
let api: Api;
let bob: Api;
let connectionId: string;
const CALLBACK = 'http://127.0.0.1:9/my-app/callback';

async function bankClock(body: Record<string, unknown>) {
  const res = await fetch(`${twin.url}/mock-banks/${BANK}/admin/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': 'local-admin' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function waitForSync(previous: string | null) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const c = await api.get<{ last_sync_at: string | null; last_sync_status: string | null }>(
      `/connections/${connectionId}`,
    );
    if (c.body.last_sync_at && c.body.last_sync_at !== previous) {
      expect(c.body.last_sync_status).toBe('succeeded');
      return c.body.last_sync_at;
    }
    if (Date.now() > deadline) throw new Error(`the sync did not finish:\n${twin.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function allTransactions(client = api): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await client.get<{ transactions: T[]; next_cursor: string | null }>(
      `/transactions?limit=500${q}`,
    );
    expect(page.status).toBe(200);
    out.push(...page.body.transactions);
    cursor = page.body.next_cursor;
  } while (cursor);
  return out;
}

const detail = async (id: string) => (await api.get<Detail>(`/transactions/${id}`)).body;
const audit = async (id: string) => (await api.get<Audit>(`/transactions/${id}/audit`)).body.entries;
const money = (v: BankRecordVersion) => formatDecimal({ minor: v.amountMinor, currency: 'USD' });

let lastSync: string;
let x: string; // the payment that posts with a tip
let z: string; // a posted payment the bank leaves alone

beforeAll(async () => {
  twin = await startTwinProcess();
  api = new Api(twin.url).withToken(await devToken(twin.url, 'alice'));
  bob = new Api(twin.url).withToken(await devToken(twin.url, 'bob'));
  await bankClock({ set: T0, freeze: true });
  const started = await api.post<{ authorize_url: string; state: string }>('/auth/link-bank', {
    provider: BANK,
    redirect_uri: CALLBACK,
  });
  const consent = await submitConsent(started.body.authorize_url);
  const code = new URL(consent.location!).searchParams.get('code')!;
  const done = await api.post<{ connection: { id: string } }>('/auth/callback', {
    state: started.body.state,
    code,
  });
  expect(done.status).toBe(201);
  connectionId = done.body.connection.id;
  lastSync = await waitForSync(null);
  // The Categorizer (table stream) has categorized what the sync wrote.
  await waitForCategorized(api);
  x = transactionId(connectionId, target.pending.bankTxnId);
  const moving = new Set(movingBetween.map((v) => v.bankTxnId));
  const candidates = visibleTransactions(user0, BANK, new Date(T0)).filter(
    (v) =>
      v.status === 'posted' &&
      !v.resent &&
      !v.pendingBankTxnId &&
      !moving.has(v.bankTxnId) &&
      v.amountMinor < 0,
  );
  z = transactionId(connectionId, candidates.at(-1)!.bankTxnId);
});
afterAll(async () => twin?.stop());

/** A T's category as audit events show it (without the `confidence_level` T adds). */
function storedCategory(c: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'confidence_level'));
}

describe('corrections over HTTP', () => {
  it('starts from the bank values', async () => {
    const t = await detail(x);
    expect(t).toMatchObject({
      status: 'pending',
      amount: money(target.pending),
      description: cleanText(target.pending.description),
      reconciled: false,
      conflicts: [],
    });
  });

  it('corrects amount, description, date and category with a note: effective values, original unchanged', async () => {
    const before = await detail(z);
    const feed = await api.get<{ next_cursor: string }>('/transactions/sync?count=500');
    let cursor = feed.body.next_cursor;
    for (let more = true; more;) {
      const page = await api.get<{ next_cursor: string; has_more: boolean }>(
        `/transactions/sync?cursor=${cursor}`,
      );
      cursor = page.body.next_cursor;
      more = page.body.has_more;
    }
    const body = {
      amount: '-42.10',
      description: 'Dinner with the team',
      date: '2025-12-31',
      category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_RESTAURANT' },
      note: 'split the bill; receipt says 42.10',
    };
    const res = await api.post<T>(`/transactions/${z}/reconcile`, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: z,
      amount: '-42.10',
      description: 'Dinner with the team',
      date: '2025-12-31',
      category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_RESTAURANT', source: 'user' },
      reconciled: true,
      conflicts: [],
    });
    const after = await detail(z);
    expect(after.original).toEqual(before.original);
    expect(after.history.at(-1)).toMatchObject({ kind: 'corrected', actor: 'user:alice' });

    // The same correction again changes nothing: no new event.
    const again = await api.post<T>(`/transactions/${z}/reconcile`, body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect((await detail(z)).history).toHaveLength(after.history.length);

    // It is a transaction write like any other: listed under its new date, and in the change feed.
    const dated = await api.get<{ transactions: T[] }>('/transactions?from=2025-12-31&to=2025-12-31');
    expect(dated.body.transactions.map((t) => t.id)).toEqual([z]);
    const changes = await api.get<{ modified: T[]; added: T[] }>(`/transactions/sync?cursor=${cursor}`);
    expect(changes.body.modified.map((t) => t.id)).toEqual([z]);
    expect(changes.body.modified[0]).toMatchObject({ amount: '-42.10', reconciled: true });

    // The Categorizer's category (if the engine gave one) came before the correction. Audit events show the
    // stored category; T adds Plaid's confidence_level of it.
    const stored = before.category ? storedCategory(before.category) : null;
    const categorized = before.category
      ? [
          {
            seq: 2,
            at: expect.any(String),
            actor: 'rules:builtin',
            action: 'categorized',
            before: { category: null },
            after: { category: stored },
            note: expect.any(String),
          },
        ]
      : [];
    expect(await audit(z)).toEqual([
      {
        seq: 1,
        at: expect.any(String),
        actor: expect.stringMatching(/^sync:/),
        action: 'created',
        before: null,
        after: expect.objectContaining({ amount: before.original.amount }),
        note: 'new at the bank',
      },
      ...categorized,
      {
        seq: 2 + categorized.length,
        at: expect.any(String),
        actor: 'user:alice',
        action: 'corrected',
        before: {
          amount: before.amount,
          description: before.description,
          date: before.date,
          category: stored,
        },
        after: {
          amount: '-42.10',
          description: 'Dinner with the team',
          date: '2025-12-31',
          category: {
            primary: 'FOOD_AND_DRINK',
            detailed: 'FOOD_AND_DRINK_RESTAURANT',
            source: 'user',
            confidence: 1,
            rule_id: null,
          },
        },
        note: 'split the bill; receipt says 42.10',
      },
    ]);
  });

  it('keeps the user value when the bank corrects it later: history, conflict, and the other fields follow the bank', async () => {
    const res = await api.post<T>(`/transactions/${x}/reconcile`, {
      amount: '-20.00',
      note: 'the tip was cash',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amount: '-20.00', status: 'pending', reconciled: true, conflicts: [] });

    await bankClock({ set: T1 });
    const sync = await api.post(`/connections/${connectionId}/sync`);
    expect(sync.status).toBe(202);
    lastSync = await waitForSync(lastSync);
    // The Categorizer has caught up with the sync (its events would race the history checks below).
    await waitForCategorized(api, { skip: (l) => l.id === x || l.id === z });
    await waitForCategory(api, x);

    const t = await detail(x);
    expect(t).toMatchObject({
      amount: '-20.00',
      status: 'posted',
      description: cleanText(target.posted.description),
      reconciled: true,
      conflicts: [
        {
          field: 'amount',
          user_value: '-20.00',
          bank_value: money(target.posted),
          bank_value_at_correction: money(target.pending),
        },
      ],
    });
    expect(t.original).toMatchObject({
      amount: money(target.posted),
      status: 'posted',
      description: cleanText(target.posted.description),
    });
    // The conflict shows in the list too.
    const listed = (await allTransactions()).find((l) => l.id === x)!;
    expect(listed.conflicts).toHaveLength(1);
    // z's correction is untouched by the sync.
    expect(await detail(z)).toMatchObject({ amount: '-42.10', reconciled: true, conflicts: [] });
  });

  it('resolves the conflict by keeping the user value, then undoes the correction', async () => {
    const kept = await api.post<T>(`/transactions/${x}/reconcile`, {
      resolve: { amount: 'keep' },
      note: 'still 20',
    });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ amount: '-20.00', conflicts: [], reconciled: true });
    // Resolving again is a no-op.
    const historyLength = (await detail(x)).history.length;
    expect((await api.post<T>(`/transactions/${x}/reconcile`, { resolve: { amount: 'keep' } })).status).toBe(
      200,
    );
    expect((await detail(x)).history).toHaveLength(historyLength);

    const undone = await api.delete<T>(
      `/transactions/${x}/reconcile?note=${encodeURIComponent('bank was right')}`,
    );
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({
      amount: money(target.posted),
      description: cleanText(target.posted.description),
      reconciled: false,
      conflicts: [],
    });
    // Undoing again changes nothing.
    expect((await api.delete<T>(`/transactions/${x}/reconcile`)).status).toBe(200);

    // The audit trail: exactly what happened, in order.
    const entries = await audit(x);
    const userOrSync = entries.filter((e) => /^(user|sync):/.test(e.actor));
    expect(
      entries.filter((e) => !/^(user|sync):/.test(e.actor)).every((e) => e.action === 'categorized'),
    ).toBe(true);
    const bankChanges = [
      ...(target.posted.bankTxnId !== target.pending.bankTxnId ? ['merged'] : []),
      'amount_changed',
      'description_changed',
      'status_changed',
      ...(target.posted.date !== target.pending.date || target.posted.at !== target.pending.at
        ? ['date_changed']
        : []),
    ];
    expect(userOrSync.map((e) => [e.actor.replace(/^sync:.*/, 'sync'), e.action])).toEqual([
      ['sync', 'created'],
      ['user:alice', 'corrected'],
      ...bankChanges.map((a) => ['sync', a]),
      ['user:alice', 'conflict_resolved'],
      ['user:alice', 'correction_reverted'],
    ]);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    const byAction = Object.fromEntries(userOrSync.map((e) => [e.action, e]));
    expect(byAction.corrected).toMatchObject({
      before: { amount: money(target.pending) },
      after: { amount: '-20.00' },
      note: 'the tip was cash',
    });
    expect(byAction.amount_changed).toMatchObject({
      before: { amount: money(target.pending) },
      after: { amount: money(target.posted) },
      note: 'bank correction',
    });
    expect(byAction.conflict_resolved).toMatchObject({
      before: { amount: { user: '-20.00', bank: money(target.pending) } },
      after: { amount: { user: '-20.00', bank: money(target.posted) } },
      note: 'still 20',
    });
    expect(byAction.correction_reverted).toMatchObject({
      before: { amount: '-20.00' },
      after: { amount: money(target.posted) },
      note: 'bank was right',
    });
    const times = entries.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
  });

  it('undoes some fields, or takes the bank value for one field', async () => {
    // The category before the user set it (the Categorizer's, or none) is what an undo restores.
    const restored = (await audit(z)).find((e) => e.action === 'corrected' && e.after?.category)!.before!
      .category;
    const res = await api.delete<T>(`/transactions/${z}/reconcile?fields=date,category`);
    expect(res.status).toBe(200);
    const original = (await detail(z)).original;
    expect(res.body).toMatchObject({
      date: original.date,
      amount: '-42.10',
      category: restored,
      reconciled: true,
    });
    const taken = await api.post<T>(`/transactions/${z}/reconcile`, { resolve: { amount: 'bank' } });
    expect(taken.body).toMatchObject({ amount: original.amount, description: 'Dinner with the team' });
    const byUser = (await audit(z)).filter((e) => e.actor === 'user:alice');
    expect(byUser.slice(-2).map((e) => [e.action, e.before, e.after])).toEqual([
      [
        'correction_reverted',
        { date: '2025-12-31', category: expect.objectContaining({ source: 'user' }) },
        { date: original.date, category: restored },
      ],
      ['correction_reverted', { amount: '-42.10' }, { amount: original.amount }],
    ]);
    // The category is the Categorizer's again: it re-categorizes the corrected description.
    await waitForCategory(api, z);
  });

  it('creates a rule from a category correction and re-categorizes past transactions of that merchant', async () => {
    const all = await allTransactions();
    const groups = new Map<string, T[]>();
    for (const t of all) {
      if (t.id === x || t.id === z) continue;
      const m = merchantOf({ merchantName: t.merchant_name, description: t.description });
      if (m) groups.set(m.toUpperCase(), [...(groups.get(m.toUpperCase()) ?? []), t]);
    }
    const [, same] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    expect(same.length).toBeGreaterThanOrEqual(3);
    const [first, overridden, ...rest] = same;
    // The user set one of them by hand before: a user's override is never undone by a rule.
    await api.post(`/transactions/${overridden!.id}/reconcile`, { category: 'TRAVEL_OTHER_TRAVEL' });

    const res = await api.post<
      T & { rule: { id: string; match: { merchant: string } }; recategorized: number }
    >(`/transactions/${first!.id}/reconcile`, {
      category: 'ENTERTAINMENT_TV_AND_MOVIES',
      create_rule: true,
      note: 'always entertainment',
    });
    expect(res.status).toBe(200);
    expect(res.body.category).toMatchObject({ primary: 'ENTERTAINMENT', source: 'user' });
    expect(res.body.recategorized).toBe(rest.length);
    const ruleId = res.body.rule.id;
    for (const t of rest) {
      const d = await detail(t.id);
      expect(d.category).toEqual({
        primary: 'ENTERTAINMENT',
        detailed: 'ENTERTAINMENT_TV_AND_MOVIES',
        source: 'user_rule',
        confidence: 1,
        confidence_level: 'VERY_HIGH',
        rule_id: ruleId,
      });
      expect((await audit(t.id)).at(-1)).toMatchObject({
        actor: `rule:${ruleId}`,
        action: 'categorized',
        after: { category: { source: 'user_rule', rule_id: ruleId } },
      });
    }
    expect((await detail(overridden!.id)).category).toMatchObject({
      detailed: 'TRAVEL_OTHER_TRAVEL',
      source: 'user',
    });
    // Filtering by the new category finds them.
    const filtered = await api.get<{ transactions: T[] }>(
      '/transactions?category=ENTERTAINMENT_TV_AND_MOVIES',
    );
    expect(filtered.body.transactions.map((t) => t.id).sort()).toEqual(
      [first!.id, ...rest.map((t) => t.id)].sort(),
    );
    // The same request again: the rule is there already and nothing changes.
    const again = await api.post<{ recategorized: number; rule: { id: string } }>(
      `/transactions/${first!.id}/reconcile`,
      { category: 'ENTERTAINMENT_TV_AND_MOVIES', create_rule: true, note: 'always entertainment' },
    );
    expect(again.body).toMatchObject({ recategorized: 0, rule: { id: ruleId } });
  });
});

describe('refused input changes nothing', () => {
  const cases: [string, unknown, string][] = [
    ['an unknown field', { amount: '-1.00', colour: 'red' }, 'body'],
    ['too many decimals for the currency', { amount: '-1.234' }, 'body.amount'],
    ['an amount that is not a number', { amount: 'twelve' }, 'body.amount'],
    ['an amount as a JSON number', { amount: -12.5 }, 'body.amount'],
    ['an invalid date', { date: '2026-02-30' }, 'body.date'],
    ['a date in another format', { date: '02/03/2026' }, 'body.date'],
    ['the year 0000', { date: '0000-01-01' }, 'body.date'],
    ['a date before 1970', { date: '1969-12-31' }, 'body.date'],
    ['a date more than a year ahead', { date: '9999-12-31' }, 'body.date'],
    ['a category outside the taxonomy', { category: 'FOOD_AND_FUN' }, 'body.category'],
    [
      'a detailed category under another primary',
      { category: { primary: 'TRAVEL', detailed: 'FOOD_AND_DRINK_COFFEE' } },
      'body.category',
    ],
    ['an empty correction', {}, 'body'],
    ['a note alone', { note: 'hello' }, 'body'],
    ['create_rule without a category', { description: 'x', create_rule: true }, 'body.create_rule'],
    [
      'a field both corrected and resolved',
      { amount: '-1.00', resolve: { amount: 'keep' } },
      'body.resolve.amount',
    ],
    ['an unknown resolution', { resolve: { amount: 'maybe' } }, 'body.resolve.amount'],
    ['an empty description', { description: '   ' }, 'body.description'],
  ];

  it.each(cases)('refuses %s with a 400 problem', async (_name, body, path) => {
    const before = await detail(z);
    const res = await api.post<Problem>(`/transactions/${z}/reconcile`, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors?.map((e) => e.path)).toContain(path);
    expect(await detail(z)).toEqual(before);
  });

  it.each([
    ['/transactions?from=0000-01-01', 'query.from'],
    ['/transactions?to=9999-12-31', 'query.to'],
    ['/transactions?from=2026-02-30', 'query.from'],
    ['/analytics/spending?from=1969-12-31', 'query.from'],
    ['/analytics/categories?to=9999-01-01', 'query.to'],
    ['/analytics/anomalies?from=0000-01-01', 'query.from'],
    ['/alerts?since=0000-01-01T00:00:00Z', 'query.since'],
    ['/alerts?since=9999-12-31T00:00:00Z', 'query.since'],
  ])('GET %s is a 400 problem naming the field', async (url, path) => {
    const res = await api.get<Problem>(url);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors?.map((e) => e.path)).toEqual([path]);
  });

  it('refuses a body that is not JSON, and undo of unknown fields', async () => {
    const before = await detail(z);
    expect((await api.post(`/transactions/${z}/reconcile`, '{"amount":')).status).toBe(400);
    const bad = await api.delete<Problem>(`/transactions/${z}/reconcile?fields=amount,colour`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.path).toMatch(/^query\.fields/);
    expect((await api.delete<Problem>(`/transactions/${z}/reconcile?everything=1`)).status).toBe(400);
    expect(await detail(z)).toEqual(before);
  });

  it("answers 404 for another user's transaction, or one that does not exist, and changes nothing", async () => {
    const before = await detail(z);
    expect((await bob.post(`/transactions/${z}/reconcile`, { amount: '-1.00' })).status).toBe(404);
    expect((await bob.delete(`/transactions/${z}/reconcile`)).status).toBe(404);
    expect((await bob.get(`/transactions/${z}/audit`)).status).toBe(404);
    expect((await bob.get(`/transactions/${z}`)).status).toBe(404);
    expect((await api.post('/transactions/txn_nope/reconcile', { amount: '-1.00' })).status).toBe(404);
    expect((await api.get('/transactions/txn_nope/audit')).status).toBe(404);
    expect(await detail(z)).toEqual(before);
  });

  it('has no route that edits or deletes an audit entry', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect((await api.call(method, `/transactions/${z}/audit`, {})).status).toBe(405);
    }
    expect((await new Api(twin.url).get(`/transactions/${z}/audit`)).status).toBe(401);
  });
});
