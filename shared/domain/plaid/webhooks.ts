import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * Plaid's webhooks as the Plaid-compatible surface sends them: the bodies (Plaid's field names, so an app's existing
 * handler reads them unchanged), the signature's claims, the verification key as Plaid's
 * `/webhook_verification_key/get` returns it, and the delivery policy (backoff, attempts). Pure: the signing itself
 * (a JWT library) and the HTTP call live in shared/services/plaid/webhooks*.ts.
 *
 * Plaid signs a webhook with a `Plaid-Verification` header: a compact JWS (ES256, header `{alg, kid, typ: 'JWT'}`)
 * whose claims are `iat` (seconds) and `request_body_sha256` (hex SHA-256 of the exact body bytes). A receiver
 * fetches the key by `kid`, verifies the signature, refuses an `iat` older than five minutes and compares the body's
 * SHA-256 in constant time.
 *
 * The schemas are `z.lazy`: every function that composes the runtime imports this module, and zod builds a schema
 * eagerly (~70 of them here, milliseconds of each cold start); a lazy one is built at its first parse.
 */

export const PlaidEnvironmentSchema = z.enum(['sandbox', 'development', 'production']);
export type PlaidEnvironment = z.infer<typeof PlaidEnvironmentSchema>;

/** Plaid's error object as an `ITEM` `ERROR` webhook carries it. */
export const WebhookErrorSchema = z.lazy(() =>
  z.object({
    error_type: z.string(),
    error_code: z.string(),
    error_message: z.string(),
    display_message: z.string().nullable(),
    request_id: z.string().optional(),
    status: z.number().int().nullable().optional(),
  }),
);
export type WebhookError = z.infer<typeof WebhookErrorSchema>;

/** The fields every webhook body has (a function: built inside each body's lazy schema). */
const base = () => ({ item_id: z.string().min(1), environment: PlaidEnvironmentSchema });

export const SyncUpdatesAvailableSchema = z.lazy(() =>
  z.object({
    webhook_type: z.literal('TRANSACTIONS'),
    webhook_code: z.literal('SYNC_UPDATES_AVAILABLE'),
    ...base(),
    initial_update_complete: z.boolean(),
    historical_update_complete: z.boolean(),
  }),
);

export const ItemErrorSchema = z.lazy(() =>
  z.object({
    webhook_type: z.literal('ITEM'),
    webhook_code: z.literal('ERROR'),
    ...base(),
    error: WebhookErrorSchema.nullable(),
  }),
);

export const LoginRepairedSchema = z.lazy(() =>
  z.object({
    webhook_type: z.literal('ITEM'),
    webhook_code: z.literal('LOGIN_REPAIRED'),
    ...base(),
  }),
);

export const PendingDisconnectSchema = z.lazy(() =>
  z.object({
    webhook_type: z.literal('ITEM'),
    webhook_code: z.literal('PENDING_DISCONNECT'),
    ...base(),
    reason: z.enum(['INSTITUTION_MIGRATION', 'INSTITUTION_TOKEN_EXPIRATION']),
  }),
);

/** Plaid's `ITEM` `WEBHOOK_UPDATE_ACKNOWLEDGED`: sent to the new URL after /item/webhook/update. */
export const WebhookUpdateAcknowledgedSchema = z.lazy(() =>
  z.object({
    webhook_type: z.literal('ITEM'),
    webhook_code: z.literal('WEBHOOK_UPDATE_ACKNOWLEDGED'),
    ...base(),
    new_webhook_url: z.string(),
    error: WebhookErrorSchema.nullable(),
  }),
);

/** finagg's own: a budget threshold crossed by the item's transactions (finagg's amounts and sign). */
export const FinaggBudgetAlertSchema = z.lazy(() =>
  z.object({
    webhook_type: z.literal('FINAGG'),
    webhook_code: z.literal('BUDGET_ALERT'),
    ...base(),
    alert_id: z.string(),
    budget_id: z.string().nullable(),
    message: z.string(),
    created_at: z.string(),
  }),
);

/** finagg's own: an anomaly detected in one of the item's transactions. */
export const FinaggAnomalySchema = z.lazy(() =>
  z.object({
    webhook_type: z.literal('FINAGG'),
    webhook_code: z.literal('ANOMALY'),
    ...base(),
    alert_id: z.string(),
    transaction_id: z.string().nullable(),
    message: z.string(),
    created_at: z.string(),
  }),
);

export const WebhookBodySchema = z.lazy(() =>
  z.union([
    SyncUpdatesAvailableSchema,
    ItemErrorSchema,
    LoginRepairedSchema,
    PendingDisconnectSchema,
    WebhookUpdateAcknowledgedSchema,
    FinaggBudgetAlertSchema,
    FinaggAnomalySchema,
  ]),
);
export type WebhookBody = z.infer<typeof WebhookBodySchema>;
export type WebhookCode = WebhookBody['webhook_code'];

/** The codes `/sandbox/item/fire_webhook` fires (Plaid's names), with the webhook type each belongs to. */
export const FIREABLE: Record<string, 'TRANSACTIONS' | 'ITEM' | 'FINAGG'> = {
  SYNC_UPDATES_AVAILABLE: 'TRANSACTIONS',
  ERROR: 'ITEM',
  LOGIN_REPAIRED: 'ITEM',
  PENDING_DISCONNECT: 'ITEM',
  NEW_ACCOUNTS_AVAILABLE: 'ITEM',
};

export function syncUpdatesAvailable(input: {
  itemId: string;
  environment: PlaidEnvironment;
  initialUpdateComplete: boolean;
  historicalUpdateComplete: boolean;
}): z.infer<typeof SyncUpdatesAvailableSchema> {
  return {
    webhook_type: 'TRANSACTIONS',
    webhook_code: 'SYNC_UPDATES_AVAILABLE',
    item_id: input.itemId,
    initial_update_complete: input.initialUpdateComplete,
    historical_update_complete: input.historicalUpdateComplete,
    environment: input.environment,
  };
}

export function itemError(
  itemId: string,
  environment: PlaidEnvironment,
  error: WebhookError | null,
): z.infer<typeof ItemErrorSchema> {
  return { webhook_type: 'ITEM', webhook_code: 'ERROR', item_id: itemId, error, environment };
}

/** The error object of an item whose bank login must be repaired (re-link). */
export function itemLoginRequired(requestId?: string): WebhookError {
  return {
    error_type: 'ITEM_ERROR',
    error_code: 'ITEM_LOGIN_REQUIRED',
    error_message:
      "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
    display_message: null,
    ...(requestId ? { request_id: requestId } : {}),
    status: 400,
  };
}

export function loginRepaired(
  itemId: string,
  environment: PlaidEnvironment,
): z.infer<typeof LoginRepairedSchema> {
  return { webhook_type: 'ITEM', webhook_code: 'LOGIN_REPAIRED', item_id: itemId, environment };
}

export function pendingDisconnect(
  itemId: string,
  environment: PlaidEnvironment,
  reason: z.infer<typeof PendingDisconnectSchema>['reason'] = 'INSTITUTION_TOKEN_EXPIRATION',
): z.infer<typeof PendingDisconnectSchema> {
  return { webhook_type: 'ITEM', webhook_code: 'PENDING_DISCONNECT', item_id: itemId, environment, reason };
}

/** The exact bytes sent: the body is serialized once, and these bytes are what is hashed, signed and posted. */
export function serializeWebhook(body: WebhookBody): string {
  return JSON.stringify(body);
}

/** Hex SHA-256 of the body's UTF-8 bytes: the `request_body_sha256` claim. */
export function requestBodySha256(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Constant-time comparison of two hex digests (false for different lengths). */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface WebhookClaims {
  iat: number;
  request_body_sha256: string;
}

export function webhookClaims(body: string, now: Date): WebhookClaims {
  return { iat: Math.floor(now.getTime() / 1000), request_body_sha256: requestBodySha256(body) };
}

/** How old a signature a receiver accepts (Plaid's guidance). */
export const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

// ---- verification keys -----------------------------------------------------------------------------------

/** A public P-256 key in JWK form (what a key pair exports). */
export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** One signing key of an environment: the public half in clear, the private half encrypted at rest. */
export interface WebhookKey {
  kid: string;
  environment: PlaidEnvironment;
  publicJwk: EcPublicJwk;
  /** The private JWK, encrypted with the envelope cipher (context: `{purpose: 'plaid-webhook-key', kid}`). */
  privateKeyEncrypted: string;
  createdAt: string;
  /** Set when the key was rotated out: it still verifies what it signed, nothing new is signed with it. */
  expiredAt: string | null;
}

/** `key` of Plaid's `/webhook_verification_key/get` answer. Times are epoch seconds. */
export interface PlaidJwk {
  alg: 'ES256';
  crv: 'P-256';
  kid: string;
  kty: 'EC';
  use: 'sig';
  x: string;
  y: string;
  created_at: number;
  expired_at: number | null;
}

export function plaidJwk(key: WebhookKey): PlaidJwk {
  return {
    alg: 'ES256',
    crv: 'P-256',
    kid: key.kid,
    kty: 'EC',
    use: 'sig',
    x: key.publicJwk.x,
    y: key.publicJwk.y,
    created_at: Math.floor(Date.parse(key.createdAt) / 1000),
    expired_at: key.expiredAt === null ? null : Math.floor(Date.parse(key.expiredAt) / 1000),
  };
}

/** The encryption context of a key's private half: a blob sealed for one kid does not open for another. */
export const keyContext = (kid: string) => ({ purpose: 'plaid-webhook-key', kid });

// ---- delivery ------------------------------------------------------------------------------------------

/** One queued delivery: the body is fixed when it is queued; every attempt signs it afresh (a new `iat`). */
export const WebhookJobSchema = z.lazy(() =>
  z.object({
    type: z.literal('plaid_webhook'),
    delivery_id: z.string().min(1).max(128),
    item_id: z.string().min(1),
    url: z.url({ protocol: /^https?$/ }),
    environment: PlaidEnvironmentSchema,
    webhook_type: z.string(),
    webhook_code: z.string(),
    body: z.string().min(2),
    queued_at: z.string(),
  }),
);
export type WebhookJob = z.infer<typeof WebhookJobSchema>;

/** One delivery attempt, as stored per item and shown to the operator. */
export interface WebhookAttempt {
  deliveryId: string;
  itemId: string;
  webhookType: string;
  webhookCode: string;
  url: string;
  /** 1 for the first attempt. */
  attempt: number;
  at: string;
  /** The receiver's status, or null when no answer came (timeout, refused connection). */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** `delivered` (2xx), `retrying` (will be tried again), `failed` (attempts exhausted: dead-lettered). */
  outcome: 'delivered' | 'retrying' | 'failed';
}

export interface RetryPolicy {
  /** How many attempts in all before the message goes to the dead-letter queue. */
  maxAttempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

/** Plaid retries a failed webhook for about a day; finagg: 30 s, 1 min, 2 min, ... up to an hour, 8 attempts. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelaySeconds: 30, maxDelaySeconds: 3600 };

/** The delay before attempt `attempt + 1` after attempt `attempt` failed: exponential, capped. */
export function retryDelaySeconds(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.min(n - 1, 30));
}

/** A receiver's answer counts as delivered only with a 2xx status. */
export const delivered = (status: number | null) => status !== null && status >= 200 && status <= 299;
