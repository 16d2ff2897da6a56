import { Redis } from '@upstash/redis';
import * as z from 'zod';

/**
 * The environment the Upstash adapters read. Kept here (not in shared/config.ts) and read through a function that
 * takes the environment, so the twin and tests can pass their own. Both variables are the names Upstash's console
 * and `Redis.fromEnv()` use.
 */
const UpstashEnvSchema = z.lazy(() =>
  z.object({
    /** The database's REST URL (https://… in the cloud; the local bridge's http://127.0.0.1:… in the twin). */
    UPSTASH_REDIS_REST_URL: z.url().optional(),
    /** The REST token (a secret: never logged). */
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
    /** Alerts kept per user stream (XADD MAXLEN ~). */
    ALERT_STREAM_MAXLEN: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  }),
);

export interface UpstashConfig {
  url: string;
  token: string;
  alertStreamMaxLen: number;
}

/**
 * The Upstash settings, or null when none are set (then the caller picks the in-memory adapters, in the twin).
 * Throws, naming the variable, when they are set but incomplete or malformed.
 */
export function readUpstashConfig(env: NodeJS.ProcessEnv): UpstashConfig | null {
  const result = UpstashEnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid Upstash configuration:\n${lines}`);
  }
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token, ALERT_STREAM_MAXLEN } = result.data;
  if (!url && !token) return null;
  if (!url || !token) {
    const missing = url ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL';
    throw new Error(`Invalid Upstash configuration:\n  ${missing}: required when the other one is set`);
  }
  return { url, token, alertStreamMaxLen: ALERT_STREAM_MAXLEN };
}

/** One REST client (stateless HTTP: cheap, safe to share across invocations of a Lambda container). */
export function createUpstashRedis(config: Pick<UpstashConfig, 'url' | 'token'>): Redis {
  return new Redis({
    url: config.url,
    token: config.token,
    // No runtime/platform headers sent to the database; retries cover transient network errors only.
    enableTelemetry: false,
    retry: { retries: 3, backoff: (attempt) => Math.min(1000, 50 * 2 ** attempt) },
  });
}
