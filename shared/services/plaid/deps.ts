import { getRuntime } from '../../runtime';
import type { PlaidStore } from '../../ports/plaid';
import { linkingDeps } from '../providers';
import type { LinkingDeps } from '../linking';

/**
 * What the Plaid surface's services use: the same store, cipher, queue, clock and providers as finagg's own
 * linking (a Plaid item is a finagg connection), and the public base URL its hosted link page lives under. The
 * store's roles: linking's, and the Plaid entities.
 */
export type PlaidDeps = Omit<LinkingDeps, 'store'> & { store: LinkingDeps['store'] & PlaidStore };

export function plaidDeps(): PlaidDeps {
  return { ...linkingDeps(), store: getRuntime().store };
}
