/**
 * The Plaid-compatible surface's own entities, in domain words. An application (a client app's backend) owns
 * link tokens, public tokens and items; an item is the Plaid face of one finagg connection, whose data belongs to
 * the finagg user derived from (application, client_user_id) (./ids.ts).
 */

/** Plaid products this surface serves. */
export const PLAID_PRODUCTS = ['transactions'] as const;
export type PlaidProduct = (typeof PLAID_PRODUCTS)[number];

export interface PlaidApplication {
  clientId: string;
  name: string;
  /** SHA-256 (hex) of the live secret: the secret itself is shown once, at creation or rotation, and never stored. */
  secretHash: string;
  /** When the live secret was issued (a rotation revokes the previous one at once). */
  secretCreatedAt: string;
  /** Where a hosted link may send the user back (a link token's `redirect_uri` must be one of them when set). */
  allowedRedirectUris: string[];
  createdAt: string;
  updatedAt: string;
}

/** A link token: what `/link/token/create` issues, and what the hosted link page runs on. */
export interface PlaidLinkToken {
  linkToken: string;
  clientId: string;
  clientUserId: string;
  /** The finagg user who owns what this link creates (ids.ts `plaidUserId`). */
  userId: string;
  clientName: string;
  language: string;
  countryCodes: string[];
  products: string[];
  webhook: string | null;
  redirectUri: string | null;
  /** Update mode: the item this link repairs (absent for a new link). */
  itemId: string | null;
  createdAt: string;
  expiresAt: string;
  /** The OAuth state of the bank consent the hosted page started (the callback finds the link token by it). */
  oauthState: string | null;
  /** Once the hosted flow ended: the public token it handed to the app, and the item it made. */
  publicToken: string | null;
  resultItemId: string | null;
}

/** A public token: single use, short-lived, exchanged for an item's access token. */
export interface PlaidPublicToken {
  /** SHA-256 (hex) of the token. */
  tokenHash: string;
  clientId: string;
  itemId: string;
  createdAt: string;
  expiresAt: string;
}

export type PlaidItemStatus = 'active' | 'login_required' | 'revoked';

export interface PlaidItem {
  itemId: string;
  clientId: string;
  clientUserId: string;
  /** The finagg user that owns the item's data. */
  userId: string;
  /** The finagg connection behind the item. */
  connectionId: string;
  /** Plaid institution id (`ins_bank_a`). */
  institutionId: string;
  products: string[];
  webhook: string | null;
  status: PlaidItemStatus;
  /** Why the item needs attention: a Plaid error code (ITEM_LOGIN_REQUIRED ...), null when healthy. */
  errorCode: string | null;
  /** SHA-256 (hex) of its access token; null until its public token is exchanged. */
  accessTokenHash: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Lifetimes Plaid documents. */
export const LINK_TOKEN_TTL_SECONDS = 4 * 3600;
export const PUBLIC_TOKEN_TTL_SECONDS = 30 * 60;
