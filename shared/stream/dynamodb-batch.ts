import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { changeOfRecord } from '../adapters/dynamodb/stream-changes';
import { logger } from '../logger';
import { withDecodedBatch, type StreamBatchUnit } from './batch';

/**
 * Powertools batch processing for a DynamoDB stream: each record decoded to a StoreChange
 * (shared/adapters/dynamodb/stream-changes.ts), the changes handled one after another (a stream is ordered), each
 * failure reported by sequence number (`batchItemFailures`), so a poison record fails alone and, with
 * bisectBatchOnError and retryAttempts on the trigger, ends up in the on-failure destination.
 */
export async function processStreamBatch(
  event: DynamoDBStreamEvent,
  context: Context,
  unit: StreamBatchUnit,
): Promise<DynamoDBBatchResponse> {
  logger.addContext(context);
  const response = await withDecodedBatch(event.Records, changeOfRecord, unit, (handle) =>
    // One processor per invocation: its state is the batch's.
    processPartialResponse(
      event,
      (record: DynamoDBRecord) => handle(record),
      new BatchProcessor(EventType.DynamoDBStreams),
      { context, processInParallel: false },
    ),
  );
  if (response.batchItemFailures.length) {
    logger.warn('stream records failed', {
      failed: response.batchItemFailures.length,
      records: event.Records.length,
    });
  }
  return response;
}
