import { randomUUID } from 'node:crypto';
import { httpRoute, json } from '../../shared/http/handler';
import { HttpProblem, notFound } from '../../shared/http/problem';
import * as z from 'zod';
import { router } from '../../shared/http/router';
import { IdPath, PageQuery } from '../../shared/http/schemas';
import { getRuntime } from '../../shared/runtime';
import { isLost, lostRun } from '../../shared/domain/sync-runs';
import {
  connectionView,
  getConnectionOr404,
  quarantinedView,
  revokeConnection,
  syncRunView,
} from '../../shared/services/linking';

import { linkingDeps } from '../../shared/services/providers';

const SyncPath = IdPath.extend({ sync_id: z.string().min(1).max(128) });

/** `POST /connections/{id}/sync`: the body may be left out (an incremental sync, as before it had one). */
const SyncBody = z.strictObject({
  full: z
    .boolean()
    .optional()
    .describe(
      'true: list everything the bank has and reconcile it all (a full reconciliation, as the daily one); ' +
        'absent or false: the bank lists only what can have changed since the last sync.',
    ),
});

export const handler = router({
  'GET /connections': httpRoute(
    {
      summary: "The caller's bank connections and their sync status.",
      query: PageQuery.strict(),
    },
    async ({ userId, query }) => {
      const page = await getRuntime().store.listConnections(userId, {
        limit: query.limit,
        cursor: query.cursor,
      });
      return json(200, { connections: page.items.map(connectionView), next_cursor: page.nextCursor });
    },
  ),
  'GET /connections/{id}': httpRoute(
    {
      summary: 'One bank connection with its status and its last sync.',
      path: IdPath,
    },
    async ({ userId, path }) =>
      json(200, connectionView(await getConnectionOr404(getRuntime().store, userId, path.id))),
  ),
  'DELETE /connections/{id}': httpRoute(
    {
      summary: 'Revoke a connection at the bank and stop syncing it.',
      path: IdPath,
    },
    async ({ userId, path }) =>
      json(200, connectionView(await revokeConnection(linkingDeps(), userId, path.id))),
  ),
  'GET /connections/{id}/syncs': httpRoute(
    {
      summary:
        "The connection's syncs, newest first: what each read, added, changed, removed and quarantined.",
      path: IdPath,
      query: PageQuery.extend({ limit: PageQuery.shape.limit.unwrap().max(100).default(20) }).strict(),
    },
    async ({ userId, path, query }) => {
      const { store, clock } = getRuntime();
      const connection = await getConnectionOr404(store, userId, path.id);
      const page = await store.listSyncRuns(connection.id, { limit: query.limit, cursor: query.cursor });
      // A run past its lease shows as what it is (lost) even before the next sync or fan-out records it.
      const now = clock.now();
      const runs = page.items.map((r) => (isLost(r, now) ? lostRun(r, now) : r));
      return json(200, { syncs: runs.map(syncRunView), next_cursor: page.nextCursor });
    },
  ),
  'GET /connections/{id}/syncs/{sync_id}/quarantined': httpRoute(
    {
      summary:
        "The records a sync could not read (kept 30 days): each with the reason and the bank's payload.",
      path: SyncPath,
    },
    async ({ userId, path }) => {
      const { store } = getRuntime();
      const connection = await getConnectionOr404(store, userId, path.id);
      const records = await store.listQuarantined(connection.id, path.sync_id);
      // Records are kept under their connection, so any found belong to one of its syncs; none found: the sync
      // must be this connection's (another connection's sync, or no sync, is a 404, as for every resource).
      if (!records.length && !(await store.getSyncRun(connection.id, path.sync_id))) {
        throw notFound('No such sync of this connection.');
      }
      return json(200, { records: records.map(quarantinedView) });
    },
  ),
  'POST /connections/{id}/sync': httpRoute(
    {
      summary: 'Queue a sync of one connection now; `{"full": true}` asks for a full reconciliation.',
      status: 202,
      path: IdPath,
      body: SyncBody,
      bodyOptional: true,
      maxBodyBytes: 1024,
    },
    async ({ userId, path, body }) => {
      const { store, syncQueue, clock } = getRuntime();
      const connection = await getConnectionOr404(store, userId, path.id);
      if (connection.status !== 'active') {
        throw new HttpProblem(
          409,
          `The connection is ${connection.status}; it cannot be synced until it is linked again.`,
        );
      }
      const syncId = randomUUID();
      await syncQueue.send({
        type: 'sync',
        sync_id: syncId,
        user_id: userId,
        connection_id: connection.id,
        reason: 'manual',
        requested_at: clock.now().toISOString(),
        ...(body.full ? { full: true } : {}),
      });
      return json(202, { sync_id: syncId });
    },
  ),
});
