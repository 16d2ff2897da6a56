/**
 * The labelled statement strings of `../shared/data/categorization-dev.csv` (beside the checkout; see its README),
 * split deterministically by a hash of the description into a DEV part (about 70%, the one whose errors may be
 * looked at while improving the engine) and a HELD-OUT part (about 30%, never inspected line by line: its figure
 * says how the rules generalize). Used by the categorization bench and the dev-set unit test.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DevCase {
  description: string;
  /** -1 money out, 1 money in (the file gives only a sign). */
  sign: -1 | 1;
  currency: string;
  /** Plaid primary category. */
  primary: string;
  heldOut: boolean;
}

/**
 * `../shared/data/categorization-dev.csv`, relative to the repository root (`CATEGORIZATION_DEV_SET` overrides
 * it, e.g. for a worktree that is not beside `shared/`).
 */
export const DEV_SET_PATH =
  process.env.CATEGORIZATION_DEV_SET ??
  path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'shared',
    'data',
    'categorization-dev.csv',
  );

/** True for the ~30% of descriptions kept out of sight (hash of the exact description). */
export function isHeldOut(description: string): boolean {
  const h = createHash('sha256').update(`finagg-dev-split:${description}`).digest();
  return h.readUInt32BE(0) % 10 < 3;
}

/** One CSV line's cells (double-quoted cells may hold commas and doubled quotes). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The labelled cases, or null when the file is missing. */
export function loadDevSet(file = DEV_SET_PATH): DevCase[] | null {
  if (!existsSync(file)) return null;
  const [head = '', ...lines] = readFileSync(file, 'utf8').split(/\r?\n/);
  const cols = cells(head).map((c) => c.trim().toLowerCase());
  const at = (name: string) => cols.indexOf(name);
  const [d, a, c, p] = [at('description'), at('amount'), at('currency'), at('category')];
  if (d < 0 || p < 0) throw new Error(`${file}: needs description and category columns`);
  const out: DevCase[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    const row = cells(line);
    const description = row[d] ?? '';
    const amount = Number(a >= 0 ? row[a] : -1);
    out.push({
      description,
      sign: amount > 0 ? 1 : -1,
      currency: (c >= 0 ? row[c] : '') || 'USD',
      primary: (row[p] ?? '').trim().toUpperCase(),
      heldOut: isHeldOut(description),
    });
  }
  return out;
}
