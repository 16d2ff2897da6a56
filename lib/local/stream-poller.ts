import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import type { FunctionSpec } from '../catalogue';
import { matchesAny } from './event-filter';
import { invokeWithTimeout, lambdaContext } from './lambda-context';

/** The SDK's and Lambda's AttributeValue types differ only nominally: the wire shape is the same. */
type Image = Record<string, AttributeValue>;

export type StreamLambda = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | void>;

export interface StreamFailure {
  function: string;
  reason: string;
  records: DynamoDBRecord[];
  at: string;
}

interface Consumer {
  fn: FunctionSpec;
  handler: StreamLambda;
  backlog: DynamoDBRecord[];
  busy: boolean;
}

/**
 * The local event source mapping for DynamoDB Streams: reads the table's stream through the Streams API, turns
 * records into the exact `DynamoDBStreamEvent` Lambda delivers, applies each consumer's filter patterns, and
 * invokes it in order with batches of at most `batchSize`. Like Lambda with ReportBatchItemFailures, it retries
 * from the first failed record, bisects a failing batch when told to (so a poison record fails alone), and after
 * `retryAttempts` sends the records to the on-failure destination (here: `failures`, and the log).
 */
export class StreamPoller {
  readonly failures: StreamFailure[] = [];
  private readonly consumers: Consumer[] = [];
  private readonly iterators = new Map<string, string | null>();
  private readonly finishedShards = new Set<string>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private delivered = 0;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly region: string,
    private readonly opts: {
      pollIntervalMs?: number;
      retryDelayMs?: number;
      startAt?: 'TRIM_HORIZON' | 'LATEST';
    } = {},
  ) {}

  addConsumer(fn: FunctionSpec, handler: StreamLambda): void {
    if (!fn.stream) throw new Error(`${fn.name} has no stream trigger`);
    this.consumers.push({ fn, handler, backlog: [], busy: false });
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Resolves once every record read so far has been handled by every consumer. */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.consumers.some((c) => c.busy || c.backlog.length > 0)) {
      if (Date.now() > deadline) throw new Error('stream consumers did not drain in time');
      await sleep(20);
    }
  }

  get recordsDelivered(): number {
    return this.delivered;
  }

  private async run(): Promise<void> {
    const interval = this.opts.pollIntervalMs ?? 100;
    while (!this.stopped) {
      try {
        const got = await this.pollOnce();
        if (got === 0) await sleep(interval);
      } catch (err) {
        if (this.stopped) break;
        console.error('[stream] poll failed:', (err as Error).message);
        await sleep(1000);
      }
    }
    await this.drain(30_000).catch(() => undefined);
  }

  private async shards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  /** One pass over every shard, parents before children; returns how many records it read. */
  private async pollOnce(): Promise<number> {
    let total = 0;
    for (const shard of await this.shards()) {
      const id = shard.ShardId!;
      if (this.finishedShards.has(id)) continue;
      if (
        shard.ParentShardId &&
        !this.finishedShards.has(shard.ParentShardId) &&
        this.iterators.has(shard.ParentShardId)
      ) {
        continue;
      }
      let iterator = this.iterators.get(id);
      if (iterator === undefined) {
        const out = await this.client.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: id,
            ShardIteratorType: this.opts.startAt ?? 'TRIM_HORIZON',
          }),
        );
        iterator = out.ShardIterator ?? null;
      }
      if (!iterator) {
        this.finishedShards.add(id);
        continue;
      }
      const out = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const records = (out.Records ?? []).map((r) => this.toLambdaRecord(r));
      total += records.length;
      this.iterators.set(id, out.NextShardIterator ?? null);
      if (!out.NextShardIterator) this.finishedShards.add(id);
      if (records.length) this.dispatch(records);
    }
    return total;
  }

  private toLambdaRecord(r: StreamRecord): DynamoDBRecord {
    const d = r.dynamodb ?? {};
    const created = d.ApproximateCreationDateTime;
    return {
      eventID: r.eventID,
      eventName: r.eventName as DynamoDBRecord['eventName'],
      eventVersion: r.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb: {
        ApproximateCreationDateTime: created ? Math.floor(new Date(created).getTime() / 1000) : undefined,
        Keys: d.Keys as Image,
        NewImage: d.NewImage as Image | undefined,
        OldImage: d.OldImage as Image | undefined,
        SequenceNumber: d.SequenceNumber,
        SizeBytes: d.SizeBytes,
        StreamViewType: d.StreamViewType as 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: this.streamArn,
      ...(r.userIdentity ? { userIdentity: r.userIdentity } : {}),
    } as DynamoDBRecord;
  }

  private dispatch(records: DynamoDBRecord[]): void {
    for (const c of this.consumers) {
      const matching = records.filter((r) => matchesAny(c.fn.stream!.filters, r));
      if (!matching.length) continue;
      c.backlog.push(...matching);
      if (!c.busy) void this.pump(c);
    }
  }

  private async pump(c: Consumer): Promise<void> {
    c.busy = true;
    try {
      while (c.backlog.length) {
        const batch = c.backlog.splice(0, c.fn.stream!.batchSize);
        await this.deliver(c, batch, 0);
      }
    } finally {
      c.busy = false;
    }
  }

  /** Delivers a batch with Lambda's retry semantics for stream sources. */
  private async deliver(c: Consumer, batch: DynamoDBRecord[], attempt: number): Promise<void> {
    const spec = c.fn.stream!;
    let failedFrom = -1;
    let threw: Error | undefined;
    try {
      const ctx = lambdaContext(c.fn, this.region);
      const res = await invokeWithTimeout(c.fn, () => c.handler({ Records: batch }, ctx));
      const failures = res && 'batchItemFailures' in res ? res.batchItemFailures : [];
      if (failures.length) {
        const ids = new Set(failures.map((f) => f.itemIdentifier));
        failedFrom = batch.findIndex((r) => ids.has(r.dynamodb?.SequenceNumber ?? ''));
        // An identifier we do not know means the whole batch failed, as Lambda treats it.
        if (failedFrom < 0) failedFrom = 0;
      }
    } catch (err) {
      threw = err as Error;
      failedFrom = 0;
    }
    this.delivered += failedFrom < 0 ? batch.length : failedFrom;
    if (failedFrom < 0) return;

    const rest = batch.slice(failedFrom);
    // With BisectBatchOnFunctionError, Lambda splits a failing batch (thrown, or reported from a sequence
    // number on) and retries the halves, so a poison record ends up failing alone.
    if (spec.bisectBatchOnError && rest.length > 1) {
      const mid = Math.ceil(rest.length / 2);
      await this.deliver(c, rest.slice(0, mid), attempt);
      await this.deliver(c, rest.slice(mid), attempt);
      return;
    }
    if (attempt >= spec.retryAttempts) {
      const reason = threw ? threw.message : 'batchItemFailures';
      this.failures.push({ function: c.fn.name, reason, records: rest, at: new Date().toISOString() });
      console.error(
        `[stream] ${c.fn.name}: ${rest.length} record(s) sent to the on-failure destination after ${attempt + 1} attempt(s): ${reason}`,
      );
      return;
    }
    await sleep((this.opts.retryDelayMs ?? 50) * 2 ** attempt);
    await this.deliver(c, rest, attempt + 1);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function streamsClient(endpoint: string, region: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
