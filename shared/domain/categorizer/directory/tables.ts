/**
 * The merchant directory's lookup structures, and their compact text form. The directory is built from the data
 * files (`sources.ts`, the human-edited truth) by `npm run generate:directory`, which writes the compact form into
 * `compiled.ts`; a Lambda loads that with one `JSON.parse` (a few ms) instead of tokenizing every name (~60 ms of
 * CPU and the data files' 220 KB of object literals in its bundle). A unit test fails when `compiled.ts` drifts
 * from the data files.
 */
import { categoryOf, type CategoryPair } from '../../taxonomy';
import { tokenize } from '../text';
import type { DirectorySource } from './types';

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

/** Two entries of different categories claiming one alias (kept: the first). */
export interface DirectoryConflict {
  key: string;
  kept: string;
  dropped: string;
}

export interface DirectoryTables {
  /** Every entry, in the data files' order. */
  entries(): readonly DirectoryEntry[];
  /** The entry a compact key (tokens without spaces) belongs to. */
  entryOf(key: string): DirectoryEntry | undefined;
  /** The compact keys, sorted (code-unit order), for the truncation lookup. */
  sortedKeys: readonly string[];
  /** Most tokens of any directory name. */
  maxSpan: number;
  /** Empty in a healthy directory. */
  conflicts: readonly DirectoryConflict[];
}

/** A merchant's slug from its display name's tokens (`blue-bottle-coffee`). */
export function slugOf(tokens: readonly string[]): string {
  return tokens.join('-').toLowerCase() || 'merchant';
}

/** Format version of the compact form: bump it when the shape below changes. */
const FORMAT = 3;

const AMBIGUOUS = 1;
const WEAK = 2;
const GENERIC = 4;
const REGIONS: readonly DirectorySource['region'][] = ['US', 'GB', 'IN', 'GLOBAL'];

/**
 * The compact form: JSON, one entry or key per line (reviewable diffs), ASCII only (a one-byte string parses
 * faster). An entry is one string, `name|slug|category index|region index|flags` (split when first used, not all
 * at load), its slug left empty when it is its name's (most are: a third of the text); `keys` are the sorted compact keys, `index` the entry of each.
 */
interface CompactDirectory {
  format: number;
  maxSpan: number;
  categories: string[];
  entries: string[];
  keys: string[];
  index: number[];
  conflicts: DirectoryConflict[];
}

/** JSON with every non-ASCII character escaped. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The tables as compact JSON text (deterministic: the same tables give the same text). */
export function serializeDirectory(tables: DirectoryTables): string {
  const entries = tables.entries();
  const categories = [...new Set(entries.map((e) => e.category.detailed))];
  const categoryIndex = new Map(categories.map((c, i) => [c, i]));
  const entryIndex = new Map(entries.map((e, i) => [e, i]));
  const list = (items: readonly unknown[]) =>
    items.length ? `[\n${items.map(asciiJson).join(',\n')}\n]` : '[]';
  return (
    '{\n' +
    `"format":${FORMAT},\n` +
    `"maxSpan":${tables.maxSpan},\n` +
    `"categories":${list(categories)},\n` +
    `"entries":${list(
      entries.map((e) => {
        for (const part of [e.name, e.slug]) if (part.includes('|')) throw new Error(`"|" in ${part}`);
        const flags = (e.ambiguous ? AMBIGUOUS : 0) | (e.weak ? WEAK : 0) | (e.generic ? GENERIC : 0);
        const slug = e.slug === slugOf(tokenize(e.name)) ? '' : e.slug;
        return `${e.name}|${slug}|${categoryIndex.get(e.category.detailed)}|${REGIONS.indexOf(e.region)}|${flags}`;
      }),
    )},\n` +
    `"keys":${list(tables.sortedKeys)},\n` +
    `"index":${asciiJson(tables.sortedKeys.map((k) => entryIndex.get(tables.entryOf(k)!)))},\n` +
    `"conflicts":${list(tables.conflicts)}\n` +
    '}\n'
  );
}

/** The tables from their compact text (`serializeDirectory`'s inverse). */
export function parseDirectory(text: string): DirectoryTables {
  const c = JSON.parse(text) as CompactDirectory;
  if (c.format !== FORMAT) throw new Error(`merchant directory: format ${c.format}, expected ${FORMAT}`);
  const made: (DirectoryEntry | undefined)[] = new Array<DirectoryEntry | undefined>(c.entries.length);
  const entryAt = (i: number): DirectoryEntry => {
    const known = made[i];
    if (known) return known;
    const [name = '', slug = '', category = '', region = '', flags = ''] = c.entries[i]!.split('|');
    const f = Number(flags);
    return (made[i] = {
      name,
      slug: slug || slugOf(tokenize(name)),
      category: categoryOf(c.categories[Number(category)]!),
      region: REGIONS[Number(region)]!,
      ambiguous: (f & AMBIGUOUS) !== 0,
      weak: (f & WEAK) !== 0,
      generic: (f & GENERIC) !== 0,
    });
  };
  const { keys, index } = c;
  let all: DirectoryEntry[] | undefined;
  return {
    entries: () => (all ??= c.entries.map((_, i) => entryAt(i))),
    // Binary search in the sorted keys: a Map of them would cost a cold start more (~9,000 inserts) than the
    // searches of a whole batch of descriptions.
    entryOf: (key) => {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const k = keys[mid]!;
        if (k === key) return entryAt(index[mid]!);
        if (k < key) lo = mid + 1;
        else hi = mid;
      }
      return undefined;
    },
    sortedKeys: c.keys,
    maxSpan: c.maxSpan,
    conflicts: c.conflicts,
  };
}

/** `compiled.ts`'s text for the compact form: a template literal (JSON's newlines kept), cooked back to `text`. */
export function compiledModule(text: string): string {
  const literal = text.replace(/[\\`]/g, '\\$&').replace(/\$\{/g, '\\${');
  return (
    '/**\n' +
    ' * GENERATED by `npm run generate:directory` from the data files (sources.ts): do not edit. The merchant\n' +
    " * directory's lookup tables in compact form (tables.ts); a unit test fails when they drift from the data.\n" +
    ' */\n' +
    `export const COMPILED_DIRECTORY: string = \`${literal}\`;\n`
  );
}
