import { linkingDeps } from '../providers';
import type { LinkingDeps } from '../linking';

/**
 * What the Plaid surface's services use: the same store, cipher, queue, clock and providers as finagg's own
 * linking (a Plaid item is a finagg connection), and the public base URL its hosted link page lives under.
 */
export type PlaidDeps = LinkingDeps;

export function plaidDeps(): PlaidDeps {
  return linkingDeps();
}
