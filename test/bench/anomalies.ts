import { performance } from 'node:perf_hooks';
import {
  ANOMALY_KINDS,
  compareTxns,
  detectAllAnomalies,
  detectAnomalies,
  type AnomalyKind,
  type AnomalyTxn,
} from '../../shared/domain/anomalies';
import { categoryBreakdown, spendingSeries, type AnalyticsTxn } from '../../shared/domain/analytics';
import { finalVersion, generateUniverse, type GeneratedUser } from '../../shared/generator/index';
import type { Benchmark, Figure } from './types';

/**
 * Anomaly detection against the generator's labels, on a seed the thresholds were NOT tuned on (they were tuned on
 * seed 11). Each user's transactions are run through detection in time order as the sync would deliver them: the
 * final version of each transaction (posted, with its final amount and description), removed ones skipped, bank
 * re-sends already merged by dedup (one transaction each). The merchant and category are the ground truth's
 * (`truth.merchant`, `truth.category`), standing in for the categorizer's cleaned merchant and category.
 */
export const HELD_OUT = { seed: 53, users: 20, start: '2026-01-01', days: 365 };

/** What the sync and the categorizer would hand the detector for one generated user. */
export function anomalyInputs(user: GeneratedUser): AnomalyTxn[] {
  const out: AnomalyTxn[] = [];
  for (const t of user.transactions) {
    if (t.truth.removed) continue;
    const v = finalVersion(t);
    out.push({
      id: t.id,
      accountId: t.accountId,
      date: v.date,
      occurredAt: v.at,
      amountMinor: v.amountMinor,
      currency: t.currency,
      merchant: t.truth.merchant,
      primary: t.truth.category.primary,
      detailed: t.truth.category.detailed,
      ownTransfer: t.truth.transfer_pair_of !== undefined,
    });
  }
  return out;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Score {
  /** Per kind (the predicted kind must equal the label), and `overall`: any anomaly on a labelled transaction. */
  counts: Record<AnomalyKind | 'overall', Counts>;
  labels: number;
  transactions: number;
  detectMs: number;
}

/** Detection over every user, scored against the labels. */
export function score(users: readonly GeneratedUser[]): Score {
  const counts = Object.fromEntries(
    [...ANOMALY_KINDS, 'overall'].map((k) => [k, { tp: 0, fp: 0, fn: 0 }]),
  ) as Record<AnomalyKind | 'overall', Counts>;
  let labels = 0;
  let transactions = 0;
  let detectMs = 0;
  for (const user of users) {
    const inputs = anomalyInputs(user);
    transactions += inputs.length;
    const truth = new Map<string, AnomalyKind>();
    for (const t of user.transactions) {
      if (!t.truth.removed && t.truth.is_anomaly && t.truth.anomaly_kind)
        truth.set(t.id, t.truth.anomaly_kind);
    }
    labels += truth.size;
    const t0 = performance.now();
    const found = detectAllAnomalies(inputs);
    detectMs += performance.now() - t0;
    const predicted = new Map<string, AnomalyKind>();
    for (const a of found) predicted.set(a.transactionId, a.kind);
    for (const [id, kind] of predicted) {
      const label = truth.get(id);
      counts.overall[label ? 'tp' : 'fp'] += 1;
      counts[kind][label === kind ? 'tp' : 'fp'] += 1;
    }
    for (const [id, label] of truth) {
      const kind = predicted.get(id);
      if (!kind) counts.overall.fn += 1;
      if (kind !== label) counts[label].fn += 1;
    }
  }
  return { counts, labels, transactions, detectMs };
}

const pct = (num: number, den: number): number => (den ? Math.round((num / den) * 1000) / 10 : 100);

export const benchmarks: Benchmark[] = [
  {
    name: 'anomalies',
    async run(): Promise<Figure[]> {
      const users = generateUniverse(
        { seed: HELD_OUT.seed, start: HELD_OUT.start, days: HELD_OUT.days },
        HELD_OUT.users,
      );
      const s = score(users);
      const tag = `seed ${HELD_OUT.seed}, ${HELD_OUT.users} users`;
      const figures: Figure[] = [];
      for (const k of ['overall', ...ANOMALY_KINDS] as const) {
        const c = s.counts[k];
        figures.push(
          { name: `anomalies ${k} recall (${tag})`, value: pct(c.tp, c.tp + c.fn), unit: '%' },
          { name: `anomalies ${k} precision (${tag})`, value: pct(c.tp, c.tp + c.fp), unit: '%' },
          { name: `anomalies ${k} labelled`, value: c.tp + c.fn, unit: 'txn' },
        );
      }
      figures.push({
        name: 'anomalies batch detection throughput',
        value: Math.round(s.transactions / (s.detectMs / 1000)),
        unit: 'txn/s',
      });

      // The stream: one transaction against the user's stored history of the lookback, with the anomalies already
      // stored for it (no re-judging of the history). The last 200 transactions of the first user.
      const first = users[0];
      if (first) {
        const inputs = anomalyInputs(first).sort(compareTxns);
        const known = new Map(detectAllAnomalies(inputs).map((a) => [a.transactionId, a.kind]));
        const sample = inputs.slice(-200);
        const times: number[] = [];
        for (const t of sample) {
          const t0 = performance.now();
          detectAnomalies(inputs, t, { known });
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        figures.push({
          name: `anomalies stream detect p50 (history ${inputs.length} txns)`,
          value: Math.round((times[Math.floor(times.length / 2)] ?? 0) * 100) / 100,
          unit: 'ms',
        });
      }
      return figures;
    },
  },
  {
    name: 'analytics-compute',
    async run(): Promise<Figure[]> {
      // One user's 10,000 most recent transactions (several generated users pooled), as effective values.
      const users = generateUniverse({ seed: HELD_OUT.seed, start: HELD_OUT.start, days: HELD_OUT.days }, 8);
      const txns: AnalyticsTxn[] = users
        .flatMap(anomalyInputs)
        .slice(0, 10_000)
        .map((t) => ({ ...t, currency: 'USD' }));
      const median = (run: () => unknown): number => {
        const times: number[] = [];
        for (let i = 0; i < 31; i += 1) {
          const t0 = performance.now();
          run();
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return Math.round((times[15] ?? 0) * 100) / 100;
      };
      return [
        {
          name: `analytics spending series by day p50 (${txns.length} txns)`,
          value: median(() => spendingSeries(txns, { granularity: 'day' })),
          unit: 'ms',
        },
        {
          name: `analytics spending series by month p50 (${txns.length} txns)`,
          value: median(() => spendingSeries(txns, { granularity: 'month' })),
          unit: 'ms',
        },
        {
          name: `analytics categories p50 (${txns.length} txns)`,
          value: median(() => categoryBreakdown(txns)),
          unit: 'ms',
        },
      ];
    },
  },
];
