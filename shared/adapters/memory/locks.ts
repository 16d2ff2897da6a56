import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../ports/clock';
import { assertLockTiming, type AcquireOptions, type Lease, type Locks } from '../../ports/locks';

interface Holder {
  token: string;
  expiresAt: number;
}

export interface MemoryLocksOptions {
  /** Decides when leases expire (a ManualClock in tests). Default: the system clock. */
  clock?: Clock;
  /** Pause between attempts while waiting for a held lock (real time). Default 25 ms. */
  retryDelayMs?: number;
}

/**
 * Locks within one process (the local twin without Redis, unit tests): the same contract as the Upstash adapter.
 * Leases expire by the injected clock; waiting for a held lock polls in real time.
 */
export class MemoryLocks implements Locks {
  private readonly holders = new Map<string, Holder>();
  private readonly clock: Clock;
  private readonly retryDelayMs: number;

  constructor(options: MemoryLocksOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.retryDelayMs = options.retryDelayMs ?? 25;
  }

  async acquire(key: string, options: AcquireOptions): Promise<Lease | null> {
    const waitMs = options.waitMs ?? 0;
    assertLockTiming(options.ttlMs, waitMs);
    const token = randomUUID();
    const attempts = 1 + Math.ceil(waitMs / this.retryDelayMs);
    for (let attempt = 1; ; attempt++) {
      if (this.trySet(key, token, options.ttlMs)) return new MemoryLease(this, key, token);
      if (attempt >= attempts) return null;
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    }
  }

  /** SET key token NX PX ttl. */
  private trySet(key: string, token: string, ttlMs: number): boolean {
    if (this.owner(key) !== null) return false;
    this.holders.set(key, { token, expiresAt: this.now() + ttlMs });
    return true;
  }

  /** The live holder's token, dropping an expired one (what Redis does lazily). */
  owner(key: string): string | null {
    const holder = this.holders.get(key);
    if (!holder) return null;
    if (holder.expiresAt <= this.now()) {
      this.holders.delete(key);
      return null;
    }
    return holder.token;
  }

  /** Compare-and-delete. */
  releaseIfOwner(key: string, token: string): boolean {
    if (this.owner(key) !== token) return false;
    this.holders.delete(key);
    return true;
  }

  /** Compare-and-pexpire. */
  extendIfOwner(key: string, token: string, ttlMs: number): boolean {
    if (this.owner(key) !== token) return false;
    this.holders.set(key, { token, expiresAt: this.now() + ttlMs });
    return true;
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

class MemoryLease implements Lease {
  constructor(
    private readonly locks: MemoryLocks,
    readonly key: string,
    readonly token: string,
  ) {}

  async release(): Promise<boolean> {
    return this.locks.releaseIfOwner(this.key, this.token);
  }

  async extend(ttlMs: number): Promise<boolean> {
    assertLockTiming(ttlMs);
    return this.locks.extendIfOwner(this.key, this.token, ttlMs);
  }

  async isHeld(): Promise<boolean> {
    return this.locks.owner(this.key) === this.token;
  }
}
