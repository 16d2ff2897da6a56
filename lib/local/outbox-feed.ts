import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { PgChangeFeed } from '../../shared/adapters/postgres/change-feed';
import { rows, type PgConnection } from '../../shared/adapters/postgres/db';
import type { ChangeSink } from '../../shared/ports/change-feed';
import type { Clock } from '../../shared/ports/clock';
import { relayOutbox, type RelayOptions } from '../../shared/services/outbox-relay';

export interface OutboxFeedOptions {
  conn: PgConnection;
  /** The server's URL when `conn` is a pool (LISTEN needs a connection of its own); none for PGlite. */
  databaseUrl?: string;
  sink: ChangeSink;
  clock: Clock;
  /** The polling fallback's period (default 1 s): what a lost notification costs at most. */
  pollMs?: number;
  relay?: Partial<RelayOptions>;
  /**
   * Runs ANALYZE once this many changes were delivered since the last one (default 1,000; 0: never). PGlite has
   * no autovacuum, and a local server may have it off or be behind after a first sync: without statistics the
   * planner may sort all of a user's rows for a page instead of walking an index (GET /transactions).
   */
  analyzeAfter?: number;
  log?: (line: string) => void;
}

export interface OutboxFeed {
  /** Resolves when every change written so far is delivered or dead-lettered (or `timeoutMs` passed). */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The twin's outbox relay (Postgres storage): the relay service (shared/services/outbox-relay.ts) delivering to the
 * processors in this process. Woken by LISTEN outbox (migration 0020's trigger notifies at each commit that wrote
 * outbox rows: PostgreSQL over a connection of its own, PGlite in process), with a polling fallback every second
 * that also runs the retries whose backoff is over. Dead letters are logged as they die.
 */
export async function startOutboxFeed(opts: OutboxFeedOptions): Promise<OutboxFeed> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const feed = new PgChangeFeed(opts.conn);
  const owner = `twin-${randomUUID()}`;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  const analyzeAfter = opts.analyzeAfter ?? 1000;
  let sinceAnalyze = 0;

  const pass = async (): Promise<void> => {
    try {
      const result = await relayOutbox(
        { feed, sink: opts.sink, clock: opts.clock },
        { owner, budgetMs: 10_000, ...opts.relay },
      );
      for (const d of result.dead) {
        log(
          `[outbox] change ${d.id} (${d.entity} of user ${d.userId}) dead-lettered after ${d.attempts} ` +
            `failed deliveries: ${d.error}`,
        );
      }
      sinceAnalyze += result.delivered;
      if (analyzeAfter > 0 && sinceAnalyze >= analyzeAfter && !stopped) {
        sinceAnalyze = 0;
        await opts.conn.db.execute(sql`ANALYZE`);
      }
    } catch (err) {
      if (!stopped) log(`[outbox] relay pass failed: ${(err as Error).message}`);
    }
  };
  const wake = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  };

  // LISTEN: PGlite delivers notifications in process; a server, over a client of its own (a pool's clients come
  // and go).
  let unlisten: () => Promise<void> = async () => undefined;
  if (opts.conn.driver === 'pglite') {
    const client = (
      opts.conn.db as unknown as {
        $client: { listen(ch: string, cb: () => void): Promise<() => Promise<void>> };
      }
    ).$client;
    unlisten = await client.listen('outbox', wake);
  } else if (opts.databaseUrl) {
    const client = new pg.Client({ connectionString: opts.databaseUrl });
    client.on('error', (err) => log(`[outbox] LISTEN connection: ${err.message} (polling goes on)`));
    await client.connect();
    client.on('notification', wake);
    await client.query('LISTEN outbox');
    unlisten = async () => {
      await client.end().catch(() => undefined);
    };
  }
  const timer = setInterval(wake, opts.pollMs ?? 1000);
  timer.unref();
  wake();

  const waiting = async (): Promise<number> =>
    (
      await rows<{ n: number }>(
        opts.conn.db,
        sql`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL AND dead_at IS NULL`,
      )
    )[0]!.n;

  return {
    async drain(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if (!running && (await waiting()) === 0) return;
        wake();
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unlisten();
      await running;
    },
  };
}
