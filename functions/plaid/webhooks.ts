import * as z from 'zod';
import { PlaidError } from '../../shared/domain/plaid/errors';
import { AccessToken, itemOfAccessToken, plaidRoute } from '../../shared/http/plaid';
import { router } from '../../shared/http/router';
import { getRuntime, webhookPorts } from '../../shared/runtime';
import { webhookAttempts } from '../../shared/services/plaid/webhooks';
import { webhookVerificationKey } from '../../shared/services/plaid/webhooks-keys';
import { firedWebhook, sendItemWebhook } from '../../shared/services/plaid/webhooks-observer';

const FIRE_CODES = ['SYNC_UPDATES_AVAILABLE', 'ERROR', 'LOGIN_REPAIRED', 'PENDING_DISCONNECT'] as const;

export const handler = router({
  'POST /plaid/webhook_verification_key/get': plaidRoute(
    {
      summary:
        'Plaid: the public key (JWK) that signed a webhook, by the `kid` of its Plaid-Verification JWT; expired keys keep `expired_at`.',
      body: z.object({ key_id: z.string().min(1).max(100) }),
      example: {
        summary: "The key of a webhook's kid",
        value: { key_id: '6c5516e1-92dc-479e-a8ff-5a51992e0001' },
      },
    },
    async ({ body }) => {
      const key = await webhookVerificationKey({ keys: webhookPorts().store }, body.key_id);
      if (!key) throw new PlaidError('INVALID_WEBHOOK_VERIFICATION_KEY_ID', 'invalid key_id provided');
      return { key };
    },
  ),
  'POST /plaid/sandbox/item/fire_webhook': plaidRoute(
    {
      summary:
        "Plaid sandbox: sends one webhook of the given code to the item's webhook URL now (signed, queued, retried like any other).",
      body: z.object({
        access_token: AccessToken,
        webhook_type: z.enum(['TRANSACTIONS', 'ITEM']).optional(),
        webhook_code: z.enum(FIRE_CODES),
      }),
      example: {
        summary: 'Fire SYNC_UPDATES_AVAILABLE',
        value: {
          access_token: 'access-sandbox-6c5516e1-92dc-479e-a8ff-5a51992e0001',
          webhook_code: 'SYNC_UPDATES_AVAILABLE',
        },
      },
    },
    async ({ body, app, requestId }) => {
      const { item } = await itemOfAccessToken(app, body.access_token, { allowLoginRequired: true });
      if (!item.webhook)
        throw new PlaidError('SANDBOX_WEBHOOK_INVALID', 'the item has no webhook URL; set one first');
      const webhook = firedWebhook(item, body.webhook_code)!;
      if (body.webhook_type && body.webhook_type !== webhook.webhook_type)
        throw new PlaidError(
          'INVALID_FIELD',
          `webhook_code ${body.webhook_code} is of webhook_type ${webhook.webhook_type}`,
        );
      const { clock } = getRuntime();
      const job = await sendItemWebhook(
        { queue: webhookPorts().queue, clock },
        item,
        webhook,
        `fire:${requestId}`,
      );
      return { webhook_fired: job !== null };
    },
  ),
  'POST /plaid/item/webhook/attempts/get': plaidRoute(
    {
      summary:
        "finagg: the delivery attempts of the item's webhooks, newest first (time, status code, duration, error, outcome).",
      body: z.object({
        access_token: AccessToken,
        count: z.number().int().min(1).max(500).optional(),
      }),
      example: {
        summary: 'The last 20 attempts',
        value: { access_token: 'access-sandbox-6c5516e1-92dc-479e-a8ff-5a51992e0001', count: 20 },
      },
    },
    async ({ body, app }) => {
      const { item } = await itemOfAccessToken(app, body.access_token, { allowLoginRequired: true });
      const attempts = await webhookAttempts({ log: webhookPorts().store }, item.itemId, body.count ?? 100);
      return {
        item_id: item.itemId,
        attempts: attempts.map((a) => ({
          delivery_id: a.deliveryId,
          webhook_type: a.webhookType,
          webhook_code: a.webhookCode,
          url: a.url,
          attempt: a.attempt,
          at: a.at,
          status_code: a.statusCode,
          duration_ms: a.durationMs,
          error: a.error,
          outcome: a.outcome,
        })),
      };
    },
  ),
});
