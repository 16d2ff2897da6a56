import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { LocalAesCipher } from '../../shared/adapters/crypto/aes-gcm';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { ensureTable } from '../../shared/adapters/dynamodb/setup';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { MemoryLocks } from '../../shared/adapters/memory/locks';
import { FixtureDataSource } from '../../shared/banks/kit/data-source';
import { TEST_ROOT, inProcessFetch, linkInProcess } from '../../shared/banks/kit/testing';
import { getBank } from '../../shared/banks/registry';
import { reconcile } from '../../shared/domain/reconcile';
import { generateUser } from '../../shared/generator';
import type {
  BankId,
  BankRecordVersion,
  GeneratedTransaction,
  GeneratedUser,
} from '../../shared/generator/types';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { withNormalizers } from '../../shared/services/providers';
import { runSync } from '../../shared/services/sync';
import { putLinkedConnection } from '../support/sync-fixture';
import type { Benchmark, Figure } from './types';

const INITIAL = 10_000;
const INCREMENT = 50;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const say = (message: string) => process.stderr.write(`[sync-speed] ${message}\n`);

/**
 * A generated user with exactly INITIAL transactions at `bank` (its home bank), plus INCREMENT held back: those
 * happen after the initial sync, one a minute, as they would between two syncs (each keeps its own life cycle).
 */
export function bankUser(bank: BankId): {
  user: GeneratedUser;
  later: GeneratedTransaction[];
  initialMs: number;
} {
  for (let index = 0; index < 6; index++) {
    const full = generateUser({ seed: 77, start: '2018-01-01', days: 3000 }, index);
    const mine = full.transactions
      .filter((t) => t.bank === bank && !t.truth.removed)
      .sort((a, b) => Date.parse(a.events[0]!.at) - Date.parse(b.events[0]!.at));
    if (mine.length < INITIAL + INCREMENT) continue;
    const first = mine.slice(0, INITIAL);
    // The initial sync runs just before the next transaction appears (some of the first are still pending).
    const initialMs = Date.parse(mine[INITIAL]!.events[0]!.at) - 1;
    const later = mine
      .slice(INITIAL, INITIAL + INCREMENT)
      .map((t, i) => rebase(t, initialMs + (i + 1) * 60_000));
    return { user: { ...full, index: 0, transactions: first }, later, initialMs };
  }
  throw new Error(`no generated user has ${INITIAL + INCREMENT} transactions at ${bank}`);
}

/** The transaction with its life cycle moved to start at `startMs` (instants and local dates alike). */
function rebase(t: GeneratedTransaction, startMs: number): GeneratedTransaction {
  const shift = startMs - Date.parse(t.events[0]!.at);
  const days = Math.round(shift / 86_400_000);
  const at = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
  const date = (d: string) =>
    new Date(Date.parse(`${d}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const version = (v: BankRecordVersion): BankRecordVersion => ({ ...v, at: at(v.at), date: date(v.date) });
  return {
    ...t,
    events: t.events.map((e) =>
      e.kind === 'remove' ? { ...e, at: at(e.at) } : { ...e, at: at(e.at), version: version(e.version) },
    ),
  };
}

async function freshStore(endpoint: string) {
  const tableName = `bench-${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  await ensureTable(raw, tableName);
  const doc = createDocumentClient({ endpoint, region: 'us-east-1', credentials });
  return { store: new DynamoStore(doc, tableName), doc, tableName };
}

const STORED_READS = new Set<PropertyKey>(['listConnectionTransactions', 'listConnectionTransactionsWhere']);

/**
 * The store, with the time spent waiting on it counted (calls may overlap: the sync awaits them in turn), and the
 * stored transactions a sync reads.
 */
function timedStore(store: DynamoStore): {
  store: DynamoStore;
  seconds(): number;
  reads(): number;
  /** Calls and time waited per store method since the last `resetCalls()`, e.g. `getConnection 2× 4 ms`. */
  calls(): string;
  resetCalls(): void;
} {
  let ms = 0;
  let reads = 0;
  let perMethod = new Map<string, { n: number; ms: number }>();
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(out instanceof Promise)) return out;
        const t0 = performance.now();
        if (STORED_READS.has(prop))
          void out.then(
            (rows) => (reads += (rows as unknown[]).length),
            () => undefined,
          );
        const m = perMethod.get(String(prop)) ?? { n: 0, ms: 0 };
        perMethod.set(String(prop), m);
        m.n += 1;
        return out.finally(() => {
          ms += performance.now() - t0;
          m.ms += performance.now() - t0;
        });
      };
    },
  });
  return {
    store: proxy,
    seconds: () => ms / 1000,
    reads: () => reads,
    calls: () =>
      [...perMethod]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([k, v]) => `${k} ${v.n}× ${Math.round(v.ms)} ms`)
        .join(', '),
    resetCalls: () => (perMethod = new Map()),
  };
}

/**
 * One bank's figures. The sync and the baseline each get their own DynamoDB Local: with two stream-enabled tables
 * in one emulator, every write to the second costs ~15x more (its stream bookkeeping scans the other table's
 * stream records), which would measure the emulator rather than our code. A deployment has one table.
 */
export async function benchBank(bankId: BankId): Promise<Figure[]> {
  const syncDb = await startDynamoDbLocal({ javaOptions: ['-Xmx2g'] });
  const baseDb = await startDynamoDbLocal({ javaOptions: ['-Xmx2g'] });
  try {
    return await measureBank(syncDb.endpoint, baseDb.endpoint, bankId);
  } finally {
    await Promise.all([syncDb.stop(), baseDb.stop()]);
  }
}

async function measureBank(endpoint: string, baseEndpoint: string, bankId: BankId): Promise<Figure[]> {
  const module = getBank(bankId)!;
  const { user, later, initialMs } = bankUser(bankId);
  const data = new FixtureDataSource([user]);
  const linked = await linkInProcess(module, { data, now: new Date(initialMs).toISOString() });
  const client = module.createClient({
    baseUrl: TEST_ROOT,
    fetch: inProcessFetch([linked.server]),
    clock: linked.server.clock,
  });
  const { store, doc } = await freshStore(endpoint);
  const cipher = new LocalAesCipher(randomBytes(32).toString('base64'));
  const userId = 'bench-user';
  const connection = await putLinkedConnection(store, cipher, {
    userId,
    provider: bankId,
    tokens: linked.tokens,
    at: new Date(0).toISOString(),
  });
  const timed = timedStore(store);
  const deps = {
    store: timed.store,
    cipher,
    locks: new MemoryLocks(),
    clock: linked.server.clock,
    providers: [withNormalizers({ id: bankId, name: bankId, client })],
  };
  const job = () => ({
    type: 'sync' as const,
    sync_id: randomUUID(),
    user_id: userId,
    connection_id: connection.id,
    reason: 'manual' as const,
    requested_at: new Date().toISOString(),
  });

  // Initial sync: the bank's whole history into an empty table.
  let t0 = performance.now();
  const initial = await runSync(deps, job());
  const initialSeconds = (performance.now() - t0) / 1000;
  const initialStoreSeconds = timed.seconds();
  if (initial.status !== 'succeeded')
    throw new Error(`initial sync ${initial.status}: ${initial.errors.join('; ')}`);
  say(
    `${bankId}: initial sync ${initialSeconds.toFixed(2)} s (${initial.added} added, ${initial.pages} pages)`,
  );
  t0 = performance.now();
  const stored = await store.listConnectionTransactions(userId, connection.id);
  say(`${bankId}: listed ${stored.length} stored in ${((performance.now() - t0) / 1000).toFixed(2)} s`);

  // Baseline: the same items, batch-written straight into DynamoDB Local (25 per request, 4 in flight).
  const base = await freshStore(baseEndpoint);
  const again = reconcile({
    userId,
    connectionId: connection.id,
    provider: bankId,
    accountIdFor: (id) => id,
    stored: [],
    incoming: stored.map((s) => ({
      ...s.original,
      providerTxnId: s.providerTxnIds[0]!,
      providerAccountId: s.accountId,
      pendingTxnId: null,
    })),
    window: null,
    now: new Date().toISOString(),
    actor: 'sync:baseline',
  });
  const items = again.changes.flatMap((c) => base.store.changeItems(c)).map((i) => i.Put!.Item!);
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  t0 = performance.now();
  for (let i = 0; i < batches.length; i += 4) {
    await Promise.all(
      batches.slice(i, i + 4).map(async (batch) => {
        let pending = batch.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length) {
          const out = await base.doc.send(
            new BatchWriteCommand({ RequestItems: { [base.tableName]: pending } }),
          );
          pending = (out.UnprocessedItems?.[base.tableName] ?? []) as typeof pending;
        }
      }),
    );
  }
  const baselineSeconds = (performance.now() - t0) / 1000;
  say(`${bankId}: baseline batch-write of ${items.length} items ${baselineSeconds.toFixed(2)} s`);

  // Incremental: within the next hour, 50 more transactions appear at the bank (and the first ones go on posting).
  user.transactions.push(...later);
  linked.server.clock.advance(INCREMENT * 60_000 + 60_000);
  const readsBefore = timed.reads();
  timed.resetCalls();
  t0 = performance.now();
  const incremental = await runSync(deps, job());
  const incrementalSeconds = (performance.now() - t0) / 1000;
  const incrementalReads = timed.reads() - readsBefore;
  const listing = (await store.getConnection(userId, connection.id))?.syncState;
  say(
    `${bankId}: incremental sync ${incrementalSeconds.toFixed(2)} s (+${incremental.added} new, ${incremental.modified} modified, ${incrementalReads} stored read, change token ${listing?.changeToken ? 'yes' : 'no'}, ${incremental.pages} page(s))`,
  );
  say(`${bankId}: incremental sync's store calls: ${timed.calls()}`);
  // The periodic full reconciliation, for comparison: everything listed, everything read.
  linked.server.clock.advance(60_000);
  const fullBefore = timed.reads();
  t0 = performance.now();
  const full = await runSync(deps, { ...job(), full: true });
  const fullSeconds = (performance.now() - t0) / 1000;
  if (full.status !== 'succeeded') throw new Error(`full sync ${full.status}: ${full.errors.join('; ')}`);
  const fullReads = timed.reads() - fullBefore;
  doc.destroy();
  base.doc.destroy();

  const r = (n: number) => Math.round(n * 1000) / 1000;
  return [
    { name: `sync ${bankId}: initial, transactions stored`, value: stored.length, unit: 'txn' },
    { name: `sync ${bankId}: initial sync of ${INITIAL} transactions`, value: r(initialSeconds), unit: 's' },
    {
      name: `sync ${bankId}: initial sync, time not waiting on DynamoDB (bank, normalize, reconcile)`,
      value: r(initialSeconds - initialStoreSeconds),
      unit: 's',
    },
    {
      name: `sync ${bankId}: batch-write of the same ${items.length} items`,
      value: r(baselineSeconds),
      unit: 's',
    },
    {
      name: `sync ${bankId}: initial sync / batch-write`,
      value: r(initialSeconds / baselineSeconds),
      unit: 'ratio',
    },
    {
      name: `sync ${bankId}: incremental sync (+${incremental.added} new)`,
      value: r(incrementalSeconds),
      unit: 's',
    },
    {
      name: `sync ${bankId}: incremental sync / initial sync`,
      value: r(incrementalSeconds / initialSeconds),
      unit: 'ratio',
    },
    {
      name: `sync ${bankId}: incremental sync, stored transactions read`,
      value: incrementalReads,
      unit: 'txn',
    },
    { name: `sync ${bankId}: full reconciliation (on demand)`, value: r(fullSeconds), unit: 's' },
    { name: `sync ${bankId}: full reconciliation, stored transactions read`, value: fullReads, unit: 'txn' },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'sync-speed',
    async run() {
      const figures: Figure[] = [];
      const only = process.env.SYNC_BENCH_BANKS?.split(',').filter(Boolean);
      for (const bank of (only?.length ? only : ['bank_a', 'bank_b', 'bank_c']) as BankId[])
        figures.push(...(await benchBank(bank)));
      return figures;
    },
  },
];
