import type { DynamoDBRecord } from 'aws-lambda';
import { combineUnits, type StreamBatchUnit } from '../stream/batch';
import { AnomalyBatch, type AnomalyDeps } from './anomaly-processor';
import { SpendBatch, type SpendDeps } from './spend-processor';

/**
 * The Insights stream function's work on one batch (functions/stream/insights.ts): the spending projection and
 * budget alerts (SpendBatch: transaction and budget items) and anomaly detection (AnomalyBatch: inserted and
 * changed transactions), in one consumer of the table stream.
 */
export function insightsBatch(deps: SpendDeps & AnomalyDeps): StreamBatchUnit {
  return combineUnits([
    { unit: new SpendBatch(deps), accepts: () => true },
    { unit: new AnomalyBatch(deps), accepts: anomalyRecord },
  ]);
}

function anomalyRecord(record: DynamoDBRecord): boolean {
  return (
    (record.eventName === 'INSERT' || record.eventName === 'MODIFY') &&
    record.dynamodb?.NewImage?.entity?.S === 'transaction'
  );
}
