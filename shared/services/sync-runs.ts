import type { SyncRun } from '../domain/models';
import { isLost, lostRun } from '../domain/sync-runs';
import type { Clock } from '../ports/clock';
import { ConflictError, type ConnectionStore, type SyncRunStore } from '../ports/store';

/**
 * Ends the sync runs whose worker is gone: still `running` past their lease (a Lambda timeout, a crashed process),
 * or, with `workersGone`, every running run (the caller knows no worker of them survives: the local twin's start,
 * the only process that runs its syncs). Each becomes `failed` with `worker lost: ...` among its errors, and the
 * connection's last sync says so unless a later one already finished. A run whose worker renewed its lease
 * meanwhile is left alone. Safe to run twice and concurrently. Returns the runs it ended.
 */
export async function failLostSyncRuns(
  deps: { store: ConnectionStore & SyncRunStore; clock: Clock },
  scope: { connectionId?: string; workersGone?: string } = {},
): Promise<SyncRun[]> {
  const { store, clock } = deps;
  const now = clock.now();
  const running = await store.listRunningSyncRuns({
    connectionId: scope.connectionId,
    leaseExpiredBy: scope.workersGone ? undefined : now.toISOString(),
  });
  const ended: SyncRun[] = [];
  for (const run of running) {
    if (!run.leaseExpiresAt || (!scope.workersGone && !isLost(run, now))) continue;
    const lost = lostRun(run, now, scope.workersGone);
    try {
      await store.putSyncRun(lost, { leaseExpiresAt: run.leaseExpiresAt });
    } catch (err) {
      if (err instanceof ConflictError) continue; // it renewed its lease, or ended, meanwhile
      throw err;
    }
    ended.push(lost);
    const connection = await store.getConnection(run.userId, run.connectionId);
    if (connection && (!connection.lastSyncAt || connection.lastSyncAt < run.startedAt)) {
      await store.updateConnection(run.userId, run.connectionId, {
        lastSyncAt: lost.finishedAt!,
        lastSyncStatus: lost.status,
        updatedAt: now.toISOString(),
      });
    }
  }
  return ended;
}
