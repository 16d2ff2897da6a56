/**
 * The merchant directory: normalized merchant name → Plaid category, built once, at the first lookup, from the
 * data files (US, UK, India): building it is ~60 ms of CPU, which a cold start of a function that loads the
 * categorizer but does not categorize on that request should not pay. Names are compared by their compact key (tokens without spaces), so spacing and
 * punctuation variants of one name meet.
 *
 * Lookup, best signal first:
 * 1. the longest directory name at the start of a counterparty candidate (the part after `SQ *`, the UPI payee...);
 * 2. a name glued to a store code at the start (`MCDONALDSF12345`);
 * 3. a UPI handle (`swiggy@ybl`);
 * 4. a truncated name at the start (`WHOLE FOODS MA`), when only one directory name continues it;
 * 5. a distinctive name anywhere in the description (never an ambiguous `!` one);
 * 6. a generic `?` phrase anywhere (`MEDICAL STORE`, `PETROL PUMP`).
 */
import { categoryOf, type CategoryPair } from '../../taxonomy';
import { compactKey, tokenize } from '../text';
import type { ParsedDescription } from '../types';
import { GB } from './gb';
import { IN } from './in';
import { LUXURY } from './luxury';
import type { DirectorySource } from './types';
import { US_FOOD } from './us-food';
import { US_RETAIL } from './us-retail';
import { US_EXTRA } from './us-extra';
import { US_SERVICES } from './us-services';

export interface DirectoryEntry {
  /** Display name, e.g. `Blue Bottle Coffee`. */
  name: string;
  /** Stable id part: `blue-bottle-coffee` (the rule id is `builtin:merchant:<slug>`). */
  slug: string;
  category: CategoryPair;
  region: DirectorySource['region'];
  /** Only recognised at the start of a counterparty (common word or very short name). */
  ambiguous: boolean;
  /** A wallet or multi-purpose merchant: lower confidence. */
  weak: boolean;
  /** A generic phrase (`PETROL PUMP`): categorizes, but the merchant name comes from the description. */
  generic: boolean;
}

export type MatchKind = 'start' | 'glued' | 'handle' | 'truncated' | 'anywhere' | 'generic';

export interface DirectoryMatch {
  entry: DirectoryEntry;
  kind: MatchKind;
  /** Index of the candidate it matched in (0 = the primary counterparty), or -1 for the whole description. */
  candidate: number;
}

export const SOURCES: readonly DirectorySource[] = [
  US_FOOD,
  US_RETAIL,
  US_SERVICES,
  US_EXTRA,
  GB,
  IN,
  LUXURY,
];

/** Aliases two entries of different categories both claim (kept: the first). Empty in a healthy directory. */
const conflicts: { key: string; kept: string; dropped: string }[] = [];

const byCompact = new Map<string, DirectoryEntry>();
/** Compact aliases, sorted, for the truncation lookup. */
let sortedKeys: string[] = [];
let maxSpan = 1;
const entries: DirectoryEntry[] = [];

function slugOf(tokens: readonly string[]): string {
  return tokens.join('-').toLowerCase() || 'merchant';
}

let built = false;

function build(): void {
  if (built) return;
  built = true;
  const slugs = new Set<string>();
  for (const source of SOURCES) {
    for (const [detailed, list] of Object.entries(source.sections)) {
      const category = categoryOf(detailed);
      for (const line of list) {
        const markers = /^[!~?]*/.exec(line)?.[0] ?? '';
        const [display = '', ...aliases] = line.slice(markers.length).split('|');
        // Tokenizing is most of the build (a cold start's work): the display name's tokens serve its slug and its
        // key alike.
        const displayTokens = tokenize(display);
        let slug = slugOf(displayTokens);
        if (slugs.has(slug)) slug = `${slug}-${source.region.toLowerCase()}`;
        for (let i = 2; slugs.has(slug); i++) slug = `${slugOf(displayTokens)}-${i}`;
        slugs.add(slug);
        const entry: DirectoryEntry = {
          // Regional twins (`McDonald's UK`) show the brand's own name.
          name: display.trim().replace(/\s+(UK|India|US|USA)$/, ''),
          slug,
          category,
          region: source.region,
          ambiguous: markers.includes('!'),
          weak: markers.includes('~'),
          generic: markers.includes('?'),
        };
        entries.push(entry);
        for (let a = 0; a <= aliases.length; a++) {
          const tokens = a === 0 ? displayTokens : tokenize(aliases[a - 1]!);
          const key = tokens.join('');
          if (!key) continue;
          maxSpan = Math.max(maxSpan, tokens.length);
          const prior = byCompact.get(key);
          if (prior) {
            if (prior !== entry && prior.category.detailed !== entry.category.detailed) {
              conflicts.push({ key, kept: prior.name, dropped: entry.name });
            }
            continue;
          }
          byCompact.set(key, entry);
        }
      }
    }
  }
  sortedKeys = [...byCompact.keys()].sort();
}

/** Every directory entry (for reporting and tests). */
export function directoryEntries(): readonly DirectoryEntry[] {
  build();
  return entries;
}

/** Aliases two entries of different categories both claim (kept: the first). Empty in a healthy directory. */
export function directoryConflicts(): readonly { key: string; kept: string; dropped: string }[] {
  build();
  return conflicts;
}

/** The entry a merchant name is known by, or null (exact compact-key lookup). */
export function lookupMerchantName(name: string): DirectoryEntry | null {
  build();
  return byCompact.get(compactKey(name)) ?? null;
}

type Filter = (e: DirectoryEntry, key: string, start: number) => boolean;

/** The longest directory name starting at `tokens[start]`. */
function longestAt(tokens: readonly string[], start: number, accept: Filter): DirectoryEntry | null {
  const end = Math.min(tokens.length, start + maxSpan);
  for (let stop = end; stop > start; stop--) {
    let key = '';
    for (let i = start; i < stop; i++) key += tokens[i];
    const e = byCompact.get(key);
    if (e && accept(e, key, start)) return e;
  }
  return null;
}

const specificAtStart: Filter = (e) => !e.generic;
const specificAnywhere: Filter = (e, key) => !e.generic && !e.ambiguous && key.length >= 5;
const genericAnywhere: Filter = (e, key) => e.generic && key.length >= 3;

/** `MCDONALDSF12345`: a directory name glued to a code, at the start of a token. */
function gluedAt(token: string | undefined): DirectoryEntry | null {
  if (!token || token.length < 6) return null;
  for (let k = token.length - 1; k >= 5; k--) {
    const e = byCompact.get(token.slice(0, k));
    if (e && !e.generic) return e;
  }
  return null;
}

/** The one entry every directory key starting with `prefix` belongs to, or null. */
function uniqueContinuation(prefix: string): DirectoryEntry | null {
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
    const e = byCompact.get(key) as DirectoryEntry;
    if (e.generic) continue;
    if (found && found !== e) return null;
    found = e;
  }
  return found;
}

/** Finds the merchant a parsed description names, or null. */
export function findMerchant(parsed: ParsedDescription): DirectoryMatch | null {
  build();
  const { candidates } = parsed;
  for (let ci = 0; ci < candidates.length; ci++) {
    const e = longestAt(candidates[ci] as string[], 0, specificAtStart);
    if (e) return { entry: e, kind: 'start', candidate: ci };
  }
  const first = candidates[0] ?? [];
  const glued = gluedAt(first[0]);
  if (glued) return { entry: glued, kind: 'glued', candidate: 0 };
  for (const h of parsed.handles) {
    const tokens = h.split(' ');
    const e = longestAt(tokens, 0, specificAtStart) ?? gluedAt(tokens[0]);
    if (e) return { entry: e, kind: 'handle', candidate: -1 };
  }
  const merchant = parsed.merchantTokens;
  if (merchant.length) {
    const prefix = merchant.join('');
    if (prefix.length >= 6) {
      const e = uniqueContinuation(prefix);
      if (e) return { entry: e, kind: 'truncated', candidate: 0 };
    }
  }
  const tokens = parsed.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const e = longestAt(tokens, i, i === 0 ? specificAtStart : specificAnywhere);
    if (e) return { entry: e, kind: 'anywhere', candidate: -1 };
  }
  // Generic phrases only in the counterparty part (a street such as `UNIVERSITY RD` is no `UNIVERSITY`).
  const cp = candidates[0] ?? [];
  const cut = cp.findIndex((t, i) => i > 0 && /\d/.test(t));
  const scope = cut > 0 ? cp.slice(0, cut) : cp.length ? cp : tokens;
  for (let i = 0; i < scope.length; i++) {
    const e = longestAt(scope, i, genericAnywhere);
    if (e) return { entry: e, kind: 'generic', candidate: -1 };
  }
  return null;
}
