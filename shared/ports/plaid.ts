import type { PlaidApplication, PlaidItem, PlaidLinkToken, PlaidPublicToken } from '../domain/plaid/models';

/**
 * The Plaid surface's storage role, in domain words: applications, link tokens, public tokens and items. Tokens
 * and secrets are passed and kept only as hashes (domain/plaid/ids.ts `hashSecret`), except link tokens, which
 * are no credential (they open a page, and only for a while). Adapters: DynamoDB
 * (shared/adapters/dynamodb/plaid-store.ts). Conditional writes that lose throw ConflictError (ports/store.ts).
 */
export interface PlaidStore {
  // Applications
  /** Creates an application; ConflictError if its client_id exists. */
  putPlaidApplication(app: PlaidApplication): Promise<void>;
  getPlaidApplication(clientId: string): Promise<PlaidApplication | null>;
  /** Every application, oldest client_id first (operators). */
  listPlaidApplications(): Promise<PlaidApplication[]>;
  /**
   * Replaces the application's secret (the previous one stops working at once) and any other of the fields given;
   * ConflictError if it does not exist.
   */
  updatePlaidApplication(
    clientId: string,
    changes: Partial<Omit<PlaidApplication, 'clientId' | 'createdAt'>>,
  ): Promise<PlaidApplication>;

  // Link tokens
  /** Creates a link token; ConflictError if it exists. Expired ones are gone (or answered as absent). */
  putPlaidLinkToken(token: PlaidLinkToken): Promise<void>;
  /** The link token, null when unknown or expired at `now`. */
  getPlaidLinkToken(linkToken: string, now: Date): Promise<PlaidLinkToken | null>;
  /** The link token whose hosted flow started the bank consent of this OAuth state; null when none (or expired). */
  getPlaidLinkTokenByState(oauthState: string, now: Date): Promise<PlaidLinkToken | null>;
  /** Sets fields of the hosted flow's progress; ConflictError if the link token does not exist. */
  updatePlaidLinkToken(
    linkToken: string,
    changes: Partial<Pick<PlaidLinkToken, 'oauthState' | 'publicToken' | 'resultItemId'>>,
  ): Promise<PlaidLinkToken>;

  // Public tokens
  putPlaidPublicToken(token: PlaidPublicToken): Promise<void>;
  /**
   * Takes the public token once, atomically, for its application: null when unknown, expired at `now`, already
   * taken, or another application's (which does not take it).
   */
  consumePlaidPublicToken(tokenHash: string, clientId: string, now: Date): Promise<PlaidPublicToken | null>;

  // Items
  /** Creates an item (and its lookup by connection, and by access token when it has one); ConflictError if it exists. */
  putPlaidItem(item: PlaidItem): Promise<void>;
  /** The item of the application; null when it has none of that id. */
  getPlaidItem(clientId: string, itemId: string): Promise<PlaidItem | null>;
  /** The item whose access token hashes to this; null when none. A revoked item is still found (ITEM_NOT_FOUND). */
  getPlaidItemByAccessToken(accessTokenHash: string): Promise<PlaidItem | null>;
  /** The item in front of a finagg connection (the sync and webhook side); null when the connection has none. */
  getPlaidItemByConnection(connectionId: string): Promise<PlaidItem | null>;
  /** Every item of an application. */
  listPlaidItems(clientId: string): Promise<PlaidItem[]>;
  /**
   * Updates fields of an item; ConflictError if it does not exist. Setting `accessTokenHash` makes the item
   * findable by that token (a token it had before stops finding it), in one transaction.
   */
  updatePlaidItem(
    clientId: string,
    itemId: string,
    changes: Partial<
      Pick<PlaidItem, 'webhook' | 'status' | 'errorCode' | 'accessTokenHash' | 'products' | 'updatedAt'>
    >,
  ): Promise<PlaidItem>;
}
