import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '../logger';

/**
 * One invocation's work on a batch of stream records. `prepare` may load what the whole batch needs at once (it
 * must not throw for a single bad record: `handle` fails that one); `handle` processes one record, in order;
 * `finish` writes what was kept in memory for the batch. A throw from `prepare` or `finish` fails the whole batch
 * (Lambda retries it, bisecting), so `handle` must be safe to run again for every record (deterministic ids,
 * conditional writes).
 */
export interface StreamBatchUnit {
  prepare?(records: readonly DynamoDBRecord[]): Promise<void>;
  handle(record: DynamoDBRecord): Promise<void>;
  finish?(): Promise<void>;
}

/**
 * Powertools batch processing for a DynamoDB stream: records one after another (a stream is ordered), each
 * failure reported by sequence number (`batchItemFailures`), so a poison record fails alone and, with
 * bisectBatchOnError and retryAttempts on the trigger, ends up in the on-failure destination.
 */
export async function processStreamBatch(
  event: DynamoDBStreamEvent,
  context: Context,
  unit: StreamBatchUnit,
): Promise<DynamoDBBatchResponse> {
  logger.addContext(context);
  await unit.prepare?.(event.Records);
  // One processor per invocation: its state is the batch's.
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const response = await processPartialResponse(
    event,
    (record: DynamoDBRecord) => unit.handle(record),
    processor,
    {
      context,
      processInParallel: false,
    },
  );
  await unit.finish?.();
  if (response.batchItemFailures.length) {
    logger.warn('stream records failed', {
      failed: response.batchItemFailures.length,
      records: event.Records.length,
    });
  }
  return response;
}

/** A part of a combined batch: a unit and the records it takes (the others pass it by). */
export interface StreamBatchPart {
  unit: StreamBatchUnit;
  accepts(record: DynamoDBRecord): boolean;
}

/**
 * Several units as one, for one consumer of the stream: each is prepared with, and handles, the records it accepts;
 * every unit handles a record (and finishes) even when another failed on it, then the first error is thrown. A
 * record that failed in one unit is retried in all, which their idempotence allows. (DynamoDB Streams allows two
 * readers per shard; consumers beyond that are throttled, so processors share a consumer.)
 */
export function combineUnits(parts: readonly StreamBatchPart[]): StreamBatchUnit {
  const all = async (run: (part: StreamBatchPart) => Promise<void> | undefined) => {
    const errors: unknown[] = [];
    for (const part of parts) {
      try {
        await run(part);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
  };
  return {
    prepare: (records) => all((p) => p.unit.prepare?.(records.filter((r) => p.accepts(r)))),
    handle: (record) => all((p) => (p.accepts(record) ? p.unit.handle(record) : undefined)),
    finish: () => all((p) => p.unit.finish?.()),
  };
}
