import * as z from 'zod';
import { openCursor, sealCursor } from '../../cursor';

/** An ExclusiveStartKey: key attribute → string (every key attribute of the table is a string). */
export type Key = Record<string, string>;

/** A query a key cursor belongs to: which list, which partition, and the range of sort keys it reads. */
export interface KeyCursorQuery {
  /** The list's name (the route's), bound into the cursor with the partition. */
  list: string;
  /** The partition key attribute of the table or index queried (`pk`, `gsi1pk` …) and its value. */
  pkAttr: string;
  pk: string;
  /** The sort key attribute of the table or index queried. */
  skAttr: string;
  /** Whether a sort key lies inside the query's key condition (a prefix, a range). */
  skWithin: (sk: string) => boolean;
  /**
   * On an index: the table key its items have (the owner's partition, a sort key prefix), so that every part of a
   * start key is the caller's. Unset: any table key (an index across users, read by the system only).
   */
  tableKey?: { pk: string; skPrefix: string };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string DynamoDB accepts as a key value: 1..`maxBytes` bytes of UTF-8 (2,048 for a partition, 1,024 for a sort key). */
const keyString = (maxBytes: number) =>
  z
    .string()
    .min(1)
    .max(maxBytes)
    .refine((s) => Buffer.byteLength(s, 'utf8') <= maxBytes && !LONE_SURROGATE.test(s));

/**
 * The exact shape of a start key of `query`: its own partition, a sort key inside its key condition, and on an
 * index the table's key attributes too (DynamoDB wants both), nothing else. DynamoDB answers a start key of any
 * other shape with a ValidationException: a crafted cursor is refused here, as a 400, instead.
 */
function keySchema(query: KeyCursorQuery): z.ZodType<Key> {
  const shape: Record<string, z.ZodType<string>> = {
    [query.pkAttr]: z.literal(query.pk),
    [query.skAttr]: keyString(1024).refine(query.skWithin),
  };
  if (query.pkAttr !== 'pk') {
    const table = query.tableKey;
    Object.assign(shape, {
      pk: table ? z.literal(table.pk) : keyString(2048),
      sk: table ? keyString(1024).refine((sk) => sk.startsWith(table.skPrefix)) : keyString(1024),
    });
  }
  return z.strictObject(shape) as unknown as z.ZodType<Key>;
}

const scopeOf = (query: KeyCursorQuery) => ({ list: query.list, owner: `${query.pkAttr}=${query.pk}` });

/** The cursor of a query's LastEvaluatedKey (null when there is none: the last page). */
export function encodeKeyCursor(
  query: KeyCursorQuery,
  key: Record<string, unknown> | undefined,
): string | null {
  if (!key) return null;
  return sealCursor(scopeOf(query), key);
}

/**
 * The start key of a client's cursor, if it is a cursor of this very query (list and partition) and holds a key
 * of the query's shape; else InvalidCursorError. A cursor can never lead into another user's partition.
 */
export function decodeKeyCursor(query: KeyCursorQuery, cursor: string): Key {
  return openCursor(cursor, scopeOf(query), keySchema(query));
}
