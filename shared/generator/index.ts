/**
 * The synthetic transaction generator: users with accounts at bank_a (US, USD), bank_b (UK, GBP) and bank_c
 * (India, INR), and every transaction with its life cycle at the bank and its ground-truth labels.
 *
 * Pure and deterministic: the same options and user index give the same user, byte for byte (seeded PRNG, no
 * clock, no I/O). A user is generated independently of the others, so the mock banks can make just the one a
 * sandbox login needs.
 */
import { buildUser } from './engine';
import { normalizeOptions } from './intent';
import type { GeneratedUser, GeneratorOptions } from './types';

export type * from './types';
export { ANOMALY_RULES, PURCHASE_PRIMARIES, auditLabels, isPurchaseCategory } from './anomaly-labels';
export { bankIds, finalVersion, visibleVersions } from './lifecycle';
export {
  addToSummary,
  emptySummary,
  formatSummary,
  summarize,
  transactionLine,
  type Summary,
} from './export';
export { REGION_INFO } from './regions';
export { MERCHANTS } from './merchants';

/** The default first day: a fixed date (never "today"), so output depends on the options only. */
export const DEFAULT_START = '2026-01-01';

export const DEFAULT_OPTIONS: GeneratorOptions = { seed: 42, start: DEFAULT_START, days: 365 };

/** User `index` (0-based) of the universe described by `options`. */
export function generateUser(options: GeneratorOptions, index: number): GeneratedUser {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError('user index must be a non-negative integer');
  return buildUser(normalizeOptions(options), index);
}

/** Users 0 .. users-1. */
export function generateUniverse(options: GeneratorOptions, users: number): GeneratedUser[] {
  if (!Number.isSafeInteger(users) || users < 0) throw new RangeError('users must be a non-negative integer');
  const normalized = normalizeOptions(options);
  const out: GeneratedUser[] = [];
  for (let i = 0; i < users; i++) out.push(buildUser(normalized, i));
  return out;
}
