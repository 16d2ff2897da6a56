import type { Context } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { migrateDatabase } from '../../shared/runtime-postgres';

/**
 * The migration step (Postgres storage). The deployment invokes it (a CloudFormation trigger,
 * lib/constructs/deploy-step.ts) once the cluster is up and before any other function is created or updated, at
 * the first deployment and at every one that changes it: a new migration file changes its package (catalogue
 * `bundleFiles` copies shared/adapters/postgres/migrations/ beside the bundle, where migrate.ts reads them).
 * Applies the files not applied yet through the Data API (STORAGE=aurora, DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME);
 * invoking it again (`aws lambda invoke`) is harmless. Throwing fails, and rolls back, the deployment.
 */
export const handler = async (_event: unknown, context: Context) => {
  logger.addContext(context);
  const result = await migrateDatabase();
  logger.info('database migrations', { applied: result.applied, known: result.known.length });
  return result;
};
