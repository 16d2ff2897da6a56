/**
 * The synthetic universe the generator makes and the mock banks serve. The generator is pure and deterministic:
 * the same seed, user index and options give the same universe, byte for byte.
 *
 * A universe holds, per generated user, accounts at the three banks and every transaction with its life cycle:
 * when it appears at the bank (pending or posted), when and how it changes (posting with a new id and a new
 * amount, description corrections, re-sends under a new id, removal). The banks serve the state of that life
 * cycle "as of" their clock; the ground truth labels (category, anomaly, duplicate_of, corrections) are never
 * served by a bank, only exported by the CLI for measurement.
 */

export type BankId = 'bank_a' | 'bank_b' | 'bank_c';

export type PersonaKind = 'salaried' | 'student' | 'freelancer' | 'family';

export interface Category {
  /** Plaid personal-finance-category primary, e.g. FOOD_AND_DRINK. */
  primary: string;
  /** Plaid detailed, e.g. FOOD_AND_DRINK_GROCERIES. */
  detailed: string;
}

export interface GeneratedAccount {
  /** Stable id of the account at its bank (what the bank calls it). */
  id: string;
  bank: BankId;
  name: string;
  /** Plaid-style type/subtype: depository/checking, depository/savings, credit/credit card. */
  type: 'depository' | 'credit' | 'loan' | 'investment';
  subtype: string;
  currency: string;
  /** Last four digits. */
  mask: string;
  /** IANA time zone the bank reports dates in (e.g. America/New_York, Asia/Kolkata). */
  timeZone: string;
  /** Balance in minor units before the first generated transaction. */
  openingBalanceMinor: number;
  /** Credit limit in minor units for credit accounts. */
  creditLimitMinor?: number;
}

/** One version of a transaction as a bank reports it. */
export interface BankRecordVersion {
  /** The id the bank uses for this version (posting may assign a new id). */
  bankTxnId: string;
  status: 'pending' | 'posted';
  /** Local date (account time zone) YYYY-MM-DD of the transaction. */
  date: string;
  /** When the bank says it happened / posted: RFC 3339 UTC instant. */
  at: string;
  /** Signed minor units, negative = money out of the account. */
  amountMinor: number;
  /** Raw description in the bank's own style (`SQ *BLUE BOTTLE`, `UPI/...`, `POS DEBIT ...`). */
  description: string;
}

export type LifecycleEvent =
  /** Becomes visible at the bank. */
  | { kind: 'appear'; at: string; version: BankRecordVersion }
  /** Pending posts: same or new bank id, possibly a new amount (tip) — replaces the visible version. */
  | { kind: 'post'; at: string; version: BankRecordVersion; replacesBankTxnId: string }
  /** The bank corrects a field of the visible version (same bank id). */
  | { kind: 'correct'; at: string; field: 'amount' | 'description' | 'status'; version: BankRecordVersion }
  /** The bank re-sends the same transaction under a new id (a duplicate seed); both stay visible. */
  | { kind: 'resend'; at: string; version: BankRecordVersion }
  /** The bank removes the transaction (all its visible versions). */
  | { kind: 'remove'; at: string };

export type AnomalyKind = 'amount_outlier' | 'new_merchant' | 'spend_spike' | 'duplicate_charge';

export interface GroundTruth {
  category: Category;
  /** Canonical merchant name, e.g. "Blue Bottle Coffee", or null for transfers/fees without one. */
  merchant: string | null;
  is_anomaly: boolean;
  anomaly_kind?: AnomalyKind;
  /** For an injected duplicate charge (a real second charge the user may dispute): the original's id. */
  duplicate_charge_of?: string;
  /** Ids of bank re-sends of this same transaction, which must be merged into it (dedup ground truth). */
  resent_as: string[];
  /** Corrections the bank applies over time, in order. */
  corrections: { field: 'amount' | 'description' | 'status'; at: string }[];
  removed: boolean;
  /** Transfer between the user's own accounts: the id of the other leg. */
  transfer_pair_of?: string;
  /** Kind of flow, for the categorization benchmark's reporting. */
  pattern: string;
}

export interface GeneratedTransaction {
  /** Ground-truth id, unique in the universe and stable for a seed. */
  id: string;
  accountId: string;
  bank: BankId;
  currency: string;
  /** Life cycle, in time order; the first event is always `appear`. */
  events: LifecycleEvent[];
  truth: GroundTruth;
  /**
   * The merchant category code a card network sends with a card purchase at a merchant (derived from the
   * merchant's category; consumes no randomness). Only bank_a serves it.
   */
  mcc?: string;
}

export interface GeneratedUser {
  /** `u<index>`; the mock banks' sandbox login `user_good` sees user 0, `user_good_<n>` user n. */
  key: string;
  index: number;
  persona: PersonaKind;
  name: string;
  accounts: GeneratedAccount[];
  transactions: GeneratedTransaction[];
}

export interface GeneratorOptions {
  seed: number;
  /** First day generated (YYYY-MM-DD). */
  start: string;
  days: number;
  /** Probability multipliers; 1 = defaults. 0 disables. */
  anomalyRate?: number;
  duplicateRate?: number;
  correctionRate?: number;
}
