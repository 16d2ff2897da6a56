import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UserTxnChange } from '../../domain/corrections';
import { effective } from '../../domain/transactions';
import { ConflictError } from '../../ports/store';
import { keys } from './store';

/**
 * The write path of user changes (corrections, undo, conflict resolutions, user rules' re-categorization): the
 * transaction's user-owned fields (`overlay`, `category`) with its new version, updatedAt and index keys (a date
 * correction moves the date index), and the change's events, in ONE DynamoDB transaction conditioned on the stored
 * version. Provider-owned fields are never written here, as the sync never writes the user-owned ones. Events are
 * put only if absent: never updated, never deleted.
 */

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** TransactWriteItems takes at most 100 items. */
const MAX_TRANSACT_ITEMS = 100;

function check(c: UserTxnChange): void {
  const { txn, events, expectedVersion } = c;
  if (!events.length) throw new Error(`a user change of ${txn.id} must carry at least one event`);
  if (txn.version !== expectedVersion + events.length)
    throw new Error(
      `transaction ${txn.id}: version ${txn.version} is not ${expectedVersion} + ${events.length}`,
    );
  events.forEach((e, i) => {
    if (e.txnId !== txn.id || e.seq !== expectedVersion + i + 1)
      throw new Error(`transaction ${txn.id}: event ${i} is ${e.txnId}#${e.seq}`);
  });
}

export function userChangeItems(tableName: string, c: UserTxnChange): TransactItems {
  check(c);
  const t = c.txn;
  const set: Record<string, unknown> = {
    version: t.version,
    updatedAt: t.updatedAt,
    gsi2sk: `${t.updatedAt}#${t.id}`,
  };
  const remove: string[] = [];
  if (t.overlay) set.overlay = t.overlay;
  else remove.push('overlay');
  if (t.category !== undefined) set.category = t.category;
  if (!t.removed)
    Object.assign(set, { gsi1pk: keys.txnList(t.userId), gsi1sk: `${effective(t).date}#${t.id}` });
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':expected': c.expectedVersion };
  const clauses = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  const removals = remove.map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  const items: TransactItems = [
    {
      Update: {
        TableName: tableName,
        Key: { pk: keys.user(t.userId), sk: keys.txn(t.id) },
        UpdateExpression: `SET ${clauses.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ];
  for (const e of c.events) {
    items.push({
      Put: {
        TableName: tableName,
        Item: { pk: keys.txn(e.txnId), sk: keys.event(e.seq), entity: 'txn_event', userId: t.userId, ...e },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  return items;
}

const lostCondition = (err: unknown) =>
  err instanceof TransactionCanceledException &&
  (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');

/** One user change; throws ConflictError when the stored version is not the expected one (or the item is gone). */
export async function applyUserChange(
  doc: DynamoDBDocumentClient,
  tableName: string,
  change: UserTxnChange,
): Promise<void> {
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: userChangeItems(tableName, change) }));
  } catch (err) {
    if (lostCondition(err))
      throw new ConflictError(`transaction ${change.txn.id} is not at version ${change.expectedVersion}`);
    throw err;
  }
}

/**
 * Many user changes (a rule re-categorizing past transactions), packed whole into transactions of at most 100
 * items. Returns the ids whose condition failed, for the caller to re-read and recompute.
 */
export async function applyUserChanges(
  doc: DynamoDBDocumentClient,
  tableName: string,
  changes: readonly UserTxnChange[],
): Promise<{ applied: number; conflicts: string[] }> {
  const groups: UserTxnChange[][] = [];
  let current: UserTxnChange[] = [];
  let size = 0;
  for (const c of changes) {
    const n = 1 + c.events.length;
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
  const write = async (group: UserTxnChange[]): Promise<void> => {
    try {
      await doc.send(
        new TransactWriteCommand({ TransactItems: group.flatMap((c) => userChangeItems(tableName, c)) }),
      );
      applied += group.length;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      if (group.length === 1) {
        if (lostCondition(err)) {
          conflicts.push(group[0]!.txn.id);
          return;
        }
        throw err;
      }
      // Find the culprits: each change alone.
      for (const c of group) await write([c]);
    }
  };
  const CONCURRENCY = 4;
  for (let i = 0; i < groups.length; i += CONCURRENCY) {
    await Promise.all(groups.slice(i, i + CONCURRENCY).map((g) => write(g)));
  }
  return { applied, conflicts };
}
