import type { Connection } from '../../domain/models';
import { plaidAccount, plaidItemView, type PlaidAccount } from '../../domain/plaid/accounts';
import { PlaidError, invalidAccessToken, itemLoginRequired, itemNotFound } from '../../domain/plaid/errors';
import {
  ACCESS_TOKEN_PATTERN,
  PUBLIC_TOKEN_PATTERN,
  hashSecret,
  institutionId,
  newAccessToken,
} from '../../domain/plaid/ids';
import type { PlaidApplication, PlaidItem } from '../../domain/plaid/models';
import type { PlaidStore } from '../../ports/plaid';
import type { Store } from '../../ports/store';
import { revokeConnection } from '../linking';
import type { PlaidDeps } from './deps';

/** An item as a request reaches it through its access token, with the finagg connection behind it. */
export interface ResolvedItem {
  item: PlaidItem;
  connection: Connection;
}

/**
 * The item of an access token, for the application that sent it:
 * - INVALID_ACCESS_TOKEN when the token is malformed, unknown, or another application's;
 * - ITEM_NOT_FOUND when the item was removed (/item/remove) or its connection revoked;
 * - ITEM_LOGIN_REQUIRED when the item or its connection needs the user to sign in again (unless
 *   `allowLoginRequired`: /item/get and /item/remove answer such an item).
 */
export async function resolveItem(
  store: Pick<Store, 'getConnection'> & Pick<PlaidStore, 'getPlaidItemByAccessToken'>,
  app: Pick<PlaidApplication, 'clientId'>,
  accessToken: string,
  opts: { allowLoginRequired?: boolean } = {},
): Promise<ResolvedItem> {
  if (!ACCESS_TOKEN_PATTERN.test(accessToken)) throw invalidAccessToken();
  const item = await store.getPlaidItemByAccessToken(hashSecret(accessToken));
  if (!item || item.clientId !== app.clientId) throw invalidAccessToken();
  if (item.status === 'revoked') throw itemNotFound();
  const connection = await store.getConnection(item.userId, item.connectionId);
  if (!connection || connection.status === 'revoked') throw itemNotFound();
  const loginRequired = item.status === 'login_required' || connection.status === 'login_required';
  if (loginRequired && !opts.allowLoginRequired) throw itemLoginRequired();
  return { item, connection };
}

/** The institution name of an item (its provider's), or null. */
export function institutionName(deps: Pick<PlaidDeps, 'providers'>, item: PlaidItem): string | null {
  return deps.providers.find((p) => institutionId(p.id) === item.institutionId)?.name ?? null;
}

/** `/item/public_token/exchange`: the public token (once) for the item's new access token. */
export async function exchangePublicToken(deps: PlaidDeps, app: PlaidApplication, publicToken: string) {
  if (!PUBLIC_TOKEN_PATTERN.test(publicToken)) {
    throw new PlaidError(
      'INVALID_PUBLIC_TOKEN',
      'provided public token is in an invalid format. expected format: public-<environment>-<identifier>',
    );
  }
  const taken = await deps.store.consumePlaidPublicToken(
    hashSecret(publicToken),
    app.clientId,
    deps.clock.now(),
  );
  if (!taken)
    throw new PlaidError(
      'INVALID_PUBLIC_TOKEN',
      'provided public token is expired, already used or does not exist',
    );
  const accessToken = newAccessToken();
  await deps.store.updatePlaidItem(app.clientId, taken.itemId, {
    accessTokenHash: hashSecret(accessToken),
    updatedAt: deps.clock.now().toISOString(),
  });
  return { access_token: accessToken, item_id: taken.itemId };
}

/** `/item/get`: the item (with its error, if any) and the status of its transactions updates. */
export async function getItem(deps: PlaidDeps, resolved: ResolvedItem, requestId: string) {
  const { item, connection } = resolved;
  return {
    item: plaidItemView(item, connection, institutionName(deps, item), requestId),
    status: {
      transactions: {
        last_successful_update:
          connection.lastSyncStatus === 'succeeded' ? (connection.lastSyncAt ?? null) : null,
        last_failed_update:
          connection.lastSyncStatus && connection.lastSyncStatus !== 'succeeded'
            ? (connection.lastSyncAt ?? null)
            : null,
      },
      investments: null,
      last_webhook: null,
    },
  };
}

/**
 * `/item/remove`: revokes the connection at the bank as finagg's own disconnect does (its syncs stop), and the
 * item's access token stops working (ITEM_NOT_FOUND from then on).
 */
export async function removeItem(deps: PlaidDeps, resolved: ResolvedItem): Promise<PlaidItem> {
  const { item } = resolved;
  await revokeConnection(deps, item.userId, item.connectionId);
  return deps.store.updatePlaidItem(item.clientId, item.itemId, {
    status: 'revoked',
    updatedAt: deps.clock.now().toISOString(),
  });
}

export async function updateItemWebhook(
  deps: PlaidDeps,
  resolved: ResolvedItem,
  webhook: string | null,
): Promise<PlaidItem> {
  return deps.store.updatePlaidItem(resolved.item.clientId, resolved.item.itemId, {
    webhook,
    updatedAt: deps.clock.now().toISOString(),
  });
}

/** `/sandbox/item/reset_login`: the item needs its user to sign in again (ITEM_LOGIN_REQUIRED). */
export async function resetLogin(deps: PlaidDeps, resolved: ResolvedItem): Promise<PlaidItem> {
  return deps.store.updatePlaidItem(resolved.item.clientId, resolved.item.itemId, {
    status: 'login_required',
    errorCode: 'ITEM_LOGIN_REQUIRED',
    updatedAt: deps.clock.now().toISOString(),
  });
}

/** The item's accounts in Plaid's shape; `accountIds` filters (an id not of the item is INVALID_ACCOUNT_ID). */
export async function itemAccounts(
  deps: PlaidDeps,
  resolved: ResolvedItem,
  accountIds?: readonly string[],
): Promise<PlaidAccount[]> {
  const all = (await deps.store.listAccounts(resolved.item.userId))
    .filter((a) => a.connectionId === resolved.item.connectionId)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (accountIds) {
    const unknown = accountIds.filter((id) => !all.some((a) => a.id === id));
    if (unknown.length) {
      throw new PlaidError(
        'INVALID_ACCOUNT_ID',
        `one or more of the account IDs is invalid: ${unknown.join(', ')}`,
      );
    }
    return all.filter((a) => accountIds.includes(a.id)).map(plaidAccount);
  }
  return all.map(plaidAccount);
}
