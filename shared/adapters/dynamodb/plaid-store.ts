import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type {
  PlaidApplication,
  PlaidItem,
  PlaidLinkToken,
  PlaidPublicToken,
} from '../../domain/plaid/models';
import type { PlaidStore } from '../../ports/plaid';
import { ConflictError } from '../../ports/store';
import {
  getItem,
  isConditionFailure,
  putNew,
  queryAllItems,
  strip,
  updateParts,
  type Row,
  type TransactItems,
} from './items';
import { keys } from './keys';

/**
 * The Plaid surface's entities in the single table (key shapes: keys.ts). An item is one row under its
 * application, with two pointer rows written in the same transaction: by access token hash and by connection.
 * Entity names start with `plaid_`, which no stream consumer's filter takes.
 */
export class DynamoPlaidStore implements PlaidStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  // ---- applications -------------------------------------------------------------------------------------

  async putPlaidApplication(app: PlaidApplication): Promise<void> {
    await putNew(this.doc, this.tableName, {
      pk: keys.plaidApp(app.clientId),
      sk: keys.plaidAppSk,
      entity: 'plaid_application',
      gsi1pk: keys.plaidApps,
      gsi1sk: app.clientId,
      ...app,
    });
  }

  async getPlaidApplication(clientId: string): Promise<PlaidApplication | null> {
    const item = await getItem(
      this.doc,
      this.tableName,
      { pk: keys.plaidApp(clientId), sk: keys.plaidAppSk },
      true,
    );
    return item ? strip<PlaidApplication>(item) : null;
  }

  async listPlaidApplications(): Promise<PlaidApplication[]> {
    const items = await queryAllItems(this.doc, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.plaidApps },
    });
    return items.map((i) => strip<PlaidApplication>(i));
  }

  async updatePlaidApplication(
    clientId: string,
    changes: Partial<Omit<PlaidApplication, 'clientId' | 'createdAt'>>,
  ): Promise<PlaidApplication> {
    return strip<PlaidApplication>(
      await this.update({ pk: keys.plaidApp(clientId), sk: keys.plaidAppSk }, changes, 'application'),
    );
  }

  // ---- link tokens --------------------------------------------------------------------------------------

  async putPlaidLinkToken(token: PlaidLinkToken): Promise<void> {
    await putNew(this.doc, this.tableName, {
      pk: keys.plaidLink(token.linkToken),
      sk: keys.plaidLinkSk,
      entity: 'plaid_link_token',
      ...token,
      ...(token.oauthState
        ? { gsi1pk: keys.plaidLinkState(token.oauthState), gsi1sk: keys.plaidLinkSk }
        : {}),
      expires_at: ttl(token.expiresAt),
    });
  }

  async getPlaidLinkToken(linkToken: string, now: Date): Promise<PlaidLinkToken | null> {
    const item = await getItem(
      this.doc,
      this.tableName,
      { pk: keys.plaidLink(linkToken), sk: keys.plaidLinkSk },
      true,
    );
    return item ? live(strip<PlaidLinkToken>(item), now) : null;
  }

  async getPlaidLinkTokenByState(oauthState: string, now: Date): Promise<PlaidLinkToken | null> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.plaidLinkState(oauthState) },
        Limit: 1,
      }),
    );
    const item = out.Items?.[0];
    return item ? live(strip<PlaidLinkToken>(item), now) : null;
  }

  async updatePlaidLinkToken(
    linkToken: string,
    changes: Partial<Pick<PlaidLinkToken, 'oauthState' | 'publicToken' | 'resultItemId'>>,
  ): Promise<PlaidLinkToken> {
    const set: Row = { ...changes };
    if (changes.oauthState) {
      set.gsi1pk = keys.plaidLinkState(changes.oauthState);
      set.gsi1sk = keys.plaidLinkSk;
    }
    return strip<PlaidLinkToken>(
      await this.update({ pk: keys.plaidLink(linkToken), sk: keys.plaidLinkSk }, set, 'link token'),
    );
  }

  // ---- public tokens ------------------------------------------------------------------------------------

  async putPlaidPublicToken(token: PlaidPublicToken): Promise<void> {
    await putNew(this.doc, this.tableName, {
      pk: keys.plaidPublic(token.tokenHash),
      sk: keys.plaidPublicSk,
      entity: 'plaid_public_token',
      ...token,
      expires_at: ttl(token.expiresAt),
    });
  }

  async consumePlaidPublicToken(
    tokenHash: string,
    clientId: string,
    now: Date,
  ): Promise<PlaidPublicToken | null> {
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.plaidPublic(tokenHash), sk: keys.plaidPublicSk },
          ConditionExpression: 'attribute_exists(pk) AND clientId = :client',
          ExpressionAttributeValues: { ':client': clientId },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const token = out.Attributes ? strip<PlaidPublicToken>(out.Attributes) : null;
      // TTL deletion is lazy: an expired token may still be there; it is taken and refused.
      return token && live(token, now);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }

  // ---- items --------------------------------------------------------------------------------------------

  private itemRow(item: PlaidItem): Row {
    return {
      pk: keys.plaidApp(item.clientId),
      sk: keys.plaidItem(item.itemId),
      entity: 'plaid_item',
      ...item,
    };
  }

  private pointer(pk: string, sk: string, item: Pick<PlaidItem, 'clientId' | 'itemId'>): Row {
    return { pk, sk, entity: 'plaid_item_ref', clientId: item.clientId, itemId: item.itemId };
  }

  async putPlaidItem(item: PlaidItem): Promise<void> {
    const absent = 'attribute_not_exists(pk)';
    const puts: TransactItems = [
      { Put: { TableName: this.tableName, Item: this.itemRow(item), ConditionExpression: absent } },
      {
        Put: {
          TableName: this.tableName,
          Item: this.pointer(keys.connection(item.connectionId), keys.plaidConnectionItemSk, item),
          ConditionExpression: absent,
        },
      },
    ];
    if (item.accessTokenHash) {
      puts.push({
        Put: {
          TableName: this.tableName,
          Item: this.pointer(keys.plaidAccess(item.accessTokenHash), keys.plaidAccessSk, item),
          ConditionExpression: absent,
        },
      });
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: puts }));
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError('plaid item exists already');
      throw err;
    }
  }

  async getPlaidItem(clientId: string, itemId: string): Promise<PlaidItem | null> {
    const item = await getItem(
      this.doc,
      this.tableName,
      { pk: keys.plaidApp(clientId), sk: keys.plaidItem(itemId) },
      true,
    );
    return item ? strip<PlaidItem>(item) : null;
  }

  private async follow(pk: string, sk: string): Promise<PlaidItem | null> {
    const ref = await getItem(this.doc, this.tableName, { pk, sk }, true);
    if (!ref) return null;
    return this.getPlaidItem(String(ref.clientId), String(ref.itemId));
  }

  async getPlaidItemByAccessToken(accessTokenHash: string): Promise<PlaidItem | null> {
    const item = await this.follow(keys.plaidAccess(accessTokenHash), keys.plaidAccessSk);
    // A pointer left by a write that lost a race with a newer token is not the item's token.
    return item && item.accessTokenHash === accessTokenHash ? item : null;
  }

  getPlaidItemByConnection(connectionId: string): Promise<PlaidItem | null> {
    return this.follow(keys.connection(connectionId), keys.plaidConnectionItemSk);
  }

  async listPlaidItems(clientId: string): Promise<PlaidItem[]> {
    const items = await queryAllItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': keys.plaidApp(clientId), ':sk': keys.plaidItemPrefix },
      ConsistentRead: true,
    });
    return items.map((i) => strip<PlaidItem>(i));
  }

  async updatePlaidItem(
    clientId: string,
    itemId: string,
    changes: Partial<
      Pick<PlaidItem, 'webhook' | 'status' | 'errorCode' | 'accessTokenHash' | 'products' | 'updatedAt'>
    >,
  ): Promise<PlaidItem> {
    const key = { pk: keys.plaidApp(clientId), sk: keys.plaidItem(itemId) };
    if (changes.accessTokenHash === undefined) {
      return strip<PlaidItem>(await this.update(key, changes, 'item'));
    }
    const current = await this.getPlaidItem(clientId, itemId);
    if (!current) throw new ConflictError('plaid item does not exist');
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const writes: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: key,
          ...updateParts(
            set,
            [],
            current.accessTokenHash
              ? { names: { '#cur': 'accessTokenHash' }, values: { ':cur': current.accessTokenHash } }
              : { names: { '#cur': 'accessTokenHash' }, values: { ':null': 'NULL' } },
          ),
          // Whoever changed the token meanwhile wins; this write is refused.
          ConditionExpression: current.accessTokenHash
            ? 'attribute_exists(pk) AND #cur = :cur'
            : 'attribute_exists(pk) AND (attribute_not_exists(#cur) OR attribute_type(#cur, :null))',
        },
      },
    ];
    if (changes.accessTokenHash) {
      writes.push({
        Put: {
          TableName: this.tableName,
          Item: this.pointer(keys.plaidAccess(changes.accessTokenHash), keys.plaidAccessSk, current),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    if (current.accessTokenHash && current.accessTokenHash !== changes.accessTokenHash) {
      writes.push({
        Delete: {
          TableName: this.tableName,
          Key: { pk: keys.plaidAccess(current.accessTokenHash), sk: keys.plaidAccessSk },
        },
      });
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: writes }));
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError('plaid item changed meanwhile');
      throw err;
    }
    return { ...current, ...(set as Partial<PlaidItem>) };
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  private async update(key: { pk: string; sk: string }, changes: Row, what: string): Promise<Row> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (!Object.keys(set).length) {
      const current = await getItem(this.doc, this.tableName, key, true);
      if (!current) throw new ConflictError(`plaid ${what} does not exist`);
      return current;
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          ...updateParts(set),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes!;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException)
        throw new ConflictError(`plaid ${what} does not exist`);
      throw err;
    }
  }
}

const ttl = (at: string) => Math.ceil(new Date(at).getTime() / 1000);

function live<T extends { expiresAt: string }>(value: T, now: Date): T | null {
  return new Date(value.expiresAt).getTime() > now.getTime() ? value : null;
}
