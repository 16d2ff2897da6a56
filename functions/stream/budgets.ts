import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { eventPublisher, getRuntime, redisPorts } from '../../shared/runtime';
import { SpendBatch } from '../../shared/services/spend-processor';
import { processStreamBatch } from '../../shared/stream/batch';

/**
 * Budgets (table stream: transaction and budget items): keeps the spending projection and raises budget
 * threshold alerts (shared/services/spend-processor.ts).
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const { store, clock } = getRuntime();
  const { alerts } = await redisPorts();
  return processStreamBatch(
    event,
    context,
    new SpendBatch({ store, clock, sink: alerts, events: eventPublisher() }),
  );
};
