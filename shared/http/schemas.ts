import * as z from 'zod';
import { MoneyError, parseDecimal } from '../domain/money';
import { InvalidCursorError } from '../ports/store';

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

/**
 * One page of a short list that is read whole (a user's budgets, at most 100; rules, at most 500), in the order
 * given, with the same `limit`/`cursor` contract as the store's lists. The cursor is the position after the page.
 */
export function pageOfList<T>(items: readonly T[], page: { limit: number; cursor?: string | undefined }) {
  let start = 0;
  if (page.cursor) {
    const match = /^o(\d{1,6})$/.exec(Buffer.from(page.cursor, 'base64url').toString('utf8'));
    if (!match) throw new InvalidCursorError('The cursor is not valid for this list.');
    start = Number(match[1]);
  }
  const end = start + page.limit;
  return {
    items: items.slice(start, end),
    nextCursor: end < items.length ? Buffer.from(`o${end}`, 'utf8').toString('base64url') : null,
  };
}
