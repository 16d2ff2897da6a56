import type { SyncRun } from '../domain/models';

/**
 * Told when a sync run of a connection has ended and its results are stored (the connection's last sync
 * updated): what reacts to a connection's data changing outside the sync (the Plaid surface's webhooks) listens
 * here, so the sync service knows nothing of it. Called for runs that `succeeded` and runs that ended
 * `login_required` (the bank refused the connection's token); not for failed runs (the queue retries them).
 * A failing observer does not fail the sync (it logs).
 */
export interface SyncObserver {
  syncFinished(run: SyncRun, context: { firstSync: boolean }): Promise<void>;
}
