import * as z from 'zod';
import { InvalidCursorError } from '../../ports/store';

const KeySchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type Key = z.infer<typeof KeySchema>;

/** An opaque cursor: the LastEvaluatedKey, base64url-encoded. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a client's cursor and checks it belongs to the query being run: its partition attribute must equal
 * the query's partition value, so a cursor can never lead into another user's partition.
 */
export function decodeCursor(cursor: string, partition: { attr: string; value: string }): Key {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('The cursor is not valid.');
  }
  const key = KeySchema.safeParse(parsed);
  if (!key.success || key.data[partition.attr] !== partition.value) {
    throw new InvalidCursorError('The cursor is not valid for this request.');
  }
  return key.data;
}
