import type { Redis } from '@upstash/redis';
import type { AlertSink } from '../../ports/alerts';
import type { Locks } from '../../ports/locks';
import { UpstashAlertStream } from './alert-stream';
import { createUpstashRedis, readUpstashConfig, type UpstashConfig } from './config';
import { UpstashLocks } from './locks';

export { UpstashAlertStream } from './alert-stream';
export { createUpstashRedis, readUpstashConfig, type UpstashConfig } from './config';
export { UpstashLocks } from './locks';

export interface UpstashPorts {
  redis: Redis;
  locks: Locks;
  alerts: AlertSink;
}

/** The Redis-backed ports for a configuration (see readUpstashConfig). */
export function createUpstashPorts(
  config: UpstashConfig,
  redis: Redis = createUpstashRedis(config),
): UpstashPorts {
  return {
    redis,
    locks: new UpstashLocks(redis),
    alerts: new UpstashAlertStream(redis, { maxLen: config.alertStreamMaxLen }),
  };
}

/** The Redis-backed ports when UPSTASH_REDIS_REST_URL/TOKEN are set, else null (the caller decides the fallback). */
export function upstashPortsFromEnv(env: NodeJS.ProcessEnv): UpstashPorts | null {
  const config = readUpstashConfig(env);
  return config ? createUpstashPorts(config) : null;
}
