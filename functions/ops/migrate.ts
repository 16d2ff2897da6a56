import type { Context } from 'aws-lambda';
import { connectFromEnv } from '../../shared/adapters/postgres/db';
import { loadMigrations, migrate } from '../../shared/adapters/postgres/migrate';
import { logger } from '../../shared/logger';

/** How long the step waits for an Aurora Serverless v2 instance resuming from 0 ACU (it takes ~15 s). */
const RESUME_WAIT_MS = 90_000;

/**
 * The migration step (Postgres storage). The deployment invokes it (a CloudFormation trigger,
 * lib/constructs/deploy-step.ts) once the cluster is up and before any other function is created or updated, at
 * the first deployment and at every one that changes it: a new migration file changes its package (catalogue
 * `bundleFiles` copies shared/adapters/postgres/migrations/ beside the bundle). Applies the files not applied yet,
 * through the Data API (STORAGE=aurora, DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME); `migrate` serializes concurrent
 * runs and records each file once, so invoking it again (`aws lambda invoke`) is harmless. Throwing fails, and
 * rolls back, the deployment.
 */
export const handler = async (_event: unknown, context: Context) => {
  logger.addContext(context);
  const migrations = loadMigrations();
  const conn = await connectFromEnv(process.env);
  if (!conn)
    throw new Error('The migration step runs with Postgres storage (STORAGE=aurora, postgres or pglite)');
  try {
    const applied = await whileResuming(() => migrate(conn, migrations));
    logger.info('database migrations', { applied, known: migrations.length });
    return { applied, known: migrations.map((m) => m.name) };
  } finally {
    await conn.close();
  }
};

/** Retries while the Data API answers that the database is resuming (a cluster scaled to 0 ACU). */
async function whileResuming<T>(run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + RESUME_WAIT_MS;
  for (;;) {
    try {
      return await run();
    } catch (err) {
      if (!isResuming(err) || Date.now() > deadline) throw err;
      logger.info('the database is resuming; retrying in 5 s');
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
}

function isResuming(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.name === 'DatabaseResumingException' || /DatabaseResumingException/.test(e.message)) return true;
  }
  return false;
}
