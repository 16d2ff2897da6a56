import { DEFAULT_START, generateUser, type GeneratorOptions } from '../../shared/generator/index';
import type { Benchmark, Figure } from './types';

const TARGET = 100_000;

/**
 * Generator throughput: users of a year each (seed 42, default rates) until at least 100,000 transactions exist,
 * timed after one warm-up user. Generation only (no serialization).
 */
export const benchmarks: Benchmark[] = [
  {
    name: 'generator',
    async run(): Promise<Figure[]> {
      const options: GeneratorOptions = { seed: 42, start: DEFAULT_START, days: 365 };
      generateUser({ ...options, seed: 41 }, 0);
      const started = performance.now();
      let transactions = 0;
      let users = 0;
      while (transactions < TARGET) {
        transactions += generateUser(options, users).transactions.length;
        users++;
      }
      const seconds = (performance.now() - started) / 1000;
      // The time for exactly 100,000 at the measured rate (the last user overshoots a little).
      const per100k = (seconds * TARGET) / transactions;
      return [
        { name: 'generator throughput', value: Math.round(transactions / seconds), unit: 'txn/s' },
        { name: 'generator 100k transactions', value: Math.round(per100k * 1000) / 1000, unit: 's' },
      ];
    },
  },
];
