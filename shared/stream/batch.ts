import { logger } from '../logger';
import type { StoreChange } from './change';

/**
 * One invocation's work on a batch of store changes (from the DynamoDB stream, an SQS FIFO queue fed by the outbox
 * relay, or the twin's in-process relay). `prepare` may load what the whole batch needs at once (it must not
 * throw for a single bad change: `handle` fails that one); `handle` processes one change, in order; `finish`
 * writes what was kept in memory for the batch. A throw from `prepare` or `finish` fails the whole batch (it is
 * retried), so `handle` must be safe to run again for every change (deterministic ids, conditional writes).
 */
export interface StreamBatchUnit {
  prepare?(changes: readonly StoreChange[]): Promise<void>;
  handle(change: StoreChange): Promise<void>;
  finish?(): Promise<void>;
}

/** A part of a combined batch: a unit and the changes it takes (the others pass it by). */
export interface StreamBatchPart {
  unit: StreamBatchUnit;
  accepts(change: StoreChange): boolean;
}

/**
 * Several units as one, for one consumer of the feed: each is prepared with, and handles, the changes it accepts;
 * every unit handles a change (and finishes) even when another failed on it, then the first error is thrown. A
 * change that failed in one unit is retried in all, which their idempotence allows. (DynamoDB Streams allows two
 * readers per shard; consumers beyond that are throttled, so processors share a consumer.)
 */
export function combineUnits(parts: readonly StreamBatchPart[]): StreamBatchUnit {
  const all = async (run: (part: StreamBatchPart) => Promise<void> | undefined) => {
    const errors: unknown[] = [];
    for (const part of parts) {
      try {
        await run(part);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
  };
  return {
    prepare: (changes) => all((p) => p.unit.prepare?.(changes.filter((c) => p.accepts(c)))),
    handle: (change) => all((p) => (p.accepts(change) ? p.unit.handle(change) : undefined)),
    finish: () => all((p) => p.unit.finish?.()),
  };
}

/**
 * Decodes every record of a batch once (a record that does not decode fails alone, when its turn comes), prepares
 * the unit with the changes, and gives the event source's partial-batch machinery a handler per record.
 */
export async function withDecodedBatch<R, T>(
  records: readonly R[],
  decode: (record: R) => StoreChange,
  unit: StreamBatchUnit,
  run: (handle: (record: R) => Promise<void>) => Promise<T>,
): Promise<T> {
  const decoded = new Map<R, StoreChange | { error: unknown }>();
  for (const r of records) {
    try {
      decoded.set(r, decode(r));
    } catch (error) {
      decoded.set(r, { error });
    }
  }
  const changes = [...decoded.values()].filter((c): c is StoreChange => !('error' in c));
  await unit.prepare?.(changes);
  const result = await run(async (record) => {
    const change = decoded.get(record);
    if (!change) throw new Error('a record outside the batch');
    if ('error' in change) throw change.error;
    await unit.handle(change);
  });
  await unit.finish?.();
  return result;
}

export interface ChangeBatchResult {
  /** The ids of the changes that failed, or were held back behind an earlier failure of their user. */
  failed: string[];
  /** Per failed change (not the held-back ones): why. */
  errors: Map<string, unknown>;
}

/**
 * A batch of changes straight from a feed in this process (the twin's outbox relay): in order; like an SQS FIFO
 * queue with one message group per user, a failed change holds back the later changes of its user (reported
 * failed too, not attempted), so each user's changes are applied in order. A throw from `prepare` or `finish`
 * fails every change.
 */
export async function processChanges(
  changes: readonly StoreChange[],
  unit: StreamBatchUnit,
): Promise<ChangeBatchResult> {
  const failed: string[] = [];
  const errors = new Map<string, unknown>();
  const blocked = new Set<string>();
  try {
    await unit.prepare?.(changes);
    for (const change of changes) {
      if (blocked.has(change.userId)) {
        failed.push(change.id);
        continue;
      }
      try {
        await unit.handle(change);
      } catch (err) {
        failed.push(change.id);
        errors.set(change.id, err);
        blocked.add(change.userId);
      }
    }
    await unit.finish?.();
  } catch (err) {
    for (const c of changes) if (!errors.has(c.id)) errors.set(c.id, err);
    return { failed: changes.map((c) => c.id), errors };
  }
  if (failed.length) logger.warn('changes failed', { failed: failed.length, changes: changes.length });
  return { failed, errors };
}
