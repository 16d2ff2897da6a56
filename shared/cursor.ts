import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { ZodType } from 'zod';
import { InvalidCursorError } from './ports/store';

/**
 * Opaque list cursors, one format for every list (the store's key cursors, the change feed, budgets, rules):
 * base64url of `{"s": <scope tag>, "p": <position>}`. The scope tag is a hash of the list's name and its owner
 * (the partition it reads: the user, or the connection of a sync list), so a cursor of another list or another
 * user is refused with a 400; the position is checked against the list's own schema after decoding, so a
 * crafted cursor (the right tag, another shape) is refused too, before any store call.
 *
 * Cursors are not signed: a client can forge one only for its own list, and then only a position the schema
 * accepts (the store also checks that a key lies inside the partition and range it queries).
 */
export interface CursorScope {
  /** The list: `connections`, `syncs`, `alerts`, `transactions`, `feed`, `budgets`, `rules` … */
  list: string;
  /** Whose list: the partition it reads. */
  owner: string;
}

/** The longest cursor any list accepts (the query schemas bound it too). */
export const MAX_CURSOR_LENGTH = 2048;

const Envelope = z.strictObject({ s: z.string().length(22), p: z.unknown() });

function scopeTag(scope: CursorScope): string {
  return createHash('sha256').update(`${scope.list}\n${scope.owner}`).digest('base64url').slice(0, 22);
}

/** The cursor of `position` in the list `scope`. */
export function sealCursor(scope: CursorScope, position: unknown): string {
  return Buffer.from(JSON.stringify({ s: scopeTag(scope), p: position }), 'utf8').toString('base64url');
}

/**
 * The position a client's cursor holds, if it is a cursor of this list (`scope`) and its position has the
 * list's shape (`schema`); else InvalidCursorError (a 400 `query.cursor`).
 */
export function openCursor<T>(cursor: string, scope: CursorScope, schema: ZodType<T>): T {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError('The cursor is not valid.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('The cursor is not valid.');
  }
  const envelope = Envelope.safeParse(parsed);
  if (!envelope.success || envelope.data.s !== scopeTag(scope)) {
    throw new InvalidCursorError('The cursor is not valid for this list.');
  }
  const position = schema.safeParse(envelope.data.p);
  if (!position.success) throw new InvalidCursorError('The cursor is not valid for this list.');
  return position.data;
}
