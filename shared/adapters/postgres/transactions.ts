import type { StoredTransaction, TxnEvent } from '../../domain/models';
import type { TxnChange } from '../../domain/reconcile';
import type { TxnFilter } from '../../domain/transactions';
import type { Page, PageRequest, StoredTxnQuery, TransactionStore } from '../../ports/store';
import { PgRole } from './role';

/** Transactions, their bank-id aliases and immutable events, the reads over them, and replay. */
export class PgTransactionStore extends PgRole implements TransactionStore {
  listConnectionTransactions(_userId: string, _connectionId: string): Promise<StoredTransaction[]> {
    throw new Error('todo');
  }
  listConnectionTransactionsWhere(
    _userId: string,
    _connectionId: string,
    _query: StoredTxnQuery,
  ): Promise<StoredTransaction[]> {
    throw new Error('todo');
  }
  repairConnectionIndex(_userId: string, _connectionId: string): Promise<number> {
    throw new Error('todo');
  }
  applyTransactionChanges(_changes: TxnChange[]): Promise<{ applied: number; conflicts: string[] }> {
    throw new Error('todo');
  }
  getTransaction(_userId: string, _id: string): Promise<StoredTransaction | null> {
    throw new Error('todo');
  }
  listTransactions(
    _userId: string,
    _filter: TxnFilter,
    _page: PageRequest,
  ): Promise<Page<StoredTransaction>> {
    throw new Error('todo');
  }
  replayTransactions(_userId: string, _at: string): Promise<number> {
    throw new Error('todo');
  }
  listTransactionEvents(_txnId: string): Promise<TxnEvent[]> {
    throw new Error('todo');
  }
  transactionFeed(
    _userId: string,
    _after: string | null,
    _limit: number,
  ): Promise<{ items: StoredTransaction[]; position: string | null }> {
    throw new Error('todo');
  }
}
