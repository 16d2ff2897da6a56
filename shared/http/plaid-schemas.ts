import * as z from 'zod';

/**
 * Zod schemas shared by the Plaid routes (request pieces and response objects for the OpenAPI document). Field
 * names and shapes are Plaid's (the official `plaid` client's types are the contract).
 */

export const CountryCodes = z
  .array(z.string().regex(/^[A-Za-z]{2}$/, 'must be ISO 3166-1 alpha-2 country codes'))
  .max(30);

export const Products = z.array(z.string().min(1).max(64)).max(30);

export const Institution = z
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

export const RequestId = { request_id: z.string() };

/** An absolute http(s) URL (a webhook, a redirect URI), at most 2,048 characters, no fragment. */
export const HttpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL', abort: true })
  .max(2048, { message: 'must be at most 2,048 characters', abort: true })
  .refine((u) => !new URL(u).hash, 'must not contain a fragment');

/** A webhook URL; Plaid takes an empty string for "none". */
export const Webhook = z.union([z.literal(''), HttpUrl]);

export const PlaidAccount = z
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

export const PlaidItem = z
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
