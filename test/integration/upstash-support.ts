import { randomBytes } from 'node:crypto';
import { Redis as UpstashRedis } from '@upstash/redis';
import { Redis as IoRedis } from 'ioredis';
import { startUpstashBridge, type UpstashBridge } from '../../lib/local/upstash-bridge';

/**
 * Shared set-up of the Upstash integration tests: a real Redis (REDIS_URL, default the local one), the REST bridge
 * in front of it, and a key prefix of the test's own so that files and runs sharing one Redis never collide.
 * Nothing here flushes a database: each test deletes only its own keys.
 */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** Fails fast, and says what to do, when Redis is not running. */
export async function assertRedisReachable(url = REDIS_URL): Promise<void> {
  const probe = new IoRedis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let cause: Error | undefined;
  probe.on('error', (error: Error) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const reason = (cause ?? (error as Error)).message;
    throw new Error(
      `The Upstash integration tests need a real Redis, and none answers at ${redact(url)} (${reason}). ` +
        'Start one (`redis-server --daemonize yes`, or `docker run -p 6379:6379 redis:7`) or set REDIS_URL. ' +
        'CI starts it before the tests.',
    );
  } finally {
    probe.disconnect();
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

export interface UpstashHarness {
  bridge: UpstashBridge;
  /** A direct connection to the same Redis, to check what the adapters wrote. */
  raw: IoRedis;
  /** A fresh prefix per call: `test:<name>:<random>:`. */
  prefix(name: string): string;
  /** A new REST client against the bridge (auto-pipelining on, as by default, unless told otherwise). */
  client(options?: { autoPipelining?: boolean; base64?: boolean }): UpstashRedis;
  /** Deletes every key under the prefixes this harness handed out, stops the bridge, closes connections. */
  close(): Promise<void>;
}

export async function startUpstashHarness(): Promise<UpstashHarness> {
  await assertRedisReachable();
  const bridge = await startUpstashBridge({ redisUrl: REDIS_URL });
  const raw = new IoRedis(REDIS_URL);
  const prefixes: string[] = [];
  return {
    bridge,
    raw,
    prefix(name) {
      const prefix = `test:${name}:${randomBytes(6).toString('hex')}:`;
      prefixes.push(prefix);
      return prefix;
    },
    client(options = {}) {
      return new UpstashRedis({
        url: bridge.url,
        token: bridge.token,
        enableTelemetry: false,
        enableAutoPipelining: options.autoPipelining ?? true,
        responseEncoding: options.base64 === false ? false : 'base64',
        retry: false,
      });
    },
    async close() {
      for (const prefix of prefixes) {
        let cursor = '0';
        do {
          const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          if (keys.length > 0) await raw.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
      raw.disconnect();
      await bridge.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
