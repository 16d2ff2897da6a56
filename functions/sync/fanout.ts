import { createHash } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { getRuntime } from '../../shared/runtime';
import { failLostSyncRuns } from '../../shared/services/sync-runs';

/**
 * The schedule's fan-out: one sync message per active connection. The sync id is derived from the schedule tick
 * and the connection, so a tick delivered twice asks for the same syncs (and the lock keeps them apart).
 */
export const handler = async (event: ScheduledEvent, context: Context) => {
  logger.addContext(context);
  const { store, syncQueue, clock } = getRuntime();
  // Runs whose worker died (past their lease: a timeout, a crash) end as failed before new ones are queued.
  const lost = await failLostSyncRuns({ store, clock });
  if (lost.length) logger.warn('sync runs ended: worker lost', { runs: lost.map((r) => r.id) });
  let cursor: string | null = null;
  let queued = 0;
  do {
    const page: Awaited<ReturnType<typeof store.listConnectionsByStatus>> =
      await store.listConnectionsByStatus('active', { limit: 100, cursor });
    await Promise.all(
      page.items.map((c) =>
        syncQueue.send({
          type: 'sync',
          sync_id: createHash('sha256').update(`${event.id}\u001f${c.id}`).digest('hex').slice(0, 32),
          user_id: c.userId,
          connection_id: c.id,
          reason: 'schedule',
          requested_at: clock.now().toISOString(),
        }),
      ),
    );
    queued += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  logger.info('fan-out queued syncs', { queued, tick: event.time, lost: lost.length });
  return { queued, lost: lost.length };
};
