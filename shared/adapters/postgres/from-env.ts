import * as z from 'zod';
import { connectDataApi, type PgConnection } from './db';

/**
 * Where the cloud's functions find Aurora (storage `aurora`): the variables the CDK stack sets on every function
 * with a `table:*` grant (lib/constructs/catalogue-function.ts). Validated here so that a missing or mistyped one
 * fails the first request naming itself, not a Data API call with a confusing error.
 */
export const AuroraEnvSchema = z.object({
  DB_CLUSTER_ARN: z.string().regex(/^arn:[\w-]+:rds:[\w-]+:\d{12}:cluster:[\w-]+$/, 'an Aurora cluster ARN'),
  DB_SECRET_ARN: z.string().regex(/^arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:.+$/, 'a secret ARN'),
  DB_NAME: z.string().regex(/^[A-Za-z_][\w$]{0,62}$/, 'a PostgreSQL database name'),
});
export type AuroraEnv = z.infer<typeof AuroraEnvSchema>;

export function auroraEnv(env: Record<string, string | undefined>): AuroraEnv {
  const parsed = AuroraEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration (STORAGE=aurora):\n${lines}`);
  }
  return parsed.data;
}

/** The Data API connection those variables name (no socket is opened: each query is an HTTPS call). */
export function auroraConnectionFromEnv(env: Record<string, string | undefined>): Promise<PgConnection> {
  const { DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME } = auroraEnv(env);
  return connectDataApi({ resourceArn: DB_CLUSTER_ARN, secretArn: DB_SECRET_ARN, database: DB_NAME });
}
