import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { startOutboxFeed } from '../../lib/local/outbox-feed';
import { rows } from '../../shared/adapters/postgres/db';
import type { ChangeSink } from '../../shared/ports/change-feed';
import { ManualClock } from '../../shared/ports/clock';
import { freshPglite, freshPostgres, type TestDatabase } from '../support/postgres';

/**
 * The twin's outbox relay (lib/local/outbox-feed.ts) keeps the planner's statistics up where nothing else does
 * (PGlite has no autovacuum; a local server may run without it): ANALYZE after enough delivered changes.
 */
const backends: [string, () => Promise<TestDatabase>][] = [
  ['PGlite', freshPglite],
  ['PostgreSQL', () => freshPostgres()],
];

describe.each(backends)('the twin’s outbox feed on %s', (_name, open) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  const accept: ChangeSink = { deliver: async () => ({ failed: new Map() }) };
  const analyzed = async (d: TestDatabase) =>
    (
      await rows<{ n: number }>(
        d.conn.db,
        sql`SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = 'public' AND tablename = 'outbox'`,
      )
    )[0]!.n > 0;

  async function relayed(analyzeAfter: number, changes: number): Promise<TestDatabase> {
    const d = (db = await open());
    for (let i = 0; i < changes; i++) {
      await d.conn.db.execute(sql`
        INSERT INTO outbox (user_id, entity, event_name, before, after)
        VALUES ('u1', 'transaction', 'INSERT', NULL, ${JSON.stringify({ entity: 'transaction', n: i })}::jsonb)`);
    }
    const feed = await startOutboxFeed({
      conn: d.conn,
      sink: accept,
      clock: new ManualClock('2026-12-01T10:00:00Z'),
      analyzeAfter,
      log: () => undefined,
    });
    try {
      await feed.drain(30_000);
    } finally {
      await feed.stop();
    }
    const left = await rows<{ n: number }>(
      d.conn.db,
      sql`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`,
    );
    expect(left[0]!.n).toBe(0);
    return d;
  }

  it('runs ANALYZE once `analyzeAfter` changes were delivered', async () => {
    expect(await analyzed(await relayed(5, 5))).toBe(true);
  });

  it('does not before', async () => {
    expect(await analyzed(await relayed(10, 5))).toBe(false);
  });
});
