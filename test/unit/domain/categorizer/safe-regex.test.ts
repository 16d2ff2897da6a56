import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileSafeRegex,
  MAX_PROGRAM_SIZE,
  MAX_REGEX_LENGTH,
  MAX_USER_REGEX_SIZE,
  regexesSize,
  regexProblem,
} from '../../../../shared/domain/categorizer/safe-regex';
import { RuleBodySchema, winningRule, type UserRule } from '../../../../shared/domain/categorizer/user-rules';
import { normalizeDescription } from '../../../../shared/domain/fingerprint';

/** The patterns an outside probe used to freeze the process with JavaScript's backtracking engine. */
const PROBES: [pattern: string, needle: string][] = [
  ['.*.*.*=', '='],
  ['a*a*a*a*a*b', 'b'],
  ['\\w*\\w*\\w*\\w*!', '!'],
  ['[\\s\\S]*[\\s\\S]*[\\s\\S]*#', '#'],
  ['(a+)+$', 'a'],
];

function rule(pattern: string): UserRule {
  return {
    id: 'rule_1',
    user_id: 'u1',
    match: { description_regex: pattern },
    category: { primary: 'TRAVEL', detailed: null },
    priority: 0,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

function subject(description: string) {
  return {
    description,
    normalized: normalizeDescription(description),
    merchantKeys: [],
    amountMinor: -1000,
    currency: 'USD',
    accountId: 'acc_1',
  };
}

describe('user regexes run on a linear-time engine', () => {
  it.each(PROBES)(
    'accepts the probe pattern %s and matches it on a 400-character description',
    (p, needle) => {
      expect(regexProblem(p)).toBeNull();
      expect(
        RuleBodySchema.safeParse({ match: { description_regex: p }, category: { primary: 'TRAVEL' } })
          .success,
      ).toBe(true);
      const hostile = 'a'.repeat(400);
      const r = rule(p);
      // The hostile text is what makes a backtracking engine take seconds: 400 characters and no match at the end.
      expect(winningRule([r], subject(hostile)) !== null).toBe(hostile.includes(needle) && needle === 'a');
      expect(winningRule([r], subject(`${'x'.repeat(399)}${needle}`))?.id).toBe('rule_1');
    },
  );

  it('the probe patterns match exactly the descriptions that contain their last character', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', 'b', 'A', 'B', '=', '!', '#', ' ', 'x', '1', '\n'),
          maxLength: 512,
        }),
        (text) => {
          for (const [p, needle] of PROBES.slice(0, 4)) {
            expect(compileSafeRegex(p).test(text)).toBe(text.toLowerCase().includes(needle));
          }
        },
      ),
    );
  });

  it.each([
    ['(a)\\1', 'backreferences'],
    ['(?<n>a)\\k<n>', 'backreferences'],
    ['a(?=b)', 'lookahead'],
    ['a(?!b)', 'lookahead'],
    ['(?<=a)b', 'lookbehind'],
    ['(?<!a)b', 'lookbehind'],
    ['([a-z', 'not a valid RE2 regular expression (error parsing regexp: missing closing ]'],
    ['\\u00e9', 'not a valid RE2 regular expression'],
    ['a{1001}', 'invalid repeat count'],
    ['\\w{1000}', 'too complex'],
    ['x'.repeat(MAX_REGEX_LENGTH + 1), `at most ${MAX_REGEX_LENGTH} characters`],
    ['', 'non-empty'],
  ])('refuses %s, saying why (%s)', (p, reason) => {
    expect(regexProblem(p)).toContain(reason);
    expect(() => compileSafeRegex(p)).toThrow(reason);
  });

  it("sizes a user's regexes together, counting refused ones as nothing", () => {
    const big = `[a-z0-9 ]{${MAX_PROGRAM_SIZE - 3}}[=!]`;
    expect(compileSafeRegex(big).programSize()).toBe(MAX_PROGRAM_SIZE);
    expect(regexesSize([big, big, undefined, '(a)\\1', '\\w{1000}'])).toBe(2 * MAX_PROGRAM_SIZE);
    expect(regexesSize(Array.from({ length: 7 }, () => big))).toBeGreaterThan(MAX_USER_REGEX_SIZE);
  });

  it('a stored rule whose regex the engine refuses never matches', () => {
    expect(winningRule([rule('(a)\\1')], subject('aa'))).toBeNull();
    expect(winningRule([rule('\\w{1000}')], subject('a'.repeat(1000)))).toBeNull();
  });
});

/** Regex source text: atoms, classes, quantifiers (nested), groups and alternation. */
const patternArb: fc.Arbitrary<string> = fc.letrec<{ re: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('a', 'b', 'c', 'B', '1', ' ', '.', '\\d', '\\w', '\\s', '\\W', '[ab]', '[^a]', '[a-c1]'),
    fc.constantFrom('^', '$', '\\b'),
    tie('re').map((r) => `(${r})`),
    tie('re').map((r) => `(?:${r})`),
  ),
  re: fc.oneof(
    { depthSize: 'small' },
    tie('atom'),
    fc
      .tuple(tie('atom'), fc.constantFrom('*', '+', '?', '{1,3}', '{2}', '{0,2}', '*?', '+?'))
      .filter(([a]) => !['^', '$', '\\b'].includes(a))
      .map(([a, q]) => a + q),
    fc.array(tie('re'), { minLength: 2, maxLength: 4 }).map((parts) => parts.join('')),
    fc.tuple(tie('re'), tie('re')).map(([x, y]) => `${x}|${y}`),
  ),
})).re;

const inputArb = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'C', '1', ' ', '-'), maxLength: 16 });

describe('properties', () => {
  it('agrees with JavaScript RegExp (case-insensitive) on simple patterns', () => {
    fc.assert(
      fc.property(patternArb, fc.array(inputArb, { minLength: 1, maxLength: 8 }), (p, inputs) => {
        fc.pre(p.length <= MAX_REGEX_LENGTH);
        const problem = regexProblem(p);
        if (problem) {
          // Only a program over the size limit may be refused here: the grammar has nothing RE2 lacks.
          expect(problem).toContain('too complex');
          return;
        }
        const ours = compileSafeRegex(p);
        const js = new RegExp(p, 'i');
        for (const s of inputs) expect(ours.test(s)).toBe(js.test(s));
      }),
      { numRuns: 300 },
    );
  });

  it('every pattern the validator accepts compiles to a bounded program: the work per character is bounded', () => {
    const anyPattern = fc.oneof(
      patternArb,
      fc.string({
        unit: fc.constantFrom('a', '(', ')', '*', '+', '?', '{', '}', '9', ',', '|', '\\', '[', ']', '.'),
      }),
    );
    fc.assert(
      fc.property(anyPattern, (p) => {
        const problem = regexProblem(p);
        if (problem !== null) {
          expect(() => compileSafeRegex(p)).toThrow(problem);
          return;
        }
        const re = compileSafeRegex(p);
        expect(re.programSize()).toBeLessThanOrEqual(MAX_PROGRAM_SIZE);
        // It runs to completion on hostile text as long as the engine reads.
        expect(typeof re.test(`${'a'.repeat(511)}!`)).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
