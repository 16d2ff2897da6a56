import * as z from 'zod';
import { BudgetInputSchema, BudgetUpdateSchema, TimeZoneSchema } from '../../shared/domain/budgets';
import { httpRoute, json } from '../../shared/http/handler';
import { notFound } from '../../shared/http/problem';
import { router } from '../../shared/http/router';
import { IdPath, PageQuery, pageOfList } from '../../shared/http/schemas';
import { getRuntime } from '../../shared/runtime';
import {
  budgetViews,
  createUserBudget,
  getBudgetOr404,
  updateUserBudget,
} from '../../shared/services/budgets';

const SettingsBody = z.strictObject({ time_zone: TimeZoneSchema });

const settingsView = (s: { timeZone: string; updatedAt: string | null }) => ({
  time_zone: s.timeZone,
  updated_at: s.updatedAt,
});

/**
 * Budgets (../shared/API.md): per primary category, weekly or monthly in the user's time zone, with `spent` and
 * `remaining` of the current period. The time zone is a user setting: `GET /settings`, `PUT /settings`
 * `{"time_zone":"America/New_York"}` (default UTC).
 */
export const handler = router({
  'POST /budgets': httpRoute(
    {
      summary: 'Create a weekly or monthly budget for a primary category.',
      status: 201,
      body: BudgetInputSchema,
    },
    async ({ userId, body }) => json(201, await createUserBudget(getRuntime(), userId, body)),
  ),
  'GET /budgets': httpRoute(
    {
      summary: "The caller's budgets, each with spent and remaining in the current period.",
      query: PageQuery.strict(),
    },
    async ({ userId, query }) => {
      const rt = getRuntime();
      const page = pageOfList(await rt.store.listBudgets(userId), query, { list: 'budgets', owner: userId });
      return json(200, { budgets: await budgetViews(rt, userId, page.items), next_cursor: page.nextCursor });
    },
  ),
  'GET /budgets/{id}': httpRoute(
    {
      summary: 'One budget with spent and remaining in the current period.',
      path: IdPath,
    },
    async ({ userId, path }) => {
      const rt = getRuntime();
      const [view] = await budgetViews(rt, userId, [await getBudgetOr404(rt.store, userId, path.id)]);
      return json(200, view);
    },
  ),
  'PUT /budgets/{id}': httpRoute(
    {
      summary: "Change a budget's limit, period or alert thresholds.",
      path: IdPath,
      body: BudgetUpdateSchema,
    },
    async ({ userId, path, body }) => json(200, await updateUserBudget(getRuntime(), userId, path.id, body)),
  ),
  'DELETE /budgets/{id}': httpRoute(
    { summary: 'Delete a budget.', status: 204, path: IdPath },
    async ({ userId, path }) => {
      if (!(await getRuntime().store.deleteBudget(userId, path.id))) throw notFound('No such budget.');
      return { statusCode: 204, headers: {}, body: '' };
    },
  ),
  'GET /settings': httpRoute(
    { summary: "The caller's settings (time zone for budget periods)." },
    async ({ userId }) => json(200, settingsView(await getRuntime().store.getUserSettings(userId))),
  ),
  'PUT /settings': httpRoute(
    { summary: "Set the caller's time zone (IANA name).", body: SettingsBody },
    async ({ userId, body }) => {
      const { store, clock } = getRuntime();
      const settings = { timeZone: body.time_zone, updatedAt: clock.now().toISOString() };
      await store.putUserSettings(userId, settings);
      return json(200, settingsView(settings));
    },
  ),
});
