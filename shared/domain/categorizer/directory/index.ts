/**
 * The merchant directory: normalized merchant name → Plaid category. Its lookup structures are built from the data
 * files (US, UK, India; `sources.ts`) ahead of time by `npm run generate:directory` into `compiled.ts`, read with
 * one `JSON.parse` at the first lookup (see `tables.ts`): the data files are not in a Lambda's bundle, and a cold
 * start does not tokenize every name. Names are compared by their compact key (tokens without spaces), so
 * spacing and punctuation variants of one name meet.
 *
 * Lookup, best signal first:
 * 1. the longest directory name at the start of a counterparty candidate (the part after `SQ *`, the UPI payee...);
 * 2. a name glued to a store code at the start (`MCDONALDSF12345`);
 * 3. a UPI handle (`swiggy@ybl`);
 * 4. a truncated name at the start (`WHOLE FOODS MA`), when only one directory name continues it;
 * 5. a distinctive name anywhere in the description (never an ambiguous `!` one);
 * 6. a generic `?` phrase anywhere (`MEDICAL STORE`, `PETROL PUMP`).
 */
import { compactKey } from '../text';
import type { ParsedDescription } from '../types';
import { COMPILED_DIRECTORY } from './compiled';
import { parseDirectory, type DirectoryConflict, type DirectoryEntry, type DirectoryTables } from './tables';

export type { DirectoryEntry } from './tables';

export type MatchKind = 'start' | 'glued' | 'handle' | 'truncated' | 'anywhere' | 'generic';

export interface DirectoryMatch {
  entry: DirectoryEntry;
  kind: MatchKind;
  /** Index of the candidate it matched in (0 = the primary counterparty), or -1 for the whole description. */
  candidate: number;
}

let loaded: DirectoryTables | undefined;

/** The generated tables, parsed at the first lookup (a cold start that does not categorize skips it). */
function tables(): DirectoryTables {
  return (loaded ??= parseDirectory(COMPILED_DIRECTORY));
}

/** Every directory entry (for reporting and tests). */
export function directoryEntries(): readonly DirectoryEntry[] {
  return tables().entries();
}

/** Aliases two entries of different categories both claim (kept: the first). Empty in a healthy directory. */
export function directoryConflicts(): readonly DirectoryConflict[] {
  return tables().conflicts;
}

/** The entry a merchant name is known by, or null (exact compact-key lookup). */
export function lookupMerchantName(name: string, t: DirectoryTables = tables()): DirectoryEntry | null {
  return t.entryOf(compactKey(name)) ?? null;
}

type Filter = (e: DirectoryEntry, key: string, start: number) => boolean;

/** The longest directory name starting at `tokens[start]`. */
function longestAt(
  t: DirectoryTables,
  tokens: readonly string[],
  start: number,
  accept: Filter,
): DirectoryEntry | null {
  const end = Math.min(tokens.length, start + t.maxSpan);
  for (let stop = end; stop > start; stop--) {
    let key = '';
    for (let i = start; i < stop; i++) key += tokens[i];
    const e = t.entryOf(key);
    if (e && accept(e, key, start)) return e;
  }
  return null;
}

const specificAtStart: Filter = (e) => !e.generic;
const specificAnywhere: Filter = (e, key) => !e.generic && !e.ambiguous && key.length >= 5;
const genericAnywhere: Filter = (e, key) => e.generic && key.length >= 3;

/** `MCDONALDSF12345`: a directory name glued to a code, at the start of a token. */
function gluedAt(t: DirectoryTables, token: string | undefined): DirectoryEntry | null {
  if (!token || token.length < 6) return null;
  for (let k = token.length - 1; k >= 5; k--) {
    const e = t.entryOf(token.slice(0, k));
    if (e && !e.generic) return e;
  }
  return null;
}

/** The one entry every directory key starting with `prefix` belongs to, or null. */
function uniqueContinuation(t: DirectoryTables, prefix: string): DirectoryEntry | null {
  const { sortedKeys } = t;
  let lo = 0;
  let hi = sortedKeys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sortedKeys[mid] as string) < prefix) lo = mid + 1;
    else hi = mid;
  }
  let found: DirectoryEntry | null = null;
  for (let i = lo; i < sortedKeys.length; i++) {
    const key = sortedKeys[i] as string;
    if (!key.startsWith(prefix)) break;
    const e = t.entryOf(key) as DirectoryEntry;
    if (e.generic) continue;
    if (found && found !== e) return null;
    found = e;
  }
  return found;
}

/** Finds the merchant a parsed description names, or null (`t`: other tables than the generated ones, for tests). */
export function findMerchant(
  parsed: ParsedDescription,
  t: DirectoryTables = tables(),
): DirectoryMatch | null {
  const { candidates } = parsed;
  for (let ci = 0; ci < candidates.length; ci++) {
    const e = longestAt(t, candidates[ci] as string[], 0, specificAtStart);
    if (e) return { entry: e, kind: 'start', candidate: ci };
  }
  const first = candidates[0] ?? [];
  const glued = gluedAt(t, first[0]);
  if (glued) return { entry: glued, kind: 'glued', candidate: 0 };
  for (const h of parsed.handles) {
    const tokens = h.split(' ');
    const e = longestAt(t, tokens, 0, specificAtStart) ?? gluedAt(t, tokens[0]);
    if (e) return { entry: e, kind: 'handle', candidate: -1 };
  }
  const merchant = parsed.merchantTokens;
  if (merchant.length) {
    const prefix = merchant.join('');
    if (prefix.length >= 6) {
      const e = uniqueContinuation(t, prefix);
      if (e) return { entry: e, kind: 'truncated', candidate: 0 };
    }
  }
  const tokens = parsed.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const e = longestAt(t, tokens, i, i === 0 ? specificAtStart : specificAnywhere);
    if (e) return { entry: e, kind: 'anywhere', candidate: -1 };
  }
  // Generic phrases only in the counterparty part (a street such as `UNIVERSITY RD` is no `UNIVERSITY`).
  const cp = candidates[0] ?? [];
  const cut = cp.findIndex((t, i) => i > 0 && /\d/.test(t));
  const scope = cut > 0 ? cp.slice(0, cut) : cp.length ? cp : tokens;
  for (let i = 0; i < scope.length; i++) {
    const e = longestAt(t, scope, i, genericAnywhere);
    if (e) return { entry: e, kind: 'generic', candidate: -1 };
  }
  return null;
}
