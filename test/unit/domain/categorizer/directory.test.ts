import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../../../lib/catalogue';
import { bundledInputs } from '../../../support/bundled';
import { parseDescription } from '../../../../shared/domain/categorizer/clean';
import { COMPILED_DIRECTORY } from '../../../../shared/domain/categorizer/directory/compiled';
import {
  directoryConflicts,
  directoryEntries,
  findMerchant,
  lookupMerchantName,
} from '../../../../shared/domain/categorizer/directory/index';
import { buildDirectory } from '../../../../shared/domain/categorizer/directory/sources';
import {
  compiledModule,
  parseDirectory,
  serializeDirectory,
} from '../../../../shared/domain/categorizer/directory/tables';

const COMPILED_FILE = new URL('../../../../shared/domain/categorizer/directory/compiled.ts', import.meta.url);

/** The directory as the data files give it (what the engine used to build at its first lookup). */
const fromSources = buildDirectory();

describe('generated merchant directory', () => {
  it('is committed as the data files give it (run `npm run generate:directory` after editing them)', () => {
    const text = serializeDirectory(fromSources);
    expect(COMPILED_DIRECTORY).toBe(text);
    expect(readFileSync(COMPILED_FILE, 'utf8')).toBe(compiledModule(text));
  });

  it('reads back as the tables the data files build: entries, keys, spans and conflicts', () => {
    const parsed = parseDirectory(COMPILED_DIRECTORY);
    expect(parsed.entries()).toEqual(fromSources.entries());
    expect(directoryEntries()).toEqual(fromSources.entries());
    expect(parsed.sortedKeys).toEqual(fromSources.sortedKeys);
    expect(parsed.maxSpan).toBe(fromSources.maxSpan);
    expect(directoryConflicts()).toEqual(fromSources.conflicts);
    for (const key of fromSources.sortedKeys)
      expect(parsed.entryOf(key), key).toEqual(fromSources.entryOf(key));
    // Keys between, before and after the known ones find nothing, in both.
    for (const key of ['', '0', 'A', 'ZZZZZZZZ', ...fromSources.sortedKeys.map((k) => `${k}0`)]) {
      expect(parsed.entryOf(key), key).toEqual(fromSources.entryOf(key));
    }
  });

  it('round-trips names with quotes, backslashes, non-ASCII and template syntax', () => {
    const tables = buildDirectory([
      {
        region: 'GB',
        sections: {
          FOOD_AND_DRINK_COFFEE: ['Caf\u00e9 \u201cNo\u00ebl\u201d \\ `x` ${y}|CAFE NOEL', '!Tiny|TNY'],
          FOOD_AND_DRINK_GROCERIES: ['?Corner Shop', '~Mixed Bag|TINY'],
        },
      },
    ]);
    expect(tables.conflicts).toEqual([{ key: 'TINY', kept: 'Tiny', dropped: 'Mixed Bag' }]);
    const text = serializeDirectory(tables);
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
    const cooked = compiledModule(text).match(/= `([\s\S]*)`;\n$/)![1]!;
    // The literal, evaluated as JavaScript, is the text again.
    expect(new Function(`return \`${cooked}\`;`)()).toBe(text);
    const back = parseDirectory(text);
    expect(back.entries()).toEqual(tables.entries());
    expect(back.conflicts).toEqual(tables.conflicts);
    for (const key of tables.sortedKeys) expect(back.entryOf(key)).toEqual(tables.entryOf(key));
  });

  it('finds the same merchant as the source-built directory, for any description', () => {
    const names = fromSources.entries().map((e) => e.name);
    const keys = fromSources.sortedKeys;
    const word = fc.constantFrom(
      'POS',
      'DEBIT',
      'SQ *',
      'TST*',
      'UPI/',
      '@ybl',
      'STORE',
      '#1234',
      'F12345',
      'SEATTLE WA',
      'LONDON',
      'MUMBAI',
      'PAYPAL *',
      'ACH',
      'REFUND',
      'MEDICAL STORE',
      'PETROL PUMP',
      '-',
      '/',
    );
    const fragment = fc.oneof(
      fc.constantFrom(...names),
      fc.constantFrom(...keys),
      // Truncated and glued names: the truncation and glued-code lookups.
      fc.tuple(fc.constantFrom(...keys), fc.integer({ min: 3, max: 20 })).map(([k, n]) => k.slice(0, n)),
      fc.tuple(fc.constantFrom(...keys), fc.stringMatching(/^[A-Z]?\d{2,6}$/)).map(([k, code]) => k + code),
      fc.constantFrom(...names).map((n) => `${n.toLowerCase().replace(/\s+/g, '')}@okaxis`),
      word,
      fc.string({ maxLength: 12 }),
    );
    const description = fc.array(fragment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(description, (d) => {
        const parsed = parseDescription(d);
        expect(findMerchant(parsed)).toEqual(findMerchant(parsed, fromSources));
        expect(lookupMerchantName(d)).toEqual(lookupMerchantName(d, fromSources));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the data files out of the Lambdas that categorize (only the generated tables are bundled)', async () => {
    const categorizing = catalogue.filter(
      (f) =>
        ['Enrich', 'Rules', 'Reconcile', 'SyncWorker'].includes(f.name) || f.entry.includes('categorizer'),
    );
    expect(categorizing.length).toBeGreaterThanOrEqual(5);
    const bundled = await bundledInputs(categorizing);
    expect(bundled.size).toBe(categorizing.length);
    for (const [entry, inputs] of bundled) {
      expect(
        inputs.some((f) => f.endsWith('categorizer/directory/compiled.ts')),
        entry,
      ).toBe(true);
      expect(
        inputs.filter((f) => /categorizer\/directory\/(sources|gb|in|luxury|us-[a-z]+)\.ts$/.test(f)),
        entry,
      ).toEqual([]);
    }
  }, 120_000);
});
