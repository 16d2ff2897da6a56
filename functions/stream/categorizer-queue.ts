import type { Context, SQSEvent } from 'aws-lambda';
import { getRuntime } from '../../shared/runtime';
import { CategorizeBatch } from '../../shared/services/categorizer-processor';
import { CHANGE_CONSUMERS } from '../../shared/stream/consumers';
import { processQueueBatch } from '../../shared/stream/queue-batch';

/**
 * Categorizer on the change queue (Postgres storage: the outbox relay's SQS FIFO queue, message group = user): the
 * same work as functions/stream/categorizer.ts on the table stream (shared/services/categorizer-processor.ts). A
 * separate entry, not one handler for both event shapes: a FIFO queue takes batches of at most 10 where the
 * stream takes 100, and the Postgres bundle keeps the DynamoDB stream decoder out.
 */
export const handler = async (event: SQSEvent, context: Context) => {
  const { store, clock } = getRuntime();
  return processQueueBatch(
    event,
    context,
    new CategorizeBatch({ store, clock }),
    CHANGE_CONSUMERS.categorizer,
  );
};
