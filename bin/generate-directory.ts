/**
 * `npm run generate:directory`: writes shared/domain/categorizer/directory/compiled.ts, the merchant directory's
 * lookup tables built from its data files (run it after editing them).
 *   --check   exit 1 (and say so) when the committed file differs from what the data files give
 */
import { fileURLToPath } from 'node:url';
import { writeOrCheckGenerated } from '../lib/generated-file';
import { buildDirectory } from '../shared/domain/categorizer/directory/sources';
import { compiledModule, serializeDirectory } from '../shared/domain/categorizer/directory/tables';

const FILE = fileURLToPath(new URL('../shared/domain/categorizer/directory/compiled.ts', import.meta.url));
const tables = buildDirectory();
if (tables.conflicts.length) {
  console.error(`warning: ${tables.conflicts.length} alias(es) claimed by entries of different categories:`);
  for (const c of tables.conflicts) console.error(`  ${c.key}: kept ${c.kept}, dropped ${c.dropped}`);
}
writeOrCheckGenerated(
  FILE,
  compiledModule(serializeDirectory(tables)),
  'npm run generate:directory',
  ` (${tables.entries().length} merchants, ${tables.sortedKeys.length} keys)`,
);
