import { z } from 'zod';
import { MoneyError, parseDecimal } from '../domain/money';

/** `limit` 1..500 (default 100) and an opaque `cursor`, as every list route takes them. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(2048).optional(),
});

export const IsoDate = z.iso.date({ message: 'must be a date YYYY-MM-DD' });

/** A decimal amount in a query string ("-12.50"), as minor units of a two-decimal currency. */
export const DecimalQuery = z.string().transform((v, ctx) => {
  try {
    return parseDecimal(v, 'USD').minor;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof MoneyError ? err.message : 'invalid amount' });
    return z.NEVER;
  }
});

export const IdPath = z.object({ id: z.string().min(1).max(128) });
