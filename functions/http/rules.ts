import { RuleBodySchema } from '../../shared/domain/categorizer/user-rules';
import { httpRoute, json } from '../../shared/http/handler';
import { router } from '../../shared/http/router';
import { IdPath, PageQuery } from '../../shared/http/schemas';
import { getRuntime } from '../../shared/runtime';
import { createRule, deleteRule, listRules, updateRule } from '../../shared/services/user-rules';

/**
 * User categorization rules (../shared/API.md "Categorization rules"); the engine's rule model
 * (shared/domain/categorizer/user-rules.ts). A rule change re-categorizes the user's transactions
 * (shared/services/user-rules.ts): POST and PUT answer the rule with `recategorized` (how many transactions
 * changed in the request) and `recategorization` (`done`, or `queued` when the Categorizer finishes the
 * rest); DELETE answers
 * 204. Another user's rule is a 404.
 */
export const handler = router({
  'GET /rules': httpRoute(
    {
      summary: "The caller's categorization rules, in the order they apply.",
      query: PageQuery.strict(),
    },
    async ({ userId, query }) => json(200, await listRules(getRuntime().store, userId, query)),
  ),
  'POST /rules': httpRoute(
    {
      summary: 'Create a categorization rule; user rules always win over the engine.',
      status: 201,
      body: RuleBodySchema,
    },
    async ({ userId, body }) => json(201, await createRule(getRuntime(), userId, body)),
  ),
  'PUT /rules/{id}': httpRoute(
    { summary: 'Replace a categorization rule.', path: IdPath, body: RuleBodySchema },
    async ({ userId, path, body }) => json(200, await updateRule(getRuntime(), userId, path.id, body)),
  ),
  'DELETE /rules/{id}': httpRoute(
    { summary: 'Delete a categorization rule.', status: 204, path: IdPath },
    async ({ userId, path }) => {
      await deleteRule(getRuntime(), userId, path.id);
      return { statusCode: 204, headers: {}, body: '' };
    },
  ),
});
