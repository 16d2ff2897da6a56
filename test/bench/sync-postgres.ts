import { sql } from 'drizzle-orm';
import { PostgresStore } from '../../shared/adapters/postgres/store';
import { connKey, feedKey, listKey } from '../../shared/adapters/postgres/transactions';
import { freshPglite, freshPostgres, type TestDatabase } from '../support/postgres';
import type { ModeUnderBench } from './sync';

const ROWS_PER_INSERT = 500;

/**
 * The sync bench's Postgres modes (sync.ts runs them beside DynamoDB): the machine's PostgreSQL server (a fresh
 * database) or an in-memory PGlite. The baseline is issue 12's: plain multi-row INSERTs of the same transactions
 * and their events (500 rows a statement, one SQL transaction) into another empty database of the same schema.
 */
export async function postgresMode(kind: 'postgres' | 'pglite'): Promise<ModeUnderBench> {
  const fresh = () => (kind === 'postgres' ? freshPostgres({ max: 10 }) : freshPglite());
  const db = await fresh();
  let base: TestDatabase | undefined;
  return {
    store: new PostgresStore(db.conn),
    baselineName: 'multi-row INSERT',
    async baseline(changes) {
      base = await fresh();
      const txns = changes.map((c) => c.txn);
      const events = changes.flatMap((c) => c.events.map((e) => ({ userId: c.txn.userId, e })));
      const t0 = performance.now();
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
            .map(
              ({ userId, e }) =>
                sql`(${e.txnId}, ${e.seq}, ${userId}, ${JSON.stringify({ userId, ...e })}::jsonb)`,
            );
          await tx.execute(
            sql`INSERT INTO transaction_events (txn_id, seq, user_id, data) VALUES ${sql.join(values, sql`, `)}`,
          );
        }
      });
      return { seconds: (performance.now() - t0) / 1000, rows: txns.length + events.length };
    },
    async close() {
      await db.drop();
      await base?.drop();
    },
  };
}
