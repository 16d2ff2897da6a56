import { logger } from '../logger';
import type { ChangeFeed, ChangeSink, PendingChange } from '../ports/change-feed';
import type { Clock } from '../ports/clock';

/**
 * The outbox relay (Postgres storage): reads the changes not delivered yet in feed (`seq`) order, delivers them
 * (cloud: an SQS FIFO queue per consumer, message group = user; twin: the processors in-process), and marks them
 * delivered after delivery. Hence:
 *
 * - Order per user: one relay works at a time (a lease on the feed), a batch goes out in order, and a user whose
 *   change failed has nothing after it delivered until it is retried (`ChangeFeed.pending` holds those back).
 * - Nothing lost: a change is marked only after its delivery; a relay that dies between the two leaves it
 *   undelivered, and the next relay (when the lease runs out) sends it again. The SQS FIFO deduplication id
 *   (`outbox-<seq>`) drops a re-send within five minutes, and the processors are idempotent for the rest.
 * - Retries with backoff, then a dead letter: a failed change is retried after `backoffMs(attempts)`, and after
 *   `maxAttempts` failed deliveries it is dead-lettered (kept in the outbox with its error, logged) and its user's
 *   later changes go on.
 * - No nudge lost: a relay that finds the lease taken asks the holder for another pass before it lets go.
 */
export interface RelayDeps {
  feed: ChangeFeed;
  sink: ChangeSink;
  clock: Clock;
}

export interface RelayOptions {
  /** This relay's name in the lease (unique per process). */
  owner: string;
  /** Changes per batch (default 100). */
  batchSize?: number;
  /** How long the lease lasts without renewal (default 60 s; renewed before each batch). */
  leaseMs?: number;
  /** Failed deliveries before a change is dead-lettered (default 5). */
  maxAttempts?: number;
  /** The wait before retry `attempts` (1, 2, …) of a failed change (default 1 s doubling, at most 1 minute). */
  backoffMs?: (attempts: number) => number;
  /** Stop starting new batches after this long (default 45 s: the cloud function's timeout is 60 s). */
  budgetMs?: number;
}

export interface DeadChange {
  id: string;
  userId: string;
  entity: string;
  attempts: number;
  error: string;
}

export interface RelayResult {
  /** False when another relay held the lease (it was asked for another pass). */
  ran: boolean;
  delivered: number;
  failed: number;
  dead: DeadChange[];
  batches: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export function defaultBackoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 60_000);
}

export async function relayOutbox(deps: RelayDeps, opts: RelayOptions): Promise<RelayResult> {
  const { feed, clock } = deps;
  const batchSize = opts.batchSize ?? 100;
  const leaseMs = opts.leaseMs ?? 60_000;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoffMs = opts.backoffMs ?? defaultBackoffMs;
  const budgetMs = opts.budgetMs ?? 45_000;
  const started = clock.now().getTime();
  const result: RelayResult = { ran: false, delivered: 0, failed: 0, dead: [], batches: 0 };
  const lease = () => {
    const now = clock.now();
    return feed.acquire(opts.owner, now, new Date(now.getTime() + leaseMs));
  };
  if (!(await lease())) return result;
  result.ran = true;
  for (;;) {
    while (clock.now().getTime() - started < budgetMs) {
      const batch = await feed.pending(batchSize, clock.now());
      if (!batch.length) break;
      if (result.batches > 0 && !(await lease())) {
        logger.warn('outbox relay lost its lease', { owner: opts.owner });
        return result;
      }
      result.batches += 1;
      await deliverBatch(deps, batch, { maxAttempts, backoffMs }, result);
    }
    // Another relay asked for a pass meanwhile: the lease is still ours, look again.
    if (await feed.release(opts.owner)) break;
    if (clock.now().getTime() - started >= budgetMs) {
      // Out of time with a pass asked for: the next nudge or sweep takes it (the lease runs out).
      break;
    }
  }
  return result;
}

async function deliverBatch(
  { feed, sink, clock }: RelayDeps,
  batch: readonly PendingChange[],
  o: { maxAttempts: number; backoffMs: (attempts: number) => number },
  result: RelayResult,
): Promise<void> {
  let failed: Map<string, string | null>;
  try {
    ({ failed } = await sink.deliver(batch));
  } catch (err) {
    // Nothing known delivered: every change failed (the first of each user counts an attempt, the rest wait).
    const message = (err as Error).message ?? String(err);
    const seen = new Set<string>();
    failed = new Map(
      batch.map((c) => {
        const first = !seen.has(c.userId);
        seen.add(c.userId);
        return [c.id, first ? message : null];
      }),
    );
  }
  const at = clock.now();
  const delivered = batch.filter((c) => !failed.has(c.id)).map((c) => c.id);
  if (delivered.length) await feed.delivered(delivered, at);
  result.delivered += delivered.length;
  for (const change of batch) {
    const error = failed.get(change.id);
    if (error === undefined) continue;
    result.failed += 1;
    if (error === null) continue; // held back behind an earlier failure of its user: not an attempt
    const attempts = change.attempts + 1;
    const dead = attempts >= o.maxAttempts;
    await feed.failed(change.id, {
      error: error.slice(0, 2000),
      retryAt: new Date(at.getTime() + o.backoffMs(attempts)),
      dead,
      at,
    });
    if (dead) {
      const d = { id: change.id, userId: change.userId, entity: change.entity, attempts, error };
      result.dead.push(d);
      logger.error('outbox change dead-lettered', { ...d });
    } else {
      logger.warn('outbox change failed', { id: change.id, userId: change.userId, attempts, error });
    }
  }
}
