import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The end of a generator script (`npm run openapi`, `npm run generate:directory`): writes the generated text to
 * `file`, or with `--check` on the command line exits 1, naming `command`, when the committed file differs.
 * `wrote` is added to the success line.
 */
export function writeOrCheckGenerated(file: string, text: string, command: string, wrote = ''): void {
  const name = path.relative(process.cwd(), file);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing: differs
    }
    if (current !== text) {
      console.error(`${name} is out of date: run ${command}`);
      process.exit(1);
    }
    console.log(`${name} is up to date`);
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${name}${wrote}`);
  }
}
