import { sql, type SQL } from 'drizzle-orm';
import type {
  PlaidApplication,
  PlaidItem,
  PlaidLinkToken,
  PlaidPublicToken,
} from '../../domain/plaid/models';
import type { PlaidStore } from '../../ports/plaid';
import { ConflictError } from '../../ports/store';
import { fromJson, json, rows } from './db';
import { PgRole } from './role';

/**
 * The Plaid surface's entities in PostgreSQL (migration 0012_plaid.sql), with the DynamoDB adapter's semantics
 * (shared/adapters/dynamodb/plaid-store.ts): creations refused when the key exists (ConflictError), updates
 * refused when the row does not exist, a public token taken once and only by its application, an item found by
 * its application and id, by its access token hash and by its connection, with those two unique as DynamoDB's
 * pointer rows make them. Each row keeps the entity whole (`data`); an update merges the fields given (those
 * set to undefined are left alone, as DynamoDB's SET leaves them).
 *
 * Link and public tokens expire by time comparison: reads compare `expiresAt` with the caller's `now`; a write
 * deletes the rows of its kind expired a day or more before the new row was created (DynamoDB's TTL, which is
 * as lazy, deletes them some time after `expiresAt`).
 */
export class PgPlaidStore extends PgRole implements PlaidStore {
  // ---- applications -------------------------------------------------------------------------------------

  async putPlaidApplication(app: PlaidApplication): Promise<void> {
    await this.insertOnce(
      sql`INSERT INTO plaid_applications (client_id, data) VALUES (${app.clientId}, ${json(app)}::jsonb)
          ON CONFLICT (client_id) DO NOTHING RETURNING client_id`,
      'plaid_application exists already',
    );
  }

  async getPlaidApplication(clientId: string): Promise<PlaidApplication | null> {
    return this.one(sql`SELECT data::text AS data FROM plaid_applications WHERE client_id = ${clientId}`);
  }

  async listPlaidApplications(): Promise<PlaidApplication[]> {
    return this.all(sql`SELECT data::text AS data FROM plaid_applications ORDER BY client_id`);
  }

  async updatePlaidApplication(
    clientId: string,
    changes: Partial<Omit<PlaidApplication, 'clientId' | 'createdAt'>>,
  ): Promise<PlaidApplication> {
    return this.updateExisting<PlaidApplication>(
      sql`UPDATE plaid_applications SET data = data || ${json(defined(changes))}::jsonb
          WHERE client_id = ${clientId} RETURNING data::text AS data`,
      'plaid application does not exist',
    );
  }

  // ---- link tokens --------------------------------------------------------------------------------------

  async putPlaidLinkToken(token: PlaidLinkToken): Promise<void> {
    await this.deleteExpired('plaid_link_tokens', token.createdAt);
    await this.insertOnce(
      sql`INSERT INTO plaid_link_tokens (link_token, oauth_state, expires_at, data)
          VALUES (${token.linkToken}, ${token.oauthState || null}, ${token.expiresAt}::timestamptz, ${json(token)}::jsonb)
          ON CONFLICT (link_token) DO NOTHING RETURNING link_token`,
      'plaid_link_token exists already',
    );
  }

  async getPlaidLinkToken(linkToken: string, now: Date): Promise<PlaidLinkToken | null> {
    const token = await this.one<PlaidLinkToken>(
      sql`SELECT data::text AS data FROM plaid_link_tokens WHERE link_token = ${linkToken}`,
    );
    return token && live(token, now);
  }

  async getPlaidLinkTokenByState(oauthState: string, now: Date): Promise<PlaidLinkToken | null> {
    const token = await this.one<PlaidLinkToken>(
      sql`SELECT data::text AS data FROM plaid_link_tokens WHERE oauth_state = ${oauthState} LIMIT 1`,
    );
    return token && live(token, now);
  }

  async updatePlaidLinkToken(
    linkToken: string,
    changes: Partial<Pick<PlaidLinkToken, 'oauthState' | 'publicToken' | 'resultItemId'>>,
  ): Promise<PlaidLinkToken> {
    // As DynamoDB's index key: a new state makes the token findable by it; clearing the state keeps the old key.
    return this.updateExisting<PlaidLinkToken>(
      sql`UPDATE plaid_link_tokens
          SET data = data || ${json(defined(changes))}::jsonb
              ${changes.oauthState ? sql`, oauth_state = ${changes.oauthState}` : sql``}
          WHERE link_token = ${linkToken} RETURNING data::text AS data`,
      'plaid link token does not exist',
    );
  }

  // ---- public tokens ------------------------------------------------------------------------------------

  async putPlaidPublicToken(token: PlaidPublicToken): Promise<void> {
    await this.deleteExpired('plaid_public_tokens', token.createdAt);
    await this.insertOnce(
      sql`INSERT INTO plaid_public_tokens (token_hash, client_id, expires_at, data)
          VALUES (${token.tokenHash}, ${token.clientId}, ${token.expiresAt}::timestamptz, ${json(token)}::jsonb)
          ON CONFLICT (token_hash) DO NOTHING RETURNING token_hash`,
      'plaid_public_token exists already',
    );
  }

  async consumePlaidPublicToken(
    tokenHash: string,
    clientId: string,
    now: Date,
  ): Promise<PlaidPublicToken | null> {
    const token = await this.one<PlaidPublicToken>(
      sql`DELETE FROM plaid_public_tokens WHERE token_hash = ${tokenHash} AND client_id = ${clientId}
          RETURNING data::text AS data`,
    );
    // As on DynamoDB: an expired token is taken and refused.
    return token && live(token, now);
  }

  // ---- items --------------------------------------------------------------------------------------------

  async putPlaidItem(item: PlaidItem): Promise<void> {
    // Any of the three keys taken (the item, its connection, its access token) refuses the whole item.
    await this.insertOnce(
      sql`INSERT INTO plaid_items (client_id, item_id, connection_id, access_token_hash, data)
          VALUES (${item.clientId}, ${item.itemId}, ${item.connectionId}, ${item.accessTokenHash || null},
                  ${json(item)}::jsonb)
          ON CONFLICT DO NOTHING RETURNING item_id`,
      'plaid item exists already',
    );
  }

  getPlaidItem(clientId: string, itemId: string): Promise<PlaidItem | null> {
    return this.one(
      sql`SELECT data::text AS data FROM plaid_items WHERE client_id = ${clientId} AND item_id = ${itemId}`,
    );
  }

  getPlaidItemByAccessToken(accessTokenHash: string): Promise<PlaidItem | null> {
    return this.one(
      sql`SELECT data::text AS data FROM plaid_items WHERE access_token_hash = ${accessTokenHash}`,
    );
  }

  getPlaidItemByConnection(connectionId: string): Promise<PlaidItem | null> {
    return this.one(sql`SELECT data::text AS data FROM plaid_items WHERE connection_id = ${connectionId}`);
  }

  listPlaidItems(clientId: string): Promise<PlaidItem[]> {
    return this.all(
      sql`SELECT data::text AS data FROM plaid_items WHERE client_id = ${clientId} ORDER BY item_id`,
    );
  }

  async updatePlaidItem(
    clientId: string,
    itemId: string,
    changes: Partial<
      Pick<PlaidItem, 'webhook' | 'status' | 'errorCode' | 'accessTokenHash' | 'products' | 'updatedAt'>
    >,
  ): Promise<PlaidItem> {
    const set = defined(changes);
    const token = changes.accessTokenHash;
    if (token === undefined) {
      return this.updateExisting<PlaidItem>(
        sql`UPDATE plaid_items SET data = data || ${json(set)}::jsonb
            WHERE client_id = ${clientId} AND item_id = ${itemId} RETURNING data::text AS data`,
        'plaid item does not exist',
      );
    }
    // As DynamoDB's: the token is replaced on condition that it is still the one read here (whoever changed it
    // meanwhile wins; this write is refused), and that no other item holds the new one.
    const current = await this.getPlaidItem(clientId, itemId);
    if (!current) throw new ConflictError('plaid item does not exist');
    let updated: PlaidItem | null;
    try {
      updated = await this.one<PlaidItem>(
        sql`UPDATE plaid_items
            SET data = data || ${json(set)}::jsonb, access_token_hash = ${token || null}
            WHERE client_id = ${clientId} AND item_id = ${itemId}
              AND access_token_hash IS NOT DISTINCT FROM ${current.accessTokenHash}::text
              ${
                token
                  ? sql`AND NOT EXISTS (SELECT 1 FROM plaid_items o WHERE o.access_token_hash = ${token}
                          AND NOT (o.client_id = ${clientId} AND o.item_id = ${itemId}))`
                  : sql``
              }
            RETURNING data::text AS data`,
      );
    } catch (err) {
      // Another item took the token meanwhile (the unique index): DynamoDB's pointer put fails the same way.
      if (isUniqueViolation(err)) throw new ConflictError('plaid item changed meanwhile');
      throw err;
    }
    if (!updated) throw new ConflictError('plaid item changed meanwhile');
    return updated;
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  /** Deletes the tokens of a kind that expired a day or more before `createdAt` (see the class comment). */
  private async deleteExpired(
    table: 'plaid_link_tokens' | 'plaid_public_tokens',
    createdAt: string,
  ): Promise<void> {
    await this.db.execute(
      sql`DELETE FROM ${sql.identifier(table)} WHERE expires_at < ${createdAt}::timestamptz - interval '1 day'`,
    );
  }

  /** Runs an `INSERT ... ON CONFLICT DO NOTHING RETURNING ...`: no row returned (a key is taken) is a conflict. */
  private async insertOnce(insert: SQL, conflict: string): Promise<void> {
    const inserted = await rows(this.db, insert);
    if (!inserted.length) throw new ConflictError(conflict);
  }

  /** Runs an `UPDATE ... RETURNING data::text AS data`: no row returned (nothing to update) is a conflict. */
  private async updateExisting<T>(update: SQL, missing: string): Promise<T> {
    const updated = await this.one<T>(update);
    if (!updated) throw new ConflictError(missing);
    return updated;
  }

  private async one<T>(query: SQL): Promise<T | null> {
    const [row] = await rows<{ data: string }>(this.db, query);
    return row ? fromJson<T>(row.data) : null;
  }

  private async all<T>(query: SQL): Promise<T[]> {
    return (await rows<{ data: string }>(this.db, query)).map((r) => fromJson<T>(r.data));
  }
}

/** The fields given a value (undefined ones are left as they are). */
function defined(changes: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
}

function live<T extends { expiresAt: string }>(value: T, now: Date): T | null {
  return new Date(value.expiresAt).getTime() > now.getTime() ? value : null;
}

/** A unique violation (SQLSTATE 23505), however the driver wraps it. */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === '23505' || /duplicate key value/.test(e.message)) return true;
  }
  return false;
}
