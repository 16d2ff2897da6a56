import * as z from 'zod';
import type { ZodType } from 'zod';

/**
 * The success response bodies of the Plaid-compatible surface (`/plaid/...`, shared/http/plaid.ts), as the handlers
 * and the services of shared/services/plaid build them. Field names and shapes are Plaid's (the official `plaid`
 * client's types are the contract). Documentation for the OpenAPI document and the contract the e2e tests check
 * every answer against (test/support/api.ts): handlers do not validate their output at runtime, and no Lambda
 * bundles this module (`PLAID_RESPONSES` below). The request pieces the routes validate with stay in
 * shared/http/plaid-schemas.ts.
 */

const RequestId = { request_id: z.string() };

// ---------------------------------------------------------------------------------------------------------------
// Institutions, items and accounts (shared/domain/plaid/institutions.ts, shared/domain/plaid/accounts.ts)

const Institution = z
  .object({
    institution_id: z.string(),
    name: z.string(),
    products: z.array(z.string()),
    country_codes: z.array(z.string()),
    url: z.string().nullable(),
    primary_color: z.string().nullable(),
    logo: z.string().nullable(),
    routing_numbers: z.array(z.string()),
    dtc_numbers: z.array(z.string()),
    oauth: z.boolean(),
    status: z.null(),
  })
  .meta({ id: 'PlaidInstitution' });

const PlaidAccount = z
  .object({
    account_id: z.string(),
    balances: z.object({
      available: z.number().nullable(),
      current: z.number().nullable(),
      limit: z.number().nullable(),
      iso_currency_code: z.string().nullable(),
      unofficial_currency_code: z.string().nullable(),
      last_updated_datetime: z.string().nullable(),
    }),
    mask: z.string().nullable(),
    name: z.string(),
    official_name: z.string().nullable(),
    type: z.string(),
    subtype: z.string().nullable(),
  })
  .meta({ id: 'PlaidAccount' });

const PlaidItem = z
  .object({
    item_id: z.string(),
    institution_id: z.string().nullable(),
    institution_name: z.string().nullable(),
    webhook: z.string().nullable(),
    auth_method: z.string().nullable(),
    error: z
      .object({ error_type: z.string(), error_code: z.string(), error_message: z.string() })
      .loose()
      .nullable(),
    available_products: z.array(z.string()),
    billed_products: z.array(z.string()),
    products: z.array(z.string()),
    consented_products: z.array(z.string()),
    consent_expiration_time: z.string().nullable(),
    update_type: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'PlaidItem' });

const ItemAccounts = z.object({ accounts: z.array(PlaidAccount), item: PlaidItem, ...RequestId });

// ---------------------------------------------------------------------------------------------------------------
// The transactions product (shared/domain/plaid/transactions.ts, shared/services/plaid/transactions.ts)

const Location = z.object({
  address: z.string().nullable(),
  city: z.string().nullable(),
  region: z.string().nullable(),
  postal_code: z.string().nullable(),
  country: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  store_number: z.string().nullable(),
});

const PersonalFinanceCategory = z.object({
  primary: z.string(),
  detailed: z.string(),
  confidence_level: z.string().nullable(),
  version: z.string(),
});

const Counterparty = z.object({
  name: z.string(),
  entity_id: z.string().nullable(),
  type: z.enum([
    'merchant',
    'financial_institution',
    'payment_app',
    'marketplace',
    'payment_terminal',
    'income_source',
  ]),
  website: z.string().nullable(),
  logo_url: z.string().nullable(),
  confidence_level: z.string().nullable(),
});

const PlaidTransaction = z.object({
  transaction_id: z.string(),
  account_id: z.string(),
  amount: z.number().describe('Positive: money out of the account (Plaid’s sign).'),
  iso_currency_code: z.string().nullable(),
  unofficial_currency_code: z.string().nullable(),
  category: z.array(z.string()).nullable(),
  category_id: z.string().nullable(),
  check_number: z.string().nullable(),
  date: z.string(),
  datetime: z.string().nullable(),
  authorized_date: z.string().nullable(),
  authorized_datetime: z.string().nullable(),
  location: Location,
  name: z.string(),
  merchant_name: z.string().nullable(),
  original_description: z.string().nullable(),
  payment_meta: z.object({
    reference_number: z.string().nullable(),
    ppd_id: z.string().nullable(),
    payee: z.string().nullable(),
    by_order_of: z.string().nullable(),
    payer: z.string().nullable(),
    payment_method: z.string().nullable(),
    payment_processor: z.string().nullable(),
    reason: z.string().nullable(),
  }),
  pending: z.boolean(),
  pending_transaction_id: z.string().nullable(),
  account_owner: z.string().nullable(),
  transaction_type: z.enum(['digital', 'place', 'special', 'unresolved']),
  logo_url: z.string().nullable(),
  website: z.string().nullable(),
  payment_channel: z.enum(['online', 'in store', 'other']),
  personal_finance_category: PersonalFinanceCategory.nullable(),
  transaction_code: z.string().nullable(),
  counterparties: z.array(Counterparty),
  merchant_entity_id: z.string().nullable(),
  merchant_category_code: z.string().nullable(),
});

const RemovedTransaction = z.object({ transaction_id: z.string(), account_id: z.string() });

const StreamAmount = z.object({
  amount: z.number(),
  iso_currency_code: z.string().nullable(),
  unofficial_currency_code: z.string().nullable(),
});

const TransactionStream = z.object({
  account_id: z.string(),
  stream_id: z.string(),
  category: z.array(z.string()).nullable(),
  category_id: z.string().nullable(),
  description: z.string(),
  merchant_name: z.string().nullable(),
  first_date: z.string(),
  last_date: z.string(),
  predicted_next_date: z.string().nullable(),
  frequency: z.enum(['WEEKLY', 'BIWEEKLY', 'SEMI_MONTHLY', 'MONTHLY', 'ANNUALLY', 'UNKNOWN']),
  transaction_ids: z.array(z.string()),
  average_amount: StreamAmount,
  last_amount: StreamAmount,
  is_active: z.boolean(),
  status: z.enum(['MATURE', 'EARLY_DETECTION', 'TOMBSTONED', 'UNKNOWN']),
  personal_finance_category: PersonalFinanceCategory.nullable(),
  is_user_modified: z.boolean(),
});

const PlaidCategory = z.object({
  category_id: z.string(),
  group: z.string(),
  hierarchy: z.array(z.string()),
});

const EnrichedTransaction = z.object({
  id: z.string(),
  description: z.string(),
  amount: z.number(),
  direction: z.enum(['INFLOW', 'OUTFLOW']),
  iso_currency_code: z.string(),
  enrichments: z.object({
    counterparties: z.array(Counterparty.extend({ phone_number: z.string().nullable() })),
    legacy_category_id: z.string().nullable(),
    legacy_category: z.array(z.string()).nullable(),
    location: Location,
    logo_url: z.string().nullable(),
    merchant_name: z.string().nullable(),
    payment_channel: z.enum(['online', 'in store', 'other']),
    phone_number: z.string().nullable(),
    personal_finance_category: PersonalFinanceCategory.nullable(),
    personal_finance_category_icon_url: z.string(),
    website: z.string().nullable(),
  }),
});

/** The accounts and the item beside transactions: only their ids are promised (the accounts route has them all). */
const TxnAccounts = z.array(z.object({ account_id: z.string() }).loose());
const TxnItem = z.object({ item_id: z.string() }).loose();

// ---------------------------------------------------------------------------------------------------------------
// Webhooks (shared/services/plaid/webhooks-keys.ts, shared/services/plaid/webhooks.ts)

const Jwk = z
  .object({
    alg: z.literal('ES256'),
    crv: z.literal('P-256'),
    kid: z.string(),
    kty: z.literal('EC'),
    use: z.literal('sig'),
    x: z.string(),
    y: z.string(),
    created_at: z.number().int(),
    expired_at: z.number().int().nullable(),
  })
  .meta({ id: 'PlaidJwkPublicKey' });

const Attempt = z
  .object({
    delivery_id: z.string(),
    webhook_type: z.string(),
    webhook_code: z.string(),
    url: z.string(),
    attempt: z.number().int(),
    at: z.string(),
    status_code: z.number().int().nullable(),
    duration_ms: z.number(),
    error: z.string().nullable(),
    outcome: z.enum(['delivered', 'retrying', 'failed']),
  })
  .meta({ id: 'PlaidWebhookAttempt' });

/**
 * The success response body of every JSON route of the Plaid surface, by route key (`METHOD /path`, as in
 * lib/catalogue.ts). The OpenAPI generator (lib/openapi.ts `collectOperations`) and the e2e tests' contract check
 * read them from here, as shared/http/responses.ts `RESPONSES` for finagg's own routes; no Lambda imports this
 * module (building these schemas would cost every cold start its zod, for a contract not checked at runtime).
 * The hosted link pages answer HTML and have none; the OpenAPI test fails for a JSON route missing here.
 */
export const PLAID_RESPONSES: Readonly<Record<string, ZodType>> = {
  // functions/plaid/institutions.ts
  'POST /plaid/institutions/get_by_id': z.object({ institution: Institution, ...RequestId }),
  'POST /plaid/institutions/search': z.object({ institutions: z.array(Institution), ...RequestId }),
  // functions/plaid/link.ts
  'POST /plaid/link/token/create': z.object({
    link_token: z.string(),
    expiration: z.string(),
    hosted_link_url: z.string(),
    ...RequestId,
  }),
  'POST /plaid/link/token/get': z
    .object({
      link_token: z.string(),
      created_at: z.string(),
      expiration: z.string(),
      metadata: z.object({}).loose(),
      link_sessions: z.array(z.object({}).loose()),
      ...RequestId,
    })
    .loose(),
  // functions/plaid/item.ts
  'POST /plaid/item/public_token/exchange': z.object({
    access_token: z.string(),
    item_id: z.string(),
    ...RequestId,
  }),
  'POST /plaid/item/get': z.object({ item: PlaidItem, status: z.object({}).loose(), ...RequestId }),
  'POST /plaid/item/remove': z.object({ ...RequestId }),
  'POST /plaid/item/webhook/update': z.object({ item: PlaidItem, ...RequestId }),
  'POST /plaid/accounts/get': ItemAccounts,
  'POST /plaid/accounts/balance/get': ItemAccounts,
  // functions/plaid/sandbox.ts
  'POST /plaid/sandbox/public_token/create': z.object({ public_token: z.string(), ...RequestId }),
  'POST /plaid/sandbox/item/reset_login': z.object({ reset_login: z.boolean(), ...RequestId }),
  // functions/plaid/transactions.ts
  'POST /plaid/transactions/sync': z.object({
    transactions_update_status: z.string(),
    accounts: TxnAccounts,
    added: z.array(PlaidTransaction),
    modified: z.array(PlaidTransaction),
    removed: z.array(RemovedTransaction),
    next_cursor: z.string(),
    has_more: z.boolean(),
    ...RequestId,
  }),
  'POST /plaid/transactions/get': z.object({
    accounts: TxnAccounts,
    transactions: z.array(PlaidTransaction),
    total_transactions: z.int(),
    item: TxnItem,
    ...RequestId,
  }),
  'POST /plaid/transactions/refresh': z.object(RequestId),
  'POST /plaid/transactions/recurring/get': z.object({
    inflow_streams: z.array(TransactionStream),
    outflow_streams: z.array(TransactionStream),
    updated_datetime: z.string(),
    personal_finance_category_version: z.string(),
    ...RequestId,
  }),
  'POST /plaid/transactions/enrich': z.object({
    enriched_transactions: z.array(EnrichedTransaction),
    ...RequestId,
  }),
  'POST /plaid/categories/get': z.object({ categories: z.array(PlaidCategory), ...RequestId }),
  // functions/plaid/webhooks.ts
  'POST /plaid/webhook_verification_key/get': z.object({ key: Jwk, ...RequestId }),
  'POST /plaid/sandbox/item/fire_webhook': z.object({ webhook_fired: z.boolean(), ...RequestId }),
  'POST /plaid/item/webhook/attempts/get': z.object({
    item_id: z.string(),
    attempts: z.array(Attempt),
    ...RequestId,
  }),
};
