import type { FilterPattern, FilterValue } from '../catalogue';

/**
 * Evaluates a Lambda event filter pattern against an event, for the subset of the syntax the catalogue uses:
 * nested objects, lists of exact values (strings, numbers, booleans, null), `{prefix}` and `{exists}`.
 * Semantics follow AWS: all keys must match (AND), values in a list are alternatives (OR), and a pattern list
 * on the consumer matches when any of its patterns matches.
 */
export function matchesPattern(pattern: FilterPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const obj = event as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = obj[key];
    if (Array.isArray(expected)) return matchesValues(expected, actual);
    return matchesPattern(expected, actual);
  });
}

function matchesValues(expected: FilterValue[], actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return expected.some((rule) => {
    if (rule !== null && typeof rule === 'object') {
      if ('exists' in rule) return rule.exists === (actual !== undefined);
      if ('prefix' in rule) return values.some((v) => typeof v === 'string' && v.startsWith(rule.prefix));
      return false;
    }
    return actual !== undefined && values.some((v) => v === rule);
  });
}

export function matchesAny(patterns: FilterPattern[], event: unknown): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesPattern(p, event));
}
