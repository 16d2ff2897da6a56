import type { PlaidEnvironment, WebhookAttempt, WebhookKey } from '../domain/plaid/webhooks';

/**
 * The Plaid surface's webhook storage: the signing keys of each environment (one current, older ones kept with
 * `expiredAt` so they still verify what they signed) and the record of every delivery attempt, per item.
 */
export interface WebhookKeyStore {
  /** The key new webhooks of `environment` are signed with, or null before the first one. */
  currentWebhookKey(environment: PlaidEnvironment): Promise<WebhookKey | null>;
  /** Any key by its kid, current or expired. */
  getWebhookKey(kid: string): Promise<WebhookKey | null>;
  /**
   * Makes `key` the current key of its environment, if `previousKid` is still the current one (null: there is
   * none yet); the previous key gets `expiredAt = key.createdAt`. False when another writer rotated first (nothing
   * written). Atomic.
   */
  rotateWebhookKey(key: WebhookKey, previousKid: string | null): Promise<boolean>;
}

export interface WebhookAttemptLog {
  /** Records one attempt; recording the same (delivery, attempt) twice keeps one. */
  recordWebhookAttempt(attempt: WebhookAttempt): Promise<void>;
  /** The item's attempts, newest first. */
  listWebhookAttempts(itemId: string, opts?: { limit?: number }): Promise<WebhookAttempt[]>;
}

export type WebhookStore = WebhookKeyStore & WebhookAttemptLog;

/**
 * Holds a failed queue message back before its next delivery (SQS: ChangeMessageVisibility on the received
 * message), so retries back off exponentially; the local twin's queue backs off on its own (a no-op there).
 */
export interface RedeliveryDelay {
  delay(receiptHandle: string, seconds: number): Promise<void>;
}
