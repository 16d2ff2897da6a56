import type { Alert } from '../domain/alerts';

/**
 * A user's alert feed: budget thresholds and anomalies, newest first. Adapters: an Upstash Redis stream per user
 * (shared/adapters/upstash/alert-stream.ts) and in-memory (shared/adapters/memory/alert-stream.ts).
 */
export interface AppendResult {
  /** False when an alert with this id was appended before (a redelivery): nothing was written. */
  appended: boolean;
}

export interface RecentOptions {
  /** How many alerts, newest first (1 to MAX_RECENT_ALERTS). */
  count: number;
}

export const MAX_RECENT_ALERTS = 1000;

export interface AlertSink {
  /**
   * Appends `alert` to `userId`'s feed, once per alert id: appending the same id again is a no-op that reports
   * `appended: false` (at-least-once delivery upstream). Throws if the alert is invalid or belongs to another user.
   */
  append(userId: string, alert: Alert): Promise<AppendResult>;
  /** The user's latest alerts, newest first. The feed is bounded: old alerts fall off. */
  recent(userId: string, options: RecentOptions): Promise<Alert[]>;
}

export function assertRecentCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_RECENT_ALERTS) {
    throw new RangeError(
      `recent alerts count must be an integer from 1 to ${MAX_RECENT_ALERTS}, got ${count}`,
    );
  }
}
