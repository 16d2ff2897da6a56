import { httpRoute, json } from '../../shared/http/handler';
import { clientInstant, PageQuery } from '../../shared/http/schemas';
import { getRuntime, runtimeClock } from '../../shared/runtime';
import { alertView } from '../../shared/services/alerts';

const AlertsQuery = PageQuery.extend({
  /** RFC 3339: alerts created at or after this instant. */
  since: clientInstant(runtimeClock).optional(),
}).strict();

/**
 * `GET /alerts?since=`: the caller's budget and anomaly alerts, newest first, from the table (every alert is
 * written there once per id before it reaches the Redis stream and the bus). `since` is inclusive: poll with the
 * newest `created_at` seen and skip the ids already shown.
 */
export const handler = httpRoute(
  { summary: 'Budget and anomaly alerts, newest first.', query: AlertsQuery },
  async ({ userId, query }) => {
    const since = query.since ? new Date(query.since).toISOString() : undefined;
    const page = await getRuntime().store.listAlerts(
      userId,
      { since },
      { limit: query.limit, cursor: query.cursor },
    );
    return json(200, { alerts: page.items.map((s) => alertView(s.alert)), next_cursor: page.nextCursor });
  },
);
