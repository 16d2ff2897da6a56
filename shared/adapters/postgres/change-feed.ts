import { sql } from 'drizzle-orm';
import type { ChangeFeed, PendingChange } from '../../ports/change-feed';
import { fromJson, json, rows, type PgConnection } from './db';

interface OutboxRow {
  seq: string;
  user_id: string;
  entity: string;
  event_name: PendingChange['eventName'];
  before: unknown;
  after: unknown;
  attempts: number;
}

/**
 * The outbox (migration 0001) as the relay's ChangeFeed, with the delivery bookkeeping and the relay lease of
 * migration 0020. Every statement stands alone (no session state, no transaction held while delivering), so the
 * same code runs on a PostgreSQL server, PGlite and the Data API.
 */
export class PgChangeFeed implements ChangeFeed {
  constructor(private readonly conn: PgConnection) {}

  async acquire(owner: string, now: Date, until: Date): Promise<boolean> {
    const got = await rows(
      this.conn.db,
      sql`UPDATE outbox_relay SET owner = ${owner}, lease_until = ${until.toISOString()}::timestamptz,
            again = CASE WHEN owner = ${owner} THEN again ELSE false END
          WHERE id = 1 AND (owner IS NULL OR owner = ${owner} OR lease_until < ${now.toISOString()}::timestamptz)
          RETURNING id`,
    );
    if (got.length) return true;
    await this.conn.db.execute(sql`UPDATE outbox_relay SET again = true WHERE id = 1`);
    return false;
  }

  async release(owner: string): Promise<boolean> {
    // One statement: lets go unless another pass was asked for, in which case it keeps the lease and clears `again`.
    const out = await rows<{ kept: boolean }>(
      this.conn.db,
      sql`UPDATE outbox_relay
          SET owner = CASE WHEN again THEN owner ELSE NULL END,
              lease_until = CASE WHEN again THEN lease_until ELSE NULL END,
              again = false
          WHERE id = 1 AND owner = ${owner}
          RETURNING (owner IS NOT NULL) AS kept`,
    );
    return !out[0]?.kept;
  }

  async pending(limit: number, now: Date): Promise<PendingChange[]> {
    const at = now.toISOString();
    const found = await rows<OutboxRow>(
      this.conn.db,
      sql`SELECT o.seq::text AS seq, o.user_id, o.entity, o.event_name, o.before::text AS before,
                 o.after::text AS after, o.attempts
          FROM outbox o
          WHERE o.relayed_at IS NULL AND o.dead_at IS NULL
            AND NOT EXISTS (
              SELECT 1 FROM outbox w
              WHERE w.user_id = o.user_id AND w.seq <= o.seq AND w.relayed_at IS NULL AND w.dead_at IS NULL
                AND w.retry_at > ${at}::timestamptz)
          ORDER BY o.seq
          LIMIT ${limit}`,
    );
    return found.map(pendingChange);
  }

  async delivered(ids: readonly string[], at: Date): Promise<void> {
    if (!ids.length) return;
    await this.conn.db.execute(
      sql`UPDATE outbox SET relayed_at = ${at.toISOString()}::timestamptz, retry_at = NULL
          WHERE seq IN (SELECT jsonb_array_elements_text(${json(ids)}::jsonb)::bigint)
            AND relayed_at IS NULL`,
    );
  }

  async failed(id: string, f: { error: string; retryAt: Date; dead: boolean; at: Date }): Promise<void> {
    await this.conn.db.execute(
      sql`UPDATE outbox SET attempts = attempts + 1, last_error = ${f.error},
            retry_at = ${f.retryAt.toISOString()}::timestamptz,
            dead_at = ${f.dead ? f.at.toISOString() : null}::timestamptz
          WHERE seq = ${id}::bigint AND relayed_at IS NULL`,
    );
  }

  /** The dead letters, newest first (operators; the twin logs them as they die). */
  async dead(limit = 100): Promise<(PendingChange & { error: string | null; deadAt: string })[]> {
    const found = await rows<OutboxRow & { last_error: string | null; dead_at: string }>(
      this.conn.db,
      sql`SELECT seq::text AS seq, user_id, entity, event_name, before::text AS before, after::text AS after,
                 attempts, last_error, dead_at::text AS dead_at
          FROM outbox WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, seq DESC LIMIT ${limit}`,
    );
    return found.map((r) => ({
      ...pendingChange(r),
      error: r.last_error,
      deadAt: r.dead_at,
    }));
  }
}

function pendingChange(r: OutboxRow): PendingChange {
  return {
    id: r.seq,
    userId: r.user_id,
    entity: r.entity,
    eventName: r.event_name,
    before: r.before === null ? null : fromJson<Record<string, unknown>>(r.before),
    after: r.after === null ? null : fromJson<Record<string, unknown>>(r.after),
    attempts: Number(r.attempts),
  };
}
