import * as z from 'zod';

/**
 * A user's alert feed: budget thresholds and anomalies, newest first. Adapters: an Upstash Redis stream per user
 * (shared/adapters/upstash/alert-stream.ts) and in-memory (shared/adapters/memory/alert-stream.ts).
 */
export const AlertKindSchema = z.enum(['budget_threshold', 'budget_exceeded', 'anomaly']);
export type AlertKind = z.infer<typeof AlertKindSchema>;

/** The alert as the API shows it (../shared/API.md, `GET /alerts`), plus its owner. */
export const AlertSchema = z.object({
  /** Deterministic (e.g. derived from budget, threshold and period), so a redelivered alert has the same id. */
  id: z.string().min(1).max(256),
  kind: AlertKindSchema,
  user_id: z.string().min(1).max(256),
  budget_id: z.string().min(1).optional(),
  transaction_id: z.string().min(1).optional(),
  message: z.string().min(1).max(4096),
  /** RFC 3339. */
  created_at: z.iso.datetime({ offset: true }),
});
export type Alert = z.infer<typeof AlertSchema>;

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

/** Checks an alert before it is written: valid, and owned by the user whose feed it goes to. */
export function validateAlertFor(userId: string, alert: Alert): Alert {
  const parsed = AlertSchema.parse(alert);
  if (parsed.user_id !== userId) {
    throw new Error(`alert ${parsed.id} belongs to another user: it cannot go to this user's feed`);
  }
  return parsed;
}

export function assertRecentCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_RECENT_ALERTS) {
    throw new RangeError(
      `recent alerts count must be an integer from 1 to ${MAX_RECENT_ALERTS}, got ${count}`,
    );
  }
}
