import type { Figure } from './types';

/**
 * The statistics the benchmarks print: nearest-rank percentiles of latency samples, and those as figures.
 * (No benchmark here: bin/bench.ts imports it and finds none.)
 */

/** The nearest-rank percentile `p` (0..100) of samples sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) throw new Error('percentile of no samples');
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)]!;
}

/** `n` rounded to `digits` decimals. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
  };
}

export type Stat = 'p50' | 'p99' | 'max';

/** `<label> p50 (n=…)`, `p99`, `max` of latency samples in ms. */
export function latencyFigures(
  label: string,
  samples: readonly number[],
  stats: readonly Stat[] = ['p50', 'p99', 'max'],
  digits = 1,
): Figure[] {
  const s = summarize(samples);
  return stats.map((stat) => ({
    name: `${label} ${stat} (n=${s.n})`,
    value: round(s[stat], digits),
    unit: 'ms',
  }));
}

/**
 * The figures of several storage modes (each list naming its mode as `[mode]`), grouped by what they measure with
 * the modes side by side in each group, in the order the groups first appear.
 */
export function sideBySide(perMode: readonly (readonly Figure[])[]): Figure[] {
  const key = (f: Figure) => f.name.replace(/\[[a-z]+\] ?/, '');
  const order = [...new Set(perMode.flat().map(key))];
  return order.flatMap((k) => perMode.flatMap((figures) => figures.filter((f) => key(f) === k)));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
