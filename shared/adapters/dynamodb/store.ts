import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Connection, ConnectionStatus, LinkSession } from '../../domain/models';
import { ConflictError, type Page, type PageRequest, type Store } from '../../ports/store';
import { decodeCursor, encodeCursor } from './cursor';

/**
 * Key shapes of the single table. Only this adapter knows them.
 *
 *   entity        pk                 sk                gsi1pk                  gsi1sk
 *   connection    USER#<uid>         CONN#<id>         CONNSTATUS#<status>     <id>
 *   link session  LINK#<state>       LINK              -                       -        (expires_at TTL)
 */
export const keys = {
  user: (userId: string) => `USER#${userId}`,
  connection: (id: string) => `CONN#${id}`,
  connectionStatus: (status: ConnectionStatus) => `CONNSTATUS#${status}`,
  link: (state: string) => `LINK#${state}`,
};

/** Every item carries its entity name, for stream filters and for readers of the raw table. */
type Item<T> = T & { pk: string; sk: string; entity: string; [k: string]: unknown };

function strip<T>(item: Record<string, unknown>): T {
  const {
    pk: _pk,
    sk: _sk,
    entity: _e,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    expires_at: _t,
    ...rest
  } = item;
  return rest as T;
}

export class DynamoStore implements Store {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  // ---- plumbing: every entity below is a few lines on top of these -------------------------------------

  /** Writes an item that must not exist yet. */
  protected async putNew<T extends object>(item: Item<T>): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException)
        throw new ConflictError(`${item.entity} exists already`);
      throw err;
    }
  }

  protected async put<T extends object>(item: Item<T>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  protected async get<T>(pk: string, sk: string): Promise<T | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk } }));
    return out.Item ? strip<T>(out.Item) : null;
  }

  /** One page of a key-condition query on the table or an index, with an opaque cursor. */
  protected async queryPage<T>(
    opts: { index?: 'gsi1' | 'gsi2'; pk: string; skPrefix?: string; newestFirst?: boolean },
    page: PageRequest,
  ): Promise<Page<T>> {
    const pkAttr = opts.index ? `${opts.index}pk` : 'pk';
    const skAttr = opts.index ? `${opts.index}sk` : 'sk';
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: opts.index,
      KeyConditionExpression: opts.skPrefix ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
      ExpressionAttributeNames: opts.skPrefix ? { '#pk': pkAttr, '#sk': skAttr } : { '#pk': pkAttr },
      ExpressionAttributeValues: opts.skPrefix
        ? { ':pk': opts.pk, ':sk': opts.skPrefix }
        : { ':pk': opts.pk },
      Limit: page.limit,
      ScanIndexForward: !opts.newestFirst,
      ExclusiveStartKey: page.cursor
        ? decodeCursor(page.cursor, { attr: pkAttr, value: opts.pk })
        : undefined,
    };
    const out = await this.doc.send(new QueryCommand(input));
    const items = (out.Items ?? []).map((i) => strip<T>(i));
    return { items, nextCursor: items.length ? encodeCursor(out.LastEvaluatedKey) : null };
  }

  // ---- link sessions ------------------------------------------------------------------------------------

  async putLinkSession(session: LinkSession): Promise<void> {
    await this.putNew({
      pk: keys.link(session.state),
      sk: 'LINK',
      entity: 'link_session',
      ...session,
      expires_at: Math.ceil(new Date(session.expiresAt).getTime() / 1000),
    });
  }

  async consumeLinkSession(state: string, now: Date): Promise<LinkSession | null> {
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.link(state), sk: 'LINK' },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const session = out.Attributes ? strip<LinkSession>(out.Attributes) : null;
      // TTL deletion is lazy: an item past its expiry may still be there; it is consumed and refused.
      if (!session || new Date(session.expiresAt).getTime() <= now.getTime()) return null;
      return session;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }

  // ---- connections --------------------------------------------------------------------------------------

  private connectionItem(c: Connection): Item<Connection> {
    return {
      pk: keys.user(c.userId),
      sk: keys.connection(c.id),
      entity: 'connection',
      gsi1pk: keys.connectionStatus(c.status),
      gsi1sk: c.id,
      ...c,
    };
  }

  async putConnection(connection: Connection): Promise<void> {
    await this.put(this.connectionItem(connection));
  }

  getConnection(userId: string, id: string): Promise<Connection | null> {
    return this.get<Connection>(keys.user(userId), keys.connection(id));
  }

  listConnections(userId: string, page: PageRequest): Promise<Page<Connection>> {
    return this.queryPage<Connection>({ pk: keys.user(userId), skPrefix: 'CONN#' }, page);
  }

  listConnectionsByStatus(status: ConnectionStatus, page: PageRequest): Promise<Page<Connection>> {
    return this.queryPage<Connection>({ index: 'gsi1', pk: keys.connectionStatus(status) }, page);
  }

  async updateConnection(
    userId: string,
    id: string,
    changes: Partial<Omit<Connection, 'id' | 'userId' | 'provider' | 'createdAt'>>,
  ): Promise<Connection> {
    const fields: Record<string, unknown> = { ...changes };
    if (changes.status) {
      fields.gsi1pk = keys.connectionStatus(changes.status);
    }
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v], i) => {
        names[`#f${i}`] = k;
        values[`:v${i}`] = v;
        return `#f${i} = :v${i}`;
      });
    if (!sets.length) {
      const current = await this.getConnection(userId, id);
      if (!current) throw new ConflictError('connection does not exist');
      return current;
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.user(userId), sk: keys.connection(id) },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<Connection>(out.Attributes!);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException)
        throw new ConflictError('connection does not exist');
      throw err;
    }
  }
}
