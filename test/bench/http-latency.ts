import { devToken, startTwinProcess } from '../support/twin-process';
import type { Benchmark, Figure } from './types';

const CLIENTS = 50;
const REQUESTS_PER_CLIENT = 40;

function percentile(sorted: number[], p: number): number {
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)]!;
}

/** `CLIENTS` concurrent clients, each sending requests back to back; latency per request in ms. */
async function load(url: string, headers: Record<string, string>): Promise<number[]> {
  const latencies: number[] = [];
  // Warm-up: the first requests load modules and open connections.
  for (let i = 0; i < 20; i++) await (await fetch(url, { headers })).arrayBuffer();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
        const t0 = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

export const benchmarks: Benchmark[] = [
  {
    name: 'twin-latency',
    async run(): Promise<Figure[]> {
      const twin = await startTwinProcess({ env: { LOG_LEVEL: 'ERROR' } });
      try {
        const token = await devToken(twin.url, 'bench-user');
        const figures: Figure[] = [];
        for (const [label, path, headers] of [
          ['GET /health', '/health', {}],
          ['GET /me (authenticated)', '/me', { authorization: `Bearer ${token}` }],
        ] as const) {
          const lat = await load(`${twin.url}${path}`, headers);
          figures.push(
            { name: `twin ${label} p50 @${CLIENTS} clients`, value: round(percentile(lat, 50)), unit: 'ms' },
            { name: `twin ${label} p99 @${CLIENTS} clients`, value: round(percentile(lat, 99)), unit: 'ms' },
          );
        }
        return figures;
      } finally {
        await twin.stop();
      }
    },
  },
];

const round = (n: number) => Math.round(n * 100) / 100;
