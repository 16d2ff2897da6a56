/**
 * User-supplied description regexes (`match.description_regex`) run on RE2 (`re2js`, a pure-JavaScript port of
 * Go's regexp), never on JavaScript's backtracking `RegExp`: RE2 matches in time linear in the description
 * (O(program size × description length)), so no pattern can freeze the process — `.*.*.*=`, `(a+)+$` and
 * `a*a*a*a*a*b` cost the same few microseconds per character as `^AMZN`.
 *
 * The syntax is RE2's (https://github.com/google/re2/wiki/Syntax), which is JavaScript's for everything a
 * description rule needs (classes, `\d \w \s \b`, anchors, alternation, `{n,m}`, groups, `(?:…)`, `(?<name>…)`,
 * `\p{L}`). A pattern is refused, with the reason, when:
 * - it is empty or longer than `MAX_REGEX_LENGTH` characters;
 * - it uses what a linear-time engine cannot do: backreferences (`\1`, `\k<name>`), lookahead and lookbehind
 *   (`(?=`, `(?!`, `(?<=`, `(?<!`);
 * - RE2 cannot compile it (syntax errors, JavaScript-only escapes such as `\u00e9` — write `\x{e9}` — or a
 *   repeat count above 1000);
 * - its compiled program has more than `MAX_PROGRAM_SIZE` instructions (`\w{200}`): the cost of a match grows
 *   with the program, so this bounds the work per transaction.
 * Patterns compile once per rule object, case-insensitive, and run against at most `MAX_DESCRIPTION_LENGTH`
 * characters.
 */
import { RE2JS } from 're2js';

export const MAX_REGEX_LENGTH = 200;
/**
 * Most RE2 instructions a user regex may compile to. `[0-9]{4,}` is 7, `UBER\s*\*\s*EATS` 15, an alternation of
 * six streaming services 69, `\w{150}` 152. The costliest accepted shape (a long counted repeat of a class) adds
 * about 1.5 ms to the first hostile 400-character description of a freshly compiled rule and about 0.1 ms to the
 * next ones (`npm run bench -- --only user-regex`).
 */
export const MAX_PROGRAM_SIZE = 150;
/**
 * Most RE2 instructions a user's regex rules may compile to together (`shared/services/user-rules.ts` refuses a rule
 * that would go over): the cost of a transaction grows with every rule's program, and a user keeps up to 500
 * rules. About 50 everyday patterns, or 6 of the largest.
 */
export const MAX_USER_REGEX_SIZE = 1_000;

/** A compiled user regex: `test` is true when the pattern matches anywhere in the text (linear time). */
export interface UserRegex {
  test(text: string): boolean;
  /** RE2 instructions: the cost of a match is at most proportional to this times the text's length. */
  programSize(): number;
}

const BACKREFERENCE = /\\(?:[1-9]|k<)/;
const LOOKAROUND = /\(\?<?[=!]/;

/** Compiles a pattern, or gives the reason it is refused. */
function compile(pattern: unknown): { regex: UserRegex } | { problem: string } {
  if (typeof pattern !== 'string' || pattern.length === 0) return { problem: 'must be a non-empty string' };
  if (pattern.length > MAX_REGEX_LENGTH) return { problem: `must be at most ${MAX_REGEX_LENGTH} characters` };
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (BACKREFERENCE.test(pattern))
      return {
        problem: 'must not use backreferences (\\1, \\k<name>): the regex engine runs in linear time',
      };
    if (LOOKAROUND.test(pattern))
      return {
        problem:
          'must not use lookahead or lookbehind ((?=, (?!, (?<=, (?<!): the regex engine runs in linear time',
      };
    return { problem: `is not a valid RE2 regular expression (${reason})` };
  }
  const size = regex.programSize();
  if (size > MAX_PROGRAM_SIZE)
    return {
      problem: `is too complex (${size} instructions, at most ${MAX_PROGRAM_SIZE}: use smaller repeat counts)`,
    };
  return { regex };
}

/** Why a pattern is refused, or null when it compiles within the limits. */
export function regexProblem(pattern: string): string | null {
  const r = compile(pattern);
  return 'problem' in r ? r.problem : null;
}

/** Compiles a checked pattern (case-insensitive, linear-time), or throws with the reason. */
export function compileSafeRegex(pattern: string): UserRegex {
  const r = compile(pattern);
  if ('problem' in r) throw new Error(`description_regex ${r.problem}`);
  return r.regex;
}

/** The RE2 instructions these patterns compile to together (a pattern that is refused counts 0: it never runs). */
export function regexesSize(patterns: readonly unknown[]): number {
  let total = 0;
  for (const p of patterns) {
    const r = compile(p);
    if ('regex' in r) total += r.regex.programSize();
  }
  return total;
}

/** Like `compileSafeRegex`, but null for a refused pattern (a stored rule that no longer compiles never matches). */
export function tryCompileSafeRegex(pattern: string): UserRegex | null {
  const r = compile(pattern);
  return 'regex' in r ? r.regex : null;
}
