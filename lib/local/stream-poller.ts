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
import { CHECKPOINT_PK, compareSequence, type CheckpointStore } from './stream-checkpoints';
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

/** "Once the first `at` records given to the consumer are handled, the shard is handled up to here." */
interface Marker {
  at: number;
  shardId: string;
  sequenceNumber: string | null;
  finished: boolean;
}

interface Consumer {
  fn: FunctionSpec;
  handler: StreamLambda;
  backlog: DynamoDBRecord[];
  busy: boolean;
  /** Records given to the consumer so far, and how many of them it has handled (in order). */
  enqueued: number;
  handled: number;
  markers: Marker[];
  /** Its processed position per shard (what is, or is about to be, persisted). */
  checkpoints: Map<string, { sequenceNumber: string | null; finished: boolean }>;
}

export interface StreamPollerOptions {
  pollIntervalMs?: number;
  retryDelayMs?: number;
  /** Where a shard with no checkpoint starts (default TRIM_HORIZON: a persisted table's history is handled once). */
  startAt?: 'TRIM_HORIZON' | 'LATEST';
  /**
   * Durable checkpoints (when the data outlives the process): each consumer resumes each shard after the last
   * record it fully handled, as Lambda's event source mapping does. Without it, positions live in memory only.
   */
  checkpoints?: CheckpointStore;
  /** Where log lines go (default: the console). */
  log?: (line: string) => void;
}

/**
 * The local event source mapping for DynamoDB Streams: reads the table's stream through the Streams API, turns
 * records into the exact `DynamoDBStreamEvent` Lambda delivers, applies each consumer's filter patterns, and
 * invokes it in order with batches of at most `batchSize`. Like Lambda with ReportBatchItemFailures, it retries
 * from the first failed record, bisects a failing batch when told to (so a poison record fails alone), and after
 * `retryAttempts` sends the records to the on-failure destination (here: `failures`, and the log).
 *
 * With a checkpoint store, each consumer's position in each shard (the last sequence number whose batch was fully
 * handled, failures included) is saved as it advances, and a restart resumes there (AFTER_SEQUENCE_NUMBER); a shard
 * with no checkpoint starts at TRIM_HORIZON; a checkpoint the stream has trimmed falls back to TRIM_HORIZON (and
 * says so). Records handled but not yet checkpointed when the process dies are delivered again: at-least-once.
 * One reader per shard serves every consumer: it starts at the earliest consumer's position, and each consumer
 * skips what it already handled. Parents are read to their end before their children.
 */
export class StreamPoller {
  readonly failures: StreamFailure[] = [];
  private readonly consumers: Consumer[] = [];
  private readonly iterators = new Map<string, string | null>();
  private readonly finishedShards = new Set<string>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private delivered = 0;
  /** Complete passes over the stream (a failed one does not count): caughtUp waits for them. */
  private passes = 0;
  /** The last sequence number read from each shard (to get a new iterator if one expires). */
  private readonly readUpTo = new Map<string, string>();
  private readonly dirty = new Set<Consumer>();
  private saving: Promise<void> | undefined;
  /** Stopped without managing to save: no more attempts. */
  private abandoned = false;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly region: string,
    private readonly opts: StreamPollerOptions = {},
  ) {}

  addConsumer(fn: FunctionSpec, handler: StreamLambda): void {
    if (!fn.stream) throw new Error(`${fn.name} has no stream trigger`);
    this.consumers.push({
      fn,
      handler,
      backlog: [],
      busy: false,
      enqueued: 0,
      handled: 0,
      markers: [],
      checkpoints: new Map(),
    });
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.flush();
  }

  /** Resolves once every record read so far has been handled by every consumer. */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.consumers.some((c) => c.busy || c.backlog.length > 0)) {
      if (Date.now() > deadline) throw new Error('stream consumers did not drain in time');
      await sleep(20);
    }
  }

  /** Resolves once the checkpoints of everything handled so far are saved (or, if they cannot be, at the deadline). */
  async flush(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.saving || this.dirty.size) {
      if (Date.now() > deadline) {
        this.log('[stream] checkpoints not saved before stopping: their records will be delivered again');
        this.dirty.clear();
        this.abandoned = true;
        return;
      }
      if (this.saving) await this.saving.catch(() => undefined);
      else this.persist();
    }
  }

  get recordsDelivered(): number {
    return this.delivered;
  }

  /**
   * Resolves once everything written before the call is handled: two complete passes over the stream that began
   * after it delivered nothing new, every delivery finished. A pass that failed (an error the poller waits out)
   * does not count. For tests and tools that wait for the processors; throws after `timeoutMs`.
   */
  async caughtUp(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.drain(Math.max(1, deadline - Date.now()));
      const delivered = this.delivered;
      const passes = this.passes;
      while (this.passes < passes + 2 && Date.now() < deadline && !this.stopped) await sleep(10);
      await this.drain(Math.max(1, deadline - Date.now()));
      if (this.passes >= passes + 2 && this.delivered === delivered) return;
    }
    throw new Error(`the stream poller did not catch up in ${timeoutMs} ms`);
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => console.error(l)))(line);
  }

  private async run(): Promise<void> {
    const interval = this.opts.pollIntervalMs ?? 100;
    let loaded = false;
    while (!this.stopped) {
      try {
        if (!loaded) {
          await this.loadCheckpoints();
          loaded = true;
        }
        const got = await this.pollOnce();
        this.passes++;
        if (got === 0) await sleep(interval);
      } catch (err) {
        if (this.stopped) break;
        this.log(`[stream] poll failed: ${(err as Error).message}`);
        await sleep(1000);
      }
    }
    await this.drain(30_000).catch(() => undefined);
  }

  private async loadCheckpoints(): Promise<void> {
    if (!this.opts.checkpoints) return;
    const byName = new Map(this.consumers.map((c) => [c.fn.name, c]));
    for (const cp of await this.opts.checkpoints.load()) {
      byName.get(cp.consumer)?.checkpoints.set(cp.shardId, {
        sequenceNumber: cp.sequenceNumber,
        finished: cp.finished,
      });
    }
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
    const shards = await this.shards();
    const listed = new Set(shards.map((s) => s.ShardId!));
    this.reportVanished(listed);
    for (const shard of shards) {
      const id = shard.ShardId!;
      if (this.finishedShards.has(id)) continue;
      // A child waits until its parent is read to its end (a parent the stream no longer lists was trimmed).
      if (
        shard.ParentShardId &&
        listed.has(shard.ParentShardId) &&
        !this.finishedShards.has(shard.ParentShardId)
      )
        continue;
      // Every consumer handled this closed shard to its end before a restart: nothing to read.
      if (
        this.opts.checkpoints &&
        this.consumers.length &&
        this.consumers.every((c) => c.checkpoints.get(id)?.finished)
      ) {
        this.finishedShards.add(id);
        continue;
      }
      let iterator = this.iterators.get(id);
      if (iterator === undefined) iterator = await this.firstIterator(id);
      if (!iterator) {
        this.finishedShards.add(id);
        this.iterators.set(id, null);
        this.dispatch(id, [], null, true);
        continue;
      }
      let out;
      try {
        out = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      } catch (err) {
        if (isTrimmed(err)) this.log(`[stream] ${id}: ${(err as Error).message}; getting a new iterator`);
        else if ((err as Error).name !== 'ExpiredIteratorException') throw err;
        // Iterators expire (15 minutes in AWS), and DynamoDB Local at times refuses a fresh one as past the oldest
        // record: continue after the last record read (from the checkpoints or the horizon when none was read).
        const after = this.readUpTo.get(id);
        if (after) this.iterators.set(id, await this.iteratorAfter(id, after));
        else this.iterators.delete(id);
        continue;
      }
      const raw = out.Records ?? [];
      const lastRead = raw.at(-1)?.dynamodb?.SequenceNumber;
      if (lastRead) this.readUpTo.set(id, lastRead);
      this.iterators.set(id, out.NextShardIterator ?? null);
      const finished = !out.NextShardIterator;
      if (finished) this.finishedShards.add(id);
      // The twin's own checkpoint writes are on the stream too: never delivered, and not worth a checkpoint.
      const records = raw.filter((r) => !isCheckpointRecord(r)).map((r) => this.toLambdaRecord(r));
      const last = records.at(-1)?.dynamodb?.SequenceNumber ?? null;
      total += records.length;
      if (records.length || finished) this.dispatch(id, records, last, finished);
    }
    return total;
  }

  /** A consumer's unfinished checkpoint in a shard the stream no longer lists: its unread records were trimmed. */
  private reportVanished(listed: ReadonlySet<string>): void {
    for (const c of this.consumers) {
      for (const [shardId, cp] of c.checkpoints) {
        if (cp.finished || listed.has(shardId)) continue;
        this.log(
          `[stream] ${c.fn.name}: shard ${shardId} (checkpoint ${cp.sequenceNumber ?? 'none'}) is no longer in the ` +
            'stream (trimmed); its records after the checkpoint are lost to this consumer',
        );
        c.checkpoints.set(shardId, { ...cp, finished: true });
        this.dirty.add(c);
        this.persist();
      }
    }
  }

  private async iteratorAfter(shardId: string, seq: string): Promise<string | null> {
    const out = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: seq,
      }),
    );
    return out.ShardIterator ?? null;
  }

  /** Where reading a shard starts: the earliest consumer's checkpoint, TRIM_HORIZON without one. */
  private async firstIterator(shardId: string): Promise<string | null> {
    let after: string | null = null;
    let horizon = !this.opts.checkpoints;
    for (const c of this.consumers) {
      const cp = c.checkpoints.get(shardId);
      if (cp?.finished) continue;
      if (!cp?.sequenceNumber) horizon = true;
      else if (after === null || compareSequence(cp.sequenceNumber, after) < 0) after = cp.sequenceNumber;
    }
    const get = async (type: 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER', seq?: string) =>
      (
        await this.client.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shardId,
            ShardIteratorType: type,
            ...(seq ? { SequenceNumber: seq } : {}),
          }),
        )
      ).ShardIterator ?? null;
    try {
      let resumed: string | null = null;
      if (after !== null) {
        try {
          resumed = await get('AFTER_SEQUENCE_NUMBER', after);
        } catch (err) {
          if (!isTrimmed(err)) throw err;
          this.log(
            `[stream] ${shardId}: checkpoint ${after} is no longer in the stream (trimmed: ${(err as Error).message}); ` +
              'resuming at TRIM_HORIZON: records between it and the horizon are lost to the consumers',
          );
          return await get('TRIM_HORIZON');
        }
      }
      if (horizon || resumed === null) return await get(this.opts.startAt ?? 'TRIM_HORIZON');
      return resumed;
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
      this.log(`[stream] ${shardId}: the shard no longer exists; skipping it`);
      return null;
    }
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

  /**
   * Gives each consumer the records of one GetRecords answer it wants (matching its filters, after its own
   * checkpoint), and a marker: once those are handled, the shard is handled up to `last` for it.
   */
  private dispatch(shardId: string, records: DynamoDBRecord[], last: string | null, finished: boolean): void {
    for (const c of this.consumers) {
      const cp = c.checkpoints.get(shardId);
      if (cp?.finished) continue;
      const matching = records.filter(
        (r) =>
          !(cp?.sequenceNumber && compareSequence(r.dynamodb!.SequenceNumber!, cp.sequenceNumber) <= 0) &&
          matchesAny(c.fn.stream!.filters, r),
      );
      c.backlog.push(...matching);
      c.enqueued += matching.length;
      c.markers.push({ at: c.enqueued, shardId, sequenceNumber: last, finished });
      this.advance(c);
      if (!c.busy && c.backlog.length) void this.pump(c);
    }
  }

  /** Moves the consumer's checkpoints past everything it has handled, and saves them. */
  private advance(c: Consumer): void {
    let moved = false;
    while (c.markers.length && c.markers[0]!.at <= c.handled) {
      const m = c.markers.shift()!;
      const prev = c.checkpoints.get(m.shardId);
      const seq = m.sequenceNumber ?? prev?.sequenceNumber ?? null;
      if (prev && prev.sequenceNumber === seq && prev.finished === m.finished) continue;
      c.checkpoints.set(m.shardId, { sequenceNumber: seq, finished: m.finished });
      moved = true;
    }
    if (moved && this.opts.checkpoints) {
      this.dirty.add(c);
      this.persist();
    }
  }

  /** Saves the dirty consumers' checkpoints, one write at a time (what piles up meanwhile goes in the next). */
  private persist(): void {
    if (this.saving || !this.dirty.size || !this.opts.checkpoints || this.abandoned) return;
    const store = this.opts.checkpoints;
    const batch = [...this.dirty].flatMap((c) =>
      [...c.checkpoints].map(([shardId, cp]) => ({ consumer: c.fn.name, shardId, ...cp })),
    );
    this.dirty.clear();
    this.saving = store
      .save(batch)
      .catch((err: Error) => {
        this.log(`[stream] saving checkpoints failed (retrying): ${err.message}`);
        for (const c of this.consumers) if (batch.some((b) => b.consumer === c.fn.name)) this.dirty.add(c);
        return sleep(500);
      })
      .finally(() => {
        this.saving = undefined;
        this.persist();
      });
  }

  private async pump(c: Consumer): Promise<void> {
    c.busy = true;
    try {
      while (c.backlog.length) {
        const batch = c.backlog.splice(0, c.fn.stream!.batchSize);
        await this.deliver(c, batch, 0);
        // Delivered, or given to the on-failure destination after its retries: either way, handled.
        c.handled += batch.length;
        this.advance(c);
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
      this.log(
        `[stream] ${c.fn.name}: ${rest.length} record(s) sent to the on-failure destination after ${attempt + 1} attempt(s): ${reason}`,
      );
      return;
    }
    await sleep((this.opts.retryDelayMs ?? 50) * 2 ** attempt);
    await this.deliver(c, rest, attempt + 1);
  }
}

function isCheckpointRecord(r: StreamRecord): boolean {
  return r.dynamodb?.Keys?.pk?.S === CHECKPOINT_PK;
}

/** The stream no longer holds the checkpoint's record (AWS: TrimmedDataAccessException; DynamoDB Local: a validation error). */
function isTrimmed(err: unknown): boolean {
  const e = err as Error;
  return (
    e.name === 'TrimmedDataAccessException' ||
    /past the oldest stream record/i.test(e.message) ||
    (e.name === 'ValidationException' && /sequence ?number/i.test(e.message))
  );
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
