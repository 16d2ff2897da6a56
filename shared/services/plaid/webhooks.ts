import {
  delivered,
  DEFAULT_RETRY,
  serializeWebhook,
  type PlaidEnvironment,
  type RetryPolicy,
  type WebhookAttempt,
  type WebhookBody,
  type WebhookJob,
} from '../../domain/plaid/webhooks';
import type { Clock } from '../../ports/clock';
import type { WebhookAttemptLog } from '../../ports/plaid-webhooks';
import type { JobQueue } from '../../ports/queue';
import { signWebhookBody, type WebhookKeyDeps } from './webhooks-keys';

/**
 * Webhook delivery for the Plaid surface: a webhook is queued with its body fixed (serialized once), and each
 * attempt signs those exact bytes afresh (Plaid-Verification with a current `iat`), posts them to the item's URL,
 * and records the attempt (time, status, duration, error) on the item. A non-2xx answer or no answer in time is a
 * failure the queue redelivers with exponential backoff, dead-lettering the message after the last attempt.
 */

export interface EnqueueDeps {
  queue: JobQueue<WebhookJob>;
  clock: Clock;
}

export interface WebhookTarget {
  itemId: string;
  /** The item's webhook URL; nothing is queued without one. */
  url: string | null;
  environment: PlaidEnvironment;
}

/**
 * Queues one webhook for an item. `deliveryId` makes it idempotent downstream (attempt records are keyed by it):
 * derive it from what caused the webhook (a sync run, a status change, a fire_webhook request).
 */
export async function enqueueWebhook(
  deps: EnqueueDeps,
  target: WebhookTarget,
  body: WebhookBody,
  deliveryId: string,
): Promise<WebhookJob | null> {
  if (!target.url) return null;
  const job: WebhookJob = {
    type: 'plaid_webhook',
    delivery_id: deliveryId,
    item_id: target.itemId,
    url: target.url,
    environment: target.environment,
    webhook_type: body.webhook_type,
    webhook_code: body.webhook_code,
    body: serializeWebhook(body),
    queued_at: deps.clock.now().toISOString(),
  };
  await deps.queue.send(job);
  return job;
}

export interface DeliveryDeps extends WebhookKeyDeps {
  log: WebhookAttemptLog;
  /** How long the receiver has to answer. */
  timeoutMs: number;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : e.message;
}

/**
 * One attempt of a queued webhook (`attempt` counts from 1: the queue's receive count). Returns the recorded
 * attempt: `delivered`, `retrying` (the caller fails the message so the queue redelivers it) or `failed` (that
 * was the last attempt; the queue dead-letters it).
 */
export async function deliverWebhook(
  deps: DeliveryDeps,
  job: WebhookJob,
  attempt: number,
): Promise<WebhookAttempt> {
  const policy = deps.retry ?? DEFAULT_RETRY;
  const at = deps.clock.now().toISOString();
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const { jwt } = await signWebhookBody(deps, job.environment, job.body);
    const res = await (deps.fetch ?? fetch)(job.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'plaid-verification': jwt,
        'user-agent': 'finagg-webhooks/1.0',
      },
      body: job.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    statusCode = res.status;
    await res.body?.cancel().catch(() => undefined);
    if (!delivered(statusCode)) error = `the receiver answered ${statusCode}`;
  } catch (err) {
    error = describeFailure(err, deps.timeoutMs);
  }
  const record: WebhookAttempt = {
    deliveryId: job.delivery_id,
    itemId: job.item_id,
    webhookType: job.webhook_type,
    webhookCode: job.webhook_code,
    url: job.url,
    attempt,
    at,
    statusCode,
    durationMs: Math.round(performance.now() - started),
    error,
    outcome: delivered(statusCode) ? 'delivered' : attempt >= policy.maxAttempts ? 'failed' : 'retrying',
  };
  await deps.log.recordWebhookAttempt(record);
  return record;
}

/** The attempts of an item's deliveries, newest first (operator and API reads). */
export function webhookAttempts(
  deps: { log: WebhookAttemptLog },
  itemId: string,
  limit = 100,
): Promise<WebhookAttempt[]> {
  return deps.log.listWebhookAttempts(itemId, { limit });
}
