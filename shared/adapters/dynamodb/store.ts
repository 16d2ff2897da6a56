import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  Account,
  BankTransaction,
  Connection,
  ConnectionStatus,
  LinkSession,
  QuarantinedRecord,
  StoredTransaction,
  SyncRun,
  TxnEvent,
} from '../../domain/models';
import { transactionId, type TxnChange } from '../../domain/reconcile';
import { effective, matchesFilter, type TxnFilter } from '../../domain/transactions';
import {
  ConflictError,
  type Page,
  type PageRequest,
  type Store,
  type StoredTxnQuery,
  type SyncPosition,
  type SyncProgress,
} from '../../ports/store';
import { REPLAY_ATTRIBUTE } from '../../stream/records';
import { decodeKeyCursor, encodeKeyCursor, type KeyCursorQuery } from './cursor';
import {
  batchGetAll,
  batchWriteAll,
  getItem,
  isConditionFailure,
  putNew,
  queryAllItems,
  queryPageItems,
  strip,
  updateParts,
  writeChanges,
  type Item,
  type Row,
  type TransactItems,
} from './items';
import * as insights from './insights-store';
import type { Budget } from '../../domain/budgets';
import type { SpendMonth, StoredAlert, StoredAnomaly, UserSettings } from '../../domain/insights';
import type { Alert } from '../../domain/alerts';
import { deleteUserRule, listUserRules, putUserRule, requestRecategorization } from './user-rules-store';
import { applyUserChange, applyUserChanges, eventPuts } from './user-changes';
import { keys } from './keys';
import { DynamoPlaidStore } from './plaid-store';
import type { PlaidStore } from '../../ports/plaid';
import type { UserTxnChange } from '../../domain/corrections';
import type { UserRule } from '../../domain/categorizer/user-rules';

/** How many items an index repair writes between two calls of its `progress` (its caller's lock renewals). */
const REPAIR_PROGRESS_ITEMS = 400;

/** How many of a connection's newest syncs `getSyncRun` looks through for a sync written without its index key. */
const LEGACY_SYNC_LOOKBACK = 100;

/** The most transaction items one `listTransactions` request reads (DynamoStoreOptions.maxScanned). */
const MAX_SCANNED = 2000;

export interface DynamoStoreOptions {
  /** The most transaction items one `listTransactions` request reads; 2,000 unless a test sets a smaller cap. */
  maxScanned?: number;
}

const QUARANTINE_TTL_SECONDS = 30 * 86_400;
const PROGRESS_TTL_SECONDS = 2 * 86_400;
/** Records per checkpoint item (gzipped), well under DynamoDB's 400 KB item limit. */
const PROGRESS_CHUNK = 500;

/** A key-condition query on the table or an index: the partition, and optionally a sort key prefix. */
interface KeyQuery {
  index?: 'gsi1' | 'gsi2' | 'gsi3';
  pk: string;
  skPrefix?: string;
}

/** The partition key attribute of the query's table or index, and the query's input. */
function keyQueryInput(tableName: string, opts: KeyQuery): { pkAttr: string; input: QueryCommandInput } {
  const pkAttr = opts.index ? `${opts.index}pk` : 'pk';
  const skAttr = opts.index ? `${opts.index}sk` : 'sk';
  return {
    pkAttr,
    input: {
      TableName: tableName,
      IndexName: opts.index,
      KeyConditionExpression: opts.skPrefix ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
      ExpressionAttributeNames: opts.skPrefix ? { '#pk': pkAttr, '#sk': skAttr } : { '#pk': pkAttr },
      ExpressionAttributeValues: opts.skPrefix
        ? { ':pk': opts.pk, ':sk': opts.skPrefix }
        : { ':pk': opts.pk },
    },
  };
}

export class DynamoStore implements Store {
  /** The Plaid surface's role (plaid-store.ts); the methods below delegate to it. */
  private readonly plaid: DynamoPlaidStore;

  private readonly maxScanned: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoStoreOptions = {},
  ) {
    this.plaid = new DynamoPlaidStore(doc, tableName);
    this.maxScanned = options.maxScanned ?? MAX_SCANNED;
  }

  // ---- the Plaid surface (plaid-store.ts) ------------------------------------------------------------------

  putPlaidApplication: PlaidStore['putPlaidApplication'] = (app) => this.plaid.putPlaidApplication(app);
  getPlaidApplication: PlaidStore['getPlaidApplication'] = (id) => this.plaid.getPlaidApplication(id);
  listPlaidApplications: PlaidStore['listPlaidApplications'] = () => this.plaid.listPlaidApplications();
  updatePlaidApplication: PlaidStore['updatePlaidApplication'] = (id, changes) =>
    this.plaid.updatePlaidApplication(id, changes);
  putPlaidLinkToken: PlaidStore['putPlaidLinkToken'] = (t) => this.plaid.putPlaidLinkToken(t);
  getPlaidLinkToken: PlaidStore['getPlaidLinkToken'] = (t, now) => this.plaid.getPlaidLinkToken(t, now);
  getPlaidLinkTokenByState: PlaidStore['getPlaidLinkTokenByState'] = (s, now) =>
    this.plaid.getPlaidLinkTokenByState(s, now);
  updatePlaidLinkToken: PlaidStore['updatePlaidLinkToken'] = (t, changes) =>
    this.plaid.updatePlaidLinkToken(t, changes);
  putPlaidPublicToken: PlaidStore['putPlaidPublicToken'] = (t) => this.plaid.putPlaidPublicToken(t);
  consumePlaidPublicToken: PlaidStore['consumePlaidPublicToken'] = (h, c, now) =>
    this.plaid.consumePlaidPublicToken(h, c, now);
  putPlaidItem: PlaidStore['putPlaidItem'] = (i) => this.plaid.putPlaidItem(i);
  getPlaidItem: PlaidStore['getPlaidItem'] = (c, i) => this.plaid.getPlaidItem(c, i);
  getPlaidItemByAccessToken: PlaidStore['getPlaidItemByAccessToken'] = (h) =>
    this.plaid.getPlaidItemByAccessToken(h);
  getPlaidItemByConnection: PlaidStore['getPlaidItemByConnection'] = (c) =>
    this.plaid.getPlaidItemByConnection(c);
  listPlaidItems: PlaidStore['listPlaidItems'] = (c) => this.plaid.listPlaidItems(c);
  updatePlaidItem: PlaidStore['updatePlaidItem'] = (c, i, changes) =>
    this.plaid.updatePlaidItem(c, i, changes);

  // ---- plumbing: every entity below is a few lines on top of these -------------------------------------

  /** Writes an item that must not exist yet. */
  protected putNew<T extends object>(item: Item<T>): Promise<void> {
    return putNew(this.doc, this.tableName, item);
  }

  protected async put<T extends object>(item: Item<T>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  protected async get<T>(pk: string, sk: string): Promise<T | null> {
    const item = await getItem(this.doc, this.tableName, { pk, sk });
    return item ? strip<T>(item) : null;
  }

  /** One page of a key-condition query on the table or an index, with an opaque cursor bound to the list. */
  protected async queryPage<T>(
    opts: KeyQuery & { list: string; newestFirst?: boolean },
    page: PageRequest,
  ): Promise<Page<T>> {
    const { pkAttr, input } = keyQueryInput(this.tableName, opts);
    const prefix = opts.skPrefix ?? '';
    const out = await queryPageItems(
      this.doc,
      { ...input, ScanIndexForward: !opts.newestFirst },
      {
        list: opts.list,
        pkAttr,
        pk: opts.pk,
        skAttr: opts.index ? `${opts.index}sk` : 'sk',
        skWithin: (sk) => sk.startsWith(prefix),
      },
      page,
    );
    return { items: out.items.map((i) => strip<T>(i)), nextCursor: out.nextCursor };
  }

  /** Every item of a key condition, following LastEvaluatedKey. */
  protected async queryAll<T>(
    opts: KeyQuery,
    read: { consistent?: boolean; keepKeys?: boolean } = {},
  ): Promise<T[]> {
    const { input } = keyQueryInput(this.tableName, opts);
    const items = await queryAllItems(this.doc, {
      ...input,
      ConsistentRead: opts.index ? undefined : read.consistent,
    });
    return items.map((i) => (read.keepKeys ? (i as T) : strip<T>(i)));
  }

  // ---- link sessions ------------------------------------------------------------------------------------

  async putLinkSession(session: LinkSession): Promise<void> {
    await this.putNew({
      pk: keys.link(session.state),
      sk: keys.linkSk,
      entity: 'link_session',
      ...session,
      expires_at: Math.ceil(new Date(session.expiresAt).getTime() / 1000),
    });
  }

  async getLinkSession(state: string, now: Date): Promise<LinkSession | null> {
    const item = await getItem(this.doc, this.tableName, { pk: keys.link(state), sk: keys.linkSk }, true);
    const session = item ? strip<LinkSession>(item) : null;
    if (!session || new Date(session.expiresAt).getTime() <= now.getTime()) return null;
    return session;
  }

  async consumeLinkSession(state: string, now: Date, owner?: string): Promise<LinkSession | null> {
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.link(state), sk: keys.linkSk },
          ...(owner === undefined
            ? { ConditionExpression: 'attribute_exists(pk)' }
            : {
                ConditionExpression: 'attribute_exists(pk) AND userId = :owner',
                ExpressionAttributeValues: { ':owner': owner },
              }),
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
    return this.queryPage<Connection>(
      { list: 'connections', pk: keys.user(userId), skPrefix: keys.connectionPrefix },
      page,
    );
  }

  listConnectionsByStatus(status: ConnectionStatus, page: PageRequest): Promise<Page<Connection>> {
    return this.queryPage<Connection>(
      { list: 'connections-by-status', index: 'gsi1', pk: keys.connectionStatus(status) },
      page,
    );
  }

  async updateConnection(
    userId: string,
    id: string,
    changes: Partial<Omit<Connection, 'id' | 'userId' | 'provider' | 'createdAt'>>,
    onlyIf?: { status: ConnectionStatus },
  ): Promise<Connection> {
    const fields: Record<string, unknown> = { ...changes };
    if (changes.status) {
      fields.gsi1pk = keys.connectionStatus(changes.status);
    }
    const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    if (!Object.keys(set).length) {
      const current = await this.getConnection(userId, id);
      if (!current) throw new ConflictError('connection does not exist');
      return current;
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.user(userId), sk: keys.connection(id) },
          ...updateParts(
            set,
            [],
            onlyIf ? { names: { '#onlyStatus': 'status' }, values: { ':onlyStatus': onlyIf.status } } : {},
          ),
          ConditionExpression: onlyIf
            ? 'attribute_exists(pk) AND #onlyStatus = :onlyStatus'
            : 'attribute_exists(pk)',
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

  // ---- accounts -----------------------------------------------------------------------------------------

  async upsertAccounts(accounts: Account[]): Promise<number> {
    let written = 0;
    for (const a of accounts) {
      const current = await this.getAccount(a.userId, a.id);
      if (current && sameAccount(current, a)) continue;
      await this.put({
        pk: keys.user(a.userId),
        sk: keys.account(a.id),
        entity: 'account',
        ...a,
        createdAt: current?.createdAt ?? a.createdAt,
      });
      written += 1;
    }
    return written;
  }

  getAccount(userId: string, id: string): Promise<Account | null> {
    return this.get<Account>(keys.user(userId), keys.account(id));
  }

  async listAccounts(userId: string): Promise<Account[]> {
    return this.queryAll<Account>({ pk: keys.user(userId), skPrefix: keys.accountPrefix });
  }

  // ---- transactions -------------------------------------------------------------------------------------

  private txnKeys(t: StoredTransaction): Record<string, string> {
    return {
      pk: keys.user(t.userId),
      sk: keys.txn(t.id),
      gsi2pk: keys.feed(t.userId),
      gsi2sk: `${t.updatedAt}#${t.id}`,
      gsi3pk: keys.connTxns(t.connectionId),
      // The bank's date first: a windowed sync reads a date range and single days (items written before carry
      // only the id: repairConnectionIndex gives them this key before a connection's first window).
      gsi3sk: `${t.original.date}#${t.id}`,
      ...(t.removed ? {} : { gsi1pk: keys.txnList(t.userId), gsi1sk: `${effective(t).date}#${t.id}` }),
    };
  }

  async listConnectionTransactions(userId: string, connectionId: string): Promise<StoredTransaction[]> {
    const items = await this.queryAll<StoredTransaction>({ index: 'gsi3', pk: keys.connTxns(connectionId) });
    // The index is the connection's; only the owner's items (a connection id named by another user reads nothing).
    return items.filter((t) => t.userId === userId);
  }

  /**
   * A range of the connection's index from `from` on, one day of it per date before that, and the transactions
   * of the bank ids: the first id of a transaction names its item (transactionId), later ones have an alias item.
   */
  async listConnectionTransactionsWhere(
    userId: string,
    connectionId: string,
    query: StoredTxnQuery,
  ): Promise<StoredTransaction[]> {
    const pk = keys.connTxns(connectionId);
    const range = (condition: string, value: string) =>
      queryAllItems(this.doc, {
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: `#pk = :pk AND ${condition}`,
        ExpressionAttributeNames: { '#pk': 'gsi3pk', '#sk': 'gsi3sk' },
        ExpressionAttributeValues: { ':pk': pk, ':v': value },
      });
    const from = query.from ?? null;
    const days = [...new Set(query.dates ?? [])].filter((d) => from === null || d < from);
    const reads: Promise<Record<string, unknown>[]>[] = [];
    if (from !== null) reads.push(range('#sk >= :v', from));
    for (let i = 0; i < days.length; i += 16) {
      // A few at a time; each is one short query.
      const chunk = days.slice(i, i + 16);
      reads.push(Promise.all(chunk.map((d) => range('begins_with(#sk, :v)', `${d}#`))).then((r) => r.flat()));
    }
    const ids = [...new Set(query.bankIds ?? [])];
    reads.push(this.transactionsOfBankIds(userId, connectionId, ids));
    const byId = new Map<string, StoredTransaction>();
    for (const rows of await Promise.all(reads)) {
      for (const row of rows) {
        const t = strip<StoredTransaction>(row);
        if (t.connectionId === connectionId && t.userId === userId) byId.set(t.id, t);
      }
    }
    return [...byId.values()];
  }

  async repairConnectionIndex(
    userId: string,
    connectionId: string,
    opts: { progress?: () => Promise<void> } = {},
  ): Promise<number> {
    const [rows, aliases] = await Promise.all([
      queryAllItems(this.doc, {
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'gsi3pk' },
        ExpressionAttributeValues: { ':pk': keys.connTxns(connectionId) },
      }),
      queryAllItems(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': keys.connection(connectionId), ':prefix': keys.alias('') },
        ProjectionExpression: '#sk',
      }),
    ]);
    const haveAlias = new Set(aliases.map((a) => String(a.sk)));
    const aliasPuts: { PutRequest: { Item: Row } }[] = [];
    const rekeys: { key: { pk: string; sk: string }; gsi3sk: string; version: number }[] = [];
    for (const row of rows) {
      if (row.entity !== 'transaction') continue;
      const t = strip<StoredTransaction>(row);
      if (t.userId !== userId || t.connectionId !== connectionId) continue;
      const k = this.txnKeys(t);
      if (row.gsi3sk !== k.gsi3sk)
        rekeys.push({ key: { pk: k.pk!, sk: k.sk! }, gsi3sk: k.gsi3sk!, version: t.version });
      for (const bankId of t.providerTxnIds) {
        const sk = keys.alias(bankId);
        if (transactionId(connectionId, bankId) === t.id || haveAlias.has(sk)) continue;
        haveAlias.add(sk);
        aliasPuts.push({
          PutRequest: {
            Item: { pk: keys.connection(connectionId), sk, entity: 'bank_alias', userId, txnId: t.id },
          },
        });
      }
    }
    // The caller hears of progress every REPAIR_PROGRESS_ITEMS items (a long repair renews its lock there).
    let sinceProgress = 0;
    const progressed = async (n: number) => {
      sinceProgress += n;
      if (sinceProgress < REPAIR_PROGRESS_ITEMS || !opts.progress) return;
      sinceProgress -= REPAIR_PROGRESS_ITEMS;
      await opts.progress();
    };
    for (let i = 0; i < aliasPuts.length; i += REPAIR_PROGRESS_ITEMS) {
      const chunk = aliasPuts.slice(i, i + REPAIR_PROGRESS_ITEMS);
      await batchWriteAll(this.doc, this.tableName, chunk);
      await progressed(chunk.length);
    }
    let written = aliasPuts.length;
    // Only the index attribute, on the version read: a writer in between wrote the right key itself.
    const rekey = async (r: (typeof rekeys)[number]): Promise<void> => {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: r.key,
            UpdateExpression: 'SET #sk = :sk',
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#sk': 'gsi3sk', '#version': 'version' },
            ExpressionAttributeValues: { ':sk': r.gsi3sk, ':version': r.version },
          }),
        );
        written += 1;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    };
    for (let i = 0; i < rekeys.length; i += 16) {
      const group = rekeys.slice(i, i + 16);
      await Promise.all(group.map(rekey));
      await progressed(group.length);
    }
    return written;
  }

  private async transactionsOfBankIds(
    userId: string,
    connectionId: string,
    bankIds: readonly string[],
  ): Promise<Record<string, unknown>[]> {
    if (!bankIds.length) return [];
    const txnKey = (id: string) => ({ pk: keys.user(userId), sk: keys.txn(id) });
    const first = await batchGetAll(this.doc, this.tableName, [
      ...bankIds.map((b) => txnKey(transactionId(connectionId, b))),
      ...bankIds.map((b) => ({ pk: keys.connection(connectionId), sk: keys.alias(b) })),
    ]);
    const txns = first.filter((r) => r.entity === 'transaction');
    const have = new Set(txns.map((r) => String(r.id)));
    const aliased = [
      ...new Set(first.filter((r) => r.entity === 'bank_alias').map((r) => String(r.txnId))),
    ].filter((id) => !have.has(id));
    if (aliased.length) txns.push(...(await batchGetAll(this.doc, this.tableName, aliased.map(txnKey))));
    return txns;
  }

  /**
   * The write items of one change: the transaction (created, or updated on its expected version) and its events.
   * Public for the write benchmark, which batch-writes exactly these items as its baseline.
   */
  changeItems(c: TxnChange): TransactItems {
    const t = c.txn;
    const items: TransactItems = [];
    const k = this.txnKeys(t);
    if (c.expectedVersion === null) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...k, entity: 'transaction', ...t },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    } else {
      // Only the provider-owned fields: corrections and categories written by others are left alone.
      const set: Record<string, unknown> = {
        original: t.original,
        providerTxnIds: t.providerTxnIds,
        fingerprint: t.fingerprint,
        removed: t.removed,
        version: t.version,
        updatedAt: t.updatedAt,
        gsi2sk: k.gsi2sk,
        gsi3sk: k.gsi3sk,
      };
      if (!t.removed) Object.assign(set, { gsi1pk: k.gsi1pk, gsi1sk: k.gsi1sk });
      items.push({
        Update: {
          TableName: this.tableName,
          Key: { pk: k.pk, sk: k.sk },
          ...updateParts(set, t.removed ? ['gsi1pk', 'gsi1sk'] : [], {
            names: { '#version': 'version' },
            values: { ':expected': c.expectedVersion },
          }),
          ConditionExpression: '#version = :expected',
        },
      });
    }
    items.push(...eventPuts(this.tableName, t.userId, c.events));
    // Each bank id merged into the transaction points to it, so a windowed sync finds it by that id.
    for (const e of c.events) {
      const bankId = e.kind === 'merged' ? e.after?.provider_txn_id : undefined;
      if (typeof bankId !== 'string') continue;
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            pk: keys.connection(t.connectionId),
            sk: keys.alias(bankId),
            entity: 'bank_alias',
            userId: t.userId,
            txnId: t.id,
          },
        },
      });
    }
    return items;
  }

  applyTransactionChanges(changes: TxnChange[]): Promise<{ applied: number; conflicts: string[] }> {
    // Several transactions in flight: DynamoDB runs independent ones in parallel, so an initial sync of 10k
    // transactions (200 TransactWriteItems) is bound by round trips. DynamoDB Local runs them one at a time
    // whatever this is (measured: 1, 2, 4 and 8 give the same time there).
    return writeChanges(this.doc, changes, (c) => this.changeItems(c), 8);
  }

  async replayTransactions(userId: string, at: string): Promise<number> {
    const { input } = keyQueryInput(this.tableName, { pk: keys.user(userId), skPrefix: keys.txnPrefix });
    const rows = await queryAllItems(this.doc, {
      ...input,
      ProjectionExpression: '#pk, #sk, #removed',
      ExpressionAttributeNames: { ...input.ExpressionAttributeNames, '#removed': 'removed' },
    });
    const live = rows.filter((r) => r.removed !== true);
    // Only the marker changes: versions, updatedAt and the change feed stay as they are.
    const touch = async (row: Record<string, unknown>) => {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: row.pk, sk: row.sk },
            UpdateExpression: 'SET #replay = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#replay': REPLAY_ATTRIBUTE },
            ExpressionAttributeValues: { ':at': at },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    };
    for (let i = 0; i < live.length; i += 16) await Promise.all(live.slice(i, i + 16).map(touch));
    return live.length;
  }

  getTransaction(userId: string, id: string): Promise<StoredTransaction | null> {
    return this.get<StoredTransaction>(keys.user(userId), keys.txn(id));
  }

  /**
   * Live transactions matching the filter, newest first. The date range is the index's key condition; the other
   * filters are applied to each page, reading on until the page is full, and the cursor points just after the
   * last transaction returned.
   */
  async listTransactions(
    userId: string,
    filter: TxnFilter,
    page: PageRequest,
  ): Promise<Page<StoredTransaction>> {
    const pk = keys.txnList(userId);
    const names: Record<string, string> = { '#pk': 'gsi1pk' };
    const values: Record<string, unknown> = { ':pk': pk };
    let condition = '#pk = :pk';
    // Sort keys are `<date>#<id>`: `~` sorts after every id character, so `to~` includes the whole last day.
    if (filter.from || filter.to) names['#sk'] = 'gsi1sk';
    if (filter.from && filter.to) {
      condition += ' AND #sk BETWEEN :from AND :to';
      values[':from'] = filter.from;
      values[':to'] = `${filter.to}~`;
    } else if (filter.from) {
      condition += ' AND #sk >= :from';
      values[':from'] = filter.from;
    } else if (filter.to) {
      condition += ' AND #sk <= :to';
      values[':to'] = `${filter.to}~`;
    }
    const cursorQuery: KeyCursorQuery = {
      list: 'transactions',
      pkAttr: 'gsi1pk',
      pk,
      skAttr: 'gsi1sk',
      // Inside the date range the query reads (a cursor of a page with another range is refused, not run).
      skWithin: (sk) => (!filter.from || sk >= filter.from) && (!filter.to || sk <= `${filter.to}~`),
      tableKey: { pk: keys.user(userId), skPrefix: keys.txnPrefix },
    };
    const items: StoredTransaction[] = [];
    let start: Record<string, unknown> | undefined = page.cursor
      ? decodeKeyCursor(cursorQuery, page.cursor)
      : undefined;
    let last: Record<string, unknown> | undefined;
    let exhausted = false;
    let scanned = 0;
    // A selective filter (text, amounts, category) reads at most maxScanned items per request: the page may then
    // hold fewer than `limit` (even none), with a cursor to go on from. Latency stays bounded whatever the filter.
    while (items.length < page.limit && scanned < this.maxScanned) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: Math.min(1000, Math.max(page.limit * 2, 100)),
          ExclusiveStartKey: start,
        }),
      );
      const raw = out.Items ?? [];
      scanned += raw.length;
      let stoppedEarly = false;
      for (const item of raw) {
        const t = strip<StoredTransaction>(item);
        last = item;
        if (matchesFilter(t, filter)) items.push(t);
        if (items.length >= page.limit) {
          stoppedEarly = item !== raw[raw.length - 1] || Boolean(out.LastEvaluatedKey);
          break;
        }
      }
      if (items.length >= page.limit) {
        exhausted = !stoppedEarly;
        break;
      }
      start = out.LastEvaluatedKey;
      if (!start) {
        exhausted = true;
        break;
      }
    }
    const cursorKey =
      last && !exhausted ? { gsi1pk: last.gsi1pk, gsi1sk: last.gsi1sk, pk: last.pk, sk: last.sk } : undefined;
    return { items, nextCursor: encodeKeyCursor(cursorQuery, cursorKey) };
  }

  async listTransactionEvents(txnId: string): Promise<TxnEvent[]> {
    return this.queryAll<TxnEvent>({ pk: keys.txn(txnId), skPrefix: keys.eventPrefix }, { consistent: true });
  }

  async transactionFeed(
    userId: string,
    after: string | null,
    limit: number,
  ): Promise<{ items: StoredTransaction[]; position: string | null }> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: after ? '#pk = :pk AND #sk > :after' : '#pk = :pk',
        ExpressionAttributeNames: after ? { '#pk': 'gsi2pk', '#sk': 'gsi2sk' } : { '#pk': 'gsi2pk' },
        ExpressionAttributeValues: after
          ? { ':pk': keys.feed(userId), ':after': after }
          : { ':pk': keys.feed(userId) },
        Limit: limit,
      }),
    );
    const raw = out.Items ?? [];
    const last = raw.at(-1);
    return {
      items: raw.map((i) => strip<StoredTransaction>(i)),
      position: last ? String(last.gsi2sk) : after,
    };
  }

  // ---- user changes and user rules (user-changes.ts, user-rules-store.ts) ---------------------------------

  applyUserChange(change: UserTxnChange): Promise<void> {
    return applyUserChange(this.doc, this.tableName, change);
  }

  applyUserChanges(changes: readonly UserTxnChange[]): Promise<{ applied: number; conflicts: string[] }> {
    return applyUserChanges(this.doc, this.tableName, changes);
  }

  putUserRule(rule: UserRule): Promise<void> {
    return putUserRule(this.doc, this.tableName, rule);
  }

  listUserRules(userId: string): Promise<UserRule[]> {
    return listUserRules(this.doc, this.tableName, userId);
  }

  deleteUserRule(userId: string, id: string): Promise<boolean> {
    return deleteUserRule(this.doc, this.tableName, userId, id);
  }

  requestRecategorization(userId: string, at: string, reason: string): Promise<void> {
    return requestRecategorization(this.doc, this.tableName, userId, at, reason);
  }

  // ---- budgets, settings, alerts, anomalies, spending projection (insights-store.ts) --------------------

  putNewBudget(budget: Budget): Promise<void> {
    return insights.putNewBudget(this.doc, this.tableName, budget);
  }
  replaceBudget(budget: Budget): Promise<void> {
    return insights.replaceBudget(this.doc, this.tableName, budget);
  }
  getBudget(userId: string, id: string): Promise<Budget | null> {
    return insights.getBudget(this.doc, this.tableName, userId, id);
  }
  listBudgets(userId: string): Promise<Budget[]> {
    return insights.listBudgets(this.doc, this.tableName, userId);
  }
  deleteBudget(userId: string, id: string): Promise<boolean> {
    return insights.deleteBudget(this.doc, this.tableName, userId, id);
  }
  getUserSettings(userId: string): Promise<UserSettings> {
    return insights.getUserSettings(this.doc, this.tableName, userId);
  }
  putUserSettings(userId: string, settings: UserSettings): Promise<void> {
    return insights.putUserSettings(this.doc, this.tableName, userId, settings);
  }
  putAlert(alert: Alert): Promise<{ created: boolean; stored: StoredAlert }> {
    return insights.putAlert(this.doc, this.tableName, alert);
  }
  markAlertPublished(userId: string, id: string, at: string): Promise<void> {
    return insights.markAlertPublished(this.doc, this.tableName, userId, id, at);
  }
  listAlerts(userId: string, query: { since?: string }, page: PageRequest): Promise<Page<StoredAlert>> {
    return insights.listAlerts(this.doc, this.tableName, userId, query, page);
  }
  putAnomaly(anomaly: StoredAnomaly): Promise<boolean> {
    return insights.putAnomaly(this.doc, this.tableName, anomaly);
  }
  listAnomalies(userId: string, range: { from?: string; to?: string }): Promise<StoredAnomaly[]> {
    return insights.listAnomalies(this.doc, this.tableName, userId, range);
  }
  deleteAnomalies(userId: string, ids: readonly string[]): Promise<void> {
    return insights.deleteAnomalies(this.doc, this.tableName, userId, ids);
  }
  loadSpendMonths(userId: string, months: readonly string[]): Promise<Map<string, SpendMonth>> {
    return insights.loadSpendMonths(this.doc, this.tableName, userId, months);
  }
  saveSpendMonth(userId: string, month: SpendMonth, cells: string, at: string): Promise<number> {
    return insights.saveSpendMonth(this.doc, this.tableName, userId, month, cells, at);
  }
  readSpendRollups(userId: string, fromMonth: string, toMonth: string): Promise<string[]> {
    return insights.readSpendRollups(this.doc, this.tableName, userId, fromMonth, toMonth);
  }
  loadHistoryMonths(userId: string, months: readonly string[]): Promise<Map<string, SpendMonth>> {
    return insights.loadHistoryMonths(this.doc, this.tableName, userId, months);
  }
  saveHistoryMonth(userId: string, month: SpendMonth, at: string): Promise<number> {
    return insights.saveHistoryMonth(this.doc, this.tableName, userId, month, at);
  }

  // ---- sync bookkeeping ---------------------------------------------------------------------------------

  async putSyncRun(run: SyncRun, onlyIf?: { leaseExpiresAt: string }): Promise<void> {
    const item = {
      pk: keys.connection(run.connectionId),
      sk: keys.syncRun(run.startedAt, run.id),
      entity: 'sync_run',
      // Found by id (getSyncRun) through gsi3.
      gsi3pk: keys.syncRunById(run.connectionId, run.id),
      gsi3sk: keys.syncRunByIdSk,
      ...run,
      // A running run is in the sparse index of running runs, ordered by when its lease runs out.
      ...(run.status === 'running' && run.leaseExpiresAt
        ? { gsi1pk: keys.runningSyncs(), gsi1sk: `${run.leaseExpiresAt}#${run.connectionId}#${run.id}` }
        : {}),
    };
    if (!onlyIf) return this.put(item);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: '#status = :running AND #lease = :lease',
          ExpressionAttributeNames: { '#status': 'status', '#lease': 'leaseExpiresAt' },
          ExpressionAttributeValues: { ':running': 'running', ':lease': onlyIf.leaseExpiresAt },
        }),
      );
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException')
        throw new ConflictError('the sync run is no longer running with that lease');
      throw err;
    }
  }

  async listRunningSyncRuns(query: { leaseExpiredBy?: string; connectionId?: string }): Promise<SyncRun[]> {
    const names: Record<string, string> = { '#pk': 'gsi1pk' };
    const values: Record<string, unknown> = { ':pk': keys.runningSyncs() };
    let condition = '#pk = :pk';
    if (query.leaseExpiredBy) {
      names['#sk'] = 'gsi1sk';
      values[':by'] = `${query.leaseExpiredBy}#\uffff`;
      condition += ' AND #sk <= :by';
    }
    if (query.connectionId) {
      names['#conn'] = 'connectionId';
      values[':conn'] = query.connectionId;
    }
    const items = await queryAllItems(this.doc, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: condition,
      ...(query.connectionId ? { FilterExpression: '#conn = :conn' } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return items.map((i) => strip<SyncRun>(i)).filter((r) => r.status === 'running');
  }

  listSyncRuns(connectionId: string, page: PageRequest): Promise<Page<SyncRun>> {
    return this.queryPage<SyncRun>(
      { list: 'syncs', pk: keys.connection(connectionId), skPrefix: keys.syncRunPrefix, newestFirst: true },
      page,
    );
  }

  async getSyncRun(connectionId: string, syncId: string): Promise<SyncRun | null> {
    const [indexed] = await this.queryAll<SyncRun>({
      index: 'gsi3',
      pk: keys.syncRunById(connectionId, syncId),
    });
    if (indexed) return indexed;
    // A sync written before runs carried their index key: among the connection's newest ones.
    const { input } = keyQueryInput(this.tableName, {
      pk: keys.connection(connectionId),
      skPrefix: keys.syncRunPrefix,
    });
    const out = await this.doc.send(
      new QueryCommand({ ...input, ScanIndexForward: false, Limit: LEGACY_SYNC_LOOKBACK }),
    );
    const legacy = (out.Items ?? []).find((i) => i.id === syncId);
    return legacy ? strip<SyncRun>(legacy) : null;
  }

  async loadSyncProgress(connectionId: string, syncId: string): Promise<SyncProgress | null> {
    const items = await this.queryAll<Record<string, unknown>>(
      { pk: keys.connection(connectionId), skPrefix: keys.progress(syncId) },
      { consistent: true, keepKeys: true },
    );
    const head = items.find((i) => i.sk === keys.progress(syncId));
    if (!head) return null;
    // Only the chunks of pages the head counts belong to the checkpoint.
    const pageOf = (sk: string) => Number(/#P(\d+)#/.exec(sk)?.[1] ?? Infinity);
    const records = items
      .filter((i) => i.sk !== keys.progress(syncId) && pageOf(String(i.sk)) <= Number(head.pages))
      .flatMap((i) => JSON.parse(gunzipSync(i.records as Uint8Array).toString('utf8')) as BankTransaction[]);
    return {
      cursor: (head.cursor as string | null) ?? null,
      pages: Number(head.pages),
      done: Boolean(head.done),
      ...(head.listing ? { listing: head.listing as SyncPosition['listing'] } : {}),
      ...(head.removedIds ? { removedIds: head.removedIds as string[] } : {}),
      records,
    };
  }

  async saveSyncProgress(
    connectionId: string,
    syncId: string,
    position: SyncPosition,
    pageRecords: BankTransaction[],
  ): Promise<void> {
    const expires = Math.floor(Date.now() / 1000) + PROGRESS_TTL_SECONDS;
    const pk = keys.connection(connectionId);
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: { pk, sk: keys.progress(syncId), entity: 'sync_progress', ...position, expires_at: expires },
        },
      },
    ];
    for (let i = 0, chunk = 0; i < pageRecords.length; i += PROGRESS_CHUNK, chunk++) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            pk,
            sk: keys.progressChunk(syncId, position.pages, chunk),
            entity: 'sync_progress_page',
            // gzip: a page of records is repetitive JSON, and DynamoDB Local is slow with large items.
            records: gzipSync(JSON.stringify(pageRecords.slice(i, i + PROGRESS_CHUNK))),
            expires_at: expires,
          },
        },
      });
    }
    await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
  }

  async clearSyncProgress(connectionId: string, syncId: string): Promise<void> {
    const items = await this.queryAll<Record<string, unknown>>(
      { pk: keys.connection(connectionId), skPrefix: keys.progress(syncId) },
      { keepKeys: true },
    );
    await batchWriteAll(
      this.doc,
      this.tableName,
      items.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })),
    );
  }

  async putQuarantined(records: QuarantinedRecord[]): Promise<void> {
    const items = records.map((r, n) => ({
      PutRequest: {
        Item: {
          pk: keys.connection(r.connectionId),
          sk: keys.quarantined(r.syncId, n),
          entity: 'quarantined',
          ...r,
          raw: JSON.stringify(r.raw) ?? 'undefined',
          expires_at: Math.floor(new Date(r.at).getTime() / 1000) + QUARANTINE_TTL_SECONDS,
        },
      },
    }));
    await batchWriteAll(this.doc, this.tableName, items);
  }

  async listQuarantined(connectionId: string, syncId: string): Promise<QuarantinedRecord[]> {
    const items = await this.queryAll<QuarantinedRecord & { raw: string }>({
      pk: keys.connection(connectionId),
      skPrefix: keys.quarantinedPrefix(syncId),
    });
    return items.map((i) => ({ ...i, raw: JSON.parse(i.raw) as unknown }));
  }
}

function sameAccount(a: Account, b: Account): boolean {
  const { updatedAt: _a, createdAt: _ac, ...ra } = a;
  const { updatedAt: _b, createdAt: _bc, ...rb } = b;
  return JSON.stringify(ra, Object.keys(ra).sort()) === JSON.stringify(rb, Object.keys(rb).sort());
}
