/**
 * What budgets, alerts, anomalies and analytics keep beside the transactions (the Store port's words for them).
 * Pure data.
 */
import type { Alert } from './alerts';
import type { AnomalyKind } from './anomalies';

/** A user's settings that budgets and analytics read. */
export interface UserSettings {
  /** IANA time zone: budget periods and "today" are decided in it. */
  timeZone: string;
  updatedAt: string | null;
}

/** Budgets and analytics work in UTC until the user sets a zone (`PUT /settings`). */
export const DEFAULT_SETTINGS: UserSettings = Object.freeze({ timeZone: 'UTC', updatedAt: null });

/** An alert as stored: the alert, and when it was put on the event bus (null: not yet). */
export interface StoredAlert {
  alert: Alert;
  publishedAt: string | null;
}

/** An anomaly as stored: written once per id (transaction and kind). */
export interface StoredAnomaly {
  id: string;
  userId: string;
  transactionId: string;
  kind: AnomalyKind;
  score: number;
  explanation: string;
  details: Record<string, number | string>;
  /** The transaction's effective date when it was judged, YYYY-MM-DD (the range of `GET /analytics/anomalies`). */
  date: string;
  /** RFC 3339. */
  detectedAt: string;
}

/**
 * One month of a user's spending projection (domain/spend.ts): encoded entries by transaction id, and the
 * revision it was read at (0: not stored yet), for the conditional write that replaces it.
 */
export interface SpendMonth {
  /** `YYYY-MM`. */
  month: string;
  rev: number;
  entries: Map<string, string>;
}
