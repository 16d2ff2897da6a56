import type { PlaidEnvironment, WebhookAttempt, WebhookKey } from '../../domain/plaid/webhooks';
import type { WebhookStore } from '../../ports/plaid-webhooks';

/** The webhook keys and attempt records in memory (unit tests): the same contract as the DynamoDB adapter. */
export class MemoryWebhookStore implements WebhookStore {
  readonly keys = new Map<string, WebhookKey>();
  private readonly current = new Map<PlaidEnvironment, string>();
  readonly attempts: WebhookAttempt[] = [];

  async currentWebhookKey(environment: PlaidEnvironment): Promise<WebhookKey | null> {
    const kid = this.current.get(environment);
    return kid ? { ...this.keys.get(kid)! } : null;
  }

  async getWebhookKey(kid: string): Promise<WebhookKey | null> {
    const key = this.keys.get(kid);
    return key ? { ...key } : null;
  }

  async rotateWebhookKey(key: WebhookKey, previousKid: string | null): Promise<boolean> {
    if ((this.current.get(key.environment) ?? null) !== previousKid) return false;
    if (previousKid) {
      const old = this.keys.get(previousKid)!;
      this.keys.set(previousKid, { ...old, expiredAt: key.createdAt });
    }
    this.keys.set(key.kid, { ...key });
    this.current.set(key.environment, key.kid);
    return true;
  }

  async recordWebhookAttempt(attempt: WebhookAttempt): Promise<void> {
    const same = (a: WebhookAttempt) => a.deliveryId === attempt.deliveryId && a.attempt === attempt.attempt;
    if (!this.attempts.some(same)) this.attempts.push({ ...attempt });
  }

  async listWebhookAttempts(itemId: string, opts: { limit?: number } = {}): Promise<WebhookAttempt[]> {
    return this.attempts
      .filter((a) => a.itemId === itemId)
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.attempt - a.attempt))
      .slice(0, opts.limit ?? 100);
  }
}
