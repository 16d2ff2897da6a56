import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../../../../lib/catalogue';
import type { CheckpointStore, StreamCheckpoint } from '../../../../lib/local/stream-checkpoints';
import { StreamPoller } from '../../../../lib/local/stream-poller';

/**
 * Shard lineage cannot be produced on demand with DynamoDB Local (its shards do not roll over in a test's time), so
 * these cases run against a small in-memory Streams API with closed parent shards and open children. The resume
 * of real shards is tested against DynamoDB Local in test/integration/stream-poller.test.ts.
 */
interface FakeShard {
  id: string;
  parent?: string;
  records: number[];
  closed: boolean;
}

function fakeStreams(shards: FakeShard[]) {
  const calls: string[] = [];
  const seq = (n: number) => String(n).padStart(21, '0');
  const record = (n: number): _Record => ({
    eventID: `e${n}`,
    eventName: 'INSERT',
    dynamodb: {
      Keys: { pk: { S: `T#${n}` }, sk: { S: 'X' } },
      NewImage: { pk: { S: `T#${n}` }, sk: { S: 'X' }, entity: { S: 'thing' } },
      SequenceNumber: seq(n),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  });
  const client = {
    async send(command: unknown) {
      if (command instanceof DescribeStreamCommand) {
        return {
          StreamDescription: {
            Shards: shards.map((s) => ({ ShardId: s.id, ParentShardId: s.parent })),
          },
        };
      }
      if (command instanceof GetShardIteratorCommand) {
        const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
        calls.push(`${ShardId}:${ShardIteratorType}${SequenceNumber ? `:${Number(SequenceNumber)}` : ''}`);
        const after = ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' ? Number(SequenceNumber) : 0;
        return { ShardIterator: JSON.stringify({ shard: ShardId, after }) };
      }
      if (command instanceof GetRecordsCommand) {
        const it = JSON.parse(command.input.ShardIterator!) as { shard: string; after: number };
        const shard = shards.find((s) => s.id === it.shard)!;
        const next = shard.records.filter((n) => n > it.after).slice(0, 2);
        const last = next.at(-1) ?? it.after;
        const done = shard.closed && !shard.records.some((n) => n > last);
        return {
          Records: next.map(record),
          NextShardIterator: done ? undefined : JSON.stringify({ shard: shard.id, after: last }),
        };
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  return { client: client as unknown as DynamoDBStreamsClient, calls };
}

class MemoryCheckpoints implements CheckpointStore {
  saved = new Map<string, StreamCheckpoint>();
  async load() {
    return [...this.saved.values()];
  }
  async save(cps: readonly StreamCheckpoint[]) {
    for (const c of cps) this.saved.set(`${c.consumer}#${c.shardId}`, { ...c });
  }
}

const spec = (name: string): FunctionSpec => ({
  name,
  entry: 'n/a',
  description: 'test consumer',
  grants: [],
  stream: {
    filters: [{ dynamodb: { NewImage: { entity: { S: ['thing'] } } } }],
    batchSize: 2,
    retryAttempts: 1,
    bisectBatchOnError: true,
  },
});

async function runUntil(poller: StreamPoller, ok: () => boolean): Promise<void> {
  poller.start();
  const deadline = Date.now() + 20_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
  await poller.drain();
  await poller.stop();
}

const pks = (e: DynamoDBStreamEvent) => e.Records.map((r) => Number(r.dynamodb!.NewImage!.pk!.S!.slice(2)));

describe('the local stream event source across shards', () => {
  it('reads a closed parent to its end before its child (whatever order the stream lists them in), then resumes each after a restart without reading a finished shard again', async () => {
    const shards: FakeShard[] = [
      { id: 'child', parent: 'parent', records: [4, 5], closed: false },
      { id: 'parent', records: [1, 2, 3], closed: true },
    ];
    const streams = fakeStreams(shards);
    const store = new MemoryCheckpoints();
    const seen: number[] = [];
    const p1 = new StreamPoller(streams.client, 'arn', 'us-east-1', {
      pollIntervalMs: 5,
      checkpoints: store,
    });
    p1.addConsumer(spec('one'), async (e) => void seen.push(...pks(e)));
    await runUntil(p1, () => seen.length >= 5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(store.saved.get('one#parent')).toMatchObject({
      finished: true,
      sequenceNumber: '3'.padStart(21, '0'),
    });
    expect(store.saved.get('one#child')).toMatchObject({
      finished: false,
      sequenceNumber: '5'.padStart(21, '0'),
    });

    // Restart: the parent is done (never read again), the child resumes after 5.
    shards[0]!.records.push(6, 7);
    streams.calls.length = 0;
    const again: number[] = [];
    const p2 = new StreamPoller(streams.client, 'arn', 'us-east-1', {
      pollIntervalMs: 5,
      checkpoints: store,
    });
    p2.addConsumer(spec('one'), async (e) => void again.push(...pks(e)));
    await runUntil(p2, () => again.length >= 2);
    expect(again).toEqual([6, 7]);
    expect(streams.calls).toEqual(['child:AFTER_SEQUENCE_NUMBER:5']);
  });

  it('moves the checkpoint past a record given to the on-failure destination (it was handled), not before', async () => {
    const streams = fakeStreams([{ id: 's', records: [1, 2, 3, 4], closed: false }]);
    const store = new MemoryCheckpoints();
    const ok: number[] = [];
    const p = new StreamPoller(streams.client, 'arn', 'us-east-1', {
      pollIntervalMs: 5,
      retryDelayMs: 1,
      checkpoints: store,
      log: () => undefined,
    });
    p.addConsumer(spec('one'), async (e) => {
      if (pks(e).includes(2)) throw new Error('poison');
      ok.push(...pks(e));
    });
    await runUntil(p, () => ok.includes(4) && p.failures.length === 1);
    expect(p.failures[0]!.records.map((r) => r.dynamodb!.SequenceNumber)).toEqual(['2'.padStart(21, '0')]);
    expect(store.saved.get('one#s')!.sequenceNumber).toBe('4'.padStart(21, '0'));
  });

  it('a checkpoint in a shard the stream no longer lists (trimmed) is reported and not waited for', async () => {
    const streams = fakeStreams([{ id: 'new', records: [10, 11], closed: false }]);
    const store = new MemoryCheckpoints();
    await store.save([
      { consumer: 'one', shardId: 'gone', sequenceNumber: '7'.padStart(21, '0'), finished: false },
    ]);
    const logs: string[] = [];
    const seen: number[] = [];
    const p = new StreamPoller(streams.client, 'arn', 'us-east-1', {
      pollIntervalMs: 5,
      checkpoints: store,
      log: (l) => logs.push(l),
    });
    p.addConsumer(spec('one'), async (e) => void seen.push(...pks(e)));
    await runUntil(p, () => seen.length >= 2);
    expect(seen).toEqual([10, 11]);
    expect(logs.some((l) => l.includes('gone') && l.includes('trimmed'))).toBe(true);
    expect(store.saved.get('one#gone')!.finished).toBe(true);
  });
});
