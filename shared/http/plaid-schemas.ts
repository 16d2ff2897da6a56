import * as z from 'zod';

/**
 * Zod pieces of the Plaid routes' requests, which the Lambdas validate with. Field names and shapes are Plaid's
 * (the official `plaid` client's types are the contract). The response bodies live in
 * shared/http/plaid-responses.ts, out of the Lambdas.
 */

export const CountryCodes = z
  .array(z.string().regex(/^[A-Za-z]{2}$/, 'must be ISO 3166-1 alpha-2 country codes'))
  .max(30);

export const Products = z.array(z.string().min(1).max(64)).max(30);

/** An absolute http(s) URL (a webhook, a redirect URI), at most 2,048 characters, no fragment. */
export const HttpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL', abort: true })
  .max(2048, { message: 'must be at most 2,048 characters', abort: true })
  .refine((u) => !new URL(u).hash, 'must not contain a fragment');

/** A webhook URL; Plaid takes an empty string for "none". */
export const Webhook = z.union([z.literal(''), HttpUrl]);
