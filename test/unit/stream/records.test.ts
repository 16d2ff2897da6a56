import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { changeOfRecord, StreamDecodeError } from '../../../shared/adapters/dynamodb/stream-changes';
import { combineUnits, processChanges, type StreamBatchUnit } from '../../../shared/stream/batch';
import { isReplay, type StoreChange } from '../../../shared/stream/change';
import { parseChange, StreamRecordError } from '../../../shared/stream/records';
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

const decoded = (...args: Parameters<typeof record>) => changeOfRecord(record(...args));

describe('stream records', () => {
  it('decode to a store change: keys stripped, numbers as numbers, the sequence number as id', () => {
    const change = decoded('MODIFY', item(), item({ version: 2, gsi1pk: 'TXNS#u', replay_at: 'x' }));
    expect(change).toMatchObject({ id: '100', userId: 'u', entity: 'transaction', eventName: 'MODIFY' });
    expect(change.after).not.toHaveProperty('pk');
    expect(change.after).not.toHaveProperty('sk');
    expect(change.after).not.toHaveProperty('gsi1pk');
    expect(change.after).toMatchObject({ entity: 'transaction', version: 2, replay_at: 'x' });
    expect(decoded('REMOVE', item(), null)).toMatchObject({ entity: 'transaction', after: null });
    // A user named by the partition key only (a re-categorization request has its userId; this one does not).
    expect(decoded('INSERT', null, { pk: 'USER#v', sk: 'X', entity: 'thing' }).userId).toBe('v');
    expect(() => decoded('INSERT', null, { pk: 'CONN#c', sk: 'X', entity: 'thing' })).toThrow(
      StreamDecodeError,
    );
    expect(() => changeOfRecord({ eventName: 'INSERT', dynamodb: {} })).toThrow(StreamDecodeError);
  });

  it('parse both images of a change, keeping fields other writers add', () => {
    const change = parseChange(
      decoded('MODIFY', item(), item({ version: 2, extra: { by: 'categorizer' } })),
      TransactionImageSchema,
    );
    expect(change.eventName).toBe('MODIFY');
    expect(change.id).toBe('100');
    expect(change.before!.version).toBe(1);
    expect(change.after!.original.amountMinor).toBe(-1250);
    expect((change.after as unknown as { extra: unknown }).extra).toEqual({ by: 'categorizer' });
    const inserted = parseChange(decoded('INSERT', null, item()), TransactionImageSchema);
    expect(inserted.before).toBeNull();
  });

  it('refuse an image that does not validate, naming the field', () => {
    const bad = item({ original: { ...item().original, amountMinor: 'twelve' } });
    expect(() => parseChange(decoded('INSERT', null, bad), TransactionImageSchema)).toThrow(
      StreamRecordError,
    );
    expect(() => parseChange(decoded('INSERT', null, bad), TransactionImageSchema)).toThrow(
      /original\.amountMinor/,
    );
    expect(() =>
      parseChange(decoded('INSERT', null, item({ entity: 'budget' })), TransactionImageSchema),
    ).toThrow(/entity/);
  });
});

const rec = (n: number, entity: string, userId = 'u'): StoreChange => ({
  id: String(n),
  userId,
  entity,
  eventName: 'INSERT',
  before: null,
  after: { entity },
});
const recorder = (failOn?: string) => {
  const seen = { prepared: [] as string[], handled: [] as string[], finished: 0 };
  const unit: StreamBatchUnit = {
    prepare: async (records) => {
      seen.prepared.push(...records.map((r) => r.id));
    },
    handle: async (record) => {
      seen.handled.push(record.id);
      if (record.id === failOn) throw new Error(`failed ${failOn}`);
    },
    finish: async () => {
      seen.finished++;
    },
  };
  return { seen, unit };
};

describe('combineUnits', () => {
  it('gives each unit the records it accepts, runs every unit on a record another failed on, then fails it', async () => {
    const all = recorder('2');
    const budgets = recorder();
    const combined = combineUnits([
      { unit: all.unit, accepts: () => true },
      { unit: budgets.unit, accepts: (r) => r.entity === 'budget' },
    ]);
    const records = [rec(1, 'transaction'), rec(2, 'budget'), rec(3, 'budget')];
    await combined.prepare!(records);
    for (const r of records) {
      if (r.id === '2') await expect(combined.handle(r)).rejects.toThrow('failed 2');
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

describe('processChanges', () => {
  it('fails a change alone and holds back the later changes of its user only', async () => {
    const { seen, unit } = recorder('2');
    const changes = [
      rec(1, 't', 'a'),
      rec(2, 't', 'a'),
      rec(3, 't', 'b'),
      rec(4, 't', 'a'),
      rec(5, 't', 'b'),
    ];
    const result = await processChanges(changes, unit);
    expect(result.failed).toEqual(['2', '4']);
    expect([...result.errors.keys()]).toEqual(['2']);
    expect(seen).toEqual({ prepared: ['1', '2', '3', '4', '5'], handled: ['1', '2', '3', '5'], finished: 1 });
  });

  it('fails every change when the batch cannot finish', async () => {
    const { unit } = recorder();
    const failing: StreamBatchUnit = { ...unit, finish: () => Promise.reject(new Error('boom')) };
    const result = await processChanges([rec(1, 't'), rec(2, 't')], failing);
    expect(result.failed).toEqual(['1', '2']);
    expect(String(result.errors.get('1'))).toMatch(/boom/);
  });
});

describe('isReplay', () => {
  const image = (replay?: string) => ({
    entity: 'transaction',
    ...(replay ? { replay_at: replay } : {}),
  });
  const modify = (before?: string, after?: string) => ({
    eventName: 'MODIFY' as const,
    before: image(before),
    after: image(after),
  });
  it('is true only for a MODIFY that sets a new replay marker', () => {
    expect(isReplay(modify(undefined, '2026-11-25T00:00:00Z'))).toBe(true);
    expect(isReplay(modify('2026-11-24T00:00:00Z', '2026-11-25T00:00:00Z'))).toBe(true);
    expect(isReplay(modify('2026-11-25T00:00:00Z', '2026-11-25T00:00:00Z'))).toBe(false);
    expect(isReplay(modify())).toBe(false);
    expect(isReplay({ eventName: 'INSERT', before: null, after: image('2026-11-25T00:00:00Z') })).toBe(false);
  });
});
