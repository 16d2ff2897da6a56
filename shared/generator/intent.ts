/**
 * What the engine makes before life cycles exist: an "intent" is one real-world transaction (what happened, where,
 * when, for how much, and what it means), plus the normalized generator options. Shared by the engine's steps
 * (purchases.ts, payments.ts and transfers.ts make intents; ledger.ts commits them) and bank-lifecycle.ts (which
 * turns each into a bank's life cycle).
 */
import type { Merchant } from './merchants';
import type { Place } from './describe';
import type { Slot } from './regions';
import { parseIsoDate } from './time';
import type { AnomalyKind, GeneratorOptions } from './types';

export interface NormalizedOptions {
  seed: number;
  start: string;
  startDays: number;
  days: number;
  anomalyRate: number;
  duplicateRate: number;
  correctionRate: number;
}

function rate(value: number | undefined, name: string): number {
  if (value === undefined) return 1;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0`);
  return value;
}

export function normalizeOptions(o: GeneratorOptions): NormalizedOptions {
  if (!Number.isSafeInteger(o.seed)) throw new RangeError('seed must be a safe integer');
  if (!Number.isInteger(o.days) || o.days < 1 || o.days > 3660)
    throw new RangeError('days must be an integer 1..3660');
  return {
    seed: o.seed,
    start: o.start,
    startDays: parseIsoDate(o.start),
    days: o.days,
    anomalyRate: rate(o.anomalyRate, 'anomalyRate'),
    duplicateRate: rate(o.duplicateRate, 'duplicateRate'),
    correctionRate: rate(o.correctionRate, 'correctionRate'),
  };
}

/** How an intent's description is made (and so how a duplicate charge of it is described). */
export type Style = 'a_card' | 'a_debit' | 'b_debit' | 'c_card' | 'c_debit' | 'c_upi' | 'c_paytm' | 'text';

export type Hold = 'tip' | 'fuel' | 'hold' | null;

export interface Intent {
  n: number;
  slot: Slot;
  day: number;
  ms: number;
  /** Signed minor units as posted (before any later amount correction). */
  amount: number;
  detailed: string;
  merchant: Merchant | null;
  /** Canonical merchant name (also for payees that are not chain merchants: employers, lenders). */
  merchantName: string | null;
  pattern: string;
  /** Card transactions appear pending and post later; everything else appears posted. */
  card: boolean;
  style: Style;
  place: Place;
  description: string;
  pendingDescription: string;
  hold: Hold;
  purchase: boolean;
  anomaly: AnomalyKind | null;
  dupOf: Intent | null;
  pair: Intent | null;
  /** Not removable and amount never corrected (transfers, refunds, anomalies and what they refer to, twins). */
  protect: boolean;
  /** The first visit of the user at this merchant. */
  first: boolean;
  /** Made by a habit (may be dropped by the daily guard). */
  droppable: boolean;
  recurring: boolean;
  refundable: boolean;
  /** A refund: the purchase it gives money back for. */
  refundOf: Intent | null;
  /** Dropped by a guard before it was committed. */
  dropped: boolean;
  id: string;
}
