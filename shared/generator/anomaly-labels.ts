/**
 * What the anomaly labels mean, exactly. The generator injects anomalies so that these definitions hold both ways
 * over the effective data of each user (transactions not removed, at their final amount): every labelled
 * transaction satisfies its rule, and no unlabelled one does. `auditLabels` checks it (the property tests run it).
 *
 * Terms. A *purchase* is an outflow (amount < 0) with a merchant whose category primary is one of
 * `PURCHASE_PRIMARIES` (travel, bills, transfers and fees are not purchases). Merchants are keyed by canonical name
 * and currency. *Prior* means strictly earlier `at` (the instant the transaction happened). The *day* of a
 * transaction is its local `date` at its account; `day index` counts from the generator's `start`.
 *
 * - `amount_outlier`: a purchase at a merchant with at least `minHistory` prior non-anomalous purchases there, whose
 *   amount is at least `medianMultiple` times their median and `maxMultiple` times their maximum.
 * - `new_merchant`: the user's first purchase at a merchant (by `at`), on day index >= `warmupDays`, of at least
 *   `newMerchantMin` (minor units of its currency).
 * - `duplicate_charge`: a purchase at the same merchant, account and amount as a prior purchase (its
 *   `duplicate_charge_of`) at most `duplicateWindowMs` earlier. Two identical purchases further apart (two coffees,
 *   morning and afternoon) are not duplicates; neither are bank re-sends (same transaction, same `at`).
 * - `spend_spike`: every purchase of an account-day whose purchases not labelled with another kind number at least
 *   `spike.minCount` and total at least `spike.baselineMultiple` times the account's mean daily total of
 *   non-anomalous purchases over the previous `spike.windowDays` days, and at least `spike.minTotal`; only from day
 *   index >= `warmupDays`.
 */
import { primaryOf } from '../domain/taxonomy';
import { finalVersion } from './lifecycle';
import { parseIsoDate } from './time';
import type { AnomalyKind, GeneratedTransaction, GeneratedUser, GeneratorOptions } from './types';

export const PURCHASE_PRIMARIES: readonly string[] = [
  'FOOD_AND_DRINK',
  'GENERAL_MERCHANDISE',
  'ENTERTAINMENT',
  'HOME_IMPROVEMENT',
  'MEDICAL',
  'PERSONAL_CARE',
  'TRANSPORTATION',
];

export const ANOMALY_RULES = {
  warmupDays: 28,
  outlier: { minHistory: 5, medianMultiple: 5, maxMultiple: 2 },
  /** Minor units. */
  newMerchantMin: { USD: 20_000, GBP: 15_000, INR: 1_500_000 } as Record<string, number>,
  spike: {
    windowDays: 28,
    baselineMultiple: 4,
    minCount: 6,
    /** Minor units. */
    minTotal: { USD: 30_000, GBP: 25_000, INR: 2_000_000 } as Record<string, number>,
  },
  duplicateWindowMs: 30 * 60_000,
} as const;

export function isPurchaseCategory(detailed: string): boolean {
  const p = primaryOf(detailed);
  return p !== null && PURCHASE_PRIMARIES.includes(p);
}

export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface Row {
  txn: GeneratedTransaction;
  ms: number;
  dayIndex: number;
  amount: number;
  merchantKey: string | null;
  purchase: boolean;
  kind: AnomalyKind | null;
}

/** One line per violation of the label rules (empty = consistent). */
export function auditLabels(user: GeneratedUser, options: GeneratorOptions): string[] {
  const problems: string[] = [];
  const start = parseIsoDate(options.start);
  const rows: Row[] = [];
  for (const txn of user.transactions) {
    if (txn.truth.removed) continue;
    const v = finalVersion(txn);
    const merchant = txn.truth.merchant;
    const purchase =
      v.amountMinor < 0 && merchant !== null && isPurchaseCategory(txn.truth.category.detailed);
    rows.push({
      txn,
      ms: Date.parse(v.at),
      dayIndex: parseIsoDate(v.date) - start,
      amount: v.amountMinor,
      merchantKey: merchant === null ? null : `${merchant}|${txn.currency}`,
      purchase,
      kind: txn.truth.is_anomaly ? (txn.truth.anomaly_kind ?? null) : null,
    });
  }
  rows.sort((a, b) => a.ms - b.ms || (a.txn.id < b.txn.id ? -1 : 1));
  const byId = new Map(rows.map((r) => [r.txn.id, r]));
  const { outlier, spike } = ANOMALY_RULES;

  for (const r of rows) {
    if (r.txn.truth.is_anomaly && !r.kind) problems.push(`${r.txn.id}: is_anomaly without a kind`);
    if (!r.txn.truth.is_anomaly && r.txn.truth.anomaly_kind)
      problems.push(`${r.txn.id}: kind without is_anomaly`);
    if (r.kind && !r.purchase) problems.push(`${r.txn.id}: ${r.kind} on a non-purchase`);
  }

  // New merchants and amount outliers: one pass in time order per merchant.
  const history = new Map<string, number[]>();
  const seen = new Set<string>();
  for (const r of rows) {
    if (!r.purchase || r.merchantKey === null) continue;
    const abs = -r.amount;
    const min = ANOMALY_RULES.newMerchantMin[r.txn.currency] ?? Number.POSITIVE_INFINITY;
    const first = !seen.has(r.merchantKey);
    seen.add(r.merchantKey);
    const isNew = first && r.dayIndex >= ANOMALY_RULES.warmupDays && abs >= min;
    if (isNew !== (r.kind === 'new_merchant')) {
      problems.push(
        `${r.txn.id}: new_merchant rule ${isNew} but labelled ${r.kind ?? 'normal'} (${r.merchantKey} ${abs})`,
      );
    }
    const prior = history.get(r.merchantKey) ?? [];
    let isOutlier = false;
    if (prior.length >= outlier.minHistory) {
      const sorted = prior.slice().sort((a, b) => a - b);
      isOutlier =
        abs >= outlier.medianMultiple * median(sorted) &&
        abs >= outlier.maxMultiple * (sorted[sorted.length - 1] as number);
    }
    if (isOutlier !== (r.kind === 'amount_outlier')) {
      problems.push(
        `${r.txn.id}: amount_outlier rule ${isOutlier} but labelled ${r.kind ?? 'normal'} (${r.merchantKey} ${abs})`,
      );
    }
    if (r.kind === null) {
      prior.push(abs);
      history.set(r.merchantKey, prior);
    }
  }

  // Duplicate charges.
  const lastAt = new Map<string, Row[]>();
  for (const r of rows) {
    if (!r.purchase || r.merchantKey === null) continue;
    const key = `${r.txn.accountId}|${r.merchantKey}|${r.amount}`;
    const earlier = (lastAt.get(key) ?? []).filter(
      (e) => r.ms - e.ms <= ANOMALY_RULES.duplicateWindowMs && e.ms < r.ms,
    );
    if (r.kind === 'duplicate_charge') {
      const of = r.txn.truth.duplicate_charge_of;
      const orig = of ? byId.get(of) : undefined;
      if (!orig || !earlier.includes(orig))
        problems.push(`${r.txn.id}: duplicate_charge_of ${of} is not a prior same charge`);
    } else if (earlier.length > 0) {
      problems.push(`${r.txn.id}: same charge as ${earlier[0]?.txn.id} within the window but not labelled`);
    }
    const list = lastAt.get(key);
    if (list) list.push(r);
    else lastAt.set(key, [r]);
  }

  // Spend spikes, per account and day.
  const days = new Map<string, Row[]>();
  const baseline = new Map<string, number[]>();
  for (const r of rows) {
    if (!r.purchase) continue;
    const k = `${r.txn.accountId}|${r.dayIndex}`;
    const list = days.get(k);
    if (list) list.push(r);
    else days.set(k, [r]);
    if (r.kind === null) {
      const totals = baseline.get(r.txn.accountId) ?? [];
      totals[r.dayIndex + 64] = (totals[r.dayIndex + 64] ?? 0) - r.amount;
      baseline.set(r.txn.accountId, totals);
    }
  }
  for (const [k, list] of days) {
    const [accountId = '', dayText = '0'] = k.split('|');
    const day = Number(dayText);
    const counted = list.filter((r) => r.kind === null || r.kind === 'spend_spike');
    const totals = baseline.get(accountId) ?? [];
    let sum = 0;
    for (let d = day - spike.windowDays; d < day; d++) sum += totals[d + 64] ?? 0;
    const base = sum / spike.windowDays;
    const total = counted.reduce((s, r) => s - r.amount, 0);
    const currency = list[0]?.txn.currency ?? 'USD';
    const isSpike =
      day >= ANOMALY_RULES.warmupDays &&
      counted.length >= spike.minCount &&
      total >= spike.baselineMultiple * base &&
      total >= (spike.minTotal[currency] ?? Number.POSITIVE_INFINITY);
    for (const r of counted) {
      if (isSpike !== (r.kind === 'spend_spike')) {
        problems.push(
          `${r.txn.id}: spend_spike rule ${isSpike} but labelled ${r.kind ?? 'normal'} (${k} total ${total} base ${base})`,
        );
      }
    }
  }
  return problems;
}
