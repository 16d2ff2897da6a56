import type { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { upstashPortsFromEnv } from '../../shared/adapters/upstash';
import { UpstashLocks } from '../../shared/adapters/upstash/locks';
import { connectionLockKey } from '../../shared/ports/locks';
import { describeLocksContract, makeAlert } from '../unit/adapters/locks-contract';
import { sleep, startUpstashHarness, type UpstashHarness } from './upstash-support';

let harness: UpstashHarness;
beforeAll(async () => {
  harness = await startUpstashHarness();
});
afterAll(async () => harness?.close());

describeLocksContract('Upstash (@upstash/redis → REST bridge → Redis)', async () => {
  const prefix = harness.prefix('locks');
  // Each contender has its own REST client, as separate Lambda containers would.
  const contenders = new Map<number, UpstashLocks>();
  return {
    locks(i = 0) {
      let locks = contenders.get(i);
      if (!locks) {
        locks = new UpstashLocks(harness.client(), { prefix, retryDelayMs: 10 });
        contenders.set(i, locks);
      }
      return locks;
    },
    advance: (ms) => sleep(ms),
  };
});

describe('UpstashLocks, Redis specifics', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = harness.client();
    prefix = harness.prefix('locks-specifics');
  });

  it('stores the lease as lock:connection:<id> = token with a millisecond TTL', async () => {
    const locks = new UpstashLocks(redis, { prefix });
    const lease = await locks.acquire(connectionLockKey('c42'), { ttlMs: 30_000 });
    const key = `${prefix}lock:connection:c42`;
    expect(locks.redisKey(connectionLockKey('c42'))).toBe(key);
    expect(await harness.raw.get(key)).toBe(lease?.token);
    const pttl = await harness.raw.pttl(key);
    expect(pttl).toBeGreaterThan(29_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await lease?.release();
    expect(await harness.raw.exists(key)).toBe(0);
  });

  it('extends to a sub-second remainder and by amounts that are not whole seconds', async () => {
    const locks = new UpstashLocks(redis, { prefix });
    const lease = await locks.acquire(connectionLockKey('c43'), { ttlMs: 2_000 });
    await sleep(1_600); // ~400 ms left: TTL (whole seconds) reads 0 here, PTTL does not
    expect(await lease?.extend(1_500)).toBe(true);
    const pttl = await harness.raw.pttl(`${prefix}lock:connection:c43`);
    expect(pttl).toBeGreaterThan(1_000);
    expect(pttl).toBeLessThanOrEqual(1_500);
    await lease?.release();
  });

  it('keeps working with auto-pipelining off (one HTTP request per command)', async () => {
    const locks = new UpstashLocks(harness.client({ autoPipelining: false }), { prefix });
    const other = new UpstashLocks(harness.client({ autoPipelining: false }), { prefix });
    const key = connectionLockKey('c44');
    const lease = await locks.acquire(key, { ttlMs: 10_000 });
    expect(await other.acquire(key, { ttlMs: 10_000 })).toBeNull();
    expect(await lease?.extend(20_000)).toBe(true);
    expect(await lease?.release()).toBe(true);
  });

  it('surfaces a backend failure instead of reporting the lock as held', async () => {
    const locks = new UpstashLocks(harness.client(), { prefix });
    await harness.raw.set(`${prefix}lock:connection:c45`, 'not-a-lease');
    // Held by someone (an unknown token): a clean null, not an error.
    expect(await locks.acquire(connectionLockKey('c45'), { ttlMs: 1_000 })).toBeNull();
    const { Redis: UpstashRedis } = await import('@upstash/redis');
    const wrongToken = new UpstashRedis({ url: harness.bridge.url, token: 'wrong', retry: false });
    await expect(
      new UpstashLocks(wrongToken, { prefix }).acquire(connectionLockKey('c46'), { ttlMs: 1_000 }),
    ).rejects.toThrow(/Unauthorized/);
  });
});

describe('upstashPortsFromEnv', () => {
  it('builds working locks and alert feed from UPSTASH_REDIS_REST_URL/TOKEN', async () => {
    const ports = upstashPortsFromEnv({
      UPSTASH_REDIS_REST_URL: harness.bridge.url,
      UPSTASH_REDIS_REST_TOKEN: harness.bridge.token,
      ALERT_STREAM_MAXLEN: '500',
    });
    expect(ports).not.toBeNull();
    const id = randomUUID();
    const user = `user-${id}`;
    try {
      const lease = await ports?.locks.acquire(connectionLockKey(id), { ttlMs: 10_000 });
      expect(await harness.raw.get(`lock:connection:${id}`)).toBe(lease?.token);
      await lease?.release();
      const alert = makeAlert(user);
      expect(await ports?.alerts.append(user, alert)).toEqual({ appended: true });
      expect(await ports?.alerts.recent(user, { count: 5 })).toEqual([alert]);
      expect(await harness.raw.xlen(`alerts:${user}`)).toBe(1);
    } finally {
      await harness.raw.del(`lock:connection:${id}`, `alerts:${user}`, `alert-seen:${user}:${id}`);
      const seen = await harness.raw.keys(`alert-seen:${user}:*`);
      if (seen.length > 0) await harness.raw.del(...seen);
    }
  });

  it('is null without configuration', () => {
    expect(upstashPortsFromEnv({})).toBeNull();
  });
});
