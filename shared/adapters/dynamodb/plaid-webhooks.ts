import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import {
  PlaidEnvironmentSchema,
  type PlaidEnvironment,
  type WebhookAttempt,
  type WebhookKey,
} from '../../domain/plaid/webhooks';
import type { WebhookStore } from '../../ports/plaid-webhooks';

/**
 * The Plaid surface's webhook keys and delivery attempts in the single table. Only this adapter knows the keys:
 *
 *   entity                       pk                               sk                               TTL
 *   plaid_webhook_key            PLAIDWHKEY#<kid>                 KEY                              -
 *   plaid_webhook_key_current    PLAIDWHKEYS#<environment>        CURRENT                          -      ({kid})
 *   plaid_webhook_attempt        PLAIDWH#<item id>                ATTEMPT#<at>#<delivery>#<n>      90 days
 *
 * Rotation is one transaction: the new key, the pointer (conditional on the previous kid) and the old key's
 * expired_at.
 */
const keys = {
  key: (kid: string) => ({ pk: `PLAIDWHKEY#${kid}`, sk: 'KEY' }),
  current: (env: PlaidEnvironment) => ({ pk: `PLAIDWHKEYS#${env}`, sk: 'CURRENT' }),
  attempts: (itemId: string) => `PLAIDWH#${itemId}`,
  attempt: (a: WebhookAttempt) => `ATTEMPT#${a.at}#${a.deliveryId}#${String(a.attempt).padStart(4, '0')}`,
};

const ATTEMPT_TTL_SECONDS = 90 * 86_400;

const KeySchema = z.lazy(() =>
  z.object({
    kid: z.string(),
    environment: PlaidEnvironmentSchema,
    publicJwk: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() }),
    privateKeyEncrypted: z.string(),
    createdAt: z.string(),
    expiredAt: z.string().nullable(),
  }),
);

const AttemptSchema = z.lazy(() =>
  z.object({
    deliveryId: z.string(),
    itemId: z.string(),
    webhookType: z.string(),
    webhookCode: z.string(),
    url: z.string(),
    attempt: z.number().int(),
    at: z.string(),
    statusCode: z.number().int().nullable(),
    durationMs: z.number(),
    error: z.string().nullable(),
    outcome: z.enum(['delivered', 'retrying', 'failed']),
  }),
);

export class DynamoWebhookStore implements WebhookStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get(key: { pk: string; sk: string }) {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  async currentWebhookKey(environment: PlaidEnvironment): Promise<WebhookKey | null> {
    const pointer = await this.get(keys.current(environment));
    if (!pointer) return null;
    return this.getWebhookKey(z.string().parse(pointer.kid));
  }

  async getWebhookKey(kid: string): Promise<WebhookKey | null> {
    const item = await this.get(keys.key(kid));
    return item ? KeySchema.parse(item) : null;
  }

  async rotateWebhookKey(key: WebhookKey, previousKid: string | null): Promise<boolean> {
    const pointer = keys.current(key.environment);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.key(key.kid), entity: 'plaid_webhook_key', ...key },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...pointer,
                  entity: 'plaid_webhook_key_current',
                  kid: key.kid,
                  updatedAt: key.createdAt,
                },
                ...(previousKid === null
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : {
                      ConditionExpression: 'kid = :prev',
                      ExpressionAttributeValues: { ':prev': previousKid },
                    }),
              },
            },
            ...(previousKid === null
              ? []
              : [
                  {
                    Update: {
                      TableName: this.tableName,
                      Key: keys.key(previousKid),
                      UpdateExpression: 'SET expiredAt = :at',
                      ConditionExpression: 'attribute_exists(pk)',
                      ExpressionAttributeValues: { ':at': key.createdAt },
                    },
                  },
                ]),
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException) {
        const reasons = err.CancellationReasons ?? [];
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      }
      throw err;
    }
  }

  async recordWebhookAttempt(attempt: WebhookAttempt): Promise<void> {
    const expiresAt = Math.floor(Date.parse(attempt.at) / 1000) + ATTEMPT_TTL_SECONDS;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: keys.attempts(attempt.itemId),
            sk: keys.attempt(attempt),
            entity: 'plaid_webhook_attempt',
            ...attempt,
            expires_at: expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async listWebhookAttempts(itemId: string, opts: { limit?: number } = {}): Promise<WebhookAttempt[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': keys.attempts(itemId), ':p': 'ATTEMPT#' },
        ScanIndexForward: false,
        Limit: Math.min(500, opts.limit ?? 100),
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((i) => AttemptSchema.parse(i));
  }
}
