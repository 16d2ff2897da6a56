import * as z from 'zod';

/**
 * Zod schemas of the Plaid transactions product's answers (the official `plaid` client's types), for the OpenAPI
 * document; requests are validated by the schemas in functions/plaid/transactions.ts.
 */

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

export const PlaidTransaction = z.object({
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

export const RemovedTransaction = z.object({ transaction_id: z.string(), account_id: z.string() });

const StreamAmount = z.object({
  amount: z.number(),
  iso_currency_code: z.string().nullable(),
  unofficial_currency_code: z.string().nullable(),
});

export const TransactionStream = z.object({
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

export const PlaidCategory = z.object({
  category_id: z.string(),
  group: z.string(),
  hierarchy: z.array(z.string()),
});

export const EnrichedTransaction = z.object({
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
