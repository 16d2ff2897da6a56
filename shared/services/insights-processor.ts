import { combineUnits, type StreamBatchUnit } from '../stream/batch';
import type { StoreChange } from '../stream/change';
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

function anomalyRecord(change: StoreChange): boolean {
  return (change.eventName === 'INSERT' || change.eventName === 'MODIFY') && change.entity === 'transaction';
}
