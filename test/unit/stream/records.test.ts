import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { combineUnits, type StreamBatchUnit } from '../../../shared/stream/batch';
import { entityOf, isReplay, parseChange, StreamRecordError } from '../../../shared/stream/records';
import { TransactionImageSchema } from '../../../shared/stream/transaction-image';
import { txn } from '../../support/insights';

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

describe('combineUnits', () => {
  const rec = (n: number, entity: string): DynamoDBRecord => ({
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: String(n), NewImage: { entity: { S: entity } } },
  });
  const recorder = (failOn?: string) => {
    const seen = { prepared: [] as string[], handled: [] as string[], finished: 0 };
    const unit: StreamBatchUnit = {
      prepare: async (records) => {
        seen.prepared.push(...records.map((r) => r.dynamodb!.SequenceNumber!));
      },
      handle: async (record) => {
        seen.handled.push(record.dynamodb!.SequenceNumber!);
        if (record.dynamodb!.SequenceNumber === failOn) throw new Error(`failed ${failOn}`);
      },
      finish: async () => {
        seen.finished++;
      },
    };
    return { seen, unit };
  };

  it('gives each unit the records it accepts, runs every unit on a record another failed on, then fails it', async () => {
    const all = recorder('2');
    const budgets = recorder();
    const combined = combineUnits([
      { unit: all.unit, accepts: () => true },
      { unit: budgets.unit, accepts: (r) => r.dynamodb?.NewImage?.entity?.S === 'budget' },
    ]);
    const records = [rec(1, 'transaction'), rec(2, 'budget'), rec(3, 'budget')];
    await combined.prepare!(records);
    for (const r of records) {
      if (r.dynamodb!.SequenceNumber === '2') await expect(combined.handle(r)).rejects.toThrow('failed 2');
      else await combined.handle(r);
    }
    await combined.finish!();
    expect(all.seen).toEqual({ prepared: ['1', '2', '3'], handled: ['1', '2', '3'], finished: 1 });
    expect(budgets.seen).toEqual({ prepared: ['2', '3'], handled: ['2', '3'], finished: 1 });
  });

  it('finishes every unit even when one fails to finish', async () => {
    const a = recorder();
    const b = recorder();
    const failing: StreamBatchUnit = { ...a.unit, finish: () => Promise.reject(new Error('boom')) };
    await expect(
      combineUnits([
        { unit: failing, accepts: () => true },
        { unit: b.unit, accepts: () => true },
      ]).finish!(),
    ).rejects.toThrow('boom');
    expect(b.seen.finished).toBe(1);
  });
});

describe('isReplay', () => {
  const image = (replay?: string) => ({
    entity: { S: 'transaction' },
    ...(replay ? { replay_at: { S: replay } } : {}),
  });
  const modify = (before?: string, after?: string): DynamoDBRecord => ({
    eventName: 'MODIFY',
    dynamodb: { OldImage: image(before), NewImage: image(after) },
  });
  it('is true only for a MODIFY that sets a new replay marker', () => {
    expect(isReplay(modify(undefined, '2026-11-25T00:00:00Z'))).toBe(true);
    expect(isReplay(modify('2026-11-24T00:00:00Z', '2026-11-25T00:00:00Z'))).toBe(true);
    expect(isReplay(modify('2026-11-25T00:00:00Z', '2026-11-25T00:00:00Z'))).toBe(false);
    expect(isReplay(modify())).toBe(false);
    expect(isReplay({ eventName: 'INSERT', dynamodb: { NewImage: image('2026-11-25T00:00:00Z') } })).toBe(
      false,
    );
  });
});
