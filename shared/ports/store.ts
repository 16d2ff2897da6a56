import type {
  Account,
  BankTransaction,
  Connection,
  ConnectionStatus,
  LinkSession,
  QuarantinedRecord,
  StoredTransaction,
  SyncRun,
  TxnEvent,
} from '../domain/models';
import type { UserTxnChange } from '../domain/corrections';
import type { TxnChange } from '../domain/reconcile';
import type { UserRule } from '../domain/categorizer/user-rules';
import type { TxnFilter } from '../domain/transactions';
import type { Budget } from '../domain/budgets';
import type { SpendMonth, StoredAlert, StoredAnomaly, UserSettings } from '../domain/insights';
import type { Alert } from '../domain/alerts';
import type { Listing } from '../domain/sync-window';
import type { PlaidStore } from './plaid';

/** A page of results and the opaque cursor of the next one (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SyncProgress extends SyncPosition {
  records: BankTransaction[];
}

/** Where a sync got to in the bank's pages. */
export interface SyncPosition {
  cursor: string | null;
  pages: number;
  done: boolean;
  /** The listing the sync asked for (absent: everything), and the bank ids it reported removed so far. */
  listing?: Listing;
  removedIds?: string[];
}

/**
 * What a sync that listed only part of a bank's history reads of what it stored: the transactions whose bank date
 * is `from` or later, those dated on one of `dates`, and those known by one of `bankIds` (the bank's ids).
 */
export interface StoredTxnQuery {
  from?: string | null;
  dates?: readonly string[];
  bankIds?: readonly string[];
}

export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

/** The cursor a client sent does not belong to this query (tampered, stale or another user's). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** A conditional write lost: the item exists already, or is not in the expected state. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/**
 * The storage port, in domain words. Every read and write is scoped by the owning user's id; nothing outside an
 * adapter knows a key shape or a table. Adapters: DynamoDB (shared/adapters/dynamodb/store.ts).
 */
export interface Store extends InsightsStore, PlaidStore {
  // Link sessions (OAuth state)
  putLinkSession(session: LinkSession): Promise<void>;
  /** The session of a state, without taking it; null when there is none or it has expired. */
  getLinkSession(state: string, now: Date): Promise<LinkSession | null>;
  /**
   * Atomically takes the session: returns it once, then never again. Expired sessions are returned as null. With
   * `owner`, only a session of that user is taken (one in one conditional write): for anyone else it is null and
   * the session stays, so a caller who is not its owner cannot use it up.
   */
  consumeLinkSession(state: string, now: Date, owner?: string): Promise<LinkSession | null>;

  // Connections
  putConnection(connection: Connection): Promise<void>;
  getConnection(userId: string, id: string): Promise<Connection | null>;
  listConnections(userId: string, page: PageRequest): Promise<Page<Connection>>;
  /** Every connection in a status, across users (the scheduled fan-out). */
  listConnectionsByStatus(status: ConnectionStatus, page: PageRequest): Promise<Page<Connection>>;
  /**
   * Updates fields of an existing connection; throws ConflictError if it does not exist, or if `onlyIf` is given
   * and the connection is no longer in that status (atomically: a revocation is never overwritten by a sync).
   */
  updateConnection(
    userId: string,
    id: string,
    changes: Partial<Omit<Connection, 'id' | 'userId' | 'provider' | 'createdAt'>>,
    onlyIf?: { status: ConnectionStatus },
  ): Promise<Connection>;

  // Accounts
  /** Inserts or updates accounts; writes only those whose values changed. */
  upsertAccounts(accounts: Account[]): Promise<number>;
  getAccount(userId: string, id: string): Promise<Account | null>;
  listAccounts(userId: string): Promise<Account[]>;

  // Transactions
  /** Every transaction of a connection, removed ones included (the sync's view of what it stored). */
  listConnectionTransactions(userId: string, connectionId: string): Promise<StoredTransaction[]>;
  /** The connection's transactions (removed ones included) that a partial listing can match; see StoredTxnQuery. */
  listConnectionTransactionsWhere(
    userId: string,
    connectionId: string,
    query: StoredTxnQuery,
  ): Promise<StoredTransaction[]>;
  /**
   * Brings the connection's index up to date for listConnectionTransactionsWhere: items written before it sort
   * by bank date get that sort key (only where their version is unchanged meanwhile), and every bank id merged
   * into a transaction gets its alias. Idempotent; returns how many items it wrote.
   */
  repairConnectionIndex(userId: string, connectionId: string): Promise<number>;
  /**
   * Writes reconciled changes: each transaction's new state with its events, atomically, on condition that the
   * stored version is still the expected one. Returns the ids whose condition failed (someone else wrote first).
   */
  applyTransactionChanges(changes: TxnChange[]): Promise<{ applied: number; conflicts: string[] }>;
  getTransaction(userId: string, id: string): Promise<StoredTransaction | null>;
  /** Live transactions matching the filter, newest first. */
  listTransactions(userId: string, filter: TxnFilter, page: PageRequest): Promise<Page<StoredTransaction>>;
  /**
   * Sends every live transaction of the user through the table's stream again, unchanged (a replay marker is set
   * at `at`, nothing else): the stream processors rebuild what they derive from them. Returns how many.
   */
  replayTransactions(userId: string, at: string): Promise<number>;
  listTransactionEvents(txnId: string): Promise<TxnEvent[]>;
  /** Transactions in the order they last changed, after a feed position; removed ones included. */
  transactionFeed(
    userId: string,
    after: string | null,
    limit: number,
  ): Promise<{ items: StoredTransaction[]; position: string | null }>;

  // User changes: corrections, undo, conflict resolutions, user rules' re-categorization
  /**
   * Writes the user-owned fields of a transaction (overlay, category) with its events, atomically, on condition
   * that the stored version is still the expected one; throws ConflictError otherwise (re-read and recompute).
   */
  applyUserChange(change: UserTxnChange): Promise<void>;
  /** Many user changes; returns the ids whose version condition failed. */
  applyUserChanges(changes: readonly UserTxnChange[]): Promise<{ applied: number; conflicts: string[] }>;

  // User categorization rules
  /** Creates or replaces the rule with this id. */
  putUserRule(rule: UserRule): Promise<void>;
  listUserRules(userId: string): Promise<UserRule[]>;
  /** True when the rule existed. */
  deleteUserRule(userId: string, id: string): Promise<boolean>;
  /** Asks the categorizer (on the table's stream) to re-categorize every transaction of the user. */
  requestRecategorization(userId: string, at: string, reason: string): Promise<void>;

  // Sync bookkeeping
  /** A sync's checkpoint: where it got to in the bank's pages, and the records it read so far. */
  loadSyncProgress(connectionId: string, syncId: string): Promise<SyncProgress | null>;
  /** Saves one more page atomically with the new position: a crash never loses or doubles a page. */
  saveSyncProgress(
    connectionId: string,
    syncId: string,
    position: SyncPosition,
    pageRecords: BankTransaction[],
  ): Promise<void>;
  clearSyncProgress(connectionId: string, syncId: string): Promise<void>;
  /**
   * Creates or replaces a sync run. With `onlyIf`, only a run still `running` with that lease is replaced (else a
   * ConflictError): ending a lost run never overwrites a heartbeat or an end written meanwhile.
   */
  putSyncRun(run: SyncRun, onlyIf?: { leaseExpiresAt: string }): Promise<void>;
  /**
   * Runs still `running`, of every connection or one: those whose lease ran out by `leaseExpiredBy`, or all of
   * them without it. A run that has ended is never listed.
   */
  listRunningSyncRuns(query: { leaseExpiredBy?: string; connectionId?: string }): Promise<SyncRun[]>;
  /** The connection's sync runs, newest first. */
  listSyncRuns(connectionId: string, page: PageRequest): Promise<Page<SyncRun>>;
  /** One sync of the connection by id; null when the connection has no sync of that id. */
  getSyncRun(connectionId: string, syncId: string): Promise<SyncRun | null>;
  putQuarantined(records: QuarantinedRecord[]): Promise<void>;
  listQuarantined(connectionId: string, syncId: string): Promise<QuarantinedRecord[]>;
}

/**
 * Budgets, settings, alerts, anomalies and the spending projection (issue 6), every one scoped by the owning user.
 * DynamoDB: shared/adapters/dynamodb/insights-store.ts.
 */
export interface InsightsStore {
  // Budgets
  /** Creates a budget; ConflictError if its id exists. */
  putNewBudget(budget: Budget): Promise<void>;
  /** Replaces an existing budget; ConflictError if it does not exist. */
  replaceBudget(budget: Budget): Promise<void>;
  getBudget(userId: string, id: string): Promise<Budget | null>;
  /** Every budget of the user, oldest first. */
  listBudgets(userId: string): Promise<Budget[]>;
  /** True when the budget existed. */
  deleteBudget(userId: string, id: string): Promise<boolean>;

  // Settings
  /** The user's settings, or the defaults (UTC) when never set. */
  getUserSettings(userId: string): Promise<UserSettings>;
  putUserSettings(userId: string, settings: UserSettings): Promise<void>;

  // Alerts
  /** Writes an alert once per id; a second write of the id returns the stored one with `created: false`. */
  putAlert(alert: Alert): Promise<{ created: boolean; stored: StoredAlert }>;
  markAlertPublished(userId: string, id: string, at: string): Promise<void>;
  /** Alerts created at or after `since`, newest first. */
  listAlerts(userId: string, query: { since?: string }, page: PageRequest): Promise<Page<StoredAlert>>;

  // Anomalies
  /** Writes an anomaly once per id; false when it exists already. */
  putAnomaly(anomaly: StoredAnomaly): Promise<boolean>;
  /** Anomalies whose transaction date lies in the range, by date. */
  listAnomalies(userId: string, range: { from?: string; to?: string }): Promise<StoredAnomaly[]>;
  deleteAnomalies(userId: string, ids: readonly string[]): Promise<void>;

  // Spending projection (domain/spend.ts)
  /** The months asked for, strongly consistent; a month never written is empty with rev 0. */
  loadSpendMonths(userId: string, months: readonly string[]): Promise<Map<string, SpendMonth>>;
  /** Replaces a month and its rollup cells if it is still at `month.rev` (ConflictError otherwise); the new rev. */
  saveSpendMonth(userId: string, month: SpendMonth, cells: string, at: string): Promise<number>;
  /** The encoded rollup cells of the months in [fromMonth, toMonth]. */
  readSpendRollups(userId: string, fromMonth: string, toMonth: string): Promise<string[]>;

  // Anomaly history (the Anomalies function's own projection: what detection reads of each live transaction)
  loadHistoryMonths(userId: string, months: readonly string[]): Promise<Map<string, SpendMonth>>;
  /** Replaces a month if it is still at `month.rev` (ConflictError otherwise); the new rev. */
  saveHistoryMonth(userId: string, month: SpendMonth, at: string): Promise<number>;
}
