import * as z from 'zod';
import { httpRoute, json } from '../../shared/http/handler';
import { router } from '../../shared/http/router';
import { clientDate } from '../../shared/http/schemas';
import { getRuntime, runtimeClock } from '../../shared/runtime';
import { anomalies, categories, spending } from '../../shared/services/analytics';

const ClientDate = clientDate(runtimeClock);
const Range = {
  from: ClientDate.optional(),
  to: ClientDate.optional(),
};
const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
  .optional();

/**
 * Analytics from effective values, read from the spending projection the Budgets stream function keeps
 * (shared/domain/spend.ts): `from`/`to` are local dates (default: the twelve calendar months up to today in the
 * user's time zone).
 */
export const handler = router({
  'GET /analytics/spending': httpRoute(
    {
      summary: 'Spending over time, bucketed by day, week or month, optionally per category.',
      query: z.strictObject({
        ...Range,
        granularity: z.enum(['day', 'week', 'month']).default('month'),
        currency: Currency,
      }),
    },
    async ({ userId, query }) => json(200, await spending(getRuntime(), userId, query)),
  ),
  'GET /analytics/categories': httpRoute(
    {
      summary: 'Spending per category over a date range, with shares of the total.',
      query: z.strictObject({ ...Range, currency: Currency }),
    },
    async ({ userId, query }) => json(200, await categories(getRuntime(), userId, query)),
  ),
  'GET /analytics/anomalies': httpRoute(
    {
      summary: 'Anomalies found in a date range, each with a plain-language explanation.',
      query: z.strictObject(Range),
    },
    async ({ userId, query }) => json(200, await anomalies(getRuntime(), userId, query)),
  ),
});
