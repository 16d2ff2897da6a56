import { sql, type SQL } from 'drizzle-orm';
import * as z from 'zod';
import type { StoredTransaction, TxnEvent } from '../../domain/models';
import { transactionId, type TxnChange } from '../../domain/reconcile';
import { effective, matchesFilter, type TxnFilter } from '../../domain/transactions';
import { openCursor, sealCursor } from '../../cursor';
import type { Page, PageRequest, StoredTxnQuery, TransactionStore } from '../../ports/store';
import { fromJson, json, rows, type PgConnection, type Queryable } from './db';
import { markOutboxWritten, outboxTransaction } from './outbox';
import { PgRole } from './role';

/** The most transaction rows one `listTransactions` request reads (as on DynamoDB). */
const MAX_SCANNED = 2000;
/** Rows per read of a long list (a Data API response holds at most 1 MiB). */
const READ_CHUNK = 500;
/** A write statement's parameters stay well under the Data API's 4 MiB request. */
const WRITE_CHUNK_BYTES = 1_500_000;
const WRITE_CHUNK_CHANGES = 1000;

/**
 * One transaction's write: its new state (a whole row when new, else a patch of some attributes on condition of
 * the stored version), its events (written once: a seq that exists fails the write) and the bank ids that now
 * point to it. The sync (applyTransactionChanges) and user changes (user-changes.ts) both write through here.
 */
export interface TxnWrite {
  userId: string;
  id: string;
  connectionId: string;
  /** null: the transaction is new (it must not exist). */
  expected: number | null;
  version: number;
  removed: boolean;
  listKey: string;
  feedKey: string;
  connKey: string;
  /** New: the whole transaction. Else: the attributes set (the rest of the stored ones stay). */
  data: Record<string, unknown>;
  /** Attributes removed (an update only). */
  drop: string[];
  events: readonly TxnEvent[];
  aliases: string[];
}

export const listKey = (t: StoredTransaction) => `${effective(t).date}#${t.id}`;
export const feedKey = (t: StoredTransaction) => `${t.updatedAt}#${t.id}`;
export const connKey = (t: StoredTransaction) => `${t.original.date}#${t.id}`;

/** A write of a transaction at its new state: its identity, version and keys from the transaction itself. */
export function txnWrite(
  t: StoredTransaction,
  expected: number | null,
  w: Pick<TxnWrite, 'data' | 'drop' | 'events' | 'aliases'>,
): TxnWrite {
  return {
    userId: t.userId,
    id: t.id,
    connectionId: t.connectionId,
    expected,
    version: t.version,
    removed: t.removed,
    listKey: listKey(t),
    feedKey: feedKey(t),
    connKey: connKey(t),
    ...w,
  };
}

/** The write of one reconciled change: only the provider-owned fields on an update (as on DynamoDB). */
function syncWrite(c: TxnChange): TxnWrite {
  const t = c.txn;
  const aliases: string[] = [];
  for (const e of c.events) {
    const bankId = e.kind === 'merged' ? e.after?.provider_txn_id : undefined;
    if (typeof bankId === 'string') aliases.push(bankId);
  }
  return txnWrite(t, c.expectedVersion, {
    data:
      c.expectedVersion === null
        ? (t as unknown as Record<string, unknown>)
        : {
            original: t.original,
            providerTxnIds: t.providerTxnIds,
            fingerprint: t.fingerprint,
            removed: t.removed,
            version: t.version,
            updatedAt: t.updatedAt,
          },
    drop: [],
    events: c.events,
    aliases,
  });
}

/** A write's events did not all go in (one existed): the write is a conflict, and its transaction rolls back. */
class EventExists extends Error {}

const TRANSIENT = /deadlock detected|could not serialize access/i;
const TRANSIENT_CODES = new Set(['40P01', '40001']);

/** A deadlock or serialization failure: the transaction is retried whole. */
function isTransient(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (e instanceof Error && TRANSIENT.test(e.message)) return true;
    if (!(e instanceof Object) || !('cause' in e)) break;
  }
  return false;
}

async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 5 || !isTransient(err)) throw err;
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt + Math.random() * 20));
    }
  }
}

/**
 * A write as the JSON its statements take, serialized once (a 10k-transaction sync sends ~30 MB of it): its row
 * (`n` orders the rows of a chunk as the writes came) and each of its events' rows.
 */
interface EncodedWrite {
  w: TxnWrite;
  row: string;
  events: string[];
  /** About the bytes it adds to a statement's parameters (UTF-16 upper bound, as the Data API counts). */
  size: number;
}

function encodeWrite(w: TxnWrite, n: number): EncodedWrite {
  const row = JSON.stringify({
    n,
    user_id: w.userId,
    id: w.id,
    connection_id: w.connectionId,
    expected: w.expected,
    version: w.version,
    removed: w.removed,
    list_key: w.listKey,
    feed_key: w.feedKey,
    conn_key: w.connKey,
    data: w.data,
    drop_keys: w.drop,
  });
  const events = w.events.map((e) =>
    JSON.stringify({
      txn_id: e.txnId,
      seq: e.seq,
      user_id: w.userId,
      // As the DynamoDB adapter's event items: the owner's id with the event's attributes.
      data: { userId: w.userId, ...e },
    }),
  );
  const size = 2 * (row.length + events.reduce((sum, e) => sum + e.length + 1, 0));
  return { w, row, events, size };
}

/** Already-serialized JSON values as one JSON array parameter (cast it in SQL: `${…}::jsonb`). */
const jsonArray = (items: readonly string[]): SQL => sql`${`[${items.join(',')}]`}`;

/**
 * Writes transaction changes: each one's new state, events, aliases and change-feed row atomically, on condition of
 * its expected version; returns the ids whose condition failed. Changes are written many per statement, chunked,
 * each chunk one SQL transaction; a chunk in which a write's event exists already is rolled back and retried change
 * by change, to apply the others and report that one (DynamoDB's transactions do the same).
 */
export async function writeTxnChanges(
  conn: PgConnection,
  writes: readonly TxnWrite[],
): Promise<{ applied: number; conflicts: string[] }> {
  let applied = 0;
  const conflicts: string[] = [];
  const chunks: EncodedWrite[][] = [];
  let current: EncodedWrite[] = [];
  let bytes = 0;
  for (const [n, w] of writes.entries()) {
    const e = encodeWrite(w, n);
    if (current.length && (bytes + e.size > WRITE_CHUNK_BYTES || current.length >= WRITE_CHUNK_CHANGES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += e.size;
  }
  if (current.length) chunks.push(current);

  const run = async (chunk: EncodedWrite[]): Promise<void> => {
    try {
      const done = await withRetry(() => outboxTransaction(conn, (tx) => writeChunk(tx, chunk)));
      applied += done.size;
      for (const { w } of chunk) if (!done.has(w.id)) conflicts.push(w.id);
    } catch (err) {
      if (!(err instanceof EventExists)) throw err;
      if (chunk.length === 1) conflicts.push(chunk[0]!.w.id);
      else for (const e of chunk) await run([e]);
    }
  };
  for (const chunk of chunks) await run(chunk);
  return { applied, conflicts };
}

/** One chunk, inside its SQL transaction; the ids written. Throws EventExists to roll the chunk back. */
async function writeChunk(tx: Queryable, chunk: readonly EncodedWrite[]): Promise<Set<string>> {
  const inserts = chunk.filter((e) => e.w.expected === null).map((e) => e.row);
  const updates = chunk.filter((e) => e.w.expected !== null).map((e) => e.row);
  const recordset = sql.raw(`AS c(n int, user_id text, id text, connection_id text, expected int, version int,
    removed boolean, list_key text, feed_key text, conn_key text, data jsonb, drop_keys jsonb)`);
  const done = new Set<string>();
  if (inserts.length) {
    const out = await rows<{ id: string }>(
      tx,
      sql`WITH c AS (SELECT * FROM jsonb_to_recordset(${jsonArray(inserts)}::jsonb) ${recordset}),
        ins AS (
          INSERT INTO transactions (user_id, id, connection_id, version, removed, list_key, feed_key, conn_key, data)
          SELECT user_id, id, connection_id, version, removed, list_key, feed_key, conn_key, data FROM c ORDER BY n
          ON CONFLICT (user_id, id) DO NOTHING
          RETURNING user_id, id, data, replay_at)
        INSERT INTO outbox (user_id, entity, event_name, before, after)
        SELECT ins.user_id, 'transaction', 'INSERT', NULL, finagg_txn_image(ins.data, ins.replay_at)
        FROM ins JOIN c ON c.user_id = ins.user_id AND c.id = ins.id ORDER BY c.n
        RETURNING after->>'id' AS id`,
    );
    for (const r of out) done.add(r.id);
    // Each row written appended its outbox row in the same statement.
    if (out.length) markOutboxWritten(tx);
  }
  if (updates.length) {
    const out = await rows<{ id: string }>(
      tx,
      sql`WITH c AS (SELECT * FROM jsonb_to_recordset(${jsonArray(updates)}::jsonb) ${recordset}),
        old AS (
          SELECT t.user_id, t.id, t.data, t.replay_at FROM transactions t JOIN c ON t.user_id = c.user_id AND t.id = c.id),
        upd AS (
          UPDATE transactions t SET version = c.version, removed = c.removed, list_key = c.list_key,
            feed_key = c.feed_key, conn_key = c.conn_key,
            data = (t.data - ARRAY(SELECT jsonb_array_elements_text(c.drop_keys))) || c.data
          FROM c WHERE t.user_id = c.user_id AND t.id = c.id AND t.version = c.expected
          RETURNING t.user_id, t.id, t.data, t.replay_at)
        INSERT INTO outbox (user_id, entity, event_name, before, after)
        SELECT upd.user_id, 'transaction', 'MODIFY', finagg_txn_image(old.data, old.replay_at),
          finagg_txn_image(upd.data, upd.replay_at)
        FROM upd JOIN old ON old.user_id = upd.user_id AND old.id = upd.id
          JOIN c ON c.user_id = upd.user_id AND c.id = upd.id
        ORDER BY c.n
        RETURNING after->>'id' AS id`,
    );
    for (const r of out) done.add(r.id);
    // Each row written appended its outbox row in the same statement.
    if (out.length) markOutboxWritten(tx);
  }
  const written = chunk.filter((e) => done.has(e.w.id));
  const events = written.flatMap((e) => e.events);
  if (events.length) {
    const out = await rows<{ n: number }>(
      tx,
      sql`WITH ins AS (
            INSERT INTO transaction_events (txn_id, seq, user_id, data)
            SELECT txn_id, seq, user_id, data
            FROM jsonb_to_recordset(${jsonArray(events)}::jsonb) AS e(txn_id text, seq int, user_id text, data jsonb)
            ON CONFLICT (txn_id, seq) DO NOTHING RETURNING 1)
          SELECT count(*)::int AS n FROM ins`,
    );
    if (Number(out[0]?.n ?? 0) !== events.length) throw new EventExists();
  }
  const aliases = written.flatMap(({ w }) =>
    w.aliases.map((bankId) => ({
      connection_id: w.connectionId,
      bank_id: bankId,
      user_id: w.userId,
      txn_id: w.id,
    })),
  );
  if (aliases.length) {
    const unique = [...new Map(aliases.map((a) => [`${a.connection_id}\u001f${a.bank_id}`, a])).values()];
    await tx.execute(sql`
      INSERT INTO bank_aliases (connection_id, bank_id, user_id, txn_id)
      SELECT connection_id, bank_id, user_id, txn_id
      FROM jsonb_to_recordset(${json(unique)}::jsonb) AS a(connection_id text, bank_id text, user_id text, txn_id text)
      ON CONFLICT (connection_id, bank_id) DO UPDATE SET user_id = EXCLUDED.user_id, txn_id = EXCLUDED.txn_id`);
  }
  return done;
}

const within = (filter: TxnFilter) => (key: string) =>
  (!filter.from || key >= filter.from) && (!filter.to || key <= `${filter.to}~`);

/** Transactions, their bank-id aliases and immutable events, the reads over them, and replay. */
export class PgTransactionStore extends PgRole implements TransactionStore {
  /** Every row of a condition on the connection, in `conn_key` order, page by page. */
  private async connectionRows(
    userId: string,
    connectionId: string,
    where: SQL,
  ): Promise<StoredTransaction[]> {
    const out: StoredTransaction[] = [];
    let after: string | null = null;
    for (;;) {
      const found: { conn_key: string; data: string }[] = await rows<{ conn_key: string; data: string }>(
        this.db,
        sql`SELECT conn_key, data::text AS data FROM transactions
            WHERE user_id = ${userId} AND connection_id = ${connectionId} AND (${where})
              ${after === null ? sql`` : sql`AND conn_key > ${after}`}
            ORDER BY conn_key LIMIT ${READ_CHUNK}`,
      );
      for (const r of found) out.push(fromJson<StoredTransaction>(r.data));
      if (found.length < READ_CHUNK) return out;
      after = found.at(-1)!.conn_key;
    }
  }

  listConnectionTransactions(userId: string, connectionId: string): Promise<StoredTransaction[]> {
    return this.connectionRows(userId, connectionId, sql`TRUE`);
  }

  /**
   * The connection's rows dated `from` or later, those of the single days before it, and those of the bank ids:
   * the first bank id of a transaction names it (transactionId), later ones have an alias row.
   */
  async listConnectionTransactionsWhere(
    userId: string,
    connectionId: string,
    query: StoredTxnQuery,
  ): Promise<StoredTransaction[]> {
    const from = query.from ?? null;
    const days = [...new Set(query.dates ?? [])].filter((d) => from === null || d < from);
    const bankIds = [...new Set(query.bankIds ?? [])];
    const parts: SQL[] = [];
    if (from !== null) parts.push(sql`conn_key >= ${from}`);
    if (days.length)
      parts.push(
        sql`split_part(conn_key, '#', 1) IN (SELECT jsonb_array_elements_text(${json(days)}::jsonb))`,
      );
    if (bankIds.length) {
      const named = bankIds.map((b) => transactionId(connectionId, b));
      parts.push(sql`id IN (SELECT jsonb_array_elements_text(${json(named)}::jsonb))`);
      parts.push(sql`id IN (SELECT txn_id FROM bank_aliases WHERE connection_id = ${connectionId}
        AND user_id = ${userId} AND bank_id IN (SELECT jsonb_array_elements_text(${json(bankIds)}::jsonb)))`);
    }
    if (!parts.length) return [];
    return this.connectionRows(userId, connectionId, sql.join(parts, sql` OR `));
  }

  /**
   * Nothing to re-key on PostgreSQL: `conn_key` (the index listConnectionTransactionsWhere reads) is written with
   * every row since the first migration. Bank-id aliases are written with the merge that adds the id; this gives
   * one to any merged id that lacks it (data moved in from elsewhere), and so returns 0 on a store this adapter
   * wrote. Idempotent.
   */
  async repairConnectionIndex(userId: string, connectionId: string): Promise<number> {
    const out = await rows<{ n: number }>(
      this.db,
      sql`WITH ins AS (
            INSERT INTO bank_aliases (connection_id, bank_id, user_id, txn_id)
            SELECT t.connection_id, b.bank_id, t.user_id, t.id
            FROM transactions t, jsonb_array_elements_text(t.data->'providerTxnIds') AS b(bank_id)
            WHERE t.user_id = ${userId} AND t.connection_id = ${connectionId}
              AND 'txn_' || left(encode(sha256(convert_to(t.connection_id || chr(31) || b.bank_id, 'UTF8')), 'hex'), 24) <> t.id
            ON CONFLICT (connection_id, bank_id) DO NOTHING
            RETURNING 1)
          SELECT count(*)::int AS n FROM ins`,
    );
    return Number(out[0]?.n ?? 0);
  }

  applyTransactionChanges(changes: TxnChange[]): Promise<{ applied: number; conflicts: string[] }> {
    return writeTxnChanges(this.conn, changes.map(syncWrite));
  }

  async getTransaction(userId: string, id: string): Promise<StoredTransaction | null> {
    const [row] = await rows<{ data: string }>(
      this.db,
      sql`SELECT data::text AS data FROM transactions WHERE user_id = ${userId} AND id = ${id}`,
    );
    return row ? fromJson<StoredTransaction>(row.data) : null;
  }

  /**
   * Live transactions matching the filter, newest first (`<effective date>#<id>` descending). The date range is
   * the key range; the other filters apply to each chunk read, reading on until the page is full or MAX_SCANNED
   * rows were read (the page may then be short, even empty, with a cursor to go on from), as on DynamoDB.
   */
  async listTransactions(
    userId: string,
    filter: TxnFilter,
    page: PageRequest,
  ): Promise<Page<StoredTransaction>> {
    const inRange = within(filter);
    const scope = { list: 'transactions', owner: `user=${userId}` };
    let start: string | null = page.cursor
      ? openCursor(page.cursor, scope, z.string().min(1).max(1024).refine(inRange))
      : null;
    const chunk = Math.min(1000, Math.max(page.limit * 2, 100));
    const items: StoredTransaction[] = [];
    let last: string | null = null;
    let exhausted = false;
    let scanned = 0;
    while (items.length < page.limit && scanned < MAX_SCANNED) {
      // The chunk is chosen in the inner query and only its rows are turned into text: without fresh statistics
      // (a table just filled, autovacuum off or behind) the planner may scan all the user's rows and sort them
      // instead of walking the index backwards, and `data::text` there cost ~90 ms per 10,000 rows.
      const raw = await rows<{ list_key: string; data: string }>(
        this.db,
        sql`SELECT list_key, data::text AS data FROM (
              SELECT list_key, data FROM transactions
              WHERE user_id = ${userId} AND NOT removed
                ${filter.from ? sql`AND list_key >= ${filter.from}` : sql``}
                ${filter.to ? sql`AND list_key <= ${`${filter.to}~`}` : sql``}
                ${start === null ? sql`` : sql`AND list_key < ${start}`}
              ORDER BY list_key DESC LIMIT ${chunk}) page
            ORDER BY list_key DESC`,
      );
      scanned += raw.length;
      const more = raw.length === chunk;
      let stoppedEarly = false;
      for (const [i, r] of raw.entries()) {
        const t = fromJson<StoredTransaction>(r.data);
        last = r.list_key;
        if (matchesFilter(t, filter)) items.push(t);
        if (items.length >= page.limit) {
          stoppedEarly = i < raw.length - 1 || more;
          break;
        }
      }
      if (items.length >= page.limit) {
        exhausted = !stoppedEarly;
        break;
      }
      if (!more) {
        exhausted = true;
        break;
      }
      start = last;
    }
    return { items, nextCursor: last !== null && !exhausted ? sealCursor(scope, last) : null };
  }

  /**
   * Every live transaction through the change feed again: a new replay marker, and a MODIFY outbox row whose
   * after differs from its before by that marker only (nothing when the marker is already `at`, as DynamoDB's
   * stream shows no unchanged write). Versions, updatedAt and the feed position stay. One statement.
   */
  async replayTransactions(userId: string, at: string): Promise<number> {
    const [out] = await rows<{ live: number; fed: number }>(
      this.db,
      sql`WITH old AS (
            SELECT id, data, replay_at FROM transactions WHERE user_id = ${userId} AND NOT removed FOR UPDATE),
          upd AS (
            UPDATE transactions t SET replay_at = ${at}
            FROM old WHERE t.user_id = ${userId} AND t.id = old.id AND old.replay_at IS DISTINCT FROM ${at}::text
            RETURNING t.id, t.data, old.replay_at AS before_replay),
          feed AS (
            INSERT INTO outbox (user_id, entity, event_name, before, after)
            SELECT ${userId}, 'transaction', 'MODIFY', finagg_txn_image(upd.data, upd.before_replay),
              finagg_txn_image(upd.data, ${at}::text)
            FROM upd ORDER BY upd.id
            RETURNING 1)
          SELECT (SELECT count(*) FROM old)::int AS live, (SELECT count(*) FROM feed)::int AS fed`,
    );
    // One statement, committed on its own: its outbox rows are in the feed now.
    if (Number(out?.fed ?? 0) > 0) this.conn.onOutboxCommit?.();
    return Number(out?.live ?? 0);
  }

  async listTransactionEvents(txnId: string): Promise<TxnEvent[]> {
    const found = await rows<{ data: string }>(
      this.db,
      sql`SELECT data::text AS data FROM transaction_events WHERE txn_id = ${txnId} ORDER BY seq`,
    );
    return found.map((r) => fromJson<TxnEvent>(r.data));
  }

  /** After a position `<updatedAt>#<id>` (the service's feed cursor), in that order, as DynamoDB's feed index. */
  async transactionFeed(
    userId: string,
    after: string | null,
    limit: number,
  ): Promise<{ items: StoredTransaction[]; position: string | null }> {
    const found = await rows<{ feed_key: string; data: string }>(
      this.db,
      sql`SELECT feed_key, data::text AS data FROM transactions
          WHERE user_id = ${userId} ${after === null ? sql`` : sql`AND feed_key > ${after}`}
          ORDER BY feed_key LIMIT ${limit}`,
    );
    return {
      items: found.map((r) => fromJson<StoredTransaction>(r.data)),
      position: found.at(-1)?.feed_key ?? after,
    };
  }
}
