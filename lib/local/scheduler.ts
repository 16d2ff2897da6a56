import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { FunctionSpec } from '../catalogue';
import { invokeWithTimeout, lambdaContext } from './lambda-context';

export type ScheduledLambda = (event: ScheduledEvent, context: Context) => Promise<unknown>;

/** EventBridge's `rate(N minutes)` rule as a timer, delivering the same `Scheduled Event`. */
export class LocalScheduler {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();

  constructor(
    private readonly region: string,
    /** Overrides every rate, for the laptop and tests (e.g. 5 s instead of 15 min). */
    private readonly overrideMs?: number,
  ) {}

  add(fn: FunctionSpec, handler: ScheduledLambda): void {
    const every = this.overrideMs ?? fn.schedule!.rateMinutes * 60_000;
    this.timers.push(setInterval(() => void this.fire(fn, handler), every));
  }

  fire(fn: FunctionSpec, handler: ScheduledLambda): Promise<unknown> {
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date().toISOString(),
      region: this.region,
      resources: [`arn:aws:events:${this.region}:000000000000:rule/finagg-local-${fn.name}`],
      detail: {},
    };
    const p = invokeWithTimeout(fn, () => handler(event, lambdaContext(fn, this.region))).catch(
      (err: Error) => console.error(`[schedule] ${fn.name} failed:`, err.message),
    );
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.running);
  }
}
