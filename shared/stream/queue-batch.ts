import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../logger';
import { combineUnits, withDecodedBatch, type StreamBatchUnit } from './batch';
import { matchesChange, StoreChangeSchema, type ChangeFilter, type StoreChange } from './change';

/** The body of a change queue's message (what the outbox relay sends): the StoreChange as JSON. */
export function changeOfMessage(record: SQSRecord): StoreChange {
  return StoreChangeSchema.parse(JSON.parse(record.body));
}

/**
 * Powertools batch processing for a change queue (SQS FIFO, message group = user, fed by the outbox relay): each
 * message's change handled in order, a failure reported by message id (`batchItemFailures`). Like a stream
 * shard, a group is ordered: a failed message fails the rest of its group in the batch too (`skipGroupOnError`),
 * other users' messages go on. The queue retries the group from the failed message, and after maxReceiveCount
 * receives moves it to the dead-letter queue. Changes the consumer does not take (`filters`: the relay sends every
 * change to every consumer) pass by as handled.
 */
export async function processQueueBatch(
  event: SQSEvent,
  context: Context,
  unit: StreamBatchUnit,
  filters: readonly ChangeFilter[],
): Promise<SQSBatchResponse> {
  logger.addContext(context);
  const own = combineUnits([{ unit, accepts: (c) => matchesChange(filters, c) }]);
  const response = await withDecodedBatch(event.Records, changeOfMessage, own, (handle) =>
    processPartialResponse(event, (record: SQSRecord) => handle(record), new SqsFifoPartialProcessorAsync(), {
      context,
      skipGroupOnError: true,
    }),
  );
  if (response.batchItemFailures.length) {
    logger.warn('change messages failed', {
      failed: response.batchItemFailures.length,
      messages: event.Records.length,
    });
  }
  return response;
}
