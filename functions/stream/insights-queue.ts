import type { Context, SQSEvent } from 'aws-lambda';
import { eventPublisher, getRuntime, redisPorts } from '../../shared/runtime';
import { insightsBatch } from '../../shared/services/insights-processor';
import { CHANGE_CONSUMERS } from '../../shared/stream/consumers';
import { processQueueBatch } from '../../shared/stream/queue-batch';

/**
 * Insights on the change queue (Postgres storage: the outbox relay's SQS FIFO queue, message group = user): the
 * same work as functions/stream/insights.ts on the table stream (shared/services/insights-processor.ts).
 */
export const handler = async (event: SQSEvent, context: Context) => {
  const { store, clock } = getRuntime();
  const { alerts } = await redisPorts();
  return processQueueBatch(
    event,
    context,
    insightsBatch({ store, clock, sink: alerts, events: eventPublisher() }),
    CHANGE_CONSUMERS.insights,
  );
};
