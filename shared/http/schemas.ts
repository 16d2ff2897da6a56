import * as z from 'zod';
import { MoneyError, parseDecimal } from '../domain/money';
import { isoDate } from '../domain/stats';
import type { Clock } from '../ports/clock';
import { openCursor, sealCursor, type CursorScope } from '../cursor';

/** `limit` 1..500 (default 100) and an opaque `cursor`, as every list route takes them. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(2048).optional(),
});

/** A calendar date `YYYY-MM-DD` (answers; a date a client sends is a `clientDate`). */
export const IsoDate = z.iso.date({ message: 'must be a date YYYY-MM-DD' });

/** The earliest date a client may send. */
export const MIN_CLIENT_DATE = '1970-01-01';

/** The latest date a client may send at `now`: the same day a year on (UTC; 29 February → 1 March). */
export function maxClientDate(now: Date): string {
  const next = Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate());
  return isoDate(Math.floor(next / 86_400_000));
}

/**
 * A date a client sends (`from`, `to`, a corrected `date`): a real calendar date `YYYY-MM-DD` from 1970-01-01
 * to a year after the request's day (`clockOf()` is read per request: the runtime's clock, a manual one in tests).
 */
export function clientDate(clockOf: () => Clock) {
  return IsoDate.superRefine((date, ctx) => {
    const max = maxClientDate(clockOf().now());
    if (date < MIN_CLIENT_DATE || date > max) {
      ctx.addIssue({ code: 'custom', message: `must be a date from ${MIN_CLIENT_DATE} to ${max}` });
    }
  }).meta({ description: `A date YYYY-MM-DD from ${MIN_CLIENT_DATE} to a year from today.` });
}

/** An RFC 3339 instant a client sends (`since`), in the same range as `clientDate`. */
export function clientInstant(clockOf: () => Clock) {
  return z.iso
    .datetime({ offset: true, message: 'must be an RFC 3339 instant' })
    .superRefine((text, ctx) => {
      const at = new Date(text);
      const max = maxClientDate(clockOf().now());
      const day = Number.isNaN(at.getTime()) ? '' : at.toISOString().slice(0, 10);
      if (!(day >= MIN_CLIENT_DATE && day <= max)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be an instant from ${MIN_CLIENT_DATE}T00:00:00Z to ${max}`,
        });
      }
    })
    .meta({ description: `An RFC 3339 instant from ${MIN_CLIENT_DATE} to a year from now.` });
}

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

/** A position in a short list read whole: the offset of the next page. */
const ListOffset = z.strictObject({ o: z.int().min(0).max(1_000_000) });

/**
 * One page of a short list that is read whole (a user's budgets, at most 100; rules, at most 500), in the order
 * given, with the same `limit`/`cursor` contract as the store's lists. The cursor is the position after the page,
 * bound to the list and its owner (`scope`): another user's or another list's cursor is a 400.
 */
export function pageOfList<T>(
  items: readonly T[],
  page: { limit: number; cursor?: string | undefined },
  scope: CursorScope,
) {
  const start = page.cursor ? openCursor(page.cursor, scope, ListOffset).o : 0;
  const end = start + page.limit;
  return {
    items: items.slice(start, end),
    nextCursor: end < items.length ? sealCursor(scope, { o: end }) : null,
  };
}
