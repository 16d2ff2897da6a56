import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkUserTxnChange, type UserTxnChange } from '../../domain/corrections';
import type { TxnEvent } from '../../domain/models';
import { effective } from '../../domain/transactions';
import { ConflictError } from '../../ports/store';
import { cancelledOnCondition, updateParts, writeChanges, type TransactItems } from './items';
import { keys } from './keys';

/**
 * The write path of user changes (corrections, undo, conflict resolutions, user rules' re-categorization): the
 * transaction's user-owned fields (`overlay`, `category`) with its new version, updatedAt and index keys (a date
 * correction moves the date index), and the change's events, in ONE DynamoDB transaction conditioned on the stored
 * version. Provider-owned fields are never written here, as the sync never writes the user-owned ones. Events are
 * put only if absent: never updated, never deleted.
 */

export function userChangeItems(tableName: string, c: UserTxnChange): TransactItems {
  checkUserTxnChange(c);
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
  const items: TransactItems = [
    {
      Update: {
        TableName: tableName,
        Key: { pk: keys.user(t.userId), sk: keys.txn(t.id) },
        ...updateParts(set, remove, {
          names: { '#version': 'version' },
          values: { ':expected': c.expectedVersion },
        }),
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
      },
    },
  ];
  items.push(...eventPuts(tableName, t.userId, c.events));
  return items;
}

/** One user change; throws ConflictError when the stored version is not the expected one (or the item is gone). */
export async function applyUserChange(
  doc: DynamoDBDocumentClient,
  tableName: string,
  change: UserTxnChange,
): Promise<void> {
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: userChangeItems(tableName, change) }));
  } catch (err) {
    if (cancelledOnCondition(err))
      throw new ConflictError(`transaction ${change.txn.id} is not at version ${change.expectedVersion}`);
    throw err;
  }
}

/**
 * Many user changes (a rule re-categorizing past transactions), packed whole into transactions of at most 100
 * items. Returns the ids whose condition failed, for the caller to re-read and recompute.
 */
export function applyUserChanges(
  doc: DynamoDBDocumentClient,
  tableName: string,
  changes: readonly UserTxnChange[],
): Promise<{ applied: number; conflicts: string[] }> {
  return writeChanges(doc, changes, (c) => userChangeItems(tableName, c), 4);
}

/** The puts of a transaction's events, each only if absent: events are written once, never updated. */
export function eventPuts(tableName: string, userId: string, events: readonly TxnEvent[]): TransactItems {
  return events.map((e) => ({
    Put: {
      TableName: tableName,
      Item: { pk: keys.txn(e.txnId), sk: keys.event(e.seq), entity: 'txn_event', userId, ...e },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
}
