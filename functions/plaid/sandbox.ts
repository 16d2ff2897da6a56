import * as z from 'zod';
import { AccessToken, itemOfAccessToken, plaidRoute } from '../../shared/http/plaid';
import { Products, Webhook } from '../../shared/http/plaid-schemas';
import { router } from '../../shared/http/router';
import { plaidDeps } from '../../shared/services/plaid/deps';
import { resetLogin } from '../../shared/services/plaid/items';
import { sandboxPublicToken } from '../../shared/services/plaid/link';
import { getRuntime, webhookPorts } from '../../shared/runtime';
import { itemLoginRequiredWebhook } from '../../shared/services/plaid/webhooks-observer';

export const handler = router({
  'POST /plaid/sandbox/public_token/create': plaidRoute(
    {
      summary:
        "Plaid sandbox: links a finagg bank without a browser (the mock bank's consent with user_good / pass_good, or the overrides) and returns a public token.",
      body: z.object({
        institution_id: z.string().min(1).max(100),
        initial_products: Products.min(1),
        options: z
          .object({
            webhook: Webhook.optional(),
            override_username: z.string().max(200).nullable().optional(),
            override_password: z.string().max(200_000).nullable().optional(),
          })
          .loose()
          .optional(),
        user_id: z.string().max(200).optional(),
      }),
      example: {
        summary: 'A sandbox item at Acorn Bank',
        value: { institution_id: 'ins_bank_a', initial_products: ['transactions'] },
      },
      maxBodyBytes: 512 * 1024,
    },
    async ({ body, app }) => sandboxPublicToken(plaidDeps(), app, body),
  ),
  'POST /plaid/sandbox/item/reset_login': plaidRoute(
    {
      summary: 'Plaid sandbox: puts the item in ITEM_LOGIN_REQUIRED.',
      body: z.object({ access_token: AccessToken }),
      example: {
        summary: 'Force a login-required error',
        value: { access_token: 'access-sandbox-6f1c2b3a-4d5e-4f60-8a1b-2c3d4e5f6a7b' },
      },
    },
    async ({ body, app, requestId }) => {
      const item = await resetLogin(
        plaidDeps(),
        await itemOfAccessToken(app, body.access_token, { allowLoginRequired: true }),
      );
      // The app hears of it as Plaid tells it: ITEM ERROR with ITEM_LOGIN_REQUIRED at the item's webhook.
      await itemLoginRequiredWebhook(
        { queue: webhookPorts().queue, clock: getRuntime().clock },
        item,
        `reset:${requestId}`,
      );
      return { reset_login: true };
    },
  ),
});
