/**
 * Mutual exclusion with a time limit (a lease), in domain words. Adapters: Upstash Redis
 * (shared/adapters/upstash/locks.ts, on `@upstash/lock`) and in-memory (shared/adapters/memory/locks.ts).
 *
 * A lease is not a guarantee that nobody else runs: it expires after `ttlMs` whether or not its holder is done
 * (a crashed holder must not block a connection forever). Work done under a lease must therefore stay idempotent;
 * the lock only keeps two syncs of one connection from running at once in the normal case.
 */
export interface Locks {
  /**
   * Takes the lock `key` for `ttlMs` milliseconds. Returns null when someone else holds it (after retrying for up
   * to `waitMs`, default 0: one attempt). Never throws because the lock is held; throws when the backend fails.
   */
  acquire(key: string, options: AcquireOptions): Promise<Lease | null>;
}

export interface AcquireOptions {
  /** How long the lease lasts unless released or extended. Pick it longer than the work it guards. */
  ttlMs: number;
  /** How long to keep trying while the lock is held by someone else. Default 0 (one attempt). */
  waitMs?: number;
}

/** A held lock. Every operation is owner-safe: it acts only if this lease still owns the key (compare-and-act). */
export interface Lease {
  /** The lock's key as passed to `acquire`. */
  readonly key: string;
  /** The random token that identifies this owner. */
  readonly token: string;
  /**
   * Gives the lock up. True if it was still ours and is now free; false if it had expired (and perhaps been taken
   * by someone else, whose lease is left untouched) or was already released.
   */
  release(): Promise<boolean>;
  /**
   * Sets the remaining lifetime to `ttlMs` from now. True if the lease was still ours; false if it had expired or
   * been released (in which case nothing changes, not even another owner's lease).
   */
  extend(ttlMs: number): Promise<boolean>;
  /** Whether this lease still owns the lock. */
  isHeld(): Promise<boolean>;
}

/** The per-connection sync lock. */
export function connectionLockKey(connectionId: string): string {
  return `connection:${connectionId}`;
}

export type LockedResult<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Runs `work` while holding `key`, and releases the lock afterwards (also when `work` throws). When the lock is
 * held elsewhere, `work` does not run and the result says so: the caller ends cleanly and counts it.
 */
export async function withLock<T>(
  locks: Locks,
  key: string,
  options: AcquireOptions,
  work: (lease: Lease) => Promise<T>,
): Promise<LockedResult<T>> {
  const lease = await locks.acquire(key, options);
  if (!lease) return { acquired: false };
  let value: T;
  try {
    value = await work(lease);
  } catch (error) {
    // The work's failure is the one that matters; an unreleased lease expires by its TTL.
    await lease.release().catch(() => false);
    throw error;
  }
  await lease.release();
  return { acquired: true, value };
}

/** Validates acquire/extend arguments the same way in every adapter. */
export function assertLockTiming(ttlMs: number, waitMs = 0): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new RangeError(`lock ttlMs must be a positive integer of milliseconds, got ${ttlMs}`);
  }
  if (!Number.isSafeInteger(waitMs) || waitMs < 0) {
    throw new RangeError(`lock waitMs must be a non-negative integer of milliseconds, got ${waitMs}`);
  }
}
