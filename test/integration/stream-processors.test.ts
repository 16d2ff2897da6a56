import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, type FunctionSpec } from '../../lib/catalogue';
import { lambdaContext } from '../../lib/local/lambda-context';
import { StreamPoller, streamsClient } from '../../lib/local/stream-poller';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { MemoryEventPublisher } from '../../shared/adapters/memory/events';
import { UpstashAlertStream } from '../../shared/adapters/upstash/alert-stream';
import { detectAllAnomalies } from '../../shared/domain/anomalies';
import { spendingSeries, categoryBreakdown } from '../../shared/domain/analytics';
import { budgetAlertId, createBudget } from '../../shared/domain/budgets';
import type { StoredTransaction } from '../../shared/domain/models';
import {
  analyticsTxnOf,
  categoriesFromCells,
  decodeCells,
  seriesFromCells,
  spendEntryOf,
} from '../../shared/domain/spend';
import { ManualClock } from '../../shared/ports/clock';
import { anomalyTxnOf } from '../../shared/services/anomaly-processor';
import { insightsBatch } from '../../shared/services/insights-processor';
import { replayUsers } from '../../shared/services/replay';
import type { AlertDeps } from '../../shared/services/alerts';
import { budgetViews } from '../../shared/services/budgets';
import { processStreamBatch } from '../../shared/stream/dynamodb-batch';
import { freshTable, region } from '../support/dynamodb';
import { category, insert, setCategory, setOverlay, txn } from '../support/insights';
import { startUpstashHarness, type UpstashHarness } from './upstash-support';

/**
 * The Insights stream function (budgets and anomalies) against DynamoDB Local: real table writes (as the sync, the
 * categorizer and corrections make them) read back through the Streams API by the twin's event source mapping
 * (lib/local/stream-poller.ts) with the catalogue's filters, batch sizes, retries and bisection; alerts to a real
 * Redis through the Upstash REST bridge; events to the local bus.
 */
const NOW = '2026-11-20T17:00:00.000Z';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
let redis: UpstashHarness;
let prefix: string;
let poller: StreamPoller;
const clock = new ManualClock(NOW);
const bus = new MemoryEventPublisher();
let deps: AlertDeps & { store: DynamoStore };
/** Every batch each consumer was handed, for redelivery. */
const delivered = new Map<string, DynamoDBStreamEvent[]>();

const spec = (name: string): FunctionSpec => {
  const fn = catalogue.find((f) => f.name === name);
  if (!fn?.stream) throw new Error(`no stream function ${name}`);
  return fn;
};

const handlers: Record<
  string,
  (event: DynamoDBStreamEvent, ctx: Context) => ReturnType<typeof processStreamBatch>
> = {
  InsightsProcessor: (event, ctx) => processStreamBatch(event, ctx, insightsBatch(deps)),
};

beforeAll(async () => {
  table = await freshTable('processors', { stream: true });
  store = new DynamoStore(table.doc, table.tableName);
  redis = await startUpstashHarness();
  prefix = redis.prefix('processors');
  deps = { store, clock, events: bus, sink: new UpstashAlertStream(redis.client(), { prefix }) };
  poller = new StreamPoller(streamsClient(table.endpoint, region), table.streamArn, region, {
    pollIntervalMs: 20,
    retryDelayMs: 5,
  });
  for (const name of Object.keys(handlers)) {
    delivered.set(name, []);
    poller.addConsumer(spec(name), async (event, ctx) => {
      delivered.get(name)!.push(structuredClone(event));
      return handlers[name]!(event, ctx);
    });
  }
  poller.start();
});
afterAll(async () => {
  await poller?.stop();
  await redis?.close();
  await table?.drop();
});

/** Until every record written so far has been read and handled. */
async function settle(): Promise<void> {
  await poller.caughtUp();
}

const storedAlerts = async (userId: string) =>
  (await store.listAlerts(userId, {}, { limit: 500 })).items.map((s) => s.alert);
const streamed = async (userId: string) => redis.raw.xrange(`${prefix}alerts:${userId}`, '-', '+');
const busIds = (detailType: string) =>
  bus.events.filter((e) => e.detailType === detailType).map((e) => String(e.detail.id));

async function live(userId: string): Promise<StoredTransaction[]> {
  return (await store.listTransactions(userId, {}, { limit: 100_000 })).items;
}

describe('the Budgets stream function', () => {
  const user = 'u-budget';
  const food = category('FOOD_AND_DRINK', 'FOOD_AND_DRINK_RESTAURANT');
  const budget = createBudget(
    { category: 'FOOD_AND_DRINK', period: 'monthly', limit: '100.00', currency: 'USD', thresholds: [0.8, 1] },
    { id: 'bud_food', userId: user, now: NOW },
  );
  let late: StoredTransaction;

  it('alerts once per threshold as transactions, categories and corrections cross it; never for a past period', async () => {
    await store.putUserSettings(user, { timeZone: 'America/New_York', updatedAt: NOW });
    await store.putNewBudget(budget);
    // Last month's spending (a first sync's history) is far over the limit: that period is over, no alert.
    await insert(store, [
      txn(user, { date: '2026-10-10', amountMinor: -30_000, category: food }),
      txn(user, { date: '2026-11-02', amountMinor: -3_000, category: food }),
      txn(user, { date: '2026-11-03', amountMinor: -3_000, category: food }),
      txn(user, { date: '2026-11-04', amountMinor: -90_000, category: category('TRAVEL') }),
      txn(user, { date: '2026-11-04', amountMinor: -1_500, currency: 'EUR', category: food }),
    ]);
    await settle();
    expect(await storedAlerts(user)).toEqual([]);

    // An uncategorized purchase does not count until the categorizer says it is food: then 85% is reached.
    late = txn(user, { date: '2026-11-19', amountMinor: -2_500, description: 'PASTA PLACE' });
    await insert(store, [late]);
    await settle();
    expect(await storedAlerts(user)).toEqual([]);
    await setCategory(table.doc, table.tableName, late, food);
    await settle();
    const first = await storedAlerts(user);
    expect(first).toEqual([
      {
        id: budgetAlertId(budget.id, 0.8, '2026-11-01'),
        kind: 'budget_threshold',
        user_id: user,
        budget_id: budget.id,
        transaction_id: late.id,
        message: 'You have spent $85.00 of your $100.00 Food and drink budget for November (85%).',
        created_at: NOW,
      },
    ]);

    // The user corrects the amount upwards: 100% is crossed. Correcting it back and up again alerts no more.
    await setOverlay(table.doc, table.tableName, late, { amountMinor: -4_500 });
    await settle();
    await setOverlay(table.doc, table.tableName, late, { amountMinor: -100 });
    await settle();
    await setOverlay(table.doc, table.tableName, late, { amountMinor: -5_000 });
    await settle();
    const alerts = await storedAlerts(user);
    expect(alerts.map((a) => [a.kind, a.id])).toEqual([
      ['budget_exceeded', budgetAlertId(budget.id, 1, '2026-11-01')],
      ['budget_threshold', budgetAlertId(budget.id, 0.8, '2026-11-01')],
    ]);
    expect(alerts[0]!.message).toBe(
      'You have spent $105.00 of your $100.00 Food and drink budget for November (105%), $5.00 over.',
    );
    // The same alerts, once each, on the user's Redis stream and on the bus.
    expect((await streamed(user)).map(([, f]) => JSON.parse(f[1]!).id)).toEqual(
      alerts.map((a) => a.id).reverse(),
    );
    expect(busIds('BudgetThresholdReached')).toEqual(alerts.map((a) => a.id).reverse());
    const event = bus.events.find((e) => e.detail.id === alerts[0]!.id)!;
    expect(event).toMatchObject({
      source: 'finagg.budgets',
      detailType: 'BudgetThresholdReached',
      detail: {
        budget_id: budget.id,
        threshold: 1,
        period_start: '2026-11-01',
        spent: '105.00',
        limit: '100.00',
      },
    });

    // The budget as the API shows it: the current period's spend from effective amounts.
    const [view] = await budgetViews({ store, clock }, user, [budget]);
    expect(view).toMatchObject({
      spent: '110.00',
      remaining: '-10.00',
      period_start: '2026-11-01',
      period_end: '2026-11-30',
    });
  });

  it('alerts at once for a budget created (or lowered) under water, in the current period only', async () => {
    const weekly = createBudget(
      { category: 'FOOD_AND_DRINK', period: 'weekly', limit: '40.00', currency: 'USD', thresholds: [0.8, 1] },
      { id: 'bud_week', userId: user, now: NOW },
    );
    await store.putNewBudget(weekly);
    await settle();
    // This week (Monday 2026-11-16): only the 50.00 correction counts: 125% of 40.00.
    const ids = (await storedAlerts(user)).filter((a) => a.budget_id === weekly.id).map((a) => a.id);
    expect(ids.sort()).toEqual(
      [budgetAlertId(weekly.id, 0.8, '2026-11-16'), budgetAlertId(weekly.id, 1, '2026-11-16')].sort(),
    );
  });

  it('keeps a projection that answers analytics exactly as the transactions do', async () => {
    const txns = await live(user);
    const cells = (await store.readSpendRollups(user, '2026-10', '2026-11')).flatMap(decodeCells);
    const inputs = txns.map((t) => analyticsTxnOf(spendEntryOf(t)!));
    for (const granularity of ['day', 'week', 'month'] as const) {
      const options = { granularity, from: '2026-10-01', to: '2026-11-30' };
      expect(seriesFromCells(cells, options)).toEqual(spendingSeries(inputs, options));
    }
    expect(categoriesFromCells(cells, { from: '2026-10-01', to: '2026-11-30' })).toEqual(
      categoryBreakdown(inputs, { from: '2026-10-01', to: '2026-11-30' }),
    );
    expect(categoriesFromCells(cells).categories.map((c) => c.primary)).toEqual(['TRAVEL', 'FOOD_AND_DRINK']);
  });
});

describe('the Anomalies stream function', () => {
  const user = 'u-anom';
  /** A purchase of `cents` at the café. */
  const cafe = (date: string, cents: number, at?: string) =>
    txn(user, {
      date,
      amountMinor: -cents,
      merchantName: 'Corner Cafe',
      occurredAt: at ?? `${date}T15:00:00.000Z`,
      category: category('FOOD_AND_DRINK', 'FOOD_AND_DRINK_COFFEE'),
    });
  const day = (n: number) => new Date(Date.parse(NOW) - n * 86_400_000).toISOString().slice(0, 10);
  let all: StoredTransaction[];
  let duplicate: StoredTransaction;

  it('stores each anomaly once with its explanation and alerts for the recent ones only', async () => {
    // 90 days of everyday purchases, an outlier 40 days ago (stored, too old to alert), and two recent ones.
    const history: StoredTransaction[] = [];
    for (let d = 90; d >= 2; d--) {
      history.push(cafe(day(d), 450 + (d % 4) * 25));
      if (d % 3 === 0) {
        history.push(
          txn(user, {
            date: day(d),
            amountMinor: -(4_000 + (d % 5) * 300),
            merchantName: 'Green Grocer',
            category: category('FOOD_AND_DRINK', 'FOOD_AND_DRINK_GROCERIES'),
          }),
        );
      }
    }
    const oldOutlier = cafe(day(40), 9_000, `${day(40)}T18:00:00.000Z`);
    const outlier = cafe(day(1), 41_250, `${day(1)}T09:00:00.000Z`);
    const gas = (at: string) =>
      txn(user, {
        date: day(1),
        amountMinor: -3_720,
        merchantName: 'Shell Station',
        occurredAt: at,
        category: category('TRANSPORTATION', 'TRANSPORTATION_GAS'),
      });
    const charge = gas(`${day(1)}T11:00:00.000Z`);
    duplicate = gas(`${day(1)}T11:04:00.000Z`);
    all = [...history, oldOutlier, outlier, charge, duplicate];
    await insert(store, all);
    await settle();

    const expected = detectAllAnomalies(all.map(anomalyTxnOf));
    const stored = await store.listAnomalies(user, {});
    expect(stored.map((a) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    const byTxn = new Map(stored.map((a) => [a.transactionId, a]));
    expect(byTxn.get(outlier.id)).toMatchObject({ kind: 'amount_outlier', date: day(1) });
    expect(byTxn.get(outlier.id)!.explanation).toMatch(
      /^\$412\.50 at Corner Cafe is \d+\.\d times your usual purchase there/,
    );
    expect(byTxn.get(oldOutlier.id)).toMatchObject({ kind: 'amount_outlier', date: day(40) });
    expect(byTxn.get(duplicate.id)).toMatchObject({ kind: 'duplicate_charge' });
    expect(byTxn.get(duplicate.id)!.explanation).toContain(
      'charged twice on the same account, 4 minutes apart',
    );

    const alerts = (await storedAlerts(user)).filter((a) => a.kind === 'anomaly');
    expect(alerts.map((a) => a.transaction_id).sort()).toEqual([outlier.id, duplicate.id].sort());
    expect(alerts.find((a) => a.transaction_id === outlier.id)!.message).toBe(
      byTxn.get(outlier.id)!.explanation,
    );
    expect((await streamed(user)).length).toBe(2);
    expect(busIds('AnomalyDetected').sort()).toEqual(alerts.map((a) => a.id).sort());
  });

  it('finds the same anomalies whatever order the categories arrive in (a first sync)', async () => {
    const other = 'u-order';
    const cat = category('FOOD_AND_DRINK', 'FOOD_AND_DRINK_COFFEE');
    const txns: StoredTransaction[] = [];
    for (let d = 80; d >= 1; d--) {
      txns.push(txn(other, { date: day(d), amountMinor: -(500 + (d % 5) * 20), merchantName: 'Bean Bar' }));
    }
    txns.push(txn(other, { date: day(30), amountMinor: -30_000, merchantName: 'Bean Bar' }));
    txns.push(txn(other, { date: day(2), amountMinor: -45_000, merchantName: 'Bean Bar' }));
    await insert(store, txns);
    await settle();
    expect(await store.listAnomalies(other, {})).toEqual([]);
    // The categorizer gets to the newest first, in a few batches.
    const newestFirst = [...txns].sort((a, b) => (a.original.date < b.original.date ? 1 : -1));
    for (let i = 0; i < newestFirst.length; i += 20) {
      for (const t of newestFirst.slice(i, i + 20)) await setCategory(table.doc, table.tableName, t, cat);
      await settle();
    }
    const final = (await live(other)).map(anomalyTxnOf);
    const expected = detectAllAnomalies(final);
    expect(expected.map((a) => a.kind).sort()).toEqual(['amount_outlier', 'amount_outlier']);
    expect((await store.listAnomalies(other, {})).map((a) => a.id).sort()).toEqual(
      expected.map((a) => a.id).sort(),
    );
  });

  it('drops the anomalies of a transaction the bank removes (its alert stays in the feed)', async () => {
    const current = (await store.getTransaction(user, duplicate.id))!;
    await store.applyTransactionChanges([
      {
        txn: { ...current, removed: true, version: current.version + 1, updatedAt: NOW },
        expectedVersion: current.version,
        events: [
          {
            txnId: current.id,
            seq: current.version + 1,
            at: NOW,
            actor: 'sync:test',
            kind: 'removed',
            before: null,
            after: null,
          },
        ],
      },
    ]);
    await settle();
    expect((await store.listAnomalies(user, {})).some((a) => a.transactionId === duplicate.id)).toBe(false);
    expect((await storedAlerts(user)).some((a) => a.transaction_id === duplicate.id)).toBe(true);
    // The removed transaction left the spending projection too.
    const month = (await store.loadSpendMonths(user, [day(1).slice(0, 7)])).get(day(1).slice(0, 7))!;
    expect(month.entries.has(duplicate.id)).toBe(false);
    expect(month.entries.has(all[all.length - 2]!.id)).toBe(true);
  });
});

describe('at-least-once delivery', () => {
  it('redelivered batches create no duplicate alert, anomaly, event or projection change', async () => {
    const users = ['u-budget', 'u-anom'];
    const before = {
      alerts: await Promise.all(users.map(storedAlerts)),
      anomalies: await store.listAnomalies('u-anom', {}),
      streamed: await Promise.all(users.map(streamed)),
      events: bus.events.length,
      months: await store.loadSpendMonths('u-budget', ['2026-10', '2026-11']),
      history: await store.loadHistoryMonths('u-anom', ['2026-08', '2026-09', '2026-10', '2026-11']),
    };
    for (const [name, events] of delivered) {
      expect(events.length, name).toBeGreaterThan(0);
      for (const event of events) {
        const res = await handlers[name]!(structuredClone(event), lambdaContext(spec(name), region));
        expect(res.batchItemFailures, name).toEqual([]);
      }
    }
    expect(await Promise.all(users.map(storedAlerts))).toEqual(before.alerts);
    expect(await store.listAnomalies('u-anom', {})).toEqual(before.anomalies);
    expect(await Promise.all(users.map(streamed))).toEqual(before.streamed);
    expect(bus.events.length).toBe(before.events);
    const months = await store.loadSpendMonths('u-budget', ['2026-10', '2026-11']);
    for (const [m, month] of months)
      expect([...month.entries].sort()).toEqual([...before.months.get(m)!.entries].sort());
    const history = await store.loadHistoryMonths('u-anom', ['2026-08', '2026-09', '2026-10', '2026-11']);
    for (const [m, month] of history) {
      expect(month.entries.size).toBeGreaterThan(0);
      expect([...month.entries].sort()).toEqual([...before.history.get(m)!.entries].sort());
    }
  });

  it('a poison record fails alone and lands in the on-failure destination', async () => {
    const user = 'u-poison';
    const food = category('FOOD_AND_DRINK');
    const good1 = txn(user, { date: '2026-11-18', amountMinor: -1_000, category: food, merchantName: 'A' });
    const good2 = txn(user, { date: '2026-11-19', amountMinor: -2_000, category: food, merchantName: 'B' });
    await insert(store, [good1]);
    // A transaction item no processor can read (the amount is not a number).
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...txn(user, { id: 'txn_poison', date: '2026-11-19', amountMinor: 0 }),
          original: { ...txn(user, { date: '2026-11-19', amountMinor: 0 }).original, amountMinor: 'twelve' },
          pk: `USER#${user}`,
          sk: 'TXN#txn_poison',
          entity: 'transaction',
        },
      }),
    );
    await insert(store, [good2]);
    await settle();
    const failed = poller.failures.map((f) => ({
      fn: f.function,
      keys: f.records.map((r) => r.dynamodb!.Keys!.sk!.S),
    }));
    expect(failed).toEqual([{ fn: 'InsightsProcessor', keys: ['TXN#txn_poison'] }]);
    // The records around it were processed.
    const month = (await store.loadSpendMonths(user, ['2026-11'])).get('2026-11')!;
    expect([...month.entries.keys()].sort()).toEqual([good1.id, good2.id].sort());
  });
});

describe('a replay (the Replay function)', () => {
  it('rebuilds a lost spending projection, anomaly history and anomalies from the transactions', async () => {
    const user = 'u-replay';
    const day = (n: number) => new Date(Date.parse(NOW) - n * 86_400_000).toISOString().slice(0, 10);
    const coffee = category('FOOD_AND_DRINK', 'FOOD_AND_DRINK_COFFEE');
    const all: StoredTransaction[] = [];
    for (let d = 70; d >= 3; d--)
      all.push(
        txn(user, {
          date: day(d),
          amountMinor: -(480 + (d % 3) * 30),
          merchantName: 'Daily Beans',
          category: coffee,
        }),
      );
    all.push(
      txn(user, { date: day(2), amountMinor: -38_000, merchantName: 'Daily Beans', category: coffee }),
    );
    await insert(store, all);
    await settle();
    const months = [...new Set(all.map((t) => t.original.date.slice(0, 7)))].sort();
    const anomaliesBefore = (await store.listAnomalies(user, {})).map((a) => a.id).sort();
    expect(anomaliesBefore.length).toBeGreaterThan(0);
    const alertsBefore = (await storedAlerts(user)).map((a) => a.id).sort();

    // Lost: every projection item and anomaly of the user (a processor down past the stream's retention).
    const { Items = [] } = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${user}` },
      }),
    );
    for (const item of Items.filter((i) => /^(SPEND#|SPENDAGG#|AHIST#)/.test(String(i.sk))))
      await table.doc.send(
        new DeleteCommand({ TableName: table.tableName, Key: { pk: item.pk, sk: item.sk } }),
      );
    await store.deleteAnomalies(user, anomaliesBefore);
    const lost = await store.loadSpendMonths(user, months);
    expect([...lost.values()].every((m) => m.entries.size === 0)).toBe(true);
    expect(await store.listAnomalies(user, {})).toEqual([]);

    expect(await replayUsers({ store, clock }, [user])).toEqual({ users: 1, transactions: all.length });
    await settle();

    const rebuilt = await store.loadSpendMonths(user, months);
    expect([...rebuilt.values()].flatMap((m) => [...m.entries.keys()]).sort()).toEqual(
      all.map((t) => t.id).sort(),
    );
    expect((await store.listAnomalies(user, {})).map((a) => a.id).sort()).toEqual(anomaliesBefore);
    expect((await store.listAnomalies(user, {})).map((a) => a.id).sort()).toEqual(
      detectAllAnomalies(all.map(anomalyTxnOf))
        .map((a) => a.id)
        .sort(),
    );
    // Nothing was alerted twice, and the transactions themselves did not change.
    expect((await storedAlerts(user)).map((a) => a.id).sort()).toEqual(alertsBefore);
    const after = await live(user);
    expect(after.map((t) => [t.id, t.version, t.updatedAt]).sort()).toEqual(
      all.map((t) => [t.id, t.version, t.updatedAt]).sort(),
    );
    expect(after.every((t) => !('replay_at' in t))).toBe(true);

    // Twice is the same.
    await replayUsers({ store, clock }, [user]);
    await settle();
    expect((await store.listAnomalies(user, {})).map((a) => a.id).sort()).toEqual(anomaliesBefore);
    expect((await storedAlerts(user)).map((a) => a.id).sort()).toEqual(alertsBefore);
  });
});
