import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { entityOf, parseChange, StreamRecordError } from '../../shared/stream/records';
import { TransactionImageSchema } from '../../shared/stream/transaction-image';
import { txn } from '../support/insights';

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  oldItem: Record<string, unknown> | null,
  newItem: Record<string, unknown> | null,
): DynamoDBRecord {
  const image = (i: Record<string, unknown> | null) =>
    i
      ? (marshall(i, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'])
      : undefined;
  return {
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: '100',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      Keys: image({ pk: 'USER#u', sk: 'TXN#t' }),
      OldImage: image(oldItem),
      NewImage: image(newItem),
    },
  };
}

const item = (over: Record<string, unknown> = {}) => ({
  pk: 'USER#u',
  sk: 'TXN#t',
  entity: 'transaction',
  ...txn('u', { id: 't', date: '2026-11-03', amountMinor: -1250 }),
  ...over,
});

describe('stream records', () => {
  it('parse both images of a change, keeping fields other writers add', () => {
    const change = parseChange(
      record('MODIFY', item(), item({ version: 2, extra: { by: 'categorizer' } })),
      TransactionImageSchema,
    );
    expect(change.eventName).toBe('MODIFY');
    expect(change.sequenceNumber).toBe('100');
    expect(change.before!.version).toBe(1);
    expect(change.after!.original.amountMinor).toBe(-1250);
    expect((change.after as unknown as { extra: unknown }).extra).toEqual({ by: 'categorizer' });
    const inserted = parseChange(record('INSERT', null, item()), TransactionImageSchema);
    expect(inserted.before).toBeNull();
    expect(entityOf(record('REMOVE', item(), null))).toBe('transaction');
  });

  it('refuse an image that does not validate, naming the field', () => {
    const bad = item({ original: { ...item().original, amountMinor: 'twelve' } });
    expect(() => parseChange(record('INSERT', null, bad), TransactionImageSchema)).toThrow(StreamRecordError);
    expect(() => parseChange(record('INSERT', null, bad), TransactionImageSchema)).toThrow(
      /original\.amountMinor/,
    );
    expect(() =>
      parseChange(record('INSERT', null, item({ entity: 'budget' })), TransactionImageSchema),
    ).toThrow(/entity/);
  });
});
