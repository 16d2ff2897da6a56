/** Canonical domain models. Pure data: no AWS, no I/O. Instants are RFC 3339 UTC strings. */
import type { SyncState } from './sync-window';

export type ConnectionStatus = 'active' | 'login_required' | 'revoked';

export interface Connection {
  id: string;
  userId: string;
  provider: string;
  status: ConnectionStatus;
  /** Envelope-encrypted token set (see ports/secrets.ts); never leaves the service layer in clear. */
  tokens: string;
  /** When the access token expires (RFC 3339), to refresh ahead of time. */
  accessTokenExpiresAt: string;
  createdAt: string;
  updatedAt: string;
  lastSyncAt?: string;
  lastSyncStatus?: string;
  /** Why the connection needs attention, in words a user understands. */
  statusReason?: string;
  /** Where the next sync's listing can start (domain/sync-window.ts); absent before the first full sync. */
  syncState?: SyncState;
}

/** An OAuth link in progress: its state is single-use and expires. */
export interface LinkSession {
  state: string;
  userId: string;
  provider: string;
  redirectUri: string;
  /** The PKCE verifier, encrypted like tokens. */
  codeVerifier: string;
  createdAt: string;
  expiresAt: string;
}

export type TxnStatus = 'pending' | 'posted';

/** What a normalizer makes of one bank transaction record: canonical, but not yet reconciled or stored. */
export interface BankTransaction {
  providerTxnId: string;
  providerAccountId: string;
  status: TxnStatus;
  /** Local date in the account's time zone, YYYY-MM-DD. */
  date: string;
  /** When it happened, RFC 3339 UTC, where the bank says (distinguishes two identical purchases on one day). */
  occurredAt: string | null;
  /** Signed minor units; negative is money out of the account. */
  amountMinor: number;
  currency: string;
  description: string;
  merchantName: string | null;
  /** The pending transaction this posted one replaces, where the bank says so. */
  pendingTxnId: string | null;
  /**
   * The bank's own reference of the real-world transaction (a card authorization code), the same on every version
   * and re-send of it, where the bank gives one and no time of day: it tells two identical purchases apart.
   */
  reference?: string | null;
  /** The card network's merchant category code (4 digits), where the bank sends one. */
  mcc?: string | null;
}

/** The provider's values of a stored transaction (what `original` shows): never edited by users. */
export interface ProviderValues {
  status: TxnStatus;
  date: string;
  occurredAt: string | null;
  amountMinor: number;
  currency: string;
  description: string;
  merchantName: string | null;
  reference?: string | null;
  /** The card network's merchant category code (4 digits), where the bank sends one. */
  mcc?: string | null;
}

export interface StoredTransaction {
  id: string;
  userId: string;
  connectionId: string;
  /** Our account id. */
  accountId: string;
  provider: string;
  /** Every bank id merged into this transaction (the first, then postings under new ids and re-sends). */
  providerTxnIds: string[];
  original: ProviderValues;
  fingerprint: string;
  removed: boolean;
  /** The category the engine or the user gave it (written by the categorizer, never by the sync). */
  category?: TxnCategory | null;
  /** The user's corrections, laid over the provider's values (never by the sync). */
  overlay?: TxnOverlay | null;
  /** Optimistic concurrency: bumped by every write; each event's sequence number. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface TxnCategory {
  primary: string;
  detailed: string | null;
  source: 'user' | 'user_rule' | 'rules' | 'provider';
  confidence: number;
  ruleId: string | null;
}

/** A user's corrections: each field present overrides the provider's value. */
export interface TxnOverlay {
  amountMinor?: number;
  description?: string;
  merchantName?: string | null;
  date?: string;
  note?: string;
  /**
   * The provider's value of each corrected field when the user last corrected or confirmed it: a provider value
   * that differs from it now is a bank change after the user's correction, a conflict (domain/corrections.ts).
   */
  basis?: OverlayBasis;
  /** Present when the user set the category by hand: the category it had before, restored by an undo. */
  categoryBefore?: TxnCategory | null;
}

/** The provider's values a correction was made against, per corrected field. */
export interface OverlayBasis {
  amountMinor?: number;
  description?: string;
  merchantName?: string | null;
  date?: string;
}

export type TxnEventKind =
  | 'created'
  | 'amount_changed'
  | 'description_changed'
  | 'status_changed'
  | 'date_changed'
  | 'merchant_changed'
  | 'removed'
  | 'restored'
  | 'merged'
  | 'categorized'
  | 'corrected'
  | 'correction_reverted'
  | 'conflict_resolved';

/** One immutable entry of a transaction's append-only history. */
export interface TxnEvent {
  txnId: string;
  /** 1, 2, 3 ... per transaction; equals the transaction's version after the change. */
  seq: number;
  at: string;
  /** `sync:<run id>`, `user:<id>`, `rule:<id>`. */
  actor: string;
  kind: TxnEventKind;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  note?: string;
}

/** What a normalizer makes of one bank account record. */
export interface BankAccount {
  providerAccountId: string;
  name: string;
  mask: string | null;
  type: 'depository' | 'credit' | 'loan' | 'investment' | 'other';
  subtype: string | null;
  currency: string;
  /** IANA time zone the bank reports the account's dates in, where it says. */
  timeZone: string | null;
  /** Minor units. Deposit accounts: the natural sign. Credit and loan accounts: the amount owed, positive (as Plaid). */
  balanceCurrentMinor: number | null;
  balanceAvailableMinor: number | null;
}

export interface Account extends BankAccount {
  id: string;
  userId: string;
  connectionId: string;
  provider: string;
  createdAt: string;
  updatedAt: string;
}

/** A bank record that failed validation: kept with its reason and raw payload, never silently dropped. */
export interface QuarantinedRecord {
  connectionId: string;
  syncId: string;
  kind: 'account' | 'transaction';
  reason: string;
  raw: unknown;
  at: string;
}

export interface SyncRun {
  id: string;
  userId: string;
  connectionId: string;
  reason: 'link' | 'schedule' | 'manual';
  status: 'running' | 'succeeded' | 'failed' | 'skipped_locked' | 'login_required';
  startedAt: string;
  finishedAt: string | null;
  pages: number;
  /**
   * The transaction records the bank's listing returned (quarantined ones included): the whole history for a full
   * listing, the change for a windowed one. Absent on runs recorded before it was counted.
   */
  listed?: number;
  added: number;
  modified: number;
  removed: number;
  merged: number;
  quarantined: number;
  errors: string[];
  /** While running: until when its worker is known alive (renewed with the lock); see domain/sync-runs.ts. */
  leaseExpiresAt?: string | null;
}
