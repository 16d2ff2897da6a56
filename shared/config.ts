import { z } from 'zod';

/**
 * The one place that reads the environment. Every value a function needs is declared here, validated with zod,
 * and read through getConfig(); a missing or malformed variable fails loudly at the first use, naming itself.
 */
const ConfigSchema = z.object({
  STAGE: z.string().default('local'),
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().min(1).default('finagg-local'),
  EVENT_BUS_NAME: z.string().min(1).default('finagg-local'),
  /** SQS queue URL for sync jobs; `local://sync` in the local twin (in-process queue). */
  SYNC_QUEUE_URL: z.string().min(1).default('local://sync'),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).default('INFO'),
});

export type Config = z.infer<typeof ConfigSchema>;

let cached: Config | undefined;

export function getConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env !== process.env) return parseConfig(env);
  cached ??= parseConfig(env);
  return cached;
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  return result.data;
}

/** For tests and the local twin, which set the environment after modules load. */
export function resetConfig(): void {
  cached = undefined;
}
