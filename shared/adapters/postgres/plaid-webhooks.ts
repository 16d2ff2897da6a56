import { sql } from 'drizzle-orm';
import type { PlaidEnvironment, WebhookAttempt, WebhookKey } from '../../domain/plaid/webhooks';
import type { WebhookStore } from '../../ports/plaid-webhooks';
import { fromJson, json, rows, type Queryable } from './db';
import { PgRole } from './role';

/** DynamoDB's TTL on attempt records (shared/adapters/dynamodb/plaid-webhooks.ts): 90 days after the attempt. */
const ATTEMPT_TTL_SECONDS = 90 * 86_400;
/** Rows are deleted once expired this long, as DynamoDB's TTL deletes them some time after expiry. */
const PURGE_GRACE_SECONDS = 86_400;

/** Thrown inside a rotation's transaction to roll it back: another writer rotated first. */
class LostRotation extends Error {}

/**
 * The Plaid surface's webhook keys and delivery attempts in PostgreSQL (migration 0013_plaid_webhooks.sql), with
 * the DynamoDB adapter's semantics (shared/adapters/dynamodb/plaid-webhooks.ts):
 *
 * - a key is created once per kid; an environment's current key is a pointer row, installed once (the first key,
 *   `previousKid` null) and then moved only from the kid the caller saw;
 * - rotation is one SQL transaction: the new key, the pointer (conditional on the previous kid) and the old key's
 *   `expiredAt`, all or nothing; false (nothing written) when another writer rotated first. Two concurrent
 *   rotations from the same kid serialize on the pointer row: the second's `UPDATE … WHERE kid = previous` finds
 *   the kid changed and matches nothing;
 * - attempts are recorded once per (item, at, delivery, attempt), DynamoDB's key; listed newest first, at most 500
 *   (100 unless told); kept 90 days.
 */
export class PgWebhookStore extends PgRole implements WebhookStore {
  async currentWebhookKey(environment: PlaidEnvironment): Promise<WebhookKey | null> {
    return this.key(
      this.db,
      sql`SELECT k.data::text AS data FROM plaid_webhook_current_keys c
          JOIN plaid_webhook_keys k ON k.kid = c.kid WHERE c.environment = ${environment}`,
    );
  }

  async getWebhookKey(kid: string): Promise<WebhookKey | null> {
    return this.key(this.db, sql`SELECT data::text AS data FROM plaid_webhook_keys WHERE kid = ${kid}`);
  }

  async rotateWebhookKey(key: WebhookKey, previousKid: string | null): Promise<boolean> {
    try {
      await this.db.transaction(async (tx) => {
        const added = await rows(
          tx,
          sql`INSERT INTO plaid_webhook_keys (kid, environment, data)
              VALUES (${key.kid}, ${key.environment}, ${json(key)}::jsonb)
              ON CONFLICT (kid) DO NOTHING RETURNING kid`,
        );
        if (!added.length) throw new LostRotation();
        const pointed = await rows(
          tx,
          previousKid === null
            ? sql`INSERT INTO plaid_webhook_current_keys (environment, kid, updated_at)
                  VALUES (${key.environment}, ${key.kid}, ${key.createdAt})
                  ON CONFLICT (environment) DO NOTHING RETURNING kid`
            : sql`UPDATE plaid_webhook_current_keys SET kid = ${key.kid}, updated_at = ${key.createdAt}
                  WHERE environment = ${key.environment} AND kid = ${previousKid} RETURNING kid`,
        );
        if (!pointed.length) throw new LostRotation();
        if (previousKid !== null) {
          const expired = await rows(
            tx,
            sql`UPDATE plaid_webhook_keys
                SET data = data || jsonb_build_object('expiredAt', ${key.createdAt}::text)
                WHERE kid = ${previousKid} RETURNING kid`,
          );
          if (!expired.length) throw new LostRotation();
        }
      });
      return true;
    } catch (err) {
      if (err instanceof LostRotation) return false;
      throw err;
    }
  }

  async recordWebhookAttempt(attempt: WebhookAttempt): Promise<void> {
    const at = new Date(Date.parse(attempt.at));
    const expiresAt = new Date(at.getTime() + ATTEMPT_TTL_SECONDS * 1000).toISOString();
    const purgeBefore = new Date(at.getTime() - PURGE_GRACE_SECONDS * 1000).toISOString();
    await this.db.transaction(async (tx) => {
      await tx.execute(
        sql`DELETE FROM plaid_webhook_attempts WHERE expires_at < ${purgeBefore}::timestamptz`,
      );
      await tx.execute(
        sql`INSERT INTO plaid_webhook_attempts (item_id, at, delivery_id, attempt, expires_at, data)
            VALUES (${attempt.itemId}, ${attempt.at}, ${attempt.deliveryId}, ${attempt.attempt},
                    ${expiresAt}::timestamptz, ${json(attempt)}::jsonb)
            ON CONFLICT (item_id, at, delivery_id, attempt) DO NOTHING`,
      );
    });
  }

  async listWebhookAttempts(itemId: string, opts: { limit?: number } = {}): Promise<WebhookAttempt[]> {
    const limit = Math.min(500, opts.limit ?? 100);
    const found = await rows<{ data: unknown }>(
      this.db,
      sql`SELECT data::text AS data FROM plaid_webhook_attempts WHERE item_id = ${itemId}
          ORDER BY at DESC, delivery_id DESC, attempt DESC LIMIT ${limit}`,
    );
    return found.map((r) => fromJson<WebhookAttempt>(r.data));
  }

  private async key(q: Queryable, query: ReturnType<typeof sql>): Promise<WebhookKey | null> {
    const [row] = await rows<{ data: unknown }>(q, query);
    return row ? fromJson<WebhookKey>(row.data) : null;
  }
}
