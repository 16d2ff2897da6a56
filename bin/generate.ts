/**
 * `npm run generate -- --seed 42 --users 3 --days 365 [--start 2026-01-01] [--out FILE]`
 *
 * Writes the generator's ground truth as JSONL, one line per transaction (ids, user, bank, account, every bank id,
 * the final version, every life-cycle event, the truth labels), to stdout or FILE, and a summary line on stderr
 * (counts per bank and category primary, anomalies, re-sends, corrections, removals).
 *
 *   --anomaly-rate N  --duplicate-rate N  --correction-rate N   multipliers of the default rates (0 disables)
 *
 * The default start is a fixed date, so the same arguments always give the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  addToSummary,
  DEFAULT_START,
  emptySummary,
  formatSummary,
  generateUser,
  transactionLine,
  type GeneratorOptions,
} from '../shared/generator/index';
import { parseIsoDate } from '../shared/generator/time';

const USAGE =
  'usage: npm run generate -- --seed 42 --users 3 --days 365 [--start YYYY-MM-DD] [--out FILE]' +
  ' [--anomaly-rate N] [--duplicate-rate N] [--correction-rate N]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function integer(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    fail(`--${name} must be an integer ${min}..${max}, got ${text}`);
  }
  return n;
}

function rate(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0)
    fail(`--${name} must be a number >= 0, got ${text}`);
  return n;
}

const spec = {
  seed: { type: 'string' },
  users: { type: 'string' },
  days: { type: 'string' },
  start: { type: 'string' },
  out: { type: 'string' },
  'anomaly-rate': { type: 'string' },
  'duplicate-rate': { type: 'string' },
  'correction-rate': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

let values: ReturnType<typeof parseArgs<{ options: typeof spec }>>['values'];
try {
  values = parseArgs({ options: spec, strict: true }).values;
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const start = values.start ?? DEFAULT_START;
try {
  parseIsoDate(start);
} catch {
  fail(`--start must be a calendar date YYYY-MM-DD, got ${start}`);
}
const options: GeneratorOptions = {
  seed: integer(values.seed, 'seed', 42, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  start,
  days: integer(values.days, 'days', 365, 1, 3660),
};
const anomalyRate = rate(values['anomaly-rate'], 'anomaly-rate');
const duplicateRate = rate(values['duplicate-rate'], 'duplicate-rate');
const correctionRate = rate(values['correction-rate'], 'correction-rate');
if (anomalyRate !== undefined) options.anomalyRate = anomalyRate;
if (duplicateRate !== undefined) options.duplicateRate = duplicateRate;
if (correctionRate !== undefined) options.correctionRate = correctionRate;
const userCount = integer(values.users, 'users', 3, 0, 100_000);

const out = values.out ? createWriteStream(values.out) : process.stdout;

function write(chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const flushed = out.write(chunk, (err) => {
      if (err) reject(err);
    });
    if (flushed) resolve();
    else out.once('drain', resolve);
  });
}

const started = performance.now();
const summary = emptySummary();
try {
  for (let i = 0; i < userCount; i++) {
    const user = generateUser(options, i);
    addToSummary(summary, user);
    let chunk = '';
    for (const txn of user.transactions) chunk += `${transactionLine(user, txn)}\n`;
    await write(chunk);
  }
  if (out !== process.stdout) {
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(resolve);
    });
  }
} catch (err) {
  fail(`generate failed: ${(err as Error).message}`);
}
const seconds = (performance.now() - started) / 1000;
process.stderr.write(`${formatSummary(summary)} | ${seconds.toFixed(2)} s\n`);
