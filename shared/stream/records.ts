import type { z, ZodType } from 'zod';
import type { ChangeEventName, StoreChange } from './change';

export { isReplay, REPLAY_ATTRIBUTE } from './change';

/**
 * Store changes in domain terms: the item before and after the change, each validated with zod. A change that does
 * not validate throws a StreamRecordError, which fails that change alone (the batch reports it as a batch item
 * failure; retries and the dead-letter path do the rest).
 */
export class StreamRecordError extends Error {
  override name = 'StreamRecordError';
}

export type StreamEventName = ChangeEventName;

export interface ImageChange<T> {
  eventName: StreamEventName;
  /** The change's id (stream sequence number or outbox seq): its `itemIdentifier` in a partial batch response. */
  id: string;
  /** The item before the change (null on INSERT). */
  before: T | null;
  /** The item after the change (null on REMOVE). */
  after: T | null;
}

function parseImage<S extends ZodType>(
  schema: S,
  item: Record<string, unknown> | null,
  which: 'old' | 'new',
  change: StoreChange,
): z.output<S> | null {
  if (!item) return null;
  const result = schema.safeParse(item);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`)
      .join('; ');
    throw new StreamRecordError(`change ${change.id}: the ${which} image is not valid: ${issues}`);
  }
  return result.data as z.output<S>;
}

/** The change with both images validated with `schema`. */
export function parseChange<S extends ZodType>(change: StoreChange, schema: S): ImageChange<z.output<S>> {
  return {
    eventName: change.eventName,
    id: change.id,
    before: parseImage(schema, change.before, 'old', change),
    after: parseImage(schema, change.after, 'new', change),
  };
}
