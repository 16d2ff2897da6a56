/**
 * The change feed of a storage without a native stream (PostgreSQL: the transactional outbox), as the relay sees
 * it (shared/services/outbox-relay.ts), and where the relay delivers (an SQS FIFO queue per consumer in the
 * cloud, the processors in-process in the twin).
 */

/** One change, storage-neutral (re-exported as shared/stream/change.ts `StoreChange`, where it is described). */
export interface StoreChange {
  /** Ordered per user: the DynamoDB stream sequence number, or the outbox seq as a decimal string. */
  id: string;
  userId: string;
  entity: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** An undelivered change of the feed, with how often its delivery failed so far. */
export interface PendingChange extends StoreChange {
  attempts: number;
}

export interface ChangeFeed {
  /**
   * Takes (or renews) the relay's lease until `until`: true when this relay holds it. One relay works at a time,
   * so each user's changes go out in order; a relay that dies loses the lease when it runs out. A relay that finds
   * the lease held asks its holder to look again before it lets go (`release`), so no nudge is lost.
   */
  acquire(owner: string, now: Date, until: Date): Promise<boolean>;
  /** Lets the lease go; false (and keeps it) when another relay asked for another pass meanwhile. */
  release(owner: string): Promise<boolean>;
  /**
   * Up to `limit` undelivered changes in feed order: not delivered, not dead, and no change of the same user
   * before them waiting for a retry (`retryAt` later than `now`).
   */
  pending(limit: number, now: Date): Promise<PendingChange[]>;
  /** Marks the changes delivered. */
  delivered(ids: readonly string[], at: Date): Promise<void>;
  /** Records a failed delivery: retried from `retryAt`, or dead-lettered (`dead`) for good. */
  failed(id: string, f: { error: string; retryAt: Date; dead: boolean; at: Date }): Promise<void>;
}

/**
 * Where changes go. Reports the ids it did not deliver: with the error of a failed delivery, or null for a change
 * held back (not attempted) behind an earlier failure of its user.
 */
export interface ChangeSink {
  deliver(changes: readonly StoreChange[]): Promise<{ failed: Map<string, string | null> }>;
}

/** Tells the relay that changes were written (an async invoke in the cloud); never throws. */
export interface ChangeNudge {
  nudge(): Promise<void>;
}
