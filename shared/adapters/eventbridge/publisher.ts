import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DomainEventSchema, type DomainEvent, type EventPublisher } from '../../ports/events';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES = 10;

export class EventPublishError extends Error {
  override name = 'EventPublishError';
}

/**
 * Puts domain events on an EventBridge bus (EVENT_BUS_NAME). Entries EventBridge refuses (FailedEntryCount) are
 * retried once; what still fails throws, naming the error codes, so the stream record is retried.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly busName: string,
    private readonly opts: { retries?: number } = {},
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    const entries = events.map((e) => {
      const event = DomainEventSchema.parse(e);
      return {
        EventBusName: this.busName,
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        ...(event.time ? { Time: new Date(event.time) } : {}),
      };
    });
    for (let i = 0; i < entries.length; i += MAX_ENTRIES) {
      let pending = entries.slice(i, i + MAX_ENTRIES);
      const retries = this.opts.retries ?? 1;
      for (let attempt = 0; ; attempt++) {
        // The client's module is loaded on first use, not at a cold start that may never need it.
        const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
        const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
        if (!out.FailedEntryCount) break;
        const results = out.Entries ?? [];
        const failed = pending.filter((_, n) => results[n]?.ErrorCode);
        if (attempt >= retries || failed.length === 0) {
          const codes = results
            .filter((r) => r.ErrorCode)
            .map((r) => `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`);
          throw new EventPublishError(
            `EventBridge refused ${out.FailedEntryCount} of ${pending.length} event(s): ${codes.join('; ')}`,
          );
        }
        pending = failed;
      }
    }
  }
}
