import type { BankTransaction, QuarantinedRecord, SyncRun } from '../../domain/models';
import type { Page, PageRequest, SyncPosition, SyncProgress, SyncRunStore } from '../../ports/store';
import { PgRole } from './role';

/** Sync bookkeeping: checkpoints, runs and their leases, quarantined records. */
export class PgSyncRunStore extends PgRole implements SyncRunStore {
  loadSyncProgress(_connectionId: string, _syncId: string): Promise<SyncProgress | null> {
    throw new Error('todo');
  }
  saveSyncProgress(
    _connectionId: string,
    _syncId: string,
    _position: SyncPosition,
    _pageRecords: BankTransaction[],
  ): Promise<void> {
    throw new Error('todo');
  }
  clearSyncProgress(_connectionId: string, _syncId: string): Promise<void> {
    throw new Error('todo');
  }
  putSyncRun(_run: SyncRun, _onlyIf?: { leaseExpiresAt: string }): Promise<void> {
    throw new Error('todo');
  }
  listRunningSyncRuns(_query: { leaseExpiredBy?: string; connectionId?: string }): Promise<SyncRun[]> {
    throw new Error('todo');
  }
  listSyncRuns(_connectionId: string, _page: PageRequest): Promise<Page<SyncRun>> {
    throw new Error('todo');
  }
  getSyncRun(_connectionId: string, _syncId: string): Promise<SyncRun | null> {
    throw new Error('todo');
  }
  putQuarantined(_records: QuarantinedRecord[]): Promise<void> {
    throw new Error('todo');
  }
  listQuarantined(_connectionId: string, _syncId: string): Promise<QuarantinedRecord[]> {
    throw new Error('todo');
  }
}
