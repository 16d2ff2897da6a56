import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { createBudget, type Budget } from '../../shared/domain/budgets';
import type { StoredAnomaly } from '../../shared/domain/insights';
import type { Alert } from '../../shared/domain/alerts';
import { ConflictError, InvalidCursorError } from '../../shared/ports/store';
import { freshTable } from '../support/dynamodb';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
beforeAll(async () => {
  table = await freshTable('insights');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

const NOW = '2026-11-20T12:00:00.000Z';

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

describe('budgets and settings', () => {
  it('creates once, reads, lists oldest first, replaces, deletes, and scopes by user', async () => {
    await store.putNewBudget(budget('ann', 'b1'));
    await store.putNewBudget(
      budget('ann', 'b2', { createdAt: '2026-11-21T00:00:00.000Z', category: 'TRAVEL' }),
    );
    await expect(store.putNewBudget(budget('ann', 'b1'))).rejects.toThrow(ConflictError);
    expect(await store.getBudget('ann', 'b1')).toEqual(budget('ann', 'b1'));
    expect((await store.listBudgets('ann')).map((b) => b.id)).toEqual(['b1', 'b2']);
    expect(await store.getBudget('bob', 'b1')).toBeNull();
    expect(await store.listBudgets('bob')).toEqual([]);

    await store.replaceBudget(budget('ann', 'b1', { limitMinor: 60_000 }));
    expect((await store.getBudget('ann', 'b1'))!.limitMinor).toBe(60_000);
    await expect(store.replaceBudget(budget('bob', 'b1'))).rejects.toThrow(ConflictError);
    expect(await store.deleteBudget('bob', 'b1')).toBe(false);
    expect(await store.deleteBudget('ann', 'b1')).toBe(true);
    expect(await store.deleteBudget('ann', 'b1')).toBe(false);
    expect((await store.listBudgets('ann')).map((b) => b.id)).toEqual(['b2']);
  });

  it('settings default to UTC and keep what is put', async () => {
    expect(await store.getUserSettings('cy')).toEqual({ timeZone: 'UTC', updatedAt: null });
    await store.putUserSettings('cy', { timeZone: 'Asia/Kolkata', updatedAt: NOW });
    expect(await store.getUserSettings('cy')).toEqual({ timeZone: 'Asia/Kolkata', updatedAt: NOW });
    expect((await store.getUserSettings('dee')).timeZone).toBe('UTC');
  });
});

describe('alerts', () => {
  it('are written once per id: a second put returns the first alert as stored', async () => {
    const first = await store.putAlert(alert('eve', 'a1', '2026-11-20T10:00:00.000Z'));
    expect(first).toEqual({
      created: true,
      stored: { alert: alert('eve', 'a1', '2026-11-20T10:00:00.000Z'), publishedAt: null },
    });
    const again = await store.putAlert({
      ...alert('eve', 'a1', '2026-11-20T11:00:00.000Z'),
      message: 'other',
    });
    expect(again.created).toBe(false);
    expect(again.stored.alert).toEqual(alert('eve', 'a1', '2026-11-20T10:00:00.000Z'));
    await store.markAlertPublished('eve', 'a1', NOW);
    expect((await store.putAlert(alert('eve', 'a1', NOW))).stored.publishedAt).toBe(NOW);
  });

  it('list newest first, from `since` (inclusive), page by cursor, and only the caller\u2019s', async () => {
    for (let i = 0; i < 5; i++) await store.putAlert(alert('fay', `f${i}`, `2026-11-2${i}T00:00:00.000Z`));
    await store.putAlert(alert('gus', 'g1', '2026-11-22T00:00:00.000Z'));
    const all = await store.listAlerts('fay', {}, { limit: 100 });
    expect(all.items.map((s) => s.alert.id)).toEqual(['f4', 'f3', 'f2', 'f1', 'f0']);
    const since = await store.listAlerts('fay', { since: '2026-11-22T00:00:00.000Z' }, { limit: 100 });
    expect(since.items.map((s) => s.alert.id)).toEqual(['f4', 'f3', 'f2']);
    const p1 = await store.listAlerts('fay', {}, { limit: 2 });
    const p2 = await store.listAlerts('fay', {}, { limit: 2, cursor: p1.nextCursor });
    expect([...p1.items, ...p2.items].map((s) => s.alert.id)).toEqual(['f4', 'f3', 'f2', 'f1']);
    await expect(store.listAlerts('gus', {}, { limit: 2, cursor: p1.nextCursor })).rejects.toThrow(
      InvalidCursorError,
    );
    expect((await store.listAlerts('gus', {}, { limit: 10 })).items.map((s) => s.alert.id)).toEqual(['g1']);
  });
});

describe('anomalies', () => {
  const anomaly = (id: string, date: string, userId = 'hal'): StoredAnomaly => ({
    id,
    userId,
    transactionId: `t_${id}`,
    kind: 'amount_outlier',
    score: 7.5,
    explanation: `$412.50 at BESTBUY is 6.3 times your usual purchase (${id})`,
    details: { amount_minor: 41_250, basis: 'merchant' },
    date,
    detectedAt: NOW,
  });

  it('are written once per id, listed by transaction date within a range, and deleted by id', async () => {
    expect(await store.putAnomaly(anomaly('n1', '2026-10-01'))).toBe(true);
    expect(await store.putAnomaly({ ...anomaly('n1', '2026-10-01'), score: 99 })).toBe(false);
    await store.putAnomaly(anomaly('n2', '2026-11-05'));
    await store.putAnomaly(anomaly('n3', '2026-11-30'));
    await store.putAnomaly(anomaly('x1', '2026-11-05', 'ian'));
    expect((await store.listAnomalies('hal', {})).map((a) => a.id)).toEqual(['n1', 'n2', 'n3']);
    expect(
      (await store.listAnomalies('hal', { from: '2026-11-01', to: '2026-11-30' })).map((a) => a.id),
    ).toEqual(['n2', 'n3']);
    expect((await store.listAnomalies('hal', { to: '2026-11-05' })).map((a) => a.id)).toEqual(['n1', 'n2']);
    expect((await store.listAnomalies('hal', { from: '2026-10-01', to: '2026-10-01' }))[0]).toEqual(
      anomaly('n1', '2026-10-01'),
    );
    await store.deleteAnomalies('hal', ['n1', 'n3', 'never']);
    expect((await store.listAnomalies('hal', {})).map((a) => a.id)).toEqual(['n2']);
    expect((await store.listAnomalies('ian', {})).map((a) => a.id)).toEqual(['x1']);
  });
});

describe('the spending projection', () => {
  it('loads months (empty at rev 0), saves them on their revision only, and reads the rollups of a range', async () => {
    const months = await store.loadSpendMonths('joy', ['2026-10', '2026-11']);
    expect([...months.values()]).toEqual([
      { month: '2026-10', rev: 0, entries: new Map() },
      { month: '2026-11', rev: 0, entries: new Map() },
    ]);
    const nov = months.get('2026-11')!;
    nov.entries.set('t1', '2026-11-03|-1250|USD|FOOD_AND_DRINK||');
    expect(await store.saveSpendMonth('joy', nov, 'cells-11', NOW)).toBe(1);
    // A writer holding the old revision loses.
    await expect(store.saveSpendMonth('joy', nov, 'stale', NOW)).rejects.toThrow(ConflictError);
    const reread = (await store.loadSpendMonths('joy', ['2026-11'])).get('2026-11')!;
    expect(reread.rev).toBe(1);
    expect([...reread.entries]).toEqual([['t1', '2026-11-03|-1250|USD|FOOD_AND_DRINK||']]);
    reread.entries.set('t2', '2026-11-04|-50|USD|||p');
    expect(await store.saveSpendMonth('joy', reread, 'cells-11b', NOW)).toBe(2);
    await store.saveSpendMonth('joy', { month: '2026-09', rev: 0, entries: new Map() }, 'cells-09', NOW);
    expect(await store.readSpendRollups('joy', '2026-09', '2026-11')).toEqual(['cells-09', 'cells-11b']);
    expect(await store.readSpendRollups('joy', '2026-10', '2026-10')).toEqual([]);
    expect(await store.readSpendRollups('kim', '2026-01', '2026-12')).toEqual([]);
  });

  it('keeps the anomaly history months apart from the spend months, with the same revision rule', async () => {
    const month = (await store.loadHistoryMonths('joy', ['2026-11'])).get('2026-11')!;
    expect(month.rev).toBe(0);
    month.entries.set('t9', '["2026-11-03",-1250,"USD",null,null,0,"acc","2026-11-03T10:00:00Z","Cafe"]');
    expect(await store.saveHistoryMonth('joy', month, NOW)).toBe(1);
    await expect(store.saveHistoryMonth('joy', month, NOW)).rejects.toThrow(ConflictError);
    expect([...(await store.loadHistoryMonths('joy', ['2026-11'])).get('2026-11')!.entries.keys()]).toEqual([
      't9',
    ]);
    expect([...(await store.loadSpendMonths('joy', ['2026-11'])).get('2026-11')!.entries.keys()]).toEqual([
      't1',
      't2',
    ]);
  });

  it('loads more than 100 months in one call', async () => {
    const many = Array.from(
      { length: 130 },
      (_, i) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
    );
    expect((await store.loadSpendMonths('lee', many)).size).toBe(130);
  });
});
