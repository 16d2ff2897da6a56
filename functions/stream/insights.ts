import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { eventPublisher, getRuntime, redisPorts } from '../../shared/runtime';
import { insightsBatch } from '../../shared/services/insights-processor';
import { processStreamBatch } from '../../shared/stream/dynamodb-batch';

/**
 * Insights (table stream: transaction and budget items): the spending projection and budget threshold alerts, and
 * anomaly detection with anomaly alerts (shared/services/insights-processor.ts).
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const { store, clock } = getRuntime();
  const { alerts } = await redisPorts();
  return processStreamBatch(
    event,
    context,
    insightsBatch({ store, clock, sink: alerts, events: eventPublisher() }),
  );
};
