import { accountView } from '../../shared/domain/accounts';
import { httpRoute, json } from '../../shared/http/handler';
import { notFound } from '../../shared/http/problem';
import { router } from '../../shared/http/router';
import { IdPath } from '../../shared/http/schemas';
import { getRuntime } from '../../shared/runtime';

export const handler = router({
  'GET /accounts': httpRoute(
    { summary: "The caller's accounts with their balances." },
    async ({ userId }) => {
      const accounts = await getRuntime().store.listAccounts(userId);
      return json(200, { accounts: accounts.map(accountView) });
    },
  ),
  'GET /accounts/{id}': httpRoute(
    { summary: 'One account with its balances.', path: IdPath },
    async ({ userId, path }) => {
      const account = await getRuntime().store.getAccount(userId, path.id);
      if (!account) throw notFound('No such account.');
      return json(200, accountView(account));
    },
  ),
});
