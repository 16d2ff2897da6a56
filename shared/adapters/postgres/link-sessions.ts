import { sql } from 'drizzle-orm';
import type { LinkSession } from '../../domain/models';
import { ConflictError, type LinkSessionStore } from '../../ports/store';
import { fromJson, json, rows } from './db';
import { PgRole } from './role';

/** Link sessions: a state is single use (DELETE … RETURNING hands a row to one caller only) and expires. */
export class PgLinkSessionStore extends PgRole implements LinkSessionStore {
  async putLinkSession(session: LinkSession): Promise<void> {
    const inserted = await rows(
      this.db,
      sql`INSERT INTO link_sessions (state, user_id, expires_at, data)
          VALUES (${session.state}, ${session.userId}, ${session.expiresAt}, ${json(session)}::jsonb)
          ON CONFLICT (state) DO NOTHING RETURNING state`,
    );
    if (!inserted.length) throw new ConflictError('link_session exists already');
  }

  async getLinkSession(state: string, now: Date): Promise<LinkSession | null> {
    const [row] = await rows<{ data: string }>(
      this.db,
      sql`SELECT data::text AS data FROM link_sessions WHERE state = ${state}`,
    );
    return live(row ? fromJson<LinkSession>(row.data) : null, now);
  }

  async consumeLinkSession(state: string, now: Date, owner?: string): Promise<LinkSession | null> {
    const [row] = await rows<{ data: string }>(
      this.db,
      owner === undefined
        ? sql`DELETE FROM link_sessions WHERE state = ${state} RETURNING data::text AS data`
        : sql`DELETE FROM link_sessions WHERE state = ${state} AND user_id = ${owner} RETURNING data::text AS data`,
    );
    // As on DynamoDB: an expired session is taken (used up) and refused.
    return live(row ? fromJson<LinkSession>(row.data) : null, now);
  }
}

function live(session: LinkSession | null, now: Date): LinkSession | null {
  if (!session || new Date(session.expiresAt).getTime() <= now.getTime()) return null;
  return session;
}
