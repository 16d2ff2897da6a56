import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * One query layer for the three drivers a deployment needs, all through drizzle-orm: node-postgres (a PostgreSQL
 * server: local, CI, RDS Proxy), PGlite (embedded, in memory or on disk) and the RDS Data API (Aurora Serverless
 * v2). Queries are drizzle `sql` templates run with `rows()`; writes of more than one statement run in
 * `db.transaction(...)`.
 *
 * Why drizzle-orm: it is the one maintained library with all three drivers behind one API (a `PgDatabase` whose
 * `transaction()` maps to BEGIN/COMMIT on a pooled client, PGlite's exclusive transaction, or the Data API's
 * BeginTransaction/CommitTransaction), with a `sql` template that binds parameters safely and no code generation or
 * runtime schema reflection (cold start). Kysely needs a community dialect per driver (the Data API one lags);
 * Prisma has no Data API driver and ships an engine binary; raw `pg` leaves PGlite and the Data API to us.
 *
 * What the three have in common, and so what every query here keeps to (the Data API is the narrowest):
 * - Parameters are strings, numbers, booleans or null: no arrays, no Buffers. A list travels as ONE JSON text
 *   parameter, unnested in SQL (`jsonb_array_elements_text($1::jsonb)`, `jsonb_to_recordset($1::jsonb)`).
 * - Results: select `jsonb` columns as `::text` and bigints as `::text` (or `::int`) and decode them with
 *   `fromJson()`: node-postgres parses jsonb and returns int8 as a string, PGlite parses jsonb, the Data API
 *   returns jsonb as a string. Affected-row counts differ too: count with `RETURNING` instead.
 * - One statement per call (the Data API runs no multi-statement string; migrate.ts splits files).
 * - A Data API response holds at most 1 MiB and a request 4 MiB: long reads go page by page (keyset), big writes
 *   in chunks.
 *
 * Each driver is imported by its own connect function, on first use: a Lambda bundle holds only the drivers its
 * storage can reach (lib/bundling.ts `BUNDLE_STORAGE`: the Data API in the cloud, never PGlite or node-postgres),
 * and a process parses only the one it connects with.
 */

export type PgDriver = 'postgres' | 'pglite' | 'data-api';

/** The drizzle database common to the three drivers. */
export type PgDb = PgDatabase<PgQueryResultHKT>;

/** A transaction of the drizzle database (what `db.transaction` hands its callback). */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

/** A database or a transaction of one: what runs a statement. */
export interface Queryable {
  execute(query: SQL): PromiseLike<unknown>;
}

export interface PgConnection {
  db: PgDb;
  driver: PgDriver;
  close(): Promise<void>;
  /**
   * Called after a transaction that appended outbox rows committed (outbox.ts `outboxTransaction`), or after an
   * autocommitted statement that did: the Postgres runtime nudges the outbox relay from here. Unset: nothing.
   */
  onOutboxCommit?: () => void;
}

/** The rows of a statement, whichever driver ran it. */
export async function rows<T extends object = Record<string, unknown>>(
  q: Queryable,
  query: SQL,
): Promise<T[]> {
  const out = (await q.execute(query)) as { rows?: T[] };
  return out.rows ?? [];
}

/** A `::text` JSON column (or an already parsed one), decoded. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** A value as one JSON text parameter (cast it in SQL: `${json(x)}::jsonb`). */
export function json(value: unknown): SQL {
  return sql`${JSON.stringify(value ?? null)}`;
}

/** A PostgreSQL server through a node-postgres Pool (no connection is made until the first query). */
export async function connectPostgres(url: string, options: { max?: number } = {}): Promise<PgConnection> {
  const [{ default: pg }, { drizzle: drizzleNodePg }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
  ]);
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client's error (the server restarting) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = drizzleNodePg({ client: pool }) as unknown as PgDb;
  return { db, driver: 'postgres', close: () => pool.end() };
}

/** Embedded PGlite: in memory without `dataDir`, else kept there. Loaded on first use (it is a WASM build). */
export async function connectPglite(dataDir?: string): Promise<PgConnection> {
  const [{ PGlite }, { drizzle }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  // In memory, PGlite keeps its files in Emscripten's MEMFS, which grows a file by copying it whole, 12.5% at a
  // time. PostgreSQL zero-fills each new 16 MB WAL segment 8 kB at a time: half of the bytes MEMFS copied in a
  // 10k-transaction initial sync (~190 of ~385 MB). wal_init_zero=off (a setting for copy-on-write file systems)
  // writes the segment's last byte instead: one allocation in memory, 16 MB fewer writes on disk (`dataDir`).
  const startParams = [...PGlite.defaultStartParams, '-c', 'wal_init_zero=off'];
  const client = new PGlite({ ...(dataDir ? { dataDir } : {}), startParams });
  await client.waitReady;
  const db = drizzle({ client }) as unknown as PgDb;
  return { db, driver: 'pglite', close: () => client.close() };
}

/** Aurora through the RDS Data API (no call is made until the first query: each query is an HTTPS call). */
export async function connectDataApi(o: {
  resourceArn: string;
  secretArn: string;
  database: string;
}): Promise<PgConnection> {
  const [{ RDSDataClient }, { drizzle: drizzleDataApi }] = await Promise.all([
    import('@aws-sdk/client-rds-data'),
    import('drizzle-orm/aws-data-api/pg'),
  ]);
  const client = new RDSDataClient({});
  const db = drizzleDataApi(client, {
    database: o.database,
    resourceArn: o.resourceArn,
    secretArn: o.secretArn,
  }) as unknown as PgDb;
  return {
    db,
    driver: 'data-api',
    close: async () => {
      client.destroy();
    },
  };
}

export type StorageKind = 'dynamodb' | 'postgres' | 'pglite' | 'aurora';

/**
 * The connection the environment names: STORAGE=postgres (DATABASE_URL), pglite (PGLITE_DIR, in memory without it)
 * or aurora (DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME). Null for dynamodb (the default).
 */
export async function connectFromEnv(env: Record<string, string | undefined>): Promise<PgConnection | null> {
  const storage = (env.STORAGE ?? 'dynamodb') as StorageKind;
  switch (storage) {
    case 'dynamodb':
      return null;
    // A bundle built for one storage (lib/bundling.ts) keeps only its driver: the others' branches, and the
    // imports in them, are dropped at build time (the condition is a constant there; always true unbundled).
    case 'postgres': {
      if (
        process.env.FINAGG_BUNDLE_STORAGE === undefined ||
        process.env.FINAGG_BUNDLE_STORAGE === 'postgres'
      ) {
        if (!env.DATABASE_URL) throw new Error('Invalid configuration: STORAGE=postgres needs DATABASE_URL');
        return connectPostgres(env.DATABASE_URL);
      }
      break;
    }
    case 'pglite':
      if (process.env.FINAGG_BUNDLE_STORAGE === undefined || process.env.FINAGG_BUNDLE_STORAGE === 'pglite') {
        return connectPglite(env.PGLITE_DIR || undefined);
      }
      break;
    case 'aurora': {
      if (process.env.FINAGG_BUNDLE_STORAGE === undefined || process.env.FINAGG_BUNDLE_STORAGE === 'aurora') {
        const { DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME } = env;
        if (!DB_CLUSTER_ARN || !DB_SECRET_ARN || !DB_NAME)
          throw new Error(
            'Invalid configuration: STORAGE=aurora needs DB_CLUSTER_ARN, DB_SECRET_ARN and DB_NAME',
          );
        return connectDataApi({ resourceArn: DB_CLUSTER_ARN, secretArn: DB_SECRET_ARN, database: DB_NAME });
      }
      break;
    }
    default:
      throw new Error(
        `Invalid configuration: STORAGE=${String(storage)} (dynamodb, postgres, pglite or aurora)`,
      );
  }
  throw new Error(
    `Invalid configuration: STORAGE=${storage}, but this bundle was built for storage ${String(process.env.FINAGG_BUNDLE_STORAGE)}`,
  );
}
