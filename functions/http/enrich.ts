import * as z from 'zod';
import { MoneyError, parseDecimal } from '../../shared/domain/money';
import { httpRoute, json } from '../../shared/http/handler';
import { getRuntime } from '../../shared/runtime';
import { enrichTransactions, type EnrichItem } from '../../shared/services/user-rules';

/** Most items per request (Plaid's enrich takes 100 too). */
const MAX_ITEMS = 100;

const Item = z
  .strictObject({
    id: z.string().trim().min(1, 'must not be empty').max(128),
    description: z.string().trim().min(1, 'must not be empty').max(1000),
    /** Signed decimal string in the currency's units; negative is money out (as everywhere in the API). */
    amount: z
      .string({ error: 'must be a decimal string such as "-12.34"' })
      .regex(/^[+-]?\d{1,13}(\.\d{1,6})?$/, 'must be a decimal string such as "-12.34"'),
    currency: z
      .string({ error: 'must be an ISO 4217 code such as "USD"' })
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"'),
  })
  .transform((item, ctx): EnrichItem => {
    try {
      const { minor } = parseDecimal(item.amount, item.currency);
      return { id: item.id, description: item.description, amountMinor: minor, currency: item.currency };
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: err instanceof MoneyError ? err.message : 'not a decimal amount',
      });
      return z.NEVER;
    }
  });

const EnrichBody = z
  .strictObject({
    transactions: z
      .array(Item)
      .min(1, 'give at least one transaction')
      .max(MAX_ITEMS, `give at most ${MAX_ITEMS} transactions`),
  })
  .superRefine((b, ctx) => {
    const seen = new Set<string>();
    b.transactions.forEach((t, i) => {
      if (seen.has(t.id))
        ctx.addIssue({ code: 'custom', path: ['transactions', i, 'id'], message: `duplicate id ${t.id}` });
      seen.add(t.id);
    });
  });

/**
 * `POST /transactions/enrich` (../shared/API.md): merchant names and categories for up to 100 arbitrary
 * transactions, from the same engine as stored transactions (built-in rules plus the caller's rules); nothing
 * is stored. `category` is null where the engine abstains (below its confidence threshold).
 */
export const handler = httpRoute(
  {
    summary: 'Merchant name and category for up to 100 raw transactions, without storing them.',
    body: EnrichBody,
  },
  async ({ userId, body }) => json(200, await enrichTransactions(getRuntime(), userId, body.transactions)),
);
