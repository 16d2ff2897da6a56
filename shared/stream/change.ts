import * as z from 'zod';
import type { StoreChange } from '../ports/change-feed';

export type { StoreChange };

/**
 * The storage-neutral change the processors consume: an item (an entity's attributes, without storage keys)
 * before and after one write, whichever storage made it. The DynamoDB adapter's stream decoder
 * (shared/adapters/dynamodb/stream-changes.ts) turns a stream record into one; in PostgreSQL mode an outbox row
 * is one (shared/adapters/postgres/outbox.ts writes it in the same SQL transaction as the change, and the relay,
 * shared/services/outbox-relay.ts, delivers it).
 *
 * `before`/`after` are the attributes the DynamoDB adapter stores for the entity (`{ entity: 'transaction', id,
 * userId, accountId, ... }`), numbers as numbers: what shared/stream/transaction-image.ts and the processors'
 * other schemas parse.
 */
export type ChangeEventName = StoreChange['eventName'];

const Image = () => z.record(z.string(), z.unknown()).nullable();

/** A change as it travels (an SQS message body, an outbox row read back): validated at that boundary. */
export const StoreChangeSchema = z.lazy(() =>
  z
    .object({
      id: z.string().regex(/^\d+$/, 'a sequence number (decimal digits)'),
      userId: z.string().min(1),
      entity: z.string().min(1),
      eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
      before: Image(),
      after: Image(),
    })
    .strict()
    .refine((c) => c.before !== null || c.after !== null, 'a change has a before or an after image'),
);

/** The attribute a replay (Store.replayTransactions) sets on a transaction item, and nothing else. */
export const REPLAY_ATTRIBUTE = 'replay_at';

/**
 * True for a replay (Store.replayTransactions): a MODIFY whose only news is a new replay marker. Processors that
 * skip unchanged items treat it as new, so what they derive is rebuilt; writes are idempotent either way.
 */
export function isReplay(change: Pick<StoreChange, 'eventName' | 'before' | 'after'>): boolean {
  const after = change.after?.[REPLAY_ATTRIBUTE];
  return (
    change.eventName === 'MODIFY' && typeof after === 'string' && after !== change.before?.[REPLAY_ATTRIBUTE]
  );
}

/**
 * Which changes a consumer takes (a catalogue `outbox` trigger's `accepts`, the processors' own filters): any of
 * `entities`, on any of `events` (all three when absent).
 */
export interface ChangeFilter {
  entities: readonly string[];
  events?: readonly ChangeEventName[];
}

export function matchesChange(filters: readonly ChangeFilter[], change: StoreChange): boolean {
  return filters.some(
    (f) => f.entities.includes(change.entity) && (!f.events || f.events.includes(change.eventName)),
  );
}

/** Compares two change ids of one feed (decimal strings, leading zeros or not). */
export function compareChangeIds(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
