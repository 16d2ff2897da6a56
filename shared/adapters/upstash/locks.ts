import { randomUUID } from 'node:crypto';
import { Lock } from '@upstash/lock';
import type { Redis } from '@upstash/redis';
import { assertLockTiming, type AcquireOptions, type Lease, type Locks } from '../../ports/locks';

/**
 * Compare-and-PEXPIRE: resets the lease's lifetime, in milliseconds, only while `token` still owns the key.
 * (`@upstash/lock`'s own `extend(amt)` adds `amt / 1000` seconds to the TTL rounded to whole seconds: it fails for
 * amounts that are not whole seconds, since EXPIRE takes an integer, and when under half a second remains.)
 */
const EXTEND_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

export interface UpstashLocksOptions {
  /** Prepended to every key (a stage, or a test's namespace). Default ''. */
  prefix?: string;
  /** Pause between attempts while waiting for a held lock. Default 50 ms. */
  retryDelayMs?: number;
}

/**
 * Locks in Upstash Redis, on `@upstash/lock`: acquire is `SET key token NX PX ttl`, release is a Lua
 * compare-and-delete, `isHeld` compares the stored token. Keys are `lock:<key>`, e.g. `lock:connection:<id>`.
 */
export class UpstashLocks implements Locks {
  private readonly prefix: string;
  private readonly retryDelayMs: number;
  private readonly extendScript;

  constructor(
    private readonly redis: Redis,
    options: UpstashLocksOptions = {},
  ) {
    this.prefix = options.prefix ?? '';
    this.retryDelayMs = options.retryDelayMs ?? 50;
    this.extendScript = redis.createScript<number>(EXTEND_IF_OWNER);
  }

  /** The Redis key of a lock. */
  redisKey(key: string): string {
    return `${this.prefix}lock:${key}`;
  }

  async acquire(key: string, options: AcquireOptions): Promise<Lease | null> {
    const waitMs = options.waitMs ?? 0;
    assertLockTiming(options.ttlMs, waitMs);
    const token = randomUUID();
    const lock = new Lock({ id: this.redisKey(key), redis: this.redis, lease: options.ttlMs });
    const acquired = await lock.acquire({
      lease: options.ttlMs,
      uuid: token,
      // @upstash/lock sleeps `delay` after every failed attempt, the last one included: no sleep when not waiting.
      retry:
        waitMs === 0
          ? { attempts: 1, delay: 0 }
          : { attempts: 1 + Math.ceil(waitMs / this.retryDelayMs), delay: this.retryDelayMs },
    });
    if (!acquired) return null;
    return new UpstashLease(lock, key, token, (ttlMs) =>
      this.extendScript.exec([lock.id], [token, String(ttlMs)]),
    );
  }
}

class UpstashLease implements Lease {
  constructor(
    private readonly lock: Lock,
    readonly key: string,
    readonly token: string,
    private readonly extendIfOwner: (ttlMs: number) => Promise<number>,
  ) {}

  release(): Promise<boolean> {
    return this.lock.release();
  }

  async extend(ttlMs: number): Promise<boolean> {
    assertLockTiming(ttlMs);
    return (await this.extendIfOwner(ttlMs)) === 1;
  }

  async isHeld(): Promise<boolean> {
    return (await this.lock.getStatus()) === 'ACQUIRED';
  }
}
