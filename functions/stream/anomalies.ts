import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { eventPublisher, getRuntime, redisPorts } from '../../shared/runtime';
import { AnomalyBatch } from '../../shared/services/anomaly-processor';
import { processStreamBatch } from '../../shared/stream/batch';

/** Anomalies (table stream: transaction items): detection, storage and anomaly alerts (shared/services/anomaly-processor.ts). */
export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const { store, clock } = getRuntime();
  const { alerts } = await redisPorts();
  return processStreamBatch(
    event,
    context,
    new AnomalyBatch({ store, clock, sink: alerts, events: eventPublisher() }),
  );
};
