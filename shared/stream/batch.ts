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
