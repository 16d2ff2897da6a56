import * as z from 'zod';
import { AccessToken, itemOfAccessToken, plaidRoute } from '../../shared/http/plaid';
import { Webhook } from '../../shared/http/plaid-schemas';
import { router } from '../../shared/http/router';
import { plaidDeps } from '../../shared/services/plaid/deps';
import {
  exchangePublicToken,
  getItem,
  institutionName,
  itemAccounts,
  removeItem,
  updateItemWebhook,
} from '../../shared/services/plaid/items';
import { plaidItemView } from '../../shared/domain/plaid/accounts';

const EXAMPLE_ACCESS_TOKEN = 'access-sandbox-6f1c2b3a-4d5e-4f60-8a1b-2c3d4e5f6a7b';

const AccountsOptions = z
  .object({ account_ids: z.array(z.string().min(1).max(200)).max(100).optional() })
  .loose()
  .optional();

const accountsRoute = (summary: string) =>
  plaidRoute(
    {
      summary,
      body: z.object({ access_token: AccessToken, options: AccountsOptions }),
      example: { summary: "An item's accounts", value: { access_token: EXAMPLE_ACCESS_TOKEN } },
    },
    async ({ body, app, requestId }) => {
      const deps = plaidDeps();
      const resolved = await itemOfAccessToken(app, body.access_token);
      return {
        accounts: await itemAccounts(deps, resolved, body.options?.account_ids),
        item: plaidItemView(
          resolved.item,
          resolved.connection,
          institutionName(deps, resolved.item),
          requestId,
        ),
      };
    },
  );

export const handler = router({
  'POST /plaid/item/public_token/exchange': plaidRoute(
    {
      summary: "Plaid: a public token (once) for the item's access token.",
      body: z.object({ public_token: z.string().min(1).max(200) }),
      example: {
        summary: 'Exchange the public token the link handed over',
        value: { public_token: 'public-sandbox-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
      },
    },
    async ({ body, app }) => exchangePublicToken(plaidDeps(), app, body.public_token),
  ),
  'POST /plaid/item/get': plaidRoute(
    {
      summary:
        'Plaid: the item of an access token, with its error (ITEM_LOGIN_REQUIRED ...) and update status.',
      body: z.object({ access_token: AccessToken }),
      example: { summary: 'Read an item', value: { access_token: EXAMPLE_ACCESS_TOKEN } },
    },
    async ({ body, app, requestId }) =>
      getItem(
        plaidDeps(),
        await itemOfAccessToken(app, body.access_token, { allowLoginRequired: true }),
        requestId,
      ),
  ),
  'POST /plaid/item/remove': plaidRoute(
    {
      summary:
        'Plaid: removes the item: its bank connection is revoked at the bank and its access token stops working.',
      body: z.object({
        access_token: AccessToken,
        reason_code: z.string().max(100).nullable().optional(),
        reason_note: z.string().max(1000).nullable().optional(),
      }),
      example: { summary: 'Remove an item', value: { access_token: EXAMPLE_ACCESS_TOKEN } },
    },
    async ({ body, app }) => {
      await removeItem(
        plaidDeps(),
        await itemOfAccessToken(app, body.access_token, { allowLoginRequired: true }),
      );
      return {};
    },
  ),
  'POST /plaid/item/webhook/update': plaidRoute(
    {
      summary: "Plaid: sets the item's webhook URL.",
      body: z.object({ access_token: AccessToken, webhook: Webhook.nullable().optional() }),
      example: {
        summary: 'Point the webhook elsewhere',
        value: { access_token: EXAMPLE_ACCESS_TOKEN, webhook: 'https://app.example.com/plaid/webhook' },
      },
    },
    async ({ body, app, requestId }) => {
      const deps = plaidDeps();
      const resolved = await itemOfAccessToken(app, body.access_token, { allowLoginRequired: true });
      const item = await updateItemWebhook(deps, resolved, body.webhook || null);
      return { item: plaidItemView(item, resolved.connection, institutionName(deps, item), requestId) };
    },
  ),
  'POST /plaid/accounts/get': accountsRoute("Plaid: the item's accounts with their balances as last synced."),
  'POST /plaid/accounts/balance/get': accountsRoute("Plaid: the item's accounts with their balances."),
});
