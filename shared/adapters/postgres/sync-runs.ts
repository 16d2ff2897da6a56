import { sql } from 'drizzle-orm';
import * as z from 'zod';
import type { BankTransaction, QuarantinedRecord, SyncRun } from '../../domain/models';
import { openCursor, sealCursor } from '../../cursor';
import {
  ConflictError,
  type Page,
  type PageRequest,
  type SyncPosition,
  type SyncProgress,
  type SyncRunStore,
} from '../../ports/store';
import { fromJson, json, rows } from './db';
import { PgRole } from './role';

const QUARANTINE_TTL = '30 days';
const PROGRESS_TTL = '2 days';

const RunPosition = z.tuple([z.string().min(1).max(1024), z.string().min(1).max(1024)]);

/**
 * Sync bookkeeping: checkpoints, runs and their leases, quarantined records. Keyed by connection, as on DynamoDB
 * (the port's methods name the connection, whose id is the user's alone). Rows past `expires_at` (DynamoDB's TTL)
 * are swept by the writes of the same connection.
 */
export class PgSyncRunStore extends PgRole implements SyncRunStore {
  async loadSyncProgress(connectionId: string, syncId: string): Promise<SyncProgress | null> {
    const [head] = await rows<{ position: string }>(
      this.db,
      sql`SELECT position::text AS position FROM sync_progress
          WHERE connection_id = ${connectionId} AND sync_id = ${syncId}`,
    );
    if (!head) return null;
    const position = fromJson<SyncPosition>(head.position);
    // Only the pages the head counts belong to the checkpoint; read one page per statement (the Data API's 1 MiB).
    const records: BankTransaction[] = [];
    let after = 0;
    for (;;) {
      const [page] = await rows<{ page: number; records: string }>(
        this.db,
        sql`SELECT page, records::text AS records FROM sync_progress_pages
            WHERE connection_id = ${connectionId} AND sync_id = ${syncId} AND page > ${after}
              AND page <= ${position.pages}
            ORDER BY page LIMIT 1`,
      );
      if (!page) break;
      records.push(...fromJson<BankTransaction[]>(page.records));
      after = Number(page.page);
    }
    return {
      cursor: position.cursor ?? null,
      pages: Number(position.pages),
      done: Boolean(position.done),
      ...(position.listing ? { listing: position.listing } : {}),
      ...(position.removedIds ? { removedIds: position.removedIds } : {}),
      records,
    };
  }

  async saveSyncProgress(
    connectionId: string,
    syncId: string,
    position: SyncPosition,
    pageRecords: BankTransaction[],
  ): Promise<void> {
    // The page and the head that counts it, in one transaction: a crash never loses or doubles a page.
    await this.db.transaction(async (tx) => {
      if (pageRecords.length) {
        await tx.execute(sql`
          INSERT INTO sync_progress_pages (connection_id, sync_id, page, records, expires_at)
          VALUES (${connectionId}, ${syncId}, ${position.pages}, ${json(pageRecords)}::jsonb,
                  now() + ${PROGRESS_TTL}::interval)
          ON CONFLICT (connection_id, sync_id, page)
            DO UPDATE SET records = EXCLUDED.records, expires_at = EXCLUDED.expires_at`);
      }
      await tx.execute(sql`
        INSERT INTO sync_progress (connection_id, sync_id, position, expires_at)
        VALUES (${connectionId}, ${syncId}, ${json(position)}::jsonb, now() + ${PROGRESS_TTL}::interval)
        ON CONFLICT (connection_id, sync_id)
          DO UPDATE SET position = EXCLUDED.position, expires_at = EXCLUDED.expires_at`);
    });
  }

  async clearSyncProgress(connectionId: string, syncId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`DELETE FROM sync_progress_pages
        WHERE connection_id = ${connectionId} AND (sync_id = ${syncId} OR expires_at < now())`);
      await tx.execute(sql`DELETE FROM sync_progress
        WHERE connection_id = ${connectionId} AND (sync_id = ${syncId} OR expires_at < now())`);
    });
  }

  async putSyncRun(run: SyncRun, onlyIf?: { leaseExpiresAt: string }): Promise<void> {
    const lease = run.leaseExpiresAt ?? null;
    if (!onlyIf) {
      await this.db.execute(sql`
        INSERT INTO sync_runs (connection_id, id, user_id, started_at, status, lease_expires_at, data)
        VALUES (${run.connectionId}, ${run.id}, ${run.userId}, ${run.startedAt}, ${run.status}, ${lease},
                ${json(run)}::jsonb)
        ON CONFLICT (connection_id, id) DO UPDATE SET user_id = EXCLUDED.user_id,
          started_at = EXCLUDED.started_at, status = EXCLUDED.status,
          lease_expires_at = EXCLUDED.lease_expires_at, data = EXCLUDED.data`);
      return;
    }
    // Only a run still running with the lease it was seen with: a heartbeat or an end written meanwhile wins.
    const replaced = await rows(
      this.db,
      sql`UPDATE sync_runs SET user_id = ${run.userId}, started_at = ${run.startedAt}, status = ${run.status},
            lease_expires_at = ${lease}, data = ${json(run)}::jsonb
          WHERE connection_id = ${run.connectionId} AND id = ${run.id}
            AND status = 'running' AND lease_expires_at = ${onlyIf.leaseExpiresAt}
          RETURNING id`,
    );
    if (!replaced.length) throw new ConflictError('the sync run is no longer running with that lease');
  }

  async listRunningSyncRuns(query: { leaseExpiredBy?: string; connectionId?: string }): Promise<SyncRun[]> {
    // As DynamoDB's sparse index: only running runs that have a lease, by when it runs out.
    const found = await rows<{ data: string }>(
      this.db,
      sql`SELECT data::text AS data FROM sync_runs
          WHERE status = 'running' AND lease_expires_at IS NOT NULL
            ${query.leaseExpiredBy ? sql`AND lease_expires_at <= ${query.leaseExpiredBy}` : sql``}
            ${query.connectionId ? sql`AND connection_id = ${query.connectionId}` : sql``}
          ORDER BY lease_expires_at, connection_id, id`,
    );
    return found.map((r) => fromJson<SyncRun>(r.data));
  }

  async listSyncRuns(connectionId: string, page: PageRequest): Promise<Page<SyncRun>> {
    const scope = { list: 'syncs', owner: `connection=${connectionId}` };
    const after = page.cursor ? openCursor(page.cursor, scope, RunPosition) : null;
    const found = await rows<{ started_at: string; id: string; data: string }>(
      this.db,
      sql`SELECT started_at, id, data::text AS data FROM sync_runs
          WHERE connection_id = ${connectionId}
            ${after ? sql`AND (started_at, id) < (${after[0]}, ${after[1]})` : sql``}
          ORDER BY started_at DESC, id DESC LIMIT ${page.limit + 1}`,
    );
    const items = found.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items: items.map((r) => fromJson<SyncRun>(r.data)),
      nextCursor: found.length > page.limit && last ? sealCursor(scope, [last.started_at, last.id]) : null,
    };
  }

  async getSyncRun(connectionId: string, syncId: string): Promise<SyncRun | null> {
    const [row] = await rows<{ data: string }>(
      this.db,
      sql`SELECT data::text AS data FROM sync_runs WHERE connection_id = ${connectionId} AND id = ${syncId}`,
    );
    return row ? fromJson<SyncRun>(row.data) : null;
  }

  async putQuarantined(records: QuarantinedRecord[]): Promise<void> {
    if (!records.length) return;
    // Numbered in the call's order, as DynamoDB's QUAR#<sync>#<n>: a rerun of the same sync overwrites.
    const values = records.map((r, n) => {
      const { raw, ...rest } = r;
      return { n, raw: JSON.stringify(raw) ?? null, data: rest };
    });
    for (let i = 0; i < values.length; i += 200) {
      await this.db.execute(sql`
        INSERT INTO quarantined (connection_id, sync_id, n, raw, data, expires_at)
        SELECT e.v->'data'->>'connectionId', e.v->'data'->>'syncId', (e.v->>'n')::int, e.v->>'raw', e.v->'data',
               (e.v->'data'->>'at')::timestamptz + ${QUARANTINE_TTL}::interval
        FROM jsonb_array_elements(${json(values.slice(i, i + 200))}::jsonb) AS e(v)
        ON CONFLICT (connection_id, sync_id, n)
          DO UPDATE SET raw = EXCLUDED.raw, data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`);
    }
  }

  async listQuarantined(connectionId: string, syncId: string): Promise<QuarantinedRecord[]> {
    const found = await rows<{ raw: string | null; data: string }>(
      this.db,
      sql`SELECT raw, data::text AS data FROM quarantined
          WHERE connection_id = ${connectionId} AND sync_id = ${syncId} ORDER BY n`,
    );
    return found.map((r) => ({
      ...fromJson<Omit<QuarantinedRecord, 'raw'>>(r.data),
      raw: r.raw === null ? undefined : (JSON.parse(r.raw) as unknown),
    }));
  }
}
