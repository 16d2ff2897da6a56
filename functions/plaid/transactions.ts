import * as z from 'zod';
import { MAX_SYNC_COUNT, MAX_SYNC_CURSOR_LENGTH } from '../../shared/domain/plaid/sync-cursor';
import { getConfig } from '../../shared/config';
import { AccessToken, itemOfAccessToken, plaidRoute } from '../../shared/http/plaid';
import { router } from '../../shared/http/router';
import { plaidItemView } from '../../shared/domain/plaid/accounts';
import { plaidDeps } from '../../shared/services/plaid/deps';
import { institutionName, itemAccounts } from '../../shared/services/plaid/items';
import { getRuntime } from '../../shared/runtime';
import {
  categories,
  cursorKeyFrom,
  enrichPlaidTransactions,
  getTransactions,
  recurringTransactions,
  refreshTransactions,
  syncTransactions,
  type PlaidTransactionsDeps,
} from '../../shared/services/plaid/transactions';

/**
 * The transactions product of the Plaid surface: `/transactions/sync`, `/transactions/get`, `/transactions/refresh`,
 * `/transactions/enrich`, `/transactions/recurring/get` and `/categories/get`, answering the official `plaid`
 * client's shapes (shared/services/plaid/transactions.ts, shared/domain/plaid/).
 */

let cursorKey: string | undefined;

function deps(): PlaidTransactionsDeps {
  const { store, clock, syncQueue } = getRuntime();
  // The server's own key material: the local token key, or the KMS key's id in the cloud.
  const config = getConfig();
  cursorKey ??= cursorKeyFrom(config.TOKEN_ENCRYPTION_KEY ?? config.KMS_KEY_ID ?? config.TABLE_NAME);
  return { store, clock, syncQueue, cursorKey };
}

/** A calendar date YYYY-MM-DD that exists. */
const PlaidDate = z.iso.date({ message: 'must be a date YYYY-MM-DD' });
const AccountIds = z.array(z.string().min(1).max(128)).max(100);
const Count = z.int().min(1).max(MAX_SYNC_COUNT);
/** Options the official client may send that change nothing here (finagg always sends its categories). */
const IgnoredOptions = {
  include_personal_finance_category: z.boolean().nullable().optional(),
  include_personal_finance_category_beta: z.boolean().nullable().optional(),
  include_logo_and_counterparty_beta: z.boolean().nullable().optional(),
  personal_finance_category_version: z.string().max(8).nullable().optional(),
  days_requested: z.int().min(1).max(730).nullable().optional(),
};

const SyncBody = z.object({
  access_token: AccessToken,
  cursor: z.string().max(MAX_SYNC_CURSOR_LENGTH).nullable().optional(),
  count: Count.nullable().optional(),
  options: z
    .object({
      include_original_description: z.boolean().nullable().optional(),
      account_id: z.string().min(1).max(128).nullable().optional(),
      ...IgnoredOptions,
    })
    .nullable()
    .optional(),
});

const GetBody = z.object({
  access_token: AccessToken,
  start_date: PlaidDate,
  end_date: PlaidDate,
  options: z
    .object({
      account_ids: AccountIds.nullable().optional(),
      count: Count.nullable().optional(),
      offset: z.int().min(0).max(1_000_000).nullable().optional(),
      include_original_description: z.boolean().nullable().optional(),
      ...IgnoredOptions,
    })
    .nullable()
    .optional(),
});

const RecurringBody = z.object({
  access_token: AccessToken,
  account_ids: AccountIds.nullable().optional(),
  options: z.object(IgnoredOptions).nullable().optional(),
});

const EnrichBody = z.object({
  account_type: z.enum(['depository', 'credit']),
  transactions: z
    .array(
      z.object({
        id: z.string().min(1).max(128),
        description: z.string().min(1).max(1000),
        amount: z.number().min(0).max(1e12),
        direction: z.enum(['INFLOW', 'OUTFLOW']),
        iso_currency_code: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"'),
        client_user_id: z.string().min(1).max(128).optional(),
        user_id: z.string().max(128).optional(),
        client_account_id: z.string().max(128).optional(),
        account_type: z.string().max(64).optional(),
        account_subtype: z.string().max(64).optional(),
        mcc: z.string().max(8).optional(),
        date_posted: z.string().max(32).optional(),
        location: z.object({}).loose().optional(),
      }),
    )
    .min(1)
    .max(100)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((t, i) => {
        if (seen.has(t.id))
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id ${t.id}` });
        seen.add(t.id);
      });
    }),
  options: z.object({}).loose().nullable().optional(),
});

export const handler = router({
  'POST /plaid/transactions/sync': plaidRoute(
    {
      summary:
        "Plaid: the item's transaction changes after a cursor (added, modified, removed), a page at a time (has_more).",
      body: SyncBody,
      example: {
        summary: 'The first page of changes, 100 at a time (send next_cursor back while has_more)',
        value: {
          access_token: 'access-sandbox-6f1c2a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f',
          cursor: '',
          count: 100,
        },
      },
    },
    async ({ app, body }) => {
      const resolved = await itemOfAccessToken(app, body.access_token);
      const page = await syncTransactions(deps(), resolved, {
        cursor: body.cursor ?? null,
        count: body.count ?? undefined,
        accountId: body.options?.account_id ?? null,
        includeOriginalDescription: body.options?.include_original_description ?? false,
      });
      return { ...page, accounts: await itemAccounts(plaidDeps(), resolved) };
    },
  ),
  'POST /plaid/transactions/get': plaidRoute(
    {
      summary: "Plaid: the item's transactions dated in a range, newest first (count, offset, account_ids).",
      body: GetBody,
      example: {
        summary: 'March 2026, the first 100',
        value: {
          access_token: 'access-sandbox-6f1c2a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f',
          start_date: '2026-03-01',
          end_date: '2026-03-31',
          options: { count: 100, offset: 0 },
        },
      },
    },
    async ({ app, body, requestId }) => {
      const resolved = await itemOfAccessToken(app, body.access_token);
      const options = body.options ?? {};
      const page = await getTransactions(deps(), resolved, {
        startDate: body.start_date,
        endDate: body.end_date,
        count: options.count ?? undefined,
        offset: options.offset ?? undefined,
        accountIds: options.account_ids ?? null,
        includeOriginalDescription: options.include_original_description ?? false,
      });
      const accounts = await itemAccounts(
        plaidDeps(),
        resolved,
        options.account_ids?.length ? options.account_ids : undefined,
      );
      const { item, connection } = resolved;
      return {
        accounts,
        ...page,
        item: plaidItemView(item, connection, institutionName(plaidDeps(), item), requestId),
      };
    },
  ),
  'POST /plaid/transactions/refresh': plaidRoute(
    {
      summary:
        "Plaid: sync the item's connection with its bank now (the changes then show in /transactions/sync).",
      body: z.object({ access_token: AccessToken }),
      example: {
        summary: 'Refresh an item',
        value: { access_token: 'access-sandbox-6f1c2a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f' },
      },
    },
    async ({ app, body }) => refreshTransactions(deps(), await itemOfAccessToken(app, body.access_token)),
  ),
  'POST /plaid/transactions/recurring/get': plaidRoute(
    {
      summary:
        "Plaid: the item's recurring inflow and outflow streams (salary, rent, subscriptions) with frequency and status.",
      body: RecurringBody,
      example: {
        summary: 'Every account of the item',
        value: { access_token: 'access-sandbox-6f1c2a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f' },
      },
    },
    async ({ app, body }) =>
      recurringTransactions(deps(), await itemOfAccessToken(app, body.access_token), {
        accountIds: body.account_ids ?? null,
      }),
  ),
  'POST /plaid/transactions/enrich': plaidRoute(
    {
      summary:
        "Plaid: merchant, categories and channel for up to 100 of the app's own transactions, nothing stored.",
      body: EnrichBody,
      example: {
        summary: 'A card payment at a coffee shop',
        value: {
          account_type: 'depository',
          transactions: [
            {
              id: 'txn-1',
              description: 'SQ *BLUE BOTTLE COFFEE 0423',
              amount: 5.4,
              direction: 'OUTFLOW',
              iso_currency_code: 'USD',
            },
          ],
        },
      },
    },
    async ({ app, body }) =>
      enrichPlaidTransactions(deps(), app, {
        accountType: body.account_type,
        transactions: body.transactions,
      }),
  ),
  'POST /plaid/categories/get': plaidRoute(
    {
      summary: "Plaid: the legacy category hierarchy (finagg's taxonomy), with stable ids.",
      body: z.object({}),
      example: { summary: 'Every category', value: {} },
    },
    async () => categories(),
  ),
});
