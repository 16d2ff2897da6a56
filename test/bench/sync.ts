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
import type { TxnChange } from '../../shared/domain/reconcile';
import type { Store } from '../../shared/ports/store';
import { putLinkedConnection, storedAsNewChanges } from '../support/sync-fixture';
import { postgresMode } from './sync-postgres';
import type { Benchmark, Figure } from './types';

const INITIAL = 10_000;
const INCREMENT = 50;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const say = (message: string) => process.stderr.write(`[sync-speed] ${message}\n`);
const MODES = ['dynamodb', 'postgres', 'pglite'] as const;
export type SyncBenchMode = (typeof MODES)[number];

/**
 * One storage mode under the sync bench: an empty store for the sync, and the plain write of the same rows that
 * its initial sync is compared with (into another empty store of the same kind, in the same run).
 */
export interface ModeUnderBench {
  store: Store;
  /** What the baseline does, as the figures name it (e.g. `multi-row INSERT`). */
  baselineName: string;
  /** Writes these changes' rows plainly into an empty store; the seconds it took and the rows written. */
  baseline(changes: TxnChange[]): Promise<{ seconds: number; rows: number }>;
  close(): Promise<void>;
}

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

/**
 * DynamoDB Local. The sync and the baseline each get their own emulator: with two stream-enabled tables in one
 * emulator, every write to the second costs ~15x more (its stream bookkeeping scans the other table's stream
 * records), which would measure the emulator rather than our code. A deployment has one table. The baseline
 * batch-writes the same items (25 per request, 4 in flight).
 */
async function dynamoMode(): Promise<ModeUnderBench> {
  const syncDb = await startDynamoDbLocal({ javaOptions: ['-Xmx2g'] });
  const baseDb = await startDynamoDbLocal({ javaOptions: ['-Xmx2g'] }).catch(async (err: unknown) => {
    await syncDb.stop();
    throw err;
  });
  const { store, doc } = await freshStore(syncDb.endpoint);
  const base = await freshStore(baseDb.endpoint);
  return {
    store,
    baselineName: 'BatchWrite',
    async baseline(changes) {
      const items = changes.flatMap((c) => base.store.changeItems(c)).map((i) => i.Put!.Item!);
      const batches: Record<string, unknown>[][] = [];
      for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
      const t0 = performance.now();
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
      return { seconds: (performance.now() - t0) / 1000, rows: items.length };
    },
    async close() {
      doc.destroy();
      base.doc.destroy();
      await Promise.all([syncDb.stop(), baseDb.stop()]);
    },
  };
}

const openMode = (mode: SyncBenchMode): Promise<ModeUnderBench> =>
  mode === 'dynamodb' ? dynamoMode() : postgresMode(mode);

const STORED_READS = new Set<PropertyKey>(['listConnectionTransactions', 'listConnectionTransactionsWhere']);

/**
 * The store, with the time spent waiting on it counted (calls may overlap: the sync awaits them in turn), and the
 * stored transactions a sync reads.
 */
function timedStore<S extends object>(
  store: S,
): {
  store: S;
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

/** One figure of one bank, per mode: printed side by side (the modes of a figure on consecutive lines). */
interface Measured {
  figure: string;
  unit: string;
  value: number;
}

/** One bank in one storage mode: the initial sync and its baseline, then an incremental sync and a full one. */
export async function benchBank(bankId: BankId, mode: SyncBenchMode): Promise<Measured[]> {
  const under = await openMode(mode);
  try {
    return await measureBank(under, bankId, mode);
  } finally {
    await under.close();
  }
}

async function measureBank(under: ModeUnderBench, bankId: BankId, mode: SyncBenchMode): Promise<Measured[]> {
  const module = getBank(bankId)!;
  const { user, later, initialMs } = bankUser(bankId);
  const data = new FixtureDataSource([user]);
  const linked = await linkInProcess(module, { data, now: new Date(initialMs).toISOString() });
  const client = module.createClient({
    baseUrl: TEST_ROOT,
    fetch: inProcessFetch([linked.server]),
    clock: linked.server.clock,
  });
  const { store } = under;
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
  const tag = `${bankId} (${mode})`;

  // Initial sync: the bank's whole history into an empty store.
  let t0 = performance.now();
  const initial = await runSync(deps, job());
  const initialSeconds = (performance.now() - t0) / 1000;
  const initialStoreSeconds = timed.seconds();
  if (initial.status !== 'succeeded')
    throw new Error(`initial sync ${initial.status}: ${initial.errors.join('; ')}`);
  say(`${tag}: initial sync ${initialSeconds.toFixed(2)} s (${initial.added} added, ${initial.pages} pages)`);
  say(`${tag}: initial sync's store calls: ${timed.calls()}`);
  t0 = performance.now();
  const stored = await store.listConnectionTransactions(userId, connection.id);
  say(`${tag}: listed ${stored.length} stored in ${((performance.now() - t0) / 1000).toFixed(2)} s`);

  // Baseline: the same rows, written plainly into an empty store of the same kind.
  const base = await under.baseline(
    storedAsNewChanges(stored, { userId, connectionId: connection.id, provider: bankId }),
  );
  say(`${tag}: ${under.baselineName} of ${base.rows} rows ${base.seconds.toFixed(2)} s`);

  // Incremental: within the next hour, 50 more transactions appear at the bank (and the first ones go on posting).
  user.transactions.push(...later);
  linked.server.clock.advance(INCREMENT * 60_000 + 60_000);
  const readsBefore = timed.reads();
  timed.resetCalls();
  t0 = performance.now();
  const incremental = await runSync(deps, job());
  const incrementalSeconds = (performance.now() - t0) / 1000;
  if (incremental.status !== 'succeeded')
    throw new Error(`incremental sync ${incremental.status}: ${incremental.errors.join('; ')}`);
  const incrementalReads = timed.reads() - readsBefore;
  const listing = (await store.getConnection(userId, connection.id))?.syncState;
  say(
    `${tag}: incremental sync ${incrementalSeconds.toFixed(2)} s (+${incremental.added} new, ${incremental.modified} modified, ${incrementalReads} stored read, change token ${listing?.changeToken ? 'yes' : 'no'}, ${incremental.pages} page(s))`,
  );
  say(`${tag}: incremental sync's store calls: ${timed.calls()}`);
  // The periodic full reconciliation, for comparison: everything listed, everything read.
  linked.server.clock.advance(60_000);
  const fullBefore = timed.reads();
  t0 = performance.now();
  const full = await runSync(deps, { ...job(), full: true });
  const fullSeconds = (performance.now() - t0) / 1000;
  if (full.status !== 'succeeded') throw new Error(`full sync ${full.status}: ${full.errors.join('; ')}`);
  const fullReads = timed.reads() - fullBefore;

  const r = (n: number) => Math.round(n * 1000) / 1000;
  return [
    { figure: `initial sync 10k ${bankId}`, value: r(initialSeconds), unit: 's' },
    {
      figure: `plain write of the same rows ${bankId}`,
      value: r(base.seconds),
      unit: `s (${under.baselineName}, ${base.rows} rows)`,
    },
    {
      figure: `initial sync / plain write ${bankId}`,
      value: r(initialSeconds / base.seconds),
      unit: 'ratio',
    },
    { figure: `initial sync ${bankId}, transactions stored`, value: stored.length, unit: 'txn' },
    {
      figure: `initial sync ${bankId}, time not waiting on the store (bank, normalize, reconcile)`,
      value: r(initialSeconds - initialStoreSeconds),
      unit: 's',
    },
    {
      figure: `incremental sync ${bankId} (+${incremental.added} new)`,
      value: r(incrementalSeconds),
      unit: 's',
    },
    {
      figure: `incremental sync / initial sync ${bankId}`,
      value: r(incrementalSeconds / initialSeconds),
      unit: 'ratio',
    },
    { figure: `incremental sync ${bankId}, stored transactions read`, value: incrementalReads, unit: 'txn' },
    { figure: `full reconciliation ${bankId} (on demand)`, value: r(fullSeconds), unit: 's' },
    { figure: `full reconciliation ${bankId}, stored transactions read`, value: fullReads, unit: 'txn' },
  ];
}

const listed = <T extends string>(value: string | undefined, all: readonly T[]): T[] => {
  const only = value?.split(',').filter(Boolean) as T[] | undefined;
  return only?.length ? only.filter((x) => all.includes(x)) : [...all];
};

export const benchmarks: Benchmark[] = [
  {
    // Issue 12's first figure, per bank and per storage mode in one run: `SYNC_BENCH_BANKS=bank_a` and
    // `SYNC_BENCH_MODES=postgres,pglite` narrow it.
    name: 'sync-speed',
    async run() {
      const figures: Figure[] = [];
      const banks = listed<BankId>(process.env.SYNC_BENCH_BANKS, ['bank_a', 'bank_b', 'bank_c']);
      const modes = listed<SyncBenchMode>(process.env.SYNC_BENCH_MODES, MODES);
      for (const bank of banks) {
        const byMode = new Map<SyncBenchMode, Measured[]>();
        for (const mode of modes) byMode.set(mode, await benchBank(bank, mode));
        // Side by side: each figure in every mode, then the next figure.
        const names = byMode.get(modes[0]!)!.map((m) => m.figure);
        for (const [i] of names.entries())
          for (const mode of modes) {
            const m = byMode.get(mode)![i]!;
            figures.push({ name: `${m.figure} (${mode})`, value: m.value, unit: m.unit });
          }
      }
      return figures;
    },
  },
];
