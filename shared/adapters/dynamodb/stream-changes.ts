import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StoreChange } from '../../stream/change';

/**
 * The table's stream in storage-neutral terms: a `DynamoDBRecord` (NEW_AND_OLD_IMAGES) as the `StoreChange` the
 * processors consume. The images are unmarshalled (numbers as numbers) and stripped of the table's keys and
 * index keys; the entity's attributes stay, `entity` and the replay marker (`replay_at`) included. `id` is the
 * record's sequence number, the `itemIdentifier` of a partial batch response.
 */
export class StreamDecodeError extends Error {
  override name = 'StreamDecodeError';
}

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** The table's key attributes, which no entity reads. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'] as const;

/** The item of a stream image as plain JS (numbers as numbers), keys included, or null when absent. */
export function unmarshallImage(image: Image | undefined): Record<string, unknown> | null {
  if (!image) return null;
  // aws-lambda's and the SDK's AttributeValue differ only nominally: the wire shape is the same.
  return unmarshall(image as unknown as Record<string, AttributeValue>);
}

function attributes(item: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!item) return null;
  const out = { ...item };
  for (const k of KEY_ATTRIBUTES) delete out[k];
  return out;
}

/** The owning user: the item's `userId`, else the user of a `USER#<id>` partition key. */
function userOf(item: Record<string, unknown>): string | null {
  if (typeof item.userId === 'string' && item.userId) return item.userId;
  const pk = item.pk;
  return typeof pk === 'string' && pk.startsWith('USER#') ? pk.slice('USER#'.length) : null;
}

/** The change a stream record describes. Throws a StreamDecodeError for a record that is not one. */
export function changeOfRecord(record: DynamoDBRecord): StoreChange {
  const eventName = record.eventName;
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
    throw new StreamDecodeError(`stream record has no known eventName (${String(eventName)})`);
  }
  const id = record.dynamodb?.SequenceNumber;
  if (!id) throw new StreamDecodeError('stream record has no sequence number');
  const before = unmarshallImage(record.dynamodb?.OldImage);
  const after = unmarshallImage(record.dynamodb?.NewImage);
  const item = after ?? before;
  if (!item) throw new StreamDecodeError(`stream record ${id} has no image (NEW_AND_OLD_IMAGES expected)`);
  const entity = item.entity;
  if (typeof entity !== 'string' || !entity) {
    throw new StreamDecodeError(`stream record ${id}: the item has no entity`);
  }
  const userId = userOf(item);
  if (!userId) throw new StreamDecodeError(`stream record ${id}: the ${entity} item names no user`);
  return { id, userId, entity, eventName, before: attributes(before), after: attributes(after) };
}
