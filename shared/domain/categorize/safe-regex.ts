/**
 * Safety checks for user-supplied description regexes (`match.description_regex`). JavaScript regexes backtrack,
 * so a pattern like `(a+)+$` can take exponential time on a crafted description. We refuse the shapes that cause
 * it rather than time out at run time:
 * - longer than `MAX_REGEX_LENGTH` characters;
 * - backreferences (`\1`, `\k<name>`);
 * - nested quantifiers: a quantified group that itself contains a quantifier (`(a+)+`, `(\w*)*`, `(a{2,})+`);
 * - a group with alternatives under an unbounded quantifier (`(a|ab)*`);
 * - lookbehind (`(?<=`, `(?<!`), which V8 runs backwards and is rarely needed here.
 * Patterns compile once, case-insensitive, and run against at most `MAX_DESCRIPTION_LENGTH` characters.
 */
export const MAX_REGEX_LENGTH = 200;

/** Why a pattern is refused, or null when it is safe to compile. */
export function regexProblem(pattern: string): string | null {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'must be a non-empty string';
  if (pattern.length > MAX_REGEX_LENGTH) return `must be at most ${MAX_REGEX_LENGTH} characters`;
  try {
    new RegExp(pattern, 'i');
  } catch (err) {
    return `is not a valid regular expression (${err instanceof Error ? err.message : String(err)})`;
  }
  interface Group {
    quantified: boolean;
    alternation: boolean;
  }
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let inClass = false;
  /** What the previous atom was: a closed group (with what inside), or a plain atom. */
  let lastGroup: Group | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'must not use backreferences';
      i++;
      lastGroup = null;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroup = null;
      continue;
    }
    if (c === '(') {
      if (pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) return 'must not use lookbehind';
      stack.push({ quantified: false, alternation: false });
      lastGroup = null;
      continue;
    }
    if (c === ')') {
      const closed = stack.pop();
      if (!closed || stack.length === 0) return 'has unbalanced parentheses';
      if (closed.quantified) (stack[stack.length - 1] as Group).quantified = true;
      lastGroup = closed;
      continue;
    }
    if (c === '|') {
      (stack[stack.length - 1] as Group).alternation = true;
      lastGroup = null;
      continue;
    }
    const quant = /^(?:[*+?]|\{\d+(?:,\d*)?\})/.exec(pattern.slice(i));
    if (quant) {
      const q = quant[0];
      const unbounded = q === '*' || q === '+' || /^\{\d+,\}$/.test(q);
      const repeats = q !== '?' && q !== '{0,1}' && q !== '{1}' && q !== '{0}' && q !== '{1,1}';
      if (lastGroup && repeats && lastGroup.quantified) return 'must not nest quantifiers (like (a+)+)';
      if (lastGroup && unbounded && lastGroup.alternation)
        return 'must not repeat a group of alternatives (like (a|ab)*)';
      if (repeats) (stack[stack.length - 1] as Group).quantified = true;
      // A lazy or possessive marker after the quantifier is part of it.
      i += q.length - 1;
      if (pattern[i + 1] === '?') i++;
      lastGroup = null;
      continue;
    }
    lastGroup = null;
  }
  if (stack.length !== 1) return 'has unbalanced parentheses';
  return null;
}

/** Compiles a checked pattern (case-insensitive), or throws with the reason. */
export function compileSafeRegex(pattern: string): RegExp {
  const problem = regexProblem(pattern);
  if (problem) throw new Error(`description_regex ${problem}`);
  return new RegExp(pattern, 'i');
}
