import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../../lib/catalogue';
import { StreamPoller, streamsClient } from '../../lib/local/stream-poller';
import { freshTable, region } from '../support/dynamodb';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable('stream');
});
afterAll(async () => table?.drop());

const spec = (name: string, over: Partial<NonNullable<FunctionSpec['stream']>> = {}): FunctionSpec => ({
  name,
  entry: 'n/a',
  description: 'test consumer',
  grants: [],
  stream: {
    filters: [{ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['thing'] } } } }],
    batchSize: 10,
    retryAttempts: 2,
    bisectBatchOnError: true,
    ...over,
  },
});

const put = (id: string, entity = 'thing', extra: Record<string, unknown> = {}) =>
  table.doc.send(
    new PutCommand({ TableName: table.tableName, Item: { pk: `T#${id}`, sk: 'X', entity, ...extra } }),
  );

describe('the local stream event source', () => {
  it('delivers real DynamoDBStreamEvents, filtered, in order, with partial failure retries and a failure destination', async () => {
    const poller = new StreamPoller(streamsClient(table.endpoint, region), table.streamArn, region, {
      pollIntervalMs: 20,
      retryDelayMs: 5,
    });
    const seen: string[] = [];
    const attempts = new Map<string, number>();
    poller.addConsumer(spec('ok'), async (event: DynamoDBStreamEvent) => {
      for (const r of event.Records) {
        expect(r.eventSource).toBe('aws:dynamodb');
        expect(r.dynamodb?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
        seen.push(r.dynamodb!.NewImage!.pk!.S!);
      }
    });
    // Fails item "bad" forever (reported as a batch item failure) and "flaky" once.
    poller.addConsumer(spec('partial'), async (event: DynamoDBStreamEvent) => {
      const failures: { itemIdentifier: string }[] = [];
      for (const r of event.Records) {
        const id = r.dynamodb!.NewImage!.pk!.S!;
        attempts.set(id, (attempts.get(id) ?? 0) + 1);
        if (id === 'T#bad' || (id === 'T#flaky' && attempts.get(id) === 1)) {
          failures.push({ itemIdentifier: r.dynamodb!.SequenceNumber! });
        }
      }
      return { batchItemFailures: failures };
    });
    poller.start();
    await put('a');
    await put('skip', 'other');
    await put('flaky');
    await put('bad');
    await put('b');
    await put('a', 'thing', { v: 2 });
    const deadline = Date.now() + 15_000;
    while ((seen.length < 5 || poller.failures.length < 1) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await poller.drain();
    await poller.stop();

    expect(seen).toEqual(['T#a', 'T#flaky', 'T#bad', 'T#b', 'T#a']);
    expect(attempts.get('T#flaky')).toBe(2);
    // The poison record alone went to the destination after its retries (bisecting does not count as one);
    // the records around it were each handled once.
    expect(poller.failures.map((f) => f.records.map((r) => r.dynamodb!.NewImage!.pk!.S))).toEqual([
      ['T#bad'],
    ]);
    expect(attempts.get('T#bad')).toBeGreaterThanOrEqual(3);
    // Records batched with the poison one may be delivered again while it is isolated (at-least-once).
    expect(attempts.get('T#b')).toBeGreaterThanOrEqual(1);
  });
});
