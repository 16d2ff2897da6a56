import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectPglite, connectPostgres, type PgConnection } from '../../shared/adapters/postgres/db';
import { migrate } from '../../shared/adapters/postgres/migrate';

/**
 * PostgreSQL for tests: the machine's server at 127.0.0.1:5432 (trust auth, user postgres; TEST_PG_ADMIN_URL to
 * point elsewhere), one fresh database per call (`finagg_test_<random>`, migrated, dropped by `drop()`), or an
 * in-memory PGlite, migrated.
 */
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  conn: PgConnection;
  /** The database's URL (PostgreSQL only). */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the machine's PostgreSQL. */
export async function freshPostgres(options: { max?: number } = {}): Promise<TestDatabase> {
  const name = `finagg_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const conn = await connectPostgres(url.toString(), { max: options.max ?? 5 });
  try {
    await migrate(conn);
  } catch (err) {
    await conn.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw err;
  }
  return {
    conn,
    url: url.toString(),
    async drop() {
      await conn.close().catch(() => undefined);
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** A migrated PGlite in memory. */
export async function freshPglite(): Promise<TestDatabase> {
  const conn = await connectPglite();
  await migrate(conn);
  return { conn, drop: () => conn.close() };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
