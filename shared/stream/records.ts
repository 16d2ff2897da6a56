import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { z, ZodType } from 'zod';

/**
 * DynamoDB stream records in domain terms: the item before and after the change, each unmarshalled and validated
 * with zod. A record that does not validate throws a StreamRecordError, which fails that record alone (the batch
 * reports it as a batch item failure; retries, bisection and the on-failure destination do the rest).
 */
export class StreamRecordError extends Error {
  override name = 'StreamRecordError';
}

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

export interface ImageChange<T> {
  eventName: StreamEventName;
  /** The record's sequence number: its `itemIdentifier` in a partial batch response. */
  sequenceNumber: string;
  /** The item before the change (null on INSERT). */
  before: T | null;
  /** The item after the change (null on REMOVE). */
  after: T | null;
}

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** The item of a stream image as plain JS (numbers as numbers), or null when absent. */
export function unmarshallImage(image: Image | undefined): Record<string, unknown> | null {
  if (!image) return null;
  // aws-lambda's and the SDK's AttributeValue differ only nominally: the wire shape is the same.
  return unmarshall(image as unknown as Record<string, AttributeValue>);
}

/** The `entity` of the item a record is about (new image, else old image), or null. */
export function entityOf(record: DynamoDBRecord): string | null {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  const entity = image?.entity?.S;
  return typeof entity === 'string' ? entity : null;
}

/** The attribute a replay (Store.replayTransactions) sets on a transaction item, and nothing else. */
export const REPLAY_ATTRIBUTE = 'replay_at';

/**
 * True for a replay (Store.replayTransactions): a MODIFY whose only news is a new replay marker. Processors that
 * skip unchanged items treat it as new, so what they derive is rebuilt; writes are idempotent either way.
 */
export function isReplay(record: DynamoDBRecord): boolean {
  const after = record.dynamodb?.NewImage?.[REPLAY_ATTRIBUTE]?.S;
  return (
    record.eventName === 'MODIFY' &&
    after !== undefined &&
    after !== record.dynamodb?.OldImage?.[REPLAY_ATTRIBUTE]?.S
  );
}

function parseImage<S extends ZodType>(
  schema: S,
  image: Image | undefined,
  which: 'old' | 'new',
  record: DynamoDBRecord,
): z.output<S> | null {
  const item = unmarshallImage(image);
  if (!item) return null;
  const result = schema.safeParse(item);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`)
      .join('; ');
    throw new StreamRecordError(
      `stream record ${record.dynamodb?.SequenceNumber ?? '?'}: the ${which} image is not valid: ${issues}`,
    );
  }
  return result.data as z.output<S>;
}

/** The change a record describes, both images validated with `schema`. */
export function parseChange<S extends ZodType>(record: DynamoDBRecord, schema: S): ImageChange<z.output<S>> {
  const eventName = record.eventName;
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
    throw new StreamRecordError(`stream record has no known eventName (${String(eventName)})`);
  }
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (!sequenceNumber) throw new StreamRecordError('stream record has no sequence number');
  return {
    eventName,
    sequenceNumber,
    before: parseImage(schema, record.dynamodb?.OldImage, 'old', record),
    after: parseImage(schema, record.dynamodb?.NewImage, 'new', record),
  };
}
