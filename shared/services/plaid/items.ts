import type { Connection } from '../../domain/models';
import { invalidAccessToken, itemLoginRequired, itemNotFound } from '../../domain/plaid/errors';
import { ACCESS_TOKEN_PATTERN, hashSecret } from '../../domain/plaid/ids';
import type { PlaidApplication, PlaidItem } from '../../domain/plaid/models';
import type { PlaidStore } from '../../ports/plaid';
import type { Store } from '../../ports/store';

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

/** The Plaid error code an item shows (`/item/get`'s `error`), from its own state and its connection's. */
export function itemErrorCode(item: PlaidItem, connection: Connection): string | null {
  if (item.status === 'login_required' || connection.status === 'login_required')
    return 'ITEM_LOGIN_REQUIRED';
  return item.errorCode;
}
