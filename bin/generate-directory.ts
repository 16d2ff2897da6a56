/**
 * `npm run generate:directory`: writes shared/domain/categorizer/directory/compiled.ts, the merchant directory's
 * lookup tables built from its data files (run it after editing them).
 *   --check   exit 1 (and say so) when the committed file differs from what the data files give
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDirectory } from '../shared/domain/categorizer/directory/sources';
import { compiledModule, serializeDirectory } from '../shared/domain/categorizer/directory/tables';

const FILE = fileURLToPath(new URL('../shared/domain/categorizer/directory/compiled.ts', import.meta.url));
const name = path.relative(process.cwd(), FILE);
const tables = buildDirectory();
if (tables.conflicts.length) {
  console.error(`warning: ${tables.conflicts.length} alias(es) claimed by entries of different categories:`);
  for (const c of tables.conflicts) console.error(`  ${c.key}: kept ${c.kept}, dropped ${c.dropped}`);
}
const text = compiledModule(serializeDirectory(tables));
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(FILE, 'utf8');
  } catch {
    // missing: differs
  }
  if (current !== text) {
    console.error(`${name} is out of date: run npm run generate:directory`);
    process.exit(1);
  }
  console.log(`${name} is up to date`);
} else {
  writeFileSync(FILE, text);
  console.log(`wrote ${name} (${tables.entries().length} merchants, ${tables.sortedKeys.length} keys)`);
}
