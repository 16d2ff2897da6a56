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
import type { TxnChange } from '../domain/reconcile';
import type { TxnFilter } from '../domain/transactions';

/** A page of results and the opaque cursor of the next one (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SyncProgress {
  cursor: string | null;
  pages: number;
  done: boolean;
  records: BankTransaction[];
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
export interface Store {
  // Link sessions (OAuth state)
  putLinkSession(session: LinkSession): Promise<void>;
  /** Atomically takes the session: returns it once, then never again. Expired sessions are returned as null. */
  consumeLinkSession(state: string, now: Date): Promise<LinkSession | null>;

  // Connections
  putConnection(connection: Connection): Promise<void>;
  getConnection(userId: string, id: string): Promise<Connection | null>;
  listConnections(userId: string, page: PageRequest): Promise<Page<Connection>>;
  /** Every connection in a status, across users (the scheduled fan-out). */
  listConnectionsByStatus(status: ConnectionStatus, page: PageRequest): Promise<Page<Connection>>;
  /** Updates fields of an existing connection; throws ConflictError if it does not exist. */
  updateConnection(
    userId: string,
    id: string,
    changes: Partial<Omit<Connection, 'id' | 'userId' | 'provider' | 'createdAt'>>,
  ): Promise<Connection>;

  // Accounts
  /** Inserts or updates accounts; writes only those whose values changed. */
  upsertAccounts(accounts: Account[]): Promise<number>;
  getAccount(userId: string, id: string): Promise<Account | null>;
  listAccounts(userId: string): Promise<Account[]>;

  // Transactions
  /** Every transaction of a connection, removed ones included (the sync's view of what it stored). */
  listConnectionTransactions(userId: string, connectionId: string): Promise<StoredTransaction[]>;
  /**
   * Writes reconciled changes: each transaction's new state with its events, atomically, on condition that the
   * stored version is still the expected one. Returns the ids whose condition failed (someone else wrote first).
   */
  applyTransactionChanges(changes: TxnChange[]): Promise<{ applied: number; conflicts: string[] }>;
  getTransaction(userId: string, id: string): Promise<StoredTransaction | null>;
  /** Live transactions matching the filter, newest first. */
  listTransactions(userId: string, filter: TxnFilter, page: PageRequest): Promise<Page<StoredTransaction>>;
  listTransactionEvents(txnId: string): Promise<TxnEvent[]>;
  /** Transactions in the order they last changed, after a feed position; removed ones included. */
  transactionFeed(
    userId: string,
    after: string | null,
    limit: number,
  ): Promise<{ items: StoredTransaction[]; position: string | null }>;

  // Sync bookkeeping
  /** A sync's checkpoint: where it got to in the bank's pages, and the records it read so far. */
  loadSyncProgress(connectionId: string, syncId: string): Promise<SyncProgress | null>;
  /** Saves one more page atomically with the new position: a crash never loses or doubles a page. */
  saveSyncProgress(
    connectionId: string,
    syncId: string,
    position: { cursor: string | null; pages: number; done: boolean },
    pageRecords: BankTransaction[],
  ): Promise<void>;
  clearSyncProgress(connectionId: string, syncId: string): Promise<void>;
  putSyncRun(run: SyncRun): Promise<void>;
  listSyncRuns(connectionId: string, limit: number): Promise<SyncRun[]>;
  putQuarantined(records: QuarantinedRecord[]): Promise<void>;
  listQuarantined(connectionId: string, syncId: string): Promise<QuarantinedRecord[]>;
}
