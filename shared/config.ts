import * as z from 'zod';

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
  /** SQS queue URL for Plaid webhook deliveries; `local://plaid-webhooks` in the local twin. */
  PLAID_WEBHOOK_QUEUE_URL: z.string().min(1).default('local://plaid-webhooks'),
  /** How long a webhook receiver has to answer one delivery attempt. */
  PLAID_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).default('INFO'),
  /** Where this API is reachable (the twin's URL, or the HTTP API's URL in the cloud): default redirect pages. */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
  /** KMS key for envelope encryption of bank tokens (cloud). */
  KMS_KEY_ID: z.string().min(1).optional(),
  /** AES-256-GCM key (32 bytes, base64) for token encryption where there is no KMS (local twin, tests). */
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  /** How long an OAuth link state stays valid. */
  LINK_STATE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(600),
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
