import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/domain/alerts';
import type { AlertSink } from '../../../shared/ports/alerts';
import { connectionLockKey, withLock, type Locks } from '../../../shared/ports/locks';

/**
 * The contracts of the Locks and AlertSink ports, written once and run against every adapter: in-memory here
 * (test/unit/adapters/memory.test.ts) and Upstash through the REST bridge to a real Redis
 * (test/integration/upstash-locks.test.ts, upstash-alerts.test.ts).
 */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface LocksHarness {
  /** The i-th independent contender (its own client for Redis; the same instance in memory). */
  locks(i?: number): Locks;
  /** Lets `ms` pass for lease expiry (a manual clock, or real time). */
  advance(ms: number): Promise<void>;
}

export function describeLocksContract(name: string, setup: () => Promise<LocksHarness>): void {
  describe(`Locks contract: ${name}`, () => {
    let h: LocksHarness;
    let key: string;
    beforeEach(async () => {
      h = await setup();
      key = connectionLockKey(`conn-${randomUUID()}`);
    });

    it('gives a free lock to one holder and refuses it to others until released', async () => {
      const a = await h.locks(0).acquire(key, { ttlMs: 10_000 });
      expect(a).not.toBeNull();
      expect(a?.key).toBe(key);
      expect(await a?.isHeld()).toBe(true);
      expect(await h.locks(1).acquire(key, { ttlMs: 10_000 })).toBeNull();
      expect(await a?.release()).toBe(true);
      expect(await a?.isHeld()).toBe(false);
      const b = await h.locks(1).acquire(key, { ttlMs: 10_000 });
      expect(b).not.toBeNull();
      expect(b?.token).not.toBe(a?.token);
      await b?.release();
    });

    it('keeps locks of different keys independent', async () => {
      const a = await h.locks(0).acquire(key, { ttlMs: 10_000 });
      const other = await h.locks(1).acquire(`${key}-other`, { ttlMs: 10_000 });
      expect(a).not.toBeNull();
      expect(other).not.toBeNull();
      await Promise.all([a?.release(), other?.release()]);
    });

    it('grants the lock to exactly one of 20 concurrent acquirers', async () => {
      const leases = await Promise.all(
        Array.from({ length: 20 }, (_, i) => h.locks(i).acquire(key, { ttlMs: 10_000 })),
      );
      const winners = leases.filter((l) => l !== null);
      expect(winners).toHaveLength(1);
      await winners[0]?.release();
    });

    it('never lets two of 20 waiting workers into the critical section at once', async () => {
      let inside = 0;
      let maxInside = 0;
      let done = 0;
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const lease = await h.locks(i).acquire(key, { ttlMs: 10_000, waitMs: 20_000 });
          expect(lease, `worker ${i} got the lock within the wait`).not.toBeNull();
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(3);
          inside--;
          done++;
          expect(await lease?.release()).toBe(true);
        }),
      );
      expect(done).toBe(20);
      expect(maxInside).toBe(1);
    });

    it('waits up to waitMs for a holder to release', async () => {
      const a = await h.locks(0).acquire(key, { ttlMs: 10_000 });
      const waiting = h.locks(1).acquire(key, { ttlMs: 10_000, waitMs: 5_000 });
      await sleep(100);
      await a?.release();
      const b = await waiting;
      expect(b).not.toBeNull();
      await b?.release();
    });

    it('gives up after waitMs while the lock stays held', async () => {
      const a = await h.locks(0).acquire(key, { ttlMs: 10_000 });
      expect(await h.locks(1).acquire(key, { ttlMs: 10_000, waitMs: 150 })).toBeNull();
      await a?.release();
    });

    it('lets another holder in once the lease expires', async () => {
      const a = await h.locks(0).acquire(key, { ttlMs: 250 });
      expect(a).not.toBeNull();
      await h.advance(400);
      expect(await a?.isHeld()).toBe(false);
      const b = await h.locks(1).acquire(key, { ttlMs: 10_000 });
      expect(b).not.toBeNull();
      await b?.release();
    });

    it("does not release or extend another owner's lease after its own expired", async () => {
      const a = await h.locks(0).acquire(key, { ttlMs: 250 });
      await h.advance(400);
      const b = await h.locks(1).acquire(key, { ttlMs: 10_000 });
      expect(b).not.toBeNull();
      expect(await a?.release()).toBe(false);
      expect(await a?.extend(60_000)).toBe(false);
      expect(await b?.isHeld()).toBe(true);
      expect(await h.locks(2).acquire(key, { ttlMs: 10_000 })).toBeNull();
      expect(await b?.release()).toBe(true);
    });

    it('extends a held lease, owner-only', async () => {
      const a = await h.locks(0).acquire(key, { ttlMs: 400 });
      expect(await a?.extend(5_000)).toBe(true);
      await h.advance(700);
      expect(await a?.isHeld()).toBe(true);
      expect(await h.locks(1).acquire(key, { ttlMs: 10_000 })).toBeNull();
      expect(await a?.extend(250)).toBe(true);
      await h.advance(400);
      expect(await a?.isHeld()).toBe(false);
      expect(await a?.extend(5_000)).toBe(false);
    });

    it('releases once: a second release reports false', async () => {
      const a = await h.locks(0).acquire(key, { ttlMs: 10_000 });
      expect(await a?.release()).toBe(true);
      expect(await a?.release()).toBe(false);
    });

    it('rejects meaningless timings', async () => {
      await expect(h.locks(0).acquire(key, { ttlMs: 0 })).rejects.toThrow(RangeError);
      await expect(h.locks(0).acquire(key, { ttlMs: 1.5 })).rejects.toThrow(RangeError);
      await expect(h.locks(0).acquire(key, { ttlMs: 1000, waitMs: -1 })).rejects.toThrow(RangeError);
    });

    it('withLock runs the work under the lock, releases it, and skips the work when the lock is held', async () => {
      const ran = await withLock(h.locks(0), key, { ttlMs: 10_000 }, async (lease) => {
        expect(await lease.isHeld()).toBe(true);
        const skipped = await withLock(h.locks(1), key, { ttlMs: 10_000 }, async () => 'never');
        expect(skipped).toEqual({ acquired: false });
        return 42;
      });
      expect(ran).toEqual({ acquired: true, value: 42 });
      await expect(
        withLock(h.locks(0), key, { ttlMs: 10_000 }, async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const after = await h.locks(1).acquire(key, { ttlMs: 10_000 });
      expect(after, 'released even when the work threw').not.toBeNull();
      await after?.release();
    });
  });
}

export interface AlertSinkHarness {
  /** A sink over the shared backend, with its own stream bound. */
  sink(options?: { maxLen?: number }): AlertSink;
}

let alertCounter = 0;
export function makeAlert(userId: string, overrides: Partial<Alert> = {}): Alert {
  alertCounter++;
  return {
    id: `alert-${alertCounter}-${randomUUID()}`,
    kind: 'budget_threshold',
    user_id: userId,
    budget_id: 'bud_1',
    message: `You have spent 80% of your FOOD_AND_DRINK budget (${alertCounter})`,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, alertCounter)).toISOString(),
    ...overrides,
  };
}

export function describeAlertSinkContract(name: string, setup: () => Promise<AlertSinkHarness>): void {
  describe(`AlertSink contract: ${name}`, () => {
    let h: AlertSinkHarness;
    let user: string;
    beforeEach(async () => {
      h = await setup();
      user = `user-${randomUUID()}`;
    });

    it('appends alerts and reads them back newest first, parsed', async () => {
      const sink = h.sink();
      const first = makeAlert(user, { kind: 'budget_threshold' });
      const second = makeAlert(user, {
        kind: 'anomaly',
        budget_id: undefined,
        transaction_id: 'txn_9',
        message: '$412.50 at BESTBUY is 6.3 times your usual electronics purchase — ✓',
      });
      const { budget_id: _dropped, ...secondWithoutBudget } = second;
      expect(await sink.append(user, first)).toEqual({ appended: true });
      expect(await sink.append(user, secondWithoutBudget)).toEqual({ appended: true });
      expect(await sink.recent(user, { count: 10 })).toEqual([secondWithoutBudget, first]);
      expect(await sink.recent(user, { count: 1 })).toEqual([secondWithoutBudget]);
    });

    it('keeps strings that look like numbers or JSON as strings', async () => {
      const sink = h.sink();
      const alert = makeAlert(user, { id: '12345', budget_id: '007', transaction_id: 'true', message: '42' });
      await sink.append(user, alert);
      expect(await sink.recent(user, { count: 1 })).toEqual([alert]);
    });

    it('appends an alert once: a redelivery is a no-op', async () => {
      const sink = h.sink();
      const alert = makeAlert(user);
      expect(await sink.append(user, alert)).toEqual({ appended: true });
      expect(await sink.append(user, alert)).toEqual({ appended: false });
      expect(await sink.append(user, { ...alert, message: 'the same alert, delivered again' })).toEqual({
        appended: false,
      });
      expect(await sink.recent(user, { count: 10 })).toEqual([alert]);
    });

    it('appends an alert once even when 10 deliveries race', async () => {
      const sink = h.sink();
      const alert = makeAlert(user);
      const results = await Promise.all(Array.from({ length: 10 }, () => sink.append(user, alert)));
      expect(results.filter((r) => r.appended)).toHaveLength(1);
      expect(await sink.recent(user, { count: 10 })).toEqual([alert]);
    });

    it("keeps users' feeds apart and refuses an alert addressed to another user", async () => {
      const sink = h.sink();
      const other = `${user}-other`;
      const mine = makeAlert(user);
      await sink.append(user, mine);
      // The same alert id for another user is that user's own alert.
      expect(await sink.append(other, { ...mine, user_id: other })).toEqual({ appended: true });
      expect(await sink.recent(user, { count: 10 })).toEqual([mine]);
      expect(await sink.recent(other, { count: 10 })).toEqual([{ ...mine, user_id: other }]);
      await expect(sink.append(other, makeAlert(user))).rejects.toThrow(/another user/);
      expect(await sink.recent(`${user}-nobody`, { count: 10 })).toEqual([]);
    });

    it('validates alerts on the way in and the count of a read', async () => {
      const sink = h.sink();
      await expect(sink.append(user, { ...makeAlert(user), created_at: 'yesterday' })).rejects.toThrow();
      await expect(
        sink.append(user, { ...makeAlert(user), kind: 'nope' as Alert['kind'] }),
      ).rejects.toThrow();
      await expect(sink.recent(user, { count: 0 })).rejects.toThrow(RangeError);
      await expect(sink.recent(user, { count: 1001 })).rejects.toThrow(RangeError);
    });

    it('stays bounded: old alerts fall off, the newest are kept', async () => {
      const maxLen = 10;
      const sink = h.sink({ maxLen });
      const appended: Alert[] = [];
      for (let i = 0; i < 250; i++) {
        const alert = makeAlert(user);
        appended.push(alert);
        await sink.append(user, alert);
      }
      const kept = await sink.recent(user, { count: 1000 });
      // MAXLEN ~ trims whole stream nodes (100 entries by default): at least maxLen, at most maxLen + 100.
      expect(kept.length).toBeGreaterThanOrEqual(maxLen);
      expect(kept.length).toBeLessThanOrEqual(maxLen + 100);
      expect(kept).toEqual(appended.slice(-kept.length).reverse());
    });
  });
}
