/**
 * `npm run bench`: runs every benchmark in test/bench/*.ts and prints its figures as a table.
 *   --only NAME[,NAME]  run the benchmarks whose name contains one of these
 *   --json FILE         also write the figures as a JSON array of {name, value, unit}
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../lib/local/dynamodb-local';
import type { Benchmark, Figure } from '../test/bench/types';

const { values } = parseArgs({ options: { only: { type: 'string' }, json: { type: 'string' } } });
const only = values.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const dir = path.join(ROOT, 'test', 'bench');
const benchmarks: Benchmark[] = [];
for (const file of readdirSync(dir).sort()) {
  if (!file.endsWith('.ts') || file === 'types.ts') continue;
  const mod = (await import(path.join(dir, file))) as { benchmarks?: Benchmark[] };
  benchmarks.push(...(mod.benchmarks ?? []));
}
const selected = benchmarks.filter((b) => !only || only.some((o) => b.name.includes(o)));
if (!selected.length) {
  console.error(`No benchmark matches ${values.only}. Known: ${benchmarks.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

const figures: Figure[] = [];
let failed = false;
for (const b of selected) {
  process.stderr.write(`running ${b.name}...\n`);
  try {
    figures.push(...(await b.run()));
  } catch (err) {
    failed = true;
    console.error(`benchmark ${b.name} failed:`, err);
  }
}

const w = Math.max(4, ...figures.map((f) => f.name.length));
const vw = Math.max(5, ...figures.map((f) => String(f.value).length));
console.log(`${'name'.padEnd(w)}  ${'value'.padStart(vw)}  unit`);
console.log(`${'-'.repeat(w)}  ${'-'.repeat(vw)}  ----`);
for (const f of figures) console.log(`${f.name.padEnd(w)}  ${String(f.value).padStart(vw)}  ${f.unit}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
process.exit(failed ? 1 : 0);
