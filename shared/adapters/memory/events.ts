import { logger } from '../../logger';
import { DomainEventSchema, type DomainEvent, type EventPublisher } from '../../ports/events';

export interface PublishedEvent extends DomainEvent {
  /** When it was put (RFC 3339). */
  publishedAt: string;
}

/**
 * The event bus of the local twin and of tests: keeps what is published (newest last, bounded) and logs one line
 * per event. The twin shows them at `GET /dev/events`.
 */
export class MemoryEventPublisher implements EventPublisher {
  readonly events: PublishedEvent[] = [];

  constructor(private readonly maxEvents = 10_000) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const e of events) {
      const event = DomainEventSchema.parse(e);
      this.events.push({ ...structuredClone(event), publishedAt: new Date().toISOString() });
      logger.info('event published (local bus)', {
        source: event.source,
        detailType: event.detailType,
        id: event.detail.id as string,
      });
    }
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
  }
}

/** One local bus per process: every function of the twin publishes to it, `/dev/events` reads it. */
export function localEventPublisher(): MemoryEventPublisher {
  const g = globalThis as unknown as { __finaggLocalBus?: MemoryEventPublisher };
  g.__finaggLocalBus ??= new MemoryEventPublisher();
  return g.__finaggLocalBus;
}
