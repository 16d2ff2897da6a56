import type { ChangeFeed, ChangeNudge } from './ports/change-feed';
import type { WebhookStore } from './ports/plaid-webhooks';
import { changeNudge } from './change-nudge';
import { handOverStorage, storageMode } from './storage';
import { PgChangeFeed } from './adapters/postgres/change-feed';
import { connectFromEnv, type PgConnection } from './adapters/postgres/db';
import { PgWebhookStore } from './adapters/postgres/plaid-webhooks';
import { PostgresStore } from './adapters/postgres/store';

/**
 * The Postgres half of the composition root (shared/runtime.ts): the connections of Postgres storage, the change
 * feed, the migration step. shared/runtime.ts imports this module only where the storage is not DynamoDB, in
 * branches a DynamoDB bundle drops at build time (lib/bundling.ts `BUNDLE_STORAGE`): a function deployed with
 * DynamoDB storage never parses drizzle, a driver or the adapter.
 */

/**
 * The PostgresStore of the environment's Postgres storage, opened (and migrated, see open.ts) once per process
 * and shared by everything built on its connection (the Store, the webhook store). Its commits of outbox rows
 * nudge the relay.
 */
export function openedPostgresStore(storage: string): Promise<PostgresStore> {
  const env = { ...process.env };
  const key = [storage, env.DATABASE_URL, env.PGLITE_DIR, env.DB_CLUSTER_ARN, env.DB_NAME].join('|');
  const g = globalThis as unknown as { __finaggPostgres?: Map<string, Promise<PostgresStore>> };
  const opened = (g.__finaggPostgres ??= new Map());
  let store = opened.get(key);
  if (!store) {
    store = import('./adapters/postgres/open').then(async (m) => {
      const s = await m.openPostgresStore(env);
      s.conn.onOutboxCommit ??= relayNudger();
      return s;
    });
    // A failed connection is tried again by the next call, not remembered.
    store.catch(() => opened.delete(key));
    opened.set(key, store);
  }
  return store;
}

/** The webhook store beside that store: the same connection. */
export async function openedWebhookStore(storage: string): Promise<WebhookStore> {
  return new PgWebhookStore((await openedPostgresStore(storage)).conn);
}

/**
 * Nudges the outbox relay after commits of outbox rows (changeNudge: an asynchronous invoke in the cloud, nothing
 * where CHANGES_RELAY_FUNCTION is unset). One nudge in flight at a time per connection; commits meanwhile are
 * covered by one more nudge after it, and the relay itself looks again before it lets go.
 */
export function relayNudger(nudge: () => ChangeNudge = changeNudge): () => void {
  let inFlight: Promise<void> | undefined;
  let again = false;
  const fire = (): void => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = nudge()
      .nudge()
      .catch(() => undefined)
      .finally(() => {
        inFlight = undefined;
        if (again) {
          again = false;
          fire();
        }
      });
  };
  return fire;
}

let pg: Promise<PgConnection> | undefined;

/**
 * The PostgreSQL connection of Postgres storage, once per container: STORAGE=postgres (DATABASE_URL, a pool) or
 * aurora (the Data API: DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME) are opened here, on first use; an embedded PGlite
 * (STORAGE=pglite) is opened by its owner (the local twin: it is one process's database) and handed over with
 * setPgConnection. Undefined with DynamoDB storage.
 */
export async function pgConnection(): Promise<PgConnection | undefined> {
  const mode = storageMode();
  if (mode === 'dynamodb') return undefined;
  if (handedOver) return handedOver;
  if (mode === 'pglite') {
    throw new Error('STORAGE=pglite: the process that opens PGlite hands it over (setPgConnection)');
  }
  if (!pg) {
    // connectFromEnv validates the variables the stack sets (lib/constructs/catalogue-function.ts), naming the
    // wrong ones; aurora's through from-env.ts.
    const opening = (
      mode === 'aurora'
        ? import('./adapters/postgres/from-env').then((m) => m.auroraConnectionFromEnv(process.env))
        : connectFromEnv(process.env)
    ).then((conn) => {
      if (!conn) throw new Error(`STORAGE=${mode} names no PostgreSQL connection`);
      conn.onOutboxCommit ??= relayNudger();
      return conn;
    });
    opening.catch(() => {
      if (pg === opening) pg = undefined;
    });
    pg = opening;
  }
  return pg;
}

let handedOver: PgConnection | undefined;

/** The twin (and tests) hand over the connection they opened; undefined forgets it (it is not closed here). */
export function setPgConnection(conn: PgConnection | undefined): void {
  handedOver = conn;
  pg = undefined;
  handOverStorage(
    conn && {
      store: () => new PostgresStore(conn),
      webhookStore: () => new PgWebhookStore(conn),
    },
  );
}

/** The change feed of Postgres storage (the outbox), for its relay. */
export async function changeFeed(): Promise<ChangeFeed> {
  const conn = await pgConnection();
  if (!conn) throw new Error('The change feed (outbox) exists with Postgres storage only (STORAGE)');
  return new PgChangeFeed(conn);
}

/** How long the migration step waits for an Aurora Serverless v2 instance resuming from 0 ACU (~15 s). */
const RESUME_WAIT_MS = 90_000;

/**
 * The migration step's work (functions/ops/migrate.ts): applies the migration files not applied yet to the database
 * the environment names (STORAGE=aurora through the Data API; postgres or pglite too), waiting out a cluster that is
 * resuming. `migrate` serializes concurrent runs and records each file once: running it again is harmless.
 */
export async function migrateDatabase(): Promise<{ applied: string[]; known: string[] }> {
  const { loadMigrations, migrate } = await import('./adapters/postgres/migrate');
  const migrations = loadMigrations();
  const conn = await connectFromEnv(process.env);
  if (!conn) throw new Error('Migrations need Postgres storage (STORAGE=aurora, postgres or pglite)');
  try {
    const deadline = Date.now() + RESUME_WAIT_MS;
    for (;;) {
      try {
        const applied = await migrate(conn, migrations);
        return { applied, known: migrations.map((m) => m.name) };
      } catch (err) {
        if (!isResuming(err) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
  } finally {
    await conn.close();
  }
}

/** The Data API's answer while an Aurora Serverless v2 instance resumes from 0 ACU (possibly wrapped by drizzle). */
function isResuming(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.name === 'DatabaseResumingException' || e.message.includes('DatabaseResumingException'))
      return true;
  }
  return false;
}
