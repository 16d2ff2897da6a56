import { sql } from 'drizzle-orm';
import { json, type PgConnection, type PgTx, type Queryable } from './db';

/**
 * The transactional outbox (PG-CONTRACT.md): every writer of an entity the processors consume (transactions,
 * budgets, re-categorization requests) appends what changed IN THE SAME SQL TRANSACTION as the write, so a change
 * is in the feed if and only if it committed. The relay (pg-feed) delivers the rows in `seq` order per user.
 *
 * `before` / `after` are the entity's attributes as the DynamoDB adapter stores them, without storage keys (what
 * the stream's images hold): `{ entity: 'transaction', id, userId, …, version, updatedAt, replay_at? }`. Null
 * before on INSERT, null after on REMOVE.
 */
export type OutboxEntity = 'transaction' | 'budget' | 'recategorize';

export interface OutboxChange {
  userId: string;
  entity: OutboxEntity;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The transactions of `outboxTransaction` running now, and whether each appended outbox rows yet. */
const appending = new WeakMap<object, { wrote: boolean }>();

/**
 * Runs a write that may append to the outbox in one SQL transaction on the connection. Once it committed, if it
 * appended rows (appendOutbox, or markOutboxWritten for rows appended in SQL), the connection hears of it
 * (`onOutboxCommit`: the Postgres runtime nudges the relay); a transaction that appended nothing, or rolled back,
 * says nothing.
 */
export async function outboxTransaction<T>(conn: PgConnection, write: (tx: PgTx) => Promise<T>): Promise<T> {
  const mark = { wrote: false };
  const out = await conn.db.transaction((tx) => {
    appending.set(tx, mark);
    return write(tx);
  });
  if (mark.wrote) conn.onOutboxCommit?.();
  return out;
}

/** Records that this transaction of `outboxTransaction` appended outbox rows (in SQL, not with appendOutbox). */
export function markOutboxWritten(tx: Queryable): void {
  const mark = appending.get(tx);
  if (!mark)
    throw new Error('Outbox rows are appended inside outboxTransaction (its commit nudges the relay)');
  mark.wrote = true;
}

/** Appends the changes, in this order (their `seq` ascends with it). Call inside the write's `outboxTransaction`. */
export async function appendOutbox(tx: Queryable, changes: readonly OutboxChange[]): Promise<void> {
  if (!changes.length) return;
  markOutboxWritten(tx);
  const rowsOf = changes.map((c) => ({
    user_id: c.userId,
    entity: c.entity,
    event_name: c.eventName,
    before: c.before,
    after: c.after,
  }));
  await tx.execute(sql`
    INSERT INTO outbox (user_id, entity, event_name, before, after)
    SELECT e.v->>'user_id', e.v->>'entity', e.v->>'event_name',
           NULLIF(e.v->'before', 'null'::jsonb), NULLIF(e.v->'after', 'null'::jsonb)
    FROM jsonb_array_elements(${json(rowsOf)}::jsonb) WITH ORDINALITY AS e(v, n)
    ORDER BY e.n`);
}

/**
 * The SQL expression of a transaction row's image in the feed (its attributes, entity name and replay marker),
 * for writers that append outbox rows straight from an `UPDATE … RETURNING` in SQL (migration 0001).
 */
export const TXN_IMAGE_FUNCTION = 'finagg_txn_image';
