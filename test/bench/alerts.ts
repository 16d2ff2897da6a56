import { Redis as IoRedis } from 'ioredis';
import { freePort } from '../../lib/local/dynamodb-local';
import { startTwin } from '../../lib/local/twin';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import type { StoredTransaction, TxnCategory } from '../../shared/domain/models';
import { Api } from '../support/api';
import { insert, txn } from '../support/insights';
import { devToken, type TwinStorageMode } from '../support/twin-process';
import { latencyFigures, sideBySide, sleep } from './stats';
import { insertAll, MODES, startModeTwin, yearOfSpending } from './twins';
import type { Benchmark, Figure } from './types';

/**
 * Alerts and analytics on the local twin.
 *
 * alert-latency, in each storage mode (dynamodb, postgres, pglite) in turn: from the moment a transaction change is
 * acknowledged by the storage (a transaction written as the sync and categorizer write it, or a user's correction
 * over HTTP answered 200) to the budget alert being readable at `GET /alerts`: the table stream's poll (DynamoDB)
 * or the outbox and the twin's relay (Postgres modes), the Budgets processor, the alert's Redis/bus path and the
 * read. The twin runs as `npm start -- --storage <mode>` does, with Redis (the real Upstash adapters through the
 * bridge) when one answers.
 *
 * analytics-10k: `GET /analytics/spending` and `/categories` over a year for a user with 10,000 transactions,
 * seeded through the store (the items the sync writes) and projected by the Budgets function; measured once the
 * stream functions are idle.
 */

const SAMPLES = 30;
const WARMUP = 3;
const REQUESTS = 200;

const FOOD: TxnCategory = {
  primary: 'FOOD_AND_DRINK',
  detailed: 'FOOD_AND_DRINK_RESTAURANT',
  source: 'rules',
  confidence: 0.95,
  ruleId: 'builtin:bench',
};

async function redisUrl(): Promise<string | null> {
  for (let db = 15; db >= 1; db--) {
    const probe = new IoRedis(`redis://127.0.0.1:6379/${db}`, {
      lazyConnect: true,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.dbsize()) === 0) return `redis://127.0.0.1:6379/${db}`;
    } catch {
      return null;
    } finally {
      probe.disconnect();
    }
  }
  return null;
}

async function flushRedis(url: string): Promise<void> {
  const r = new IoRedis(url);
  try {
    const keys = await r.keys('*');
    if (keys.length) await r.del(...keys);
  } finally {
    r.disconnect();
  }
}

const alertUser = (i: number) => `bench-alert-${i}`;

/**
 * One mode's samples. Even samples write a food transaction of 150.00 into the twin's storage (as the sync and
 * categorizer write it) and time from the write's commit; odd samples first write it uncategorized, then time from
 * the user's correction over HTTP (`POST /transactions/{id}/reconcile` answered 200). Either way, to the budget's
 * alert readable at `GET /alerts`. PGlite (no writer outside the twin's process): every sample is a correction, of
 * a transaction seeded into its database before the twin started.
 */
async function alertSamples(
  mode: TwinStorageMode,
  redis: string | null,
): Promise<{ writes: number[]; corrections: number[] }> {
  const today = new Date().toISOString().slice(0, 10);
  const uncategorized = (i: number): StoredTransaction =>
    txn(alertUser(i), { id: `txn_bench_alert_${i}`, date: today, amountMinor: -15_000, category: null });
  const mt = await startModeTwin(mode, {
    env: redis ? { REDIS_URL: redis } : {},
    seed:
      mode === 'pglite'
        ? (store) =>
            insert(
              store,
              Array.from({ length: SAMPLES + WARMUP }, (_, i) => uncategorized(i)),
            )
        : undefined,
  });
  const writes: number[] = [];
  const corrections: number[] = [];
  try {
    // The seeded transactions' changes through the processors first.
    if (mode === 'pglite') await mt.idle(120_000);
    for (let i = 0; i < SAMPLES + WARMUP; i++) {
      const api = new Api(mt.twin.url).unchecked().withToken(await devToken(mt.twin.url, alertUser(i)));
      const budget = await api.post<{ id: string }>('/budgets', {
        category: 'FOOD_AND_DRINK',
        period: 'monthly',
        limit: '100.00',
        currency: 'USD',
        thresholds: [1],
      });
      if (budget.status !== 201) throw new Error(`POST /budgets answered ${budget.status}`);
      const correction = !mt.store || i % 2 === 1;
      let t0: number;
      if (correction) {
        // Uncategorized: no alert until the user says it is food.
        const t = uncategorized(i);
        if (mt.store) await insert(mt.store, [t]);
        await sleep(400);
        t0 = performance.now();
        const res = await api.post(`/transactions/${t.id}/reconcile`, { category: 'FOOD_AND_DRINK' });
        if (res.status !== 200) throw new Error(`reconcile answered ${res.status}`);
      } else {
        await sleep(200);
        const t = txn(alertUser(i), { date: today, amountMinor: -15_000, category: FOOD });
        await insert(mt.store!, [t]);
        t0 = performance.now();
      }
      for (;;) {
        const res = await api.get<{ alerts: { budget_id?: string }[] }>('/alerts');
        if (res.body.alerts.some((a) => a.budget_id === budget.body.id)) break;
        if (performance.now() - t0 > 60_000) throw new Error(`${mode}: no alert after 60 s (sample ${i})`);
        await sleep(5);
      }
      const ms = performance.now() - t0;
      if (i < WARMUP) continue;
      (correction ? corrections : writes).push(ms);
    }
  } finally {
    await mt.stop();
    if (redis) await flushRedis(redis);
  }
  return { writes, corrections };
}

export const benchmarks: Benchmark[] = [
  {
    // Issue 12: write -> readable alert in each storage mode (DynamoDB: the table stream; Postgres modes: the
    // outbox and the twin's relay), goal p99 <= 2 s.
    name: 'alert-latency',
    async run(): Promise<Figure[]> {
      const redis = await redisUrl();
      const sink = redis ? 'redis' : 'memory';
      const perMode: Figure[][] = [];
      for (const mode of MODES) {
        const figures: Figure[] = [];
        process.stderr.write(`[alert-latency] ${mode}...\n`);
        const { writes, corrections } = await alertSamples(mode, redis);
        const label = `alert latency [${mode}]`;
        figures.push(
          ...latencyFigures(`${label} write -> GET /alerts (${sink})`, [...writes, ...corrections]),
        );
        if (writes.length)
          figures.push(...latencyFigures(`${label} transaction write (${sink})`, writes, ['p50', 'p99']));
        figures.push(
          ...latencyFigures(`${label} user correction over HTTP (${sink})`, corrections, ['p50', 'p99']),
        );
        perMode.push(figures);
      }
      return sideBySide(perMode);
    },
  },
  {
    name: 'analytics-10k',
    async run(): Promise<Figure[]> {
      // The twin runs in this process (to know when its stream functions are idle) and sets the environment its
      // functions read: put it back afterwards for the benchmarks that follow.
      const env = { ...process.env };
      const twin = await startTwin({ port: await freePort(), schedule: false });
      const doc = createDocumentClient({
        endpoint: twin.dynamoEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      try {
        const store = new DynamoStore(doc, twin.tableName);
        const user = 'bench-analytics';
        const { txns, spendCount } = yearOfSpending(user, 10_000);
        const t0 = performance.now();
        await insertAll(store, txns);
        const seedMs = performance.now() - t0;
        await twin.settle(900_000);
        const projectMs = performance.now() - t0 - seedMs;

        const api = new Api(twin.url).unchecked().withToken(await twin.issuer.issue(user, 3600));
        const from = '2025-12-01';
        const to = '2026-11-30';
        const check = await api.get<{ categories: { count: number }[] }>(
          `/analytics/categories?from=${from}&to=${to}`,
        );
        const counted = check.body.categories.reduce((n, c) => n + c.count, 0);
        if (counted !== spendCount)
          throw new Error(`the projection counts ${counted} purchases, not ${spendCount}`);

        const figures: Figure[] = [
          {
            name: 'analytics-10k: seed 10,000 transactions through the store',
            value: Math.round(seedMs),
            unit: 'ms',
          },
          {
            name: 'analytics-10k: stream functions done (projection, anomalies)',
            value: Math.round(projectMs),
            unit: 'ms',
          },
        ];
        for (const [label, path] of [
          [
            'GET /analytics/spending (year, month)',
            `/analytics/spending?from=${from}&to=${to}&granularity=month`,
          ],
          [
            'GET /analytics/spending (year, day)',
            `/analytics/spending?from=${from}&to=${to}&granularity=day`,
          ],
          ['GET /analytics/categories (year)', `/analytics/categories?from=${from}&to=${to}`],
          ['GET /analytics/categories (one month)', `/analytics/categories?from=2026-11-01&to=2026-11-30`],
          // The transaction list over the same 10,000: a page, a month, and a text search (which reads more).
          ['GET /transactions (newest 100)', '/transactions?limit=100'],
          ['GET /transactions (one month, 100)', '/transactions?from=2026-11-01&to=2026-11-30&limit=100'],
          ['GET /transactions?q= (text search, 100)', '/transactions?q=merchant%2042&limit=100'],
        ] as const) {
          for (let i = 0; i < 20; i++) await api.get(path);
          const lat: number[] = [];
          for (let i = 0; i < REQUESTS; i++) {
            const s = performance.now();
            const res = await api.get(path);
            if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
            lat.push(performance.now() - s);
          }
          figures.push(...latencyFigures(`analytics-10k: ${label}`, lat, ['p50', 'p99']));
        }
        return figures;
      } finally {
        doc.destroy();
        await twin.stop();
        for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
        Object.assign(process.env, env);
      }
    },
  },
];
