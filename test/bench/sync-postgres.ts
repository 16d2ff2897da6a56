import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { LocalAesCipher } from '../../shared/adapters/crypto/aes-gcm';
import { MemoryLocks } from '../../shared/adapters/memory/locks';
import { PostgresStore } from '../../shared/adapters/postgres/store';
import { connKey, feedKey, listKey } from '../../shared/adapters/postgres/transactions';
import { FixtureDataSource } from '../../shared/banks/kit/data-source';
import { TEST_ROOT, inProcessFetch, linkInProcess } from '../../shared/banks/kit/testing';
import { getBank } from '../../shared/banks/registry';
import { reconcile } from '../../shared/domain/reconcile';
import type { BankId } from '../../shared/generator/types';
import { withNormalizers } from '../../shared/services/providers';
import { runSync } from '../../shared/services/sync';
import { freshPglite, freshPostgres, type TestDatabase } from '../support/postgres';
import { bankUser } from './sync';
import { putLinkedConnection } from '../support/sync-fixture';
import type { Benchmark, Figure } from './types';

/**
 * Issue 12's first figure: the initial sync of 10,000 transactions of one bank into PostgreSQL (the machine's
 * server, and PGlite), against a plain multi-row INSERT of the same rows (transactions and their events) into an
 * empty database of the same schema, in the same run. `SYNC_BENCH_BANKS=bank_b` picks the bank (bank_a default).
 */
const say = (message: string) => process.stderr.write(`[sync-postgres] ${message}\n`);
const ROWS_PER_INSERT = 500;

async function measure(kind: 'postgres' | 'pglite', bankId: BankId): Promise<Figure[]> {
  const fresh = () => (kind === 'postgres' ? freshPostgres({ max: 10 }) : freshPglite());
  const module = getBank(bankId)!;
  const { user, initialMs } = bankUser(bankId);
  const data = new FixtureDataSource([user]);
  const linked = await linkInProcess(module, { data, now: new Date(initialMs).toISOString() });
  const client = module.createClient({
    baseUrl: TEST_ROOT,
    fetch: inProcessFetch([linked.server]),
    clock: linked.server.clock,
  });
  const db = await fresh();
  let base: TestDatabase | undefined;
  try {
    const store = new PostgresStore(db.conn);
    const cipher = new LocalAesCipher(randomBytes(32).toString('base64'));
    const userId = 'bench-user';
    const connection = await putLinkedConnection(store, cipher, {
      userId,
      provider: bankId,
      tokens: linked.tokens,
      at: new Date(0).toISOString(),
    });
    const deps = {
      store,
      cipher,
      locks: new MemoryLocks(),
      clock: linked.server.clock,
      providers: [withNormalizers({ id: bankId, name: bankId, client })],
    };
    let t0 = performance.now();
    const initial = await runSync(deps, {
      type: 'sync',
      sync_id: randomUUID(),
      user_id: userId,
      connection_id: connection.id,
      reason: 'manual',
      requested_at: new Date().toISOString(),
    });
    const initialSeconds = (performance.now() - t0) / 1000;
    if (initial.status !== 'succeeded')
      throw new Error(`initial sync ${initial.status}: ${initial.errors.join('; ')}`);
    const stored = await store.listConnectionTransactions(userId, connection.id);
    say(`${kind} ${bankId}: initial sync ${initialSeconds.toFixed(2)} s (${stored.length} stored)`);

    // Baseline: the same transactions and events, plain multi-row INSERTs into an empty database, one transaction.
    base = await fresh();
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
    const txns = again.changes.map((c) => c.txn);
    const events = again.changes.flatMap((c) => c.events.map((e) => ({ userId, e })));
    t0 = performance.now();
    await base.conn.db.transaction(async (tx) => {
      for (let i = 0; i < txns.length; i += ROWS_PER_INSERT) {
        const values = txns
          .slice(i, i + ROWS_PER_INSERT)
          .map(
            (t) =>
              sql`(${t.userId}, ${t.id}, ${t.connectionId}, ${t.version}, ${t.removed}, ${listKey(t)}, ${feedKey(t)}, ${connKey(t)}, ${JSON.stringify(t)}::jsonb)`,
          );
        await tx.execute(
          sql`INSERT INTO transactions (user_id, id, connection_id, version, removed, list_key, feed_key, conn_key, data) VALUES ${sql.join(values, sql`, `)}`,
        );
      }
      for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
        const values = events
          .slice(i, i + ROWS_PER_INSERT)
          .map(({ e }) => sql`(${e.txnId}, ${e.seq}, ${userId}, ${JSON.stringify({ userId, ...e })}::jsonb)`);
        await tx.execute(
          sql`INSERT INTO transaction_events (txn_id, seq, user_id, data) VALUES ${sql.join(values, sql`, `)}`,
        );
      }
    });
    const baselineSeconds = (performance.now() - t0) / 1000;
    say(
      `${kind} ${bankId}: multi-row INSERT of ${txns.length} transactions + ${events.length} events ${baselineSeconds.toFixed(2)} s`,
    );
    const r = (n: number) => Math.round(n * 1000) / 1000;
    return [
      { name: `sync ${bankId} [${kind}]: initial, transactions stored`, value: stored.length, unit: 'txn' },
      {
        name: `sync ${bankId} [${kind}]: initial sync of ${stored.length} transactions`,
        value: r(initialSeconds),
        unit: 's',
      },
      {
        name: `sync ${bankId} [${kind}]: multi-row INSERT of the same ${txns.length} transactions + events`,
        value: r(baselineSeconds),
        unit: 's',
      },
      {
        name: `sync ${bankId} [${kind}]: initial sync / multi-row INSERT`,
        value: r(initialSeconds / baselineSeconds),
        unit: 'ratio',
      },
    ];
  } finally {
    await db.drop();
    await base?.drop();
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'sync-postgres',
    async run() {
      const figures: Figure[] = [];
      const only = process.env.SYNC_BENCH_BANKS?.split(',').filter(Boolean);
      for (const bank of (only?.length ? only : ['bank_a']) as BankId[])
        for (const kind of ['postgres', 'pglite'] as const) figures.push(...(await measure(kind, bank)));
      return figures;
    },
  },
];
