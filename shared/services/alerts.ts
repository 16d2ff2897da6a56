import { logger } from '../logger';
import type { Alert } from '../domain/alerts';
import type { AlertSink } from '../ports/alerts';
import type { Clock } from '../ports/clock';
import type { DomainEvent, EventPublisher } from '../ports/events';
import type { AlertStore } from '../ports/store';
import type { StoredAlert } from '../domain/insights';

export interface AlertDeps {
  store: AlertStore;
  /** The user's Redis stream (Upstash), or the in-memory one in a twin without Redis. */
  sink: AlertSink;
  events: EventPublisher;
  clock: Clock;
}

/**
 * The one path every alert takes, safe to run again for the same alert (stream redelivery):
 *
 * 1. the alert is written to the table once per id (conditional put); a second run reads the stored one back,
 *    with its original `created_at`, so every sink sees the same alert;
 * 2. it is appended to the user's Redis stream (the sink ignores an id it has seen);
 * 3. unless the stored alert says it was published, it is put on the event bus, then marked published.
 *
 * A crash between 3's put and its mark publishes the event again on retry: consumers de-duplicate on `detail.id`
 * (the alert id). Returns whether this run created the alert.
 */
export async function raiseAlert(
  deps: AlertDeps,
  alert: Alert,
  event: Pick<DomainEvent, 'source' | 'detailType'> & { detail?: Record<string, unknown> },
): Promise<{ created: boolean; stored: StoredAlert }> {
  const { created, stored } = await deps.store.putAlert(alert);
  const a = stored.alert;
  await deps.sink.append(a.user_id, a);
  if (stored.publishedAt === null) {
    await deps.events.publish([
      {
        source: event.source,
        detailType: event.detailType,
        time: a.created_at,
        detail: { ...event.detail, ...alertView(a), id: a.id, alert_id: a.id, user_id: a.user_id },
      },
    ]);
    await deps.store.markAlertPublished(a.user_id, a.id, deps.clock.now().toISOString());
  }
  if (created) logger.info('alert raised', { alertId: a.id, kind: a.kind, userId: a.user_id });
  return { created, stored };
}

/** The alert as `GET /alerts` shows it (../shared/API.md): without its owner. */
export function alertView(a: Alert) {
  return {
    id: a.id,
    kind: a.kind,
    ...(a.budget_id !== undefined ? { budget_id: a.budget_id } : {}),
    ...(a.transaction_id !== undefined ? { transaction_id: a.transaction_id } : {}),
    message: a.message,
    created_at: a.created_at,
  };
}
