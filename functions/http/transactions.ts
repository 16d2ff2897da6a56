import * as z from 'zod';
import { transactionView } from '../../shared/domain/transactions';
import { httpRoute, json } from '../../shared/http/handler';
import { router } from '../../shared/http/router';
import { clientDate, DecimalQuery, IdPath, PageQuery } from '../../shared/http/schemas';
import { getRuntime, runtimeClock } from '../../shared/runtime';
import { transactionChanges, transactionDetail } from '../../shared/services/transactions';

const ClientDate = clientDate(runtimeClock);

const ListQuery = PageQuery.extend({
  account_id: z.string().min(1).max(128).optional(),
  from: ClientDate.optional(),
  to: ClientDate.optional(),
  category: z
    .string()
    .regex(/^[A-Z_]{3,80}$/, 'must be a category such as FOOD_AND_DRINK')
    .optional(),
  min_amount: DecimalQuery.optional(),
  max_amount: DecimalQuery.optional(),
  q: z.string().min(1).max(200).optional(),
  status: z.enum(['pending', 'posted']).optional(),
})
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });

const SyncQuery = z
  .object({
    cursor: z.string().max(1024).optional(),
    count: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const handler = router({
  'GET /transactions': httpRoute(
    {
      summary:
        'Transactions, newest first, with filters and cursor pagination. A request reads at most 2,000 transactions: with a selective filter a page can hold fewer than limit items; follow next_cursor until it is null.',
      query: ListQuery,
    },
    async ({ userId, query }) => {
      const page = await getRuntime().store.listTransactions(
        userId,
        {
          accountId: query.account_id,
          from: query.from,
          to: query.to,
          category: query.category,
          minAmountMinor: query.min_amount,
          maxAmountMinor: query.max_amount,
          q: query.q,
          status: query.status,
        },
        { limit: query.limit, cursor: query.cursor },
      );
      return json(200, { transactions: page.items.map(transactionView), next_cursor: page.nextCursor });
    },
  ),
  'GET /transactions/sync': httpRoute(
    {
      summary: 'Plaid-style change feed: added, modified and removed since a cursor.',
      query: SyncQuery,
    },
    async ({ userId, query }) =>
      json(200, await transactionChanges(getRuntime().store, userId, query.cursor || undefined, query.count)),
  ),
  'GET /transactions/{id}': httpRoute(
    {
      summary: "One transaction with the bank's original and its history.",
      path: IdPath,
    },
    async ({ userId, path }) => json(200, await transactionDetail(getRuntime().store, userId, path.id)),
  ),
});
