import { bankListing, visibleTransactions } from '../../shared/banks/kit/replay';
import type { RenderContext } from '../../shared/banks/kit/dialect';
import { generateUser } from '../../shared/generator';
import { Rng } from '../../shared/generator/prng';
import { bankIds } from '../../shared/generator/lifecycle';
import type { BankId, GeneratedUser } from '../../shared/generator/types';
import type { BankTransaction, StoredTransaction } from '../../shared/domain/models';
import { reconcile, type TxnChange } from '../../shared/domain/reconcile';
import type { TransactionStore } from '../../shared/ports/store';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { ensureTable } from '../../shared/adapters/dynamodb/setup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PostgresStore } from '../../shared/adapters/postgres/store';
import { freshPostgres } from '../support/postgres';
import {
  chooseListing,
  INDEX_VERSION,
  earliestPending,
  newestDate,
  reconcileWindow,
  storedScope,
  type Listing,
  type SyncState,
} from '../../shared/domain/sync-window';
import { localIsoDate } from '../../shared/banks/kit/formats';
import type { Benchmark, Figure } from './types';
import { bankWiring } from '../support/bank-wiring';

const BANKS: BankId[] = ['bank_a', 'bank_b', 'bank_c'];
/**
 * Generated transactions replayed per storage: every sync is a read and a write through a real store there (about
 * 5,000 syncs per 20,000 transactions), so fewer than the in-memory run to keep the bench within minutes.
 */
const TARGET_TRANSACTIONS = { memory: 100_000, postgres: 20_000, dynamodb: 3_000 };
type Storage = keyof typeof TARGET_TRANSACTIONS;

/**
 * Where one connection's transactions are kept between its syncs: the real store (its windowed read of what a
 * listing can match, its conditioned writes), or an in-memory stand-in that filters as the store's read does.
 */
interface Ledger {
  read(scope: ReturnType<typeof storedScope>): Promise<StoredTransaction[]>;
  write(changes: TxnChange[]): Promise<void>;
  all(): Promise<StoredTransaction[]>;
}

function memoryLedger(): Ledger {
  let stored: StoredTransaction[] = [];
  return {
    async read(scope) {
      if (!scope) return stored;
      const ids = new Set(scope.bankIds);
      const days = new Set(scope.dates);
      return stored.filter(
        (s) =>
          (scope.from !== null && s.original.date >= scope.from) ||
          days.has(s.original.date) ||
          s.providerTxnIds.some((id) => ids.has(id)),
      );
    },
    async write(changes) {
      const byId = new Map(stored.map((s) => [s.id, s]));
      for (const c of changes) byId.set(c.txn.id, c.txn);
      stored = [...byId.values()];
    },
    async all() {
      return stored;
    },
  };
}

function storeLedger(store: TransactionStore, userId: string, connectionId: string): Ledger {
  return {
    read: (scope) =>
      scope
        ? store.listConnectionTransactionsWhere(userId, connectionId, scope)
        : store.listConnectionTransactions(userId, connectionId),
    async write(changes) {
      const { conflicts } = await store.applyTransactionChanges(changes);
      if (conflicts.length) throw new Error(`${conflicts.length} write conflict(s) with no other writer`);
    },
    all: () => store.listConnectionTransactions(userId, connectionId),
  };
}

/** The store of a storage (none for memory), fresh and empty, and how to close it. */
async function openStorage(
  storage: Storage,
): Promise<{ store: TransactionStore | null; close(): Promise<void> }> {
  if (storage === 'memory') return { store: null, close: async () => undefined };
  if (storage === 'postgres') {
    const db = await freshPostgres({ max: 4 });
    return { store: new PostgresStore(db.conn), close: () => db.drop() };
  }
  const local = await startDynamoDbLocal({ javaOptions: ['-Xmx1g'] });
  try {
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const endpoint = local.endpoint;
    const tableName = 'dedup-bench';
    await ensureTable(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials }), tableName);
    const doc = createDocumentClient({ endpoint, region: 'us-east-1', credentials });
    return {
      store: new DynamoStore(doc, tableName),
      async close() {
        doc.destroy();
        await local.stop();
      },
    };
  } catch (err) {
    await local.stop();
    throw err;
  }
}
const SYNC_EVERY_DAYS = 3;
const MALFORMED_RATE = 0.02;
/** A full reconciliation every this many syncs; the others list the bank's narrowest window. */
const FULL_EVERY_SYNCS = 10;

/**
 * Dedup accuracy against the generator's ground truth: every connection of enough generated users to make
 * 100,000 transactions is synced every few days through a year, through the banks' real wire formats and our real
 * normalizers and reconciliation, with malformed records mixed in. At the end, each real transaction must be
 * exactly one stored transaction (re-sends and postings under new ids merged) and no stored transaction may hold
 * two real ones. Syncs list what the sync engine lists (domain/sync-window.ts): bank_a only what changed since the
 * last listing, with its removals; bank_c a date window; bank_b everything; a full reconciliation every
 * FULL_EVERY_SYNCS syncs. Each reads of the stored transactions only what its listing can match (storedScope).
 * Per storage: `memory` keeps them in a list filtered as the stores' windowed reads filter; `postgres` (the machine's
 * PostgreSQL, a fresh database) and `dynamodb` (DynamoDB Local, fewer transactions) read and write them through the
 * real store (listConnectionTransactionsWhere, applyTransactionChanges), and score what the store holds at the end.
 */
async function run(storage: Storage): Promise<Figure[]> {
  const opened = await openStorage(storage);
  try {
    return await replay(storage, opened.store);
  } finally {
    await opened.close();
  }
}

async function replay(storage: Storage, store: TransactionStore | null): Promise<Figure[]> {
  const target = TARGET_TRANSACTIONS[storage];
  const options = { seed: 4242, start: '2026-01-01', days: 365 };
  const started = performance.now();
  let total = 0;
  let resentTxns = 0;
  let resentCaught = 0;
  let falseMerges = 0;
  let missing = 0;
  let split = 0;
  let quarantined = 0;
  let syncs = 0;
  let windowed = 0;
  const rng = new Rng(99);
  const random = () => rng.next();
  for (let index = 0; total < target; index++) {
    const user: GeneratedUser = generateUser(options, index);
    total += user.transactions.length;
    process.stderr.write(
      `[dedup] ${storage}: user ${index}, ${total} transactions so far, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
    );
    for (const bankId of BANKS) {
      const { module, provider, accounts, bankAccounts } = bankWiring(bankId, user);
      const cache = new Map<string, BankTransaction>();
      const connectionId = `${user.key}-${bankId}`;
      const ledger = store ? storeLedger(store, user.key, connectionId) : memoryLedger();
      let state: SyncState | undefined;
      let lastListedAt = 0;
      let n = 0;
      const endMs = Date.parse(options.start) + (options.days + 10) * 86_400_000;
      for (let at = Date.parse(options.start) + 86_400_000; ; at += SYNC_EVERY_DAYS * 86_400_000) {
        const now = new Date(Math.min(at, endMs));
        const ctx: RenderContext = { rootUrl: 'http://bench/mock-banks', accounts, now };
        const incoming: BankTransaction[] = [];
        // What the bank lists for the engine's choice (the same filters as bank_a's `since` and bank_c's from/to).
        const listing: Listing = chooseListing(
          provider.client.listing,
          state && { ...state, fullAt: now.toISOString() },
          now,
          n++ % FULL_EVERY_SYNCS === 0,
        );
        const { visible, gone } = bankListing(user, bankId, now);
        const zone = (id: string) => accounts.get(id)?.timeZone ?? 'UTC';
        const listed = visible.filter((v) => {
          if (listing.kind === 'changes') return Date.parse(v.changedAt) > lastListedAt;
          if (listing.kind === 'dates') {
            const inWindow = (d: string) => d >= listing.from && d <= listing.to;
            return inWindow(v.date) || inWindow(localIsoDate(Date.parse(v.changedAt), zone(v.accountId)));
          }
          return true;
        });
        const removedIds =
          listing.kind === 'changes'
            ? gone.filter((g) => Date.parse(g.goneAt) > lastListedAt).map((g) => g.bankTxnId)
            : [];
        if (listing.kind !== 'all') windowed += 1;
        lastListedAt = now.getTime();
        for (const v of listed) {
          const k = `${v.bankTxnId}|${v.status}|${v.amountMinor}|${v.description}|${v.date}|${v.pendingBankTxnId}`;
          let t = cache.get(k);
          if (!t) {
            t = provider.normalizeTransaction(module.dialect.transaction(v, ctx), bankAccounts);
            cache.set(k, t);
          }
          incoming.push(t);
          if (random() < MALFORMED_RATE) {
            // A broken copy next to the good record, as the bank's `malformed` fault sends it.
            const broken = module.dialect.withId(
              module.dialect.malform(module.dialect.transaction(v, ctx), 'garbage_amount', (o) => o[0]!),
              `${v.bankTxnId}-x`,
            );
            try {
              incoming.push(provider.normalizeTransaction(broken, bankAccounts));
            } catch {
              quarantined += 1;
            }
          }
        }
        // The stored transactions the listing can match, as the store's windowed read returns them.
        const read = await ledger.read(storedScope(listing, incoming, removedIds));
        const result = reconcile({
          userId: user.key,
          connectionId,
          provider: bankId,
          accountIdFor: (id) => id,
          stored: read,
          incoming,
          window: reconcileWindow(listing),
          removedIds: listing.kind === 'changes' ? removedIds : null,
          now: now.toISOString(),
          actor: 'sync:bench',
        });
        await ledger.write(result.changes);
        state = {
          changeToken: 'listed',
          fullAt: now.toISOString(),
          pendingFrom:
            listing.kind === 'changes' ? (state?.pendingFrom ?? null) : earliestPending(read, result.changes),
          newestDate: newestDate(listing.kind === 'all' ? null : (state?.newestDate ?? null), incoming),
          indexVersion: INDEX_VERSION,
        };
        syncs += 1;
        if (now.getTime() >= endMs) break;
      }

      // Score against the truth as the bank shows it at the end.
      const live = (await ledger.all()).filter((s) => !s.removed);
      const owner = new Map<string, string>();
      for (const t of user.transactions.filter((x) => x.bank === bankId))
        for (const id of bankIds(t)) owner.set(id, t.id);
      const storedByTruth = new Map<string, number>();
      for (const s of live) {
        const truths = new Set(
          s.providerTxnIds.map((id) => owner.get(id)).filter((x): x is string => Boolean(x)),
        );
        if (truths.size > 1) falseMerges += 1;
        for (const t of truths) storedByTruth.set(t, (storedByTruth.get(t) ?? 0) + 1);
      }
      const endNow = new Date(endMs);
      const visibleTruth = new Set(visibleTransactions(user, bankId, endNow).map((v) => v.sourceId));
      for (const t of user.transactions.filter((x) => x.bank === bankId)) {
        if (!visibleTruth.has(t.id)) continue;
        const n = storedByTruth.get(t.id) ?? 0;
        if (n === 0) missing += 1;
        if (n > 1) split += 1;
        if (t.truth.resent_as.length) {
          resentTxns += 1;
          if (n === 1) resentCaught += 1;
        }
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return [
    { name: `dedup (${storage}): generated transactions`, value: total, unit: 'txn' },
    { name: `dedup (${storage}): syncs replayed`, value: syncs, unit: 'syncs' },
    {
      name: `dedup (${storage}): syncs that listed a window (change cursor or dates)`,
      value: windowed,
      unit: 'syncs',
    },
    {
      name: `dedup (${storage}): re-sent transactions caught`,
      value: resentCaught,
      unit: `of ${resentTxns}`,
    },
    {
      name: `dedup (${storage}): duplicates caught`,
      value: resentTxns ? Math.round((resentCaught / resentTxns) * 10000) / 100 : 100,
      unit: '%',
    },
    { name: `dedup (${storage}): real transactions stored twice or more`, value: split, unit: 'txn' },
    { name: `dedup (${storage}): false merges`, value: falseMerges, unit: 'txn' },
    { name: `dedup (${storage}): real transactions missing`, value: missing, unit: 'txn' },
    { name: `dedup (${storage}): malformed records quarantined`, value: quarantined, unit: 'records' },
    { name: `dedup (${storage}): bench wall time`, value: Math.round(seconds * 10) / 10, unit: 's' },
  ];
}

/** `DEDUP_BENCH_STORAGE=postgres` (or memory, dynamodb; comma-separated) narrows the run. */
export const benchmarks: Benchmark[] = [
  {
    name: 'dedup',
    async run() {
      const all = Object.keys(TARGET_TRANSACTIONS) as Storage[];
      const only = process.env.DEDUP_BENCH_STORAGE?.split(',').filter((x): x is Storage =>
        all.includes(x as Storage),
      );
      const figures: Figure[] = [];
      for (const storage of only?.length ? only : all) figures.push(...(await run(storage)));
      return figures;
    },
  },
];
