import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../../lib/catalogue';
import { StreamPoller, streamsClient } from '../../lib/local/stream-poller';
import { TableCheckpoints, type CheckpointStore } from '../../lib/local/stream-checkpoints';
import { freshTable, region } from '../support/dynamodb';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable('stream', { stream: true });
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

/** A table of its own, a checkpoint store on it, and a consumer that records what it sees (by pk). */
async function resumeFixture(prefix: string) {
  const t = await freshTable(prefix, { stream: true });
  const store = new TableCheckpoints(t.doc, t.tableName, t.streamArn);
  const write = (id: string, entity = 'thing') =>
    t.doc.send(new PutCommand({ TableName: t.tableName, Item: { pk: `T#${id}`, sk: 'X', entity } }));
  const logs: string[] = [];
  const poller = (seen: Map<string, string[]>, checkpoints: CheckpointStore = store) => {
    const p = new StreamPoller(streamsClient(t.endpoint, region), t.streamArn, region, {
      pollIntervalMs: 20,
      retryDelayMs: 5,
      checkpoints,
      log: (l) => logs.push(l),
    });
    for (const name of ['one', 'two']) {
      const got: string[] = [];
      seen.set(name, got);
      p.addConsumer(spec(name, { batchSize: 2 }), async (event: DynamoDBStreamEvent) => {
        for (const r of event.Records) got.push(r.dynamodb!.NewImage!.pk!.S!);
      });
    }
    return p;
  };
  return { t, store, write, poller, logs };
}

/** Polls until `ok()` (generous: DynamoDB Local on a busy machine), then once more for stragglers. */
async function until(ok: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the local stream event source across restarts (checkpoints)', () => {
  it('starts a table with no checkpoints at TRIM_HORIZON, and resumes each consumer after its checkpoint: records written while it was down are handled, none skipped, none repeated after a clean stop', async () => {
    const { t, store, write, poller } = await resumeFixture('resume');
    try {
      // History written before any poller ever ran is handled once (a fresh persisted table).
      await write('h1');
      await write('h2');
      const first = new Map<string, string[]>();
      const p1 = poller(first);
      p1.start();
      await write('a');
      await until(() => first.get('one')!.length >= 3 && first.get('two')!.length >= 3, 'the first run');
      await p1.drain();
      await p1.stop();
      expect(first.get('one')).toEqual(['T#h1', 'T#h2', 'T#a']);
      expect(first.get('two')).toEqual(['T#h1', 'T#h2', 'T#a']);
      const saved = await store.load();
      expect(saved.map((c) => c.consumer).sort()).toEqual(['one', 'two']);
      expect(saved.every((c) => c.sequenceNumber !== null && !c.finished)).toBe(true);

      // Down: these are written while no poller runs.
      for (const id of ['b', 'c', 'd', 'e', 'f']) await write(id);
      await write('noise', 'other');

      const second = new Map<string, string[]>();
      const p2 = poller(second);
      p2.start();
      await write('g');
      await until(() => second.get('one')!.length >= 6 && second.get('two')!.length >= 6, 'the restart');
      await p2.drain();
      await p2.stop();
      const expected = ['T#b', 'T#c', 'T#d', 'T#e', 'T#f', 'T#g'];
      expect(second.get('one')).toEqual(expected);
      expect(second.get('two')).toEqual(expected);
    } finally {
      await t.drop();
    }
  });

  it('after a crash before its checkpoint was saved, delivers the unsaved records again (at-least-once), and each consumer resumes from its own checkpoint', async () => {
    const { t, store, write, poller } = await resumeFixture('crash');
    try {
      const first = new Map<string, string[]>();
      const p1 = poller(first);
      p1.start();
      await write('a');
      await write('b');
      await until(() => first.get('one')!.length >= 2 && first.get('two')!.length >= 2, 'the first run');
      await p1.drain();
      await p1.stop();
      const shardId = (await store.load())[0]!.shardId;
      const seqs = new Map<string, string>();
      // The records' sequence numbers, read back from a run that saves nothing (a process that dies before any
      // checkpoint write reaches the table).
      const lost: CheckpointStore = { load: () => store.load(), save: async () => undefined };
      await write('c');
      await write('d');
      await write('e');
      const probe = new StreamPoller(streamsClient(t.endpoint, region), t.streamArn, region, {
        pollIntervalMs: 20,
        checkpoints: lost,
      });
      probe.addConsumer(spec('probe', { batchSize: 10 }), async (event: DynamoDBStreamEvent) => {
        for (const r of event.Records) seqs.set(r.dynamodb!.NewImage!.pk!.S!, r.dynamodb!.SequenceNumber!);
      });
      probe.start();
      await until(() => seqs.size >= 5, 'the probe');
      await probe.stop();

      // "one" handled up to c before the crash, "two" only up to a; "one" had also handled d and e, but died
      // before saving that.
      await store.save([
        { consumer: 'one', shardId, sequenceNumber: seqs.get('T#c')!, finished: false },
        { consumer: 'two', shardId, sequenceNumber: seqs.get('T#a')!, finished: false },
      ]);
      await write('f');
      const second = new Map<string, string[]>();
      const p2 = poller(second);
      p2.start();
      await until(() => second.get('one')!.length >= 3 && second.get('two')!.length >= 5, 'the restart');
      await p2.drain();
      await p2.stop();
      expect(second.get('one')).toEqual(['T#d', 'T#e', 'T#f']);
      expect(second.get('two')).toEqual(['T#b', 'T#c', 'T#d', 'T#e', 'T#f']);
      const after = await store.load();
      expect(after.find((c) => c.consumer === 'one')!.sequenceNumber).toBe(
        after.find((c) => c.consumer === 'two')!.sequenceNumber,
      );
    } finally {
      await t.drop();
    }
  });

  it('falls back to TRIM_HORIZON, and says so, when a checkpoint is no longer in the stream', async () => {
    const { t, store, write, poller, logs } = await resumeFixture('trimmed');
    try {
      await write('a');
      await write('b');
      const shardId = await firstShard(t.streamArn, t.endpoint);
      // A sequence number before the shard's first record: what a checkpoint older than the retention looks like.
      await store.save([{ consumer: 'one', shardId, sequenceNumber: '0'.repeat(21), finished: false }]);
      const seen = new Map<string, string[]>();
      const p = poller(seen);
      p.start();
      await until(() => seen.get('one')!.length >= 2 && seen.get('two')!.length >= 2, 'the records');
      await p.drain();
      await p.stop();
      expect(seen.get('one')).toEqual(['T#a', 'T#b']);
      expect(logs.some((l) => l.includes('no longer in the stream') && l.includes('TRIM_HORIZON'))).toBe(
        true,
      );
    } finally {
      await t.drop();
    }
  });
});

async function firstShard(streamArn: string, endpoint: string): Promise<string> {
  const out = await streamsClient(endpoint, region).send(new DescribeStreamCommand({ StreamArn: streamArn }));
  return out.StreamDescription!.Shards![0]!.ShardId!;
}
