/**
 * The merchant directory's data files (the human-edited truth) and the build of its lookup structures from them.
 * Not loaded at run time: `npm run generate:directory` writes the built tables' compact form into `compiled.ts`
 * (see `tables.ts`), and a unit test checks the two agree.
 */
import { categoryOf } from '../../taxonomy';
import { tokenize } from '../text';
import { GB } from './gb';
import { IN } from './in';
import { LUXURY } from './luxury';
import { slugOf, type DirectoryConflict, type DirectoryEntry, type DirectoryTables } from './tables';
import type { DirectorySource } from './types';
import { US_EXTRA } from './us-extra';
import { US_FOOD } from './us-food';
import { US_RETAIL } from './us-retail';
import { US_SERVICES } from './us-services';

export const SOURCES: readonly DirectorySource[] = [
  US_FOOD,
  US_RETAIL,
  US_SERVICES,
  US_EXTRA,
  GB,
  IN,
  LUXURY,
];

/** Builds the lookup structures from the data files (names compared by their compact key). */
export function buildDirectory(sources: readonly DirectorySource[] = SOURCES): DirectoryTables {
  const byCompact = new Map<string, DirectoryEntry>();
  const entries: DirectoryEntry[] = [];
  const conflicts: DirectoryConflict[] = [];
  let maxSpan = 1;
  const slugs = new Set<string>();
  for (const source of sources) {
    for (const [detailed, list] of Object.entries(source.sections)) {
      const category = categoryOf(detailed);
      for (const line of list) {
        const markers = /^[!~?]*/.exec(line)?.[0] ?? '';
        const [display = '', ...aliases] = line.slice(markers.length).split('|');
        // The display name's tokens serve its slug and its key alike.
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
  return {
    entries: () => entries,
    entryOf: (key) => byCompact.get(key),
    sortedKeys: [...byCompact.keys()].sort(),
    maxSpan,
    conflicts,
  };
}
