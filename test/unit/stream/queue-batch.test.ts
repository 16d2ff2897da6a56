import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { sqsChangeSink } from '../../../shared/adapters/sqs/change-queues';
import type { StreamBatchUnit } from '../../../shared/stream/batch';
import type { StoreChange } from '../../../shared/stream/change';
import { CHANGE_CONSUMERS } from '../../../shared/stream/consumers';
import { processQueueBatch } from '../../../shared/stream/queue-batch';

const change = (id: number, userId: string, entity = 'transaction'): StoreChange => ({
  id: String(id),
  userId,
  entity,
  eventName: 'INSERT',
  before: null,
  after: { entity, userId, n: id },
});

const message = (c: StoreChange): SQSRecord =>
  ({
    messageId: `m${c.id}`,
    receiptHandle: 'r',
    body: JSON.stringify(c),
    attributes: { MessageGroupId: c.userId, MessageDeduplicationId: `outbox-${c.id}` },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:changes.fifo',
    awsRegion: 'us-east-1',
  }) as unknown as SQSRecord;

const context = { functionName: 'f', awsRequestId: 'r' } as unknown as Context;

describe('processQueueBatch (a change queue: SQS FIFO, message group = user)', () => {
  it('fails a message and the rest of its group, takes only the changes of its filters, goes on with other users', async () => {
    const handled: string[] = [];
    const prepared: string[] = [];
    const unit: StreamBatchUnit = {
      prepare: async (cs) => void prepared.push(...cs.map((c) => c.id)),
      handle: async (c) => {
        handled.push(c.id);
        if (c.id === '2') throw new Error('boom');
      },
    };
    const event: SQSEvent = {
      Records: [
        message(change(1, 'a')),
        message(change(2, 'a')),
        message(change(3, 'b')),
        message(change(4, 'a')),
        message(change(5, 'b', 'sync-run')),
        { ...message(change(6, 'b')), body: '{"not":"a change"}' },
        message(change(7, 'c', 'recategorize')),
      ],
    };
    const res = await processQueueBatch(event, context, unit, CHANGE_CONSUMERS.insights);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm4', 'm6']);
    expect(handled).toEqual(['1', '2', '3']);
    expect(prepared).toEqual(['1', '2', '3', '4']);
  });
});

describe('sqsChangeSink', () => {
  it('sends every change to every queue, grouped by user, deduplicated by seq; a failed entry holds back its user', async () => {
    const sent: { url: string; group: string; dedup: string; id: string }[] = [];
    const client = {
      async send(cmd: {
        input: {
          QueueUrl: string;
          Entries: {
            Id: string;
            MessageBody: string;
            MessageGroupId: string;
            MessageDeduplicationId: string;
          }[];
        };
      }) {
        const failed = [];
        for (const e of cmd.input.Entries) {
          const c = JSON.parse(e.MessageBody) as StoreChange;
          if (cmd.input.QueueUrl === 'q2' && c.id === '2') {
            failed.push({ Id: e.Id, Code: 'InternalError', SenderFault: false });
            continue;
          }
          sent.push({
            url: cmd.input.QueueUrl,
            group: e.MessageGroupId,
            dedup: e.MessageDeduplicationId,
            id: c.id,
          });
        }
        return { Successful: [], Failed: failed };
      },
    } as unknown as SQSClient;
    const changes = Array.from({ length: 12 }, (_, i) => change(i + 1, i % 2 ? 'b' : 'a'));
    const { failed } = await sqsChangeSink(client, ['q1', 'q2']).deliver(changes);
    expect(sent.filter((s) => s.url === 'q1').map((s) => s.id)).toEqual(changes.map((c) => c.id));
    expect(sent[0]).toEqual({ url: 'q1', group: 'a', dedup: 'outbox-1', id: '1' });
    // Change 2 (user b) failed on q2: b's later changes were not sent there after that batch of ten.
    expect(failed.get('2')).toMatch(/q2: InternalError/);
    expect(failed.get('12')).toBeNull();
    expect(sent.filter((s) => s.url === 'q2' && s.group === 'b').map((s) => s.id)).toEqual([
      '4',
      '6',
      '8',
      '10',
    ]);
  });
});
