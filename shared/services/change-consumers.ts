import type { ChangeSink, StoreChange } from '../ports/change-feed';
import { processChanges, type StreamBatchUnit } from '../stream/batch';
import { matchesChange, type ChangeFilter } from '../stream/change';

export interface ChangeConsumerSpec {
  name: string;
  filters: readonly ChangeFilter[];
  /** A fresh unit per batch (a unit's state is its batch's). */
  unit: () => StreamBatchUnit;
}

/**
 * A ChangeSink that hands each batch to the processors in this process (the twin's relay in Postgres storage):
 * every consumer gets the changes its filters take, in order, with per-user hold-back after a failure (what an SQS
 * FIFO queue with message group = user does in the cloud). A change failed by one consumer is delivered again to
 * all, which their idempotence allows.
 */
export function processorSink(
  consumers: readonly ChangeConsumerSpec[],
  onFailure?: (consumer: string, change: StoreChange, error: unknown) => void,
): ChangeSink {
  return {
    async deliver(changes) {
      const failed = new Map<string, string | null>();
      for (const consumer of consumers) {
        const taken = changes.filter((c) => matchesChange(consumer.filters, c));
        if (!taken.length) continue;
        const result = await processChanges(taken, consumer.unit());
        for (const id of result.failed) {
          const error = result.errors.get(id);
          if (error === undefined) {
            if (!failed.has(id)) failed.set(id, null);
            continue;
          }
          const text = `${consumer.name}: ${(error as Error)?.message ?? String(error)}`;
          const before = failed.get(id);
          failed.set(id, before ? `${before}; ${text}` : text);
          onFailure?.(
            consumer.name,
            taken.find((c) => c.id === id)!,
            error,
          );
        }
      }
      return { failed };
    },
  };
}
