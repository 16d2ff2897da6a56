import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { getConfig } from '../../shared/config';
import { retryDelaySeconds, WebhookJobSchema } from '../../shared/domain/plaid/webhooks';
import { logger } from '../../shared/logger';
import { getRuntime, webhookPorts } from '../../shared/runtime';
import { deliverWebhook } from '../../shared/services/plaid/webhooks';

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  const job = WebhookJobSchema.parse(JSON.parse(record.body));
  const attempt = Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1);
  const { cipher, clock } = getRuntime();
  const { store, redelivery } = webhookPorts();
  const result = await deliverWebhook(
    { keys: store, log: store, cipher, clock, timeoutMs: getConfig().PLAID_WEBHOOK_TIMEOUT_MS },
    job,
    attempt,
  );
  logger.info('webhook attempt', {
    deliveryId: result.deliveryId,
    itemId: result.itemId,
    code: result.webhookCode,
    attempt,
    status: result.statusCode,
    ms: result.durationMs,
    outcome: result.outcome,
  });
  if (result.outcome === 'delivered') return;
  // Back off before the queue delivers it again (SQS); the last failure goes to the dead-letter queue.
  if (result.outcome === 'retrying') await redelivery.delay(record.receiptHandle, retryDelaySeconds(attempt));
  throw new Error(`webhook ${job.delivery_id} attempt ${attempt} failed: ${result.error ?? 'unknown'}`);
}

/**
 * Delivers Plaid webhooks: one SQS message = one webhook to one item's URL, signed as Plaid signs. A failed
 * attempt is a batch item failure (redelivered after an exponential backoff, dead-lettered after the last).
 */
export const handler = async (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  return processPartialResponse(event, handleRecord, processor, { context });
};
