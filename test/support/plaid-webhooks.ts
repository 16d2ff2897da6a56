import type { WebhookAttempt, WebhookKey } from '../../shared/domain/plaid/webhooks';

/**
 * Records for the WebhookStore tests (the adapters' contract, test/contract/plaid-webhooks.contract.test.ts, and
 * the in-memory double's, test/unit/adapters/plaid-webhooks-memory.test.ts).
 */

/** A current (not expired) signing key `kid` of `environment`, its key material derived from the kid. */
export const webhookKey = (
  kid: string,
  createdAt: string,
  environment: WebhookKey['environment'] = 'sandbox',
): WebhookKey => ({
  kid,
  environment,
  publicJwk: { kty: 'EC', crv: 'P-256', x: `x-${kid}`, y: `y-${kid}` },
  privateKeyEncrypted: `local:v1:${kid}`,
  createdAt,
  expiredAt: null,
});

/** Attempt `n` of delivery d1 (a SYNC_UPDATES_AVAILABLE webhook) for `itemId` at `at`: a 500, to be retried. */
export const webhookAttempt = (
  itemId: string,
  n: number,
  at: string,
  over: Partial<WebhookAttempt> = {},
): WebhookAttempt => ({
  deliveryId: 'd1',
  itemId,
  webhookType: 'TRANSACTIONS',
  webhookCode: 'SYNC_UPDATES_AVAILABLE',
  url: 'http://127.0.0.1:9/hook',
  attempt: n,
  at,
  statusCode: 500,
  durationMs: 12,
  error: null,
  outcome: 'retrying',
  ...over,
});
