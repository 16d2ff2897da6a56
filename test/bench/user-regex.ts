/**
 * The cost of a user's `description_regex` rule per transaction, worst case: the patterns an outside probe used
 * to freeze the process when rules ran on JavaScript's backtracking RegExp (4-9 s per 400-character
 * description), and the largest program the validator accepts, on hostile descriptions that never match at
 * the end. Each figure is the slowest description's cost (the whole categorization, built-in rules included:
 * compare with "no rules"), with the rules compiled for that transaction (the first of an enrich request) and
 * compiled before (the rest). The same rules on JavaScript's RegExp took seconds per transaction.
 */
import { categorize, type CategorizeInput, type UserRule } from '../../shared/domain/categorizer/index';
import {
  compileSafeRegex,
  MAX_PROGRAM_SIZE,
  MAX_USER_REGEX_SIZE,
} from '../../shared/domain/categorizer/safe-regex';
import type { Benchmark, Figure } from './types';

const PROBES = ['.*.*.*=', 'a*a*a*a*a*b', '\\w*\\w*\\w*\\w*!', '[\\s\\S]*[\\s\\S]*[\\s\\S]*#'];
/** Near the program-size limit: a long counted repeat of a class (its DFA does not fit the cache, so RE2 runs the NFA). */
const LARGEST = `[a-z0-9 ]{${MAX_PROGRAM_SIZE - 3}}[=!]`;
const REPEATS = 15;
/** Descriptions that make a backtracking engine try every split: long, and no match at the end. */
const HOSTILE = [
  'a'.repeat(400),
  'x'.repeat(400),
  'ab1 '.repeat(100),
  '='.repeat(400),
  'a'.repeat(512),
  `${'a'.repeat(399)}=`,
  'AMZN MKTP US*2K4LL0TQ3 '.repeat(20),
];

function rule(pattern: string, i: number): UserRule {
  return {
    id: `rule_${i}`,
    user_id: 'u1',
    match: { description_regex: pattern },
    category: { primary: 'TRAVEL', detailed: null },
    priority: 0,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

const txn = (description: string): CategorizeInput => ({
  description,
  merchantName: null,
  amountMinor: -1000,
  currency: 'USD',
  accountId: 'acc_1',
});

/**
 * The cost (ms) of categorizing one description with these rules: the least of `REPEATS` runs (that drops the
 * pauses of a busy machine: GC, other processes), each with rule objects made afresh, so every run compiles the
 * rules and fills RE2's DFA as the first transaction of an enrich request does.
 */
function cost(patterns: readonly string[], description: string, cached: boolean): number {
  let best = Infinity;
  const shared = patterns.map((p, i) => rule(p, i));
  for (let r = 0; r < REPEATS; r++) {
    const rules = cached ? shared : patterns.map((p, i) => rule(p, i));
    const t0 = performance.now();
    categorize(txn(description), rules);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

function figures(label: string, patterns: readonly string[]): Figure[] {
  const fresh = HOSTILE.map((d) => cost(patterns, d, false));
  const warm = HOSTILE.map((d) => cost(patterns, d, true));
  return [
    {
      name: `user-regex: ${label}, worst transaction, rules compiled for it`,
      value: round3(Math.max(...fresh)),
      unit: 'ms',
    },
    {
      name: `user-regex: ${label}, worst transaction, rules compiled before`,
      value: round3(Math.max(...warm)),
      unit: 'ms',
    },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'user-regex',
    async run(): Promise<Figure[]> {
      const largest = compileSafeRegex(LARGEST).programSize();
      // Distinct patterns (so nothing is shared between them), as many as fit in a user's budget.
      const budget = Array.from(
        { length: Math.floor(MAX_USER_REGEX_SIZE / largest) },
        (_, i) => `[a-z0-9 ]{${MAX_PROGRAM_SIZE - 3}}[=!${'#$%&@^~'[i % 7]}]`,
      );
      // Warm up the engine and the categorizer once (module load, JIT), as a running process would be.
      for (let i = 0; i < 50; i++) figures('warm-up', ['^warm', ...PROBES]);
      return [
        ...figures('no rules', []),
        ...figures('the 4 probe rules together', PROBES),
        ...PROBES.flatMap((p) => figures(p, [p])),
        ...figures(`largest accepted program (${LARGEST}, ${largest} instructions)`, [LARGEST]),
        ...figures(
          `a user's whole regex budget (${MAX_USER_REGEX_SIZE} instructions) in ${budget.length} rules of the largest`,
          budget,
        ),
      ];
    },
  },
];
