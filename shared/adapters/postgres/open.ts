import { connectFromEnv, type PgConnection } from './db';
import { migrate } from './migrate';
import { PostgresStore } from './store';

/**
 * The PostgresStore the environment names (STORAGE=postgres|pglite|aurora, see db.ts connectFromEnv). A local
 * database (postgres, pglite) is migrated here, once per process: applying migrations is idempotent and serialized
 * (migrate.ts), and an embedded PGlite has no one else to do it. Aurora is migrated by the deployment's migration
 * step, not by every cold start.
 */
export async function openPostgresStore(env: Record<string, string | undefined>): Promise<PostgresStore> {
  const conn: PgConnection | null = await connectFromEnv(env);
  if (!conn) throw new Error('openPostgresStore: STORAGE names no PostgreSQL storage');
  if (conn.driver !== 'data-api') await migrate(conn);
  return new PostgresStore(conn);
}
