import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FunctionSpec } from '../catalogue';
import { invokeWithTimeout, lambdaContext } from './lambda-context';

export type QueueLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

interface Message {
  id: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
}

/**
 * An in-process SQS queue with its Lambda event source mapping: batches of `SQSRecord`s with the same shape,
 * at most `maxConcurrency` batches in flight, partial batch failures (`batchItemFailures`) made visible again
 * after a visibility timeout, and a dead-letter list after `maxReceiveCount` receives.
 */
export class LocalQueue {
  readonly deadLetters: { message: SQSRecord; reason: string }[] = [];
  private readonly messages: Message[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private handler: { fn: FunctionSpec; run: QueueLambda } | undefined;

  constructor(
    readonly name: string,
    private readonly region: string,
    private readonly opts: { visibilityTimeoutMs?: number } = {},
  ) {}

  get arn(): string {
    return `arn:aws:sqs:${this.region}:000000000000:${this.name}`;
  }

  setConsumer(fn: FunctionSpec, run: QueueLambda): void {
    this.handler = { fn, run };
    this.schedule();
  }

  async send(body: string): Promise<void> {
    if (this.stopped) throw new Error(`queue ${this.name} is stopped`);
    this.messages.push({ id: randomUUID(), body, sentAt: Date.now(), receiveCount: 0, visibleAt: 0 });
    this.schedule();
  }

  /** Messages waiting or being processed. */
  get depth(): number {
    return this.messages.length;
  }

  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length > 0 || this.inFlight > 0) {
      if (Date.now() > deadline) throw new Error(`queue ${this.name} did not drain in time`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private schedule(delay = 0): void {
    if (this.stopped || !this.handler) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), delay);
  }

  private poll(): void {
    if (this.stopped || !this.handler) return;
    const q = this.handler.fn.queue!;
    const now = Date.now();
    while (this.inFlight < q.maxConcurrency) {
      const ready = this.messages.filter((m) => m.visibleAt <= now).slice(0, q.batchSize);
      if (!ready.length) break;
      const hidden = now + (this.opts.visibilityTimeoutMs ?? (this.handler.fn.timeoutSeconds ?? 30) * 1000);
      for (const m of ready) {
        m.receiveCount += 1;
        m.visibleAt = hidden;
      }
      this.inFlight += 1;
      void this.invoke(ready).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
    const next = this.messages.reduce((min, m) => Math.min(min, m.visibleAt), Infinity);
    if (Number.isFinite(next) && this.inFlight < q.maxConcurrency) this.schedule(Math.max(10, next - now));
  }

  private toRecord(m: Message): SQSRecord {
    return {
      messageId: m.id,
      receiptHandle: `${m.id}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.region,
    };
  }

  private async invoke(batch: Message[]): Promise<void> {
    const { fn, run } = this.handler!;
    let failed: Set<string>;
    try {
      const res = await invokeWithTimeout(fn, () =>
        run({ Records: batch.map((m) => this.toRecord(m)) }, lambdaContext(fn, this.region)),
      );
      failed = new Set(
        (res && 'batchItemFailures' in res ? res.batchItemFailures : []).map((f) => f.itemIdentifier),
      );
    } catch (err) {
      console.error(`[queue] ${fn.name} failed a batch of ${batch.length}:`, (err as Error).message);
      failed = new Set(batch.map((m) => m.id));
    }
    for (const m of batch) {
      const idx = this.messages.indexOf(m);
      if (idx < 0) continue;
      if (!failed.has(m.id)) {
        this.messages.splice(idx, 1);
      } else if (m.receiveCount >= fn.queue!.maxReceiveCount) {
        this.messages.splice(idx, 1);
        this.deadLetters.push({ message: this.toRecord(m), reason: 'maxReceiveCount exceeded' });
        console.error(`[queue] ${this.name}: message ${m.id} moved to the dead-letter queue`);
      } else {
        // Back off like a visibility timeout, shortened for the laptop.
        m.visibleAt = Date.now() + Math.min(5000, 200 * 2 ** (m.receiveCount - 1));
      }
    }
  }
}
