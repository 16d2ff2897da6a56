import { sql } from 'drizzle-orm';
import * as z from 'zod';
import type { Account, Connection, ConnectionStatus } from '../../domain/models';
import { openCursor, sealCursor } from '../../cursor';
import {
  ConflictError,
  type AccountStore,
  type ConnectionStore,
  type Page,
  type PageRequest,
} from '../../ports/store';
import { fromJson, json, rows } from './db';
import { PgRole } from './role';

const IdPosition = z.string().min(1).max(1024);
const StatusPosition = z.tuple([z.string().min(1).max(1024), z.string().min(1).max(1024)]);

/** Connections to banks, in id order per user (DynamoDB: CONN#<id> under the user). */
export class PgConnectionStore extends PgRole implements ConnectionStore {
  async putConnection(c: Connection): Promise<void> {
    await this.db.execute(sql`
      INSERT INTO connections (user_id, id, status, data)
      VALUES (${c.userId}, ${c.id}, ${c.status}, ${json(c)}::jsonb)
      ON CONFLICT (user_id, id) DO UPDATE SET status = EXCLUDED.status, data = EXCLUDED.data`);
  }

  async getConnection(userId: string, id: string): Promise<Connection | null> {
    const [row] = await rows<{ data: string }>(
      this.db,
      sql`SELECT data::text AS data FROM connections WHERE user_id = ${userId} AND id = ${id}`,
    );
    return row ? fromJson<Connection>(row.data) : null;
  }

  async listConnections(userId: string, page: PageRequest): Promise<Page<Connection>> {
    const scope = { list: 'connections', owner: `user=${userId}` };
    const after = page.cursor ? openCursor(page.cursor, scope, IdPosition) : null;
    const found = await rows<{ id: string; data: string }>(
      this.db,
      sql`SELECT id, data::text AS data FROM connections
          WHERE user_id = ${userId} ${after === null ? sql`` : sql`AND id > ${after}`}
          ORDER BY id LIMIT ${page.limit + 1}`,
    );
    const items = found.slice(0, page.limit);
    const more = found.length > page.limit;
    return {
      items: items.map((r) => fromJson<Connection>(r.data)),
      nextCursor: more ? sealCursor(scope, items.at(-1)!.id) : null,
    };
  }

  async listConnectionsByStatus(status: ConnectionStatus, page: PageRequest): Promise<Page<Connection>> {
    const scope = { list: 'connections-by-status', owner: `status=${status}` };
    const after = page.cursor ? openCursor(page.cursor, scope, StatusPosition) : null;
    const found = await rows<{ id: string; user_id: string; data: string }>(
      this.db,
      sql`SELECT id, user_id, data::text AS data FROM connections
          WHERE status = ${status} ${after === null ? sql`` : sql`AND (id, user_id) > (${after[0]}, ${after[1]})`}
          ORDER BY id, user_id LIMIT ${page.limit + 1}`,
    );
    const items = found.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items: items.map((r) => fromJson<Connection>(r.data)),
      nextCursor: found.length > page.limit && last ? sealCursor(scope, [last.id, last.user_id]) : null,
    };
  }

  async updateConnection(
    userId: string,
    id: string,
    changes: Partial<Omit<Connection, 'id' | 'userId' | 'provider' | 'createdAt'>>,
    onlyIf?: { status: ConnectionStatus },
  ): Promise<Connection> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (!Object.keys(set).length) {
      const current = await this.getConnection(userId, id);
      if (!current) throw new ConflictError('connection does not exist');
      return current;
    }
    const [row] = await rows<{ data: string }>(
      this.db,
      sql`UPDATE connections SET data = data || ${json(set)}::jsonb,
            status = COALESCE(${json(set)}::jsonb->>'status', status)
          WHERE user_id = ${userId} AND id = ${id}
            ${onlyIf ? sql`AND status = ${onlyIf.status}` : sql``}
          RETURNING data::text AS data`,
    );
    if (!row) throw new ConflictError('connection does not exist');
    return fromJson<Connection>(row.data);
  }
}

/** Bank accounts: written only when their values changed. */
export class PgAccountStore extends PgRole implements AccountStore {
  async upsertAccounts(accounts: Account[]): Promise<number> {
    if (!accounts.length) return 0;
    // One row per account (the last one given wins, as consecutive puts would).
    const unique = [...new Map(accounts.map((a) => [`${a.userId}\u001f${a.id}`, a])).values()];
    // One statement: an account is written when new, or when a value other than its timestamps changed; an update
    // keeps the stored createdAt (as DynamoDB's read-compare-put does).
    const written = await rows<{ id: string }>(
      this.db,
      sql`INSERT INTO accounts AS a (user_id, id, connection_id, data)
          SELECT e.v->>'userId', e.v->>'id', e.v->>'connectionId', e.v
          FROM jsonb_array_elements(${json(unique)}::jsonb) AS e(v)
          ON CONFLICT (user_id, id) DO UPDATE
            SET connection_id = EXCLUDED.connection_id,
                data = EXCLUDED.data || jsonb_build_object('createdAt', a.data->'createdAt')
            WHERE (a.data - 'updatedAt' - 'createdAt') IS DISTINCT FROM (EXCLUDED.data - 'updatedAt' - 'createdAt')
          RETURNING a.id`,
    );
    return written.length;
  }

  async getAccount(userId: string, id: string): Promise<Account | null> {
    const [row] = await rows<{ data: string }>(
      this.db,
      sql`SELECT data::text AS data FROM accounts WHERE user_id = ${userId} AND id = ${id}`,
    );
    return row ? fromJson<Account>(row.data) : null;
  }

  async listAccounts(userId: string): Promise<Account[]> {
    const found = await rows<{ data: string }>(
      this.db,
      sql`SELECT data::text AS data FROM accounts WHERE user_id = ${userId} ORDER BY id`,
    );
    return found.map((r) => fromJson<Account>(r.data));
  }
}
