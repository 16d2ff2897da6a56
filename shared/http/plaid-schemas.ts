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
