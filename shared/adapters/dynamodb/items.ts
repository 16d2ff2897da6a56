import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, type Page, type PageRequest } from '../../ports/store';
import { REPLAY_ATTRIBUTE } from '../../stream/records';
import { decodeKeyCursor, encodeKeyCursor, type KeyCursorQuery } from './cursor';

/**
 * Item plumbing of the single table, shared by the adapter's modules (store.ts, insights-store.ts,
 * user-changes.ts): functions of the document client and the table name, knowing no entity.
 */

export type Doc = DynamoDBDocumentClient;
export type Row = Record<string, unknown>;

/** Every item carries its entity name, for stream filters and for readers of the raw table. */
export type Item<T> = T & { pk: string; sk: string; entity: string; [k: string]: unknown };

export type TransactItems = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>;

/** TransactWriteItems takes at most 100 items. */
export const MAX_TRANSACT_ITEMS = 100;

/** The entity's own attributes: the item without its keys, index keys, entity name and TTL. */
export function strip<T>(item: Row): T {
  const {
    pk: _pk,
    sk: _sk,
    entity: _e,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    gsi3pk: _g3,
    gsi3sk: _g3s,
    expires_at: _t,
    [REPLAY_ATTRIBUTE]: _replay,
    ...rest
  } = item;
  return rest as T;
}

/** True when a TransactWriteItems was cancelled because a condition failed. */
export function cancelledOnCondition(err: unknown): boolean {
  return (
    err instanceof TransactionCanceledException &&
    (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

/** True when a write failed on its condition (a single write, or one of a transaction). */
export function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || cancelledOnCondition(err);
}

/** Puts the item on condition that it does not exist yet (`absent`) or does (`present`); false when it failed. */
export async function putIf(
  doc: Doc,
  table: string,
  item: Row,
  condition: 'absent' | 'present',
): Promise<boolean> {
  try {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: item,
        ConditionExpression: condition === 'absent' ? 'attribute_not_exists(pk)' : 'attribute_exists(pk)',
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** Writes an item that must not exist yet; ConflictError when it does. */
export async function putNew<T extends object>(doc: Doc, table: string, item: Item<T>): Promise<void> {
  if (!(await putIf(doc, table, item, 'absent'))) throw new ConflictError(`${item.entity} exists already`);
}

export async function getItem(
  doc: Doc,
  table: string,
  key: { pk: string; sk: string },
  consistent?: boolean,
): Promise<Row | null> {
  const out = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: consistent }));
  return out.Item ?? null;
}

/**
 * One page of a query, with an opaque cursor. A client's cursor must be one of this query (`query`: its list, its
 * partition, a start key of its shape inside its key condition), so it never leads into another user's items and
 * never reaches DynamoDB malformed.
 */
export async function queryPageItems(
  doc: Doc,
  input: QueryCommandInput,
  query: KeyCursorQuery,
  page: PageRequest,
): Promise<Page<Row>> {
  const start = page.cursor ? decodeKeyCursor(query, page.cursor) : undefined;
  const out = await doc.send(new QueryCommand({ ...input, Limit: page.limit, ExclusiveStartKey: start }));
  const items = out.Items ?? [];
  return { items, nextCursor: items.length ? encodeKeyCursor(query, out.LastEvaluatedKey) : null };
}

/** Every item of a query, following LastEvaluatedKey. */
export async function queryAllItems(doc: Doc, input: QueryCommandInput): Promise<Row[]> {
  const out: Row[] = [];
  let start: Row | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

type WriteRequest = NonNullable<
  ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']
>[string][number];

/** Reads items by key, 100 per request, retrying unprocessed keys with backoff; missing items are left out. */
export async function batchGetAll(doc: Doc, table: string, keys: readonly Row[]): Promise<Row[]> {
  const out: Row[] = [];
  const requests: Row[][] = [];
  for (let i = 0; i < keys.length; i += 100) requests.push(keys.slice(i, i + 100));
  await Promise.all(
    requests.map(async (batch) => {
      let pending: Row[] | undefined = batch;
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        const res = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
        out.push(...(res.Responses?.[table] ?? []));
        pending = res.UnprocessedKeys?.[table]?.Keys as Row[] | undefined;
      }
    }),
  );
  return out;
}

/** Batch-writes the requests, 25 at a time, retrying unprocessed ones with backoff. */
export async function batchWriteAll(
  doc: Doc,
  table: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: WriteRequest[] | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; pending?.length; attempt++) {
      const out: BatchWriteCommandOutput = await doc.send(
        new BatchWriteCommand({ RequestItems: { [table]: pending } }),
      );
      pending = out.UnprocessedItems?.[table];
      if (pending?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** Math.min(attempt, 6)));
    }
  }
}

/**
 * The parts of an UpdateItem that set the attributes of `set` and remove those of `remove` (`SET #s0 = :s0, …
 * REMOVE #r0, …`), with the names and values they use merged into the condition's own: spread them into the update.
 */
export function updateParts(
  set: Row,
  remove: readonly string[] = [],
  condition: { names?: Record<string, string>; values?: Row } = {},
): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Row;
} {
  const names: Record<string, string> = { ...condition.names };
  const values: Row = { ...condition.values };
  const clauses = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  const removals = remove.map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  return {
    UpdateExpression: `SET ${clauses.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Writes transaction changes (each one update or put of the transaction, and its events), packed whole into
 * DynamoDB transactions of at most 100 items, `concurrency` transactions at once. A transaction cancelled on a
 * condition is retried change by change to find the culprits, whose ids are returned as conflicts.
 */
export async function writeChanges<C extends { txn: { id: string }; events: readonly unknown[] }>(
  doc: Doc,
  changes: readonly C[],
  itemsOf: (change: C) => TransactItems,
  concurrency: number,
): Promise<{ applied: number; conflicts: string[] }> {
  const groups: C[][] = [];
  let current: C[] = [];
  let size = 0;
  for (const c of changes) {
    const n = itemsOf(c).length;
    if (n > MAX_TRANSACT_ITEMS) throw new Error(`transaction ${c.txn.id} has too many events in one change`);
    if (size + n > MAX_TRANSACT_ITEMS) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(c);
    size += n;
  }
  if (current.length) groups.push(current);

  let applied = 0;
  const conflicts: string[] = [];
  const write = async (group: C[]): Promise<void> => {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: group.flatMap((c) => itemsOf(c)) }));
      applied += group.length;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      if (group.length === 1) {
        if (cancelledOnCondition(err)) {
          conflicts.push(group[0]!.txn.id);
          return;
        }
        throw err;
      }
      // Find the culprits: each change alone.
      for (const c of group) await write([c]);
    }
  };
  for (let i = 0; i < groups.length; i += concurrency) {
    await Promise.all(groups.slice(i, i + concurrency).map((g) => write(g)));
  }
  return { applied, conflicts };
}
