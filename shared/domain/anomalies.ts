/**
 * Anomaly detection per user, on effective values (provider values overlaid by the user's corrections, the
 * categorizer's merchant and category). Pure and deterministic: a transaction is judged against the user's
 * transactions that come before it in time order, so the stream (one new or changed transaction against the
 * stored history) and a batch run over a whole history (benchmarks, backfills) give the same answers.
 *
 * What is judged: purchases, i.e. money out with a merchant, in an everyday-spending category (`purchasePrimaries`:
 * food and drink, shopping, entertainment, home, medical, personal care, transportation), not a transfer, not
 * removed. Bills, rent, loans, taxes, fees, travel bookings and transfers are large and lumpy by nature: judging
 * them by the habits of everyday spending would cry wolf.
 *
 * Detectors, each with a minimum history before it judges at all, tried in this order (a transaction gets at most
 * one anomaly, the first that applies):
 * - duplicate_charge: the same amount at the same merchant on the same account within a short window of an
 *   earlier charge. A pending and a posted version of one purchase are one transaction after reconciliation,
 *   and a bank's re-send is merged by dedup, so neither is seen here as two.
 * - new_merchant: the first purchase at a merchant not seen in the lookback, once the user's history spans the
 *   warm-up, for a sizeable amount compared with the user's own purchases (coffee at a new café is no alert).
 * - amount_outlier: with at least `minMerchantHistory` earlier ordinary purchases at the merchant, an amount far
 *   above their median (ratio and median/MAD modified z-score) and above their maximum; with fewer (but at least
 *   one: a first purchase is the new-merchant detector's business), the same test against the purchases of its
 *   detailed category, stricter, and well above anything already paid at the merchant.
 * - spend_spike: an account-day whose purchases are many and whose total is far above the account's mean daily
 *   spending over a rolling window; every purchase of that day carries the anomaly (the stream flags the earlier
 *   ones of the day when the crossing one arrives).
 * Transactions flagged as anomalies are left out of the baselines (medians, daily means), so that one outlier
 * does not make the next one look normal.
 */
import { isTransfer } from './analytics';
import {
  DAY_MS,
  dayNumber,
  deterministicId,
  detailedLabel,
  formatMoneyText,
  mad,
  median,
  modifiedZ,
  monthDay,
  round,
} from './stats';

export type AnomalyKind = 'amount_outlier' | 'new_merchant' | 'spend_spike' | 'duplicate_charge';
export const ANOMALY_KINDS: readonly AnomalyKind[] = [
  'amount_outlier',
  'new_merchant',
  'spend_spike',
  'duplicate_charge',
];

/** The effective values of a transaction that anomaly detection looks at. */
export interface AnomalyTxn {
  id: string;
  accountId: string;
  /** Effective local date, YYYY-MM-DD. */
  date: string;
  /** RFC 3339 instant where the bank gives one (tells two purchases of one day apart). */
  occurredAt: string | null;
  /** Effective signed minor units; negative is money out. */
  amountMinor: number;
  currency: string;
  /** The cleaned merchant name (categorizer or user), or null. */
  merchant: string | null;
  /** Effective categories, or null while uncategorized. */
  primary: string | null;
  detailed?: string | null;
  removed?: boolean;
  /** One leg of a transfer between the user's own accounts (categorizer). */
  ownTransfer?: boolean;
}

export interface Anomaly {
  /** Deterministic: hash of the transaction id and the kind. */
  id: string;
  transactionId: string;
  kind: AnomalyKind;
  /**
   * How unusual, per kind: amount_outlier the robust (modified) z-score of the amount; new_merchant the amount as
   * a multiple of the user's median purchase; spend_spike the day's total as a multiple of the usual day;
   * duplicate_charge from 1 (the same minute) down to 0.5 (the edge of the window). One decimal (two for
   * duplicates).
   */
  score: number;
  /** Plain language, with the numbers. */
  explanation: string;
  /** The figures behind the explanation, for clients and for tuning. */
  details: Record<string, number | string>;
}

export interface AnomalyOptions {
  /** Primary categories judged as purchases; null: every outflow that is not a transfer. */
  purchasePrimaries: readonly string[] | null;
  /** Days of history the detectors look back over. */
  lookbackDays: number;
  /** Days of the user's history (from the first transaction seen) before new merchants and spikes are judged. */
  warmupDays: number;
  /** A MAD below this fraction of the median counts as this fraction (prices from a menu barely vary). */
  madFloorFraction: number;

  /** Amount outliers at a merchant: minimum earlier purchases there, ratio to their median, modified z-score, */
  minMerchantHistory: number;
  merchantRatio: number;
  merchantZ: number;
  /** ... and ratio to the largest of them. */
  merchantMaxRatio: number;
  /** Amount outliers in a detailed category, when the merchant has too little history: the same, stricter. */
  minCategoryHistory: number;
  categoryRatio: number;
  categoryZ: number;
  categoryMaxRatio: number;

  /**
   * New merchants: a sizeable amount in absolute terms (minor units per currency, about USD 200; a currency not
   * listed has no absolute floor) ...
   */
  newMerchantMinimum: Readonly<Record<string, number>>;
  /** ... at least this multiple of the user's median purchase (same currency) ... */
  newMerchantRatio: number;
  /** ... and at least `newMerchantQuantileMultiple` times this quantile (0..1) of the user's purchases ... */
  newMerchantQuantile: number;
  newMerchantQuantileMultiple: number;
  /** ... once the user has this many purchases in the currency. */
  minPurchasesForNewMerchant: number;

  /** Daily spikes, per account: the rolling window of the baseline (days), */
  spikeWindowDays: number;
  /** the day's total against the mean daily total of the window, */
  spikeRatio: number;
  /** at least this many purchases that day, */
  spikeMinCount: number;
  /** and a total of at least this multiple of the user's median purchase (a floor for quiet accounts). */
  spikeMinMedianMultiple: number;

  /** Duplicate charges: the window, in minutes, within which the same charge repeats. */
  duplicateWindowMinutes: number;
}

/** Everyday spending: what a person buys, as opposed to bills, travel bookings, fees and transfers. */
export const EVERYDAY_PRIMARIES: readonly string[] = Object.freeze([
  'FOOD_AND_DRINK',
  'GENERAL_MERCHANDISE',
  'ENTERTAINMENT',
  'HOME_IMPROVEMENT',
  'MEDICAL',
  'PERSONAL_CARE',
  'TRANSPORTATION',
]);

export const DEFAULT_ANOMALY_OPTIONS: Readonly<AnomalyOptions> = Object.freeze({
  purchasePrimaries: EVERYDAY_PRIMARIES,
  lookbackDays: 365,
  warmupDays: 28,
  madFloorFraction: 0.1,
  minMerchantHistory: 5,
  merchantRatio: 4,
  merchantZ: 6,
  merchantMaxRatio: 1.5,
  minCategoryHistory: 20,
  categoryRatio: 10,
  categoryZ: 20,
  categoryMaxRatio: 2,
  newMerchantMinimum: Object.freeze({
    USD: 20_000,
    CAD: 27_000,
    AUD: 30_000,
    EUR: 18_500,
    GBP: 16_000,
    CHF: 18_000,
    INR: 1_650_000,
    JPY: 30_000,
  }),
  newMerchantRatio: 10,
  newMerchantQuantile: 0.95,
  newMerchantQuantileMultiple: 2,
  minPurchasesForNewMerchant: 20,
  spikeWindowDays: 28,
  spikeRatio: 4,
  spikeMinCount: 6,
  spikeMinMedianMultiple: 10,
  duplicateWindowMinutes: 20,
});

/** Deterministic anomaly id: one per transaction and kind (a redelivery or a re-run writes the same one). */
export function anomalyId(transactionId: string, kind: AnomalyKind): string {
  return deterministicId('anom', [transactionId, kind]);
}

/** The anomaly as the API shows it (`GET /analytics/anomalies`). */
export function anomalyView(a: Anomaly, detectedAt: string) {
  return {
    id: a.id,
    transaction_id: a.transactionId,
    kind: a.kind,
    score: a.score,
    explanation: a.explanation,
    detected_at: detectedAt,
  };
}
export type AnomalyView = ReturnType<typeof anomalyView>;

/** True for what anomaly detection judges (see the module comment). */
export function isPurchase(
  t: AnomalyTxn,
  purchasePrimaries: readonly string[] | null = DEFAULT_ANOMALY_OPTIONS.purchasePrimaries,
): boolean {
  if (t.removed || t.amountMinor >= 0 || !t.merchant?.trim() || isTransfer(t)) return false;
  return purchasePrimaries === null || (t.primary !== null && purchasePrimaries.includes(t.primary));
}

// ---------------------------------------------------------------------------------------------------------------
// Ordering

/** The instant used to order transactions: occurredAt, else the middle of the local date read as UTC. */
function orderMs(t: AnomalyTxn): number {
  const parsed = t.occurredAt ? Date.parse(t.occurredAt) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : dayNumber(t.date) * DAY_MS + DAY_MS / 2;
}

/** Time order: the instant (occurredAt, else the date's middle), then the id. */
export function compareTxns(a: AnomalyTxn, b: AnomalyTxn): number {
  return orderMs(a) - orderMs(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

interface Entry {
  id: string;
  accountId: string;
  currency: string;
  day: number;
  ms: number;
  /** Whether `ms` is a real instant (occurredAt) rather than a date. */
  exact: boolean;
  /** Money out, positive minor units. */
  amount: number;
  /** The anomaly found on it, if any. */
  flag: AnomalyKind | null;
}

function entryOf(t: AnomalyTxn): Entry {
  const parsed = t.occurredAt ? Date.parse(t.occurredAt) : Number.NaN;
  const exact = Number.isFinite(parsed);
  const day = dayNumber(t.date);
  return {
    id: t.id,
    accountId: t.accountId,
    currency: t.currency,
    day,
    ms: exact ? parsed : day * DAY_MS + DAY_MS / 2,
    exact,
    amount: -t.amountMinor,
    flag: null,
  };
}

function normMerchant(t: AnomalyTxn): string | null {
  const m = t.merchant?.trim().toLowerCase();
  return m ? m : null;
}

/** The entries of `list` (in time order) from day `fromDay` on. */
function since(list: readonly Entry[], fromDay: number): Entry[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as Entry).day < fromDay) lo = mid + 1;
    else hi = mid;
  }
  return list.slice(lo);
}

function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const pos = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[pos] as number;
}

// ---------------------------------------------------------------------------------------------------------------
// Words

function times(ratio: number): string {
  return `${round(ratio, 1).toFixed(1)} times`;
}

function purchases(n: number): string {
  return `${n} purchase${n === 1 ? '' : 's'}`;
}

function gapText(ms: number, exact: boolean): string {
  if (!exact) {
    const days = Math.round(ms / DAY_MS);
    return days === 0 ? 'on the same day' : days === 1 ? 'a day apart' : `${days} days apart`;
  }
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 90) return `${minutes} minute${minutes === 1 ? '' : 's'} apart`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} hours apart`;
  return `${Math.round(hours / 24)} days apart`;
}

// ---------------------------------------------------------------------------------------------------------------
// The detector

interface Stats {
  n: number;
  median: number;
  max: number;
  z: number;
  ratio: number;
  maxRatio: number;
}

function statsOf(amount: number, history: readonly Entry[], madFloorFraction: number): Stats {
  const amounts = history.map((x) => x.amount);
  const med = median(amounts);
  let max = 0;
  for (const a of amounts) if (a > max) max = a;
  return {
    n: amounts.length,
    median: med,
    max,
    z: modifiedZ(amount, med, mad(amounts, med), madFloorFraction * med),
    ratio: amount / med,
    maxRatio: amount / max,
  };
}

/**
 * One user's history, fed in time order. `judge` detects the anomalies of a transaction against what came before
 * and then records it; `observe` records a transaction as history with the anomaly already known for it (the
 * stream, reading stored anomalies). Most callers want `detectAnomalies` or `detectAllAnomalies`.
 */
export class AnomalyDetector {
  readonly options: AnomalyOptions;
  private readonly byMerchant = new Map<string, Entry[]>();
  private readonly byCategory = new Map<string, Entry[]>();
  /** Purchases per currency, in time order. */
  private readonly byCurrency = new Map<string, Entry[]>();
  /** Purchases per account and day. */
  private readonly byAccountDay = new Map<string, Map<number, Entry[]>>();
  /** Daily totals of ordinary (unflagged) purchases per account. */
  private readonly ordinaryTotals = new Map<string, Map<number, number>>();
  /** The last day each merchant was seen (any transaction). */
  private readonly merchantSeen = new Map<string, number>();
  private firstDay = Number.POSITIVE_INFINITY;

  constructor(options: Partial<AnomalyOptions> = {}) {
    this.options = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
  }

  /** Records `t` as history, with the anomaly kind already known for it (or null). Call in time order. */
  observe(t: AnomalyTxn, flag: AnomalyKind | null = null): void {
    if (t.removed) return;
    const e = entryOf(t);
    this.record(t, e);
    if (flag !== null && this.isPurchase(t)) this.setFlag(e, flag);
  }

  /** The anomalies `t` raises against the history so far (possibly for earlier purchases of a spike day); then records it. */
  judge(t: AnomalyTxn): Anomaly[] {
    if (t.removed) return [];
    const e = entryOf(t);
    if (!this.isPurchase(t)) {
      this.record(t, e);
      return [];
    }
    const single = this.duplicate(t, e) ?? this.newMerchant(t, e) ?? this.amountOutlier(t, e);
    this.record(t, e);
    if (single) {
      this.setFlag(e, single.kind);
      return [single];
    }
    return this.spendSpike(t, e);
  }

  private isPurchase(t: AnomalyTxn): boolean {
    return isPurchase(t, this.options.purchasePrimaries);
  }

  private record(t: AnomalyTxn, e: Entry): void {
    if (e.day < this.firstDay) this.firstDay = e.day;
    const m = normMerchant(t);
    if (m) this.merchantSeen.set(m, Math.max(e.day, this.merchantSeen.get(m) ?? e.day));
    if (!this.isPurchase(t)) return;
    const push = (map: Map<string, Entry[]>, key: string) => {
      const list = map.get(key);
      if (list) list.push(e);
      else map.set(key, [e]);
    };
    push(this.byMerchant, `${t.currency}\u001f${m}`);
    const c = t.detailed ?? t.primary;
    if (c) push(this.byCategory, `${t.currency}\u001f${c}`);
    push(this.byCurrency, t.currency);
    let days = this.byAccountDay.get(t.accountId);
    if (!days) {
      days = new Map();
      this.byAccountDay.set(t.accountId, days);
    }
    const list = days.get(e.day);
    if (list) list.push(e);
    else days.set(e.day, [e]);
    let totals = this.ordinaryTotals.get(t.accountId);
    if (!totals) {
      totals = new Map();
      this.ordinaryTotals.set(t.accountId, totals);
    }
    totals.set(e.day, (totals.get(e.day) ?? 0) + e.amount);
  }

  private setFlag(e: Entry, flag: AnomalyKind): void {
    if (e.flag === null) {
      const totals = this.ordinaryTotals.get(e.accountId);
      if (totals) totals.set(e.day, (totals.get(e.day) ?? 0) - e.amount);
    }
    e.flag = flag;
  }

  private make(
    id: string,
    kind: AnomalyKind,
    score: number,
    explanation: string,
    details: Anomaly['details'],
  ): Anomaly {
    return { id: anomalyId(id, kind), transactionId: id, kind, score, explanation, details };
  }

  private merchantText(t: AnomalyTxn): string {
    return (t.merchant ?? '').trim();
  }

  private duplicate(t: AnomalyTxn, e: Entry): Anomaly | null {
    const list = this.byMerchant.get(`${t.currency}\u001f${normMerchant(t)}`);
    if (!list) return null;
    const windowMs = this.options.duplicateWindowMinutes * 60_000;
    for (let i = list.length - 1; i >= 0; i -= 1) {
      const p = list[i] as Entry;
      if (p.ms < e.ms - windowMs - DAY_MS) break;
      if (p.id === e.id || p.amount !== e.amount || p.accountId !== e.accountId) continue;
      const exact = p.exact && e.exact;
      // Without instants, only a charge on the same day can be a duplicate.
      const gap = exact ? e.ms - p.ms : (e.day - p.day) * DAY_MS;
      if (gap < 0 || gap > (exact ? windowMs : 0)) continue;
      const score = exact ? round(1 - gap / windowMs / 2, 2) : 0.5;
      const amount = formatMoneyText(e.amount, t.currency);
      return this.make(
        t.id,
        'duplicate_charge',
        score,
        `${amount} at ${this.merchantText(t)} was charged twice on the same account, ${gapText(gap, exact)} (the first charge on ${monthDay(p.day)}). Check whether one of them is a duplicate.`,
        { amount_minor: e.amount, first_transaction_id: p.id, gap_minutes: Math.round(gap / 60_000) },
      );
    }
    return null;
  }

  private newMerchant(t: AnomalyTxn, e: Entry): Anomaly | null {
    const o = this.options;
    const m = normMerchant(t);
    if (!m) return null;
    const last = this.merchantSeen.get(m);
    if (last !== undefined && last >= e.day - o.lookbackDays) return null;
    const span = e.day - this.firstDay;
    if (!(span >= o.warmupDays)) return null;
    const recent = since(this.byCurrency.get(t.currency) ?? [], e.day - o.lookbackDays).filter(
      (x) => x.flag === null,
    );
    if (recent.length < o.minPurchasesForNewMerchant) return null;
    const amounts = recent.map((x) => x.amount).sort((a, b) => a - b);
    const med = median(amounts);
    const q = quantileOfSorted(amounts, o.newMerchantQuantile);
    const floor = o.newMerchantMinimum[t.currency] ?? 0;
    if (!(
      e.amount >= floor &&
      e.amount >= o.newMerchantRatio * med &&
      e.amount >= o.newMerchantQuantileMultiple * q
    )) {
      return null;
    }
    const ratio = e.amount / med;
    const months = Math.max(1, Math.round(Math.min(span, o.lookbackDays) / 30.44));
    return this.make(
      t.id,
      'new_merchant',
      round(ratio, 1),
      `${formatMoneyText(e.amount, t.currency)} at ${this.merchantText(t)} is your first purchase there in ${months} month${months === 1 ? '' : 's'}, and ${times(ratio)} your typical purchase (median ${formatMoneyText(Math.round(med), t.currency)} over ${purchases(amounts.length)}; ${Math.round(o.newMerchantQuantile * 100)}% of them are under ${formatMoneyText(q, t.currency)}).`,
      { amount_minor: e.amount, median_minor: Math.round(med), quantile_minor: q, history: amounts.length },
    );
  }

  private amountOutlier(t: AnomalyTxn, e: Entry): Anomaly | null {
    const o = this.options;
    const from = e.day - o.lookbackDays;
    const atMerchant = since(this.byMerchant.get(`${t.currency}\u001f${normMerchant(t)}`) ?? [], from).filter(
      (x) => x.flag === null,
    );
    let s: Stats;
    let basis: 'merchant' | 'category';
    if (atMerchant.length >= o.minMerchantHistory) {
      s = statsOf(e.amount, atMerchant, o.madFloorFraction);
      if (!(s.ratio >= o.merchantRatio && s.z >= o.merchantZ && s.maxRatio >= o.merchantMaxRatio))
        return null;
      basis = 'merchant';
    } else {
      // A first purchase at a merchant is the new-merchant detector's business; after a few, the amount must also
      // be well above what was already paid there (flagged purchases included: the user has paid that much here).
      const everAtMerchant = since(this.byMerchant.get(`${t.currency}\u001f${normMerchant(t)}`) ?? [], from);
      if (everAtMerchant.length === 0) return null;
      let maxHere = 0;
      for (const x of everAtMerchant) if (x.amount > maxHere) maxHere = x.amount;
      if (e.amount < o.categoryMaxRatio * maxHere) return null;
      const c = t.detailed ?? t.primary;
      const inCategory = c
        ? since(this.byCategory.get(`${t.currency}\u001f${c}`) ?? [], from).filter((x) => x.flag === null)
        : [];
      if (inCategory.length < o.minCategoryHistory) return null;
      s = statsOf(e.amount, inCategory, o.madFloorFraction);
      if (!(s.ratio >= o.categoryRatio && s.z >= o.categoryZ && s.maxRatio >= o.categoryMaxRatio))
        return null;
      basis = 'category';
    }
    const usual =
      basis === 'merchant'
        ? 'your usual purchase there'
        : `your usual ${t.detailed && t.primary ? detailedLabel(t.detailed, t.primary) : (t.primary ?? '').toLowerCase().replace(/_/g, ' ')} purchase`;
    return this.make(
      t.id,
      'amount_outlier',
      round(s.z, 1),
      `${formatMoneyText(e.amount, t.currency)} at ${this.merchantText(t)} is ${times(s.ratio)} ${usual} (median ${formatMoneyText(Math.round(s.median), t.currency)} over ${purchases(s.n)}).`,
      { amount_minor: e.amount, median_minor: Math.round(s.median), max_minor: s.max, history: s.n, basis },
    );
  }

  private spendSpike(t: AnomalyTxn, e: Entry): Anomaly[] {
    const o = this.options;
    if (!(e.day - this.firstDay >= o.warmupDays)) return [];
    const today = this.byAccountDay.get(t.accountId)?.get(e.day) ?? [];
    const counted = today.filter((x) => x.flag === null || x.flag === 'spend_spike');
    if (counted.length < o.spikeMinCount) return [];
    let total = 0;
    for (const x of counted) total += x.amount;
    const totals = this.ordinaryTotals.get(t.accountId) ?? new Map<number, number>();
    let sum = 0;
    for (let d = e.day - o.spikeWindowDays; d < e.day; d += 1) sum += totals.get(d) ?? 0;
    const mean = sum / o.spikeWindowDays;
    const all = since(this.byCurrency.get(t.currency) ?? [], e.day - o.lookbackDays).filter(
      (x) => x.flag === null,
    );
    const medPurchase = all.length ? median(all.map((x) => x.amount)) : 0;
    const floor = o.spikeMinMedianMultiple * medPurchase;
    if (!(total >= o.spikeRatio * mean && total >= floor && mean > 0)) return [];
    const ratio = total / mean;
    const explanation = `You spent ${formatMoneyText(total, t.currency)} in ${purchases(counted.length)} on ${monthDay(e.day)} on one account, ${times(ratio)} its usual daily spending (${formatMoneyText(Math.round(mean), t.currency)} a day over the previous ${o.spikeWindowDays} days).`;
    const out: Anomaly[] = [];
    for (const x of counted) {
      if (x.flag === 'spend_spike') continue;
      this.setFlag(x, 'spend_spike');
      out.push(
        this.make(x.id, 'spend_spike', round(ratio, 1), explanation, {
          day_total_minor: total,
          daily_mean_minor: Math.round(mean),
          purchases: counted.length,
          window_days: o.spikeWindowDays,
        }),
      );
    }
    return out;
  }
}

export interface DetectOptions {
  options?: Partial<AnomalyOptions>;
  /**
   * The anomaly kind already stored for transactions of the history (by transaction id), so they stay out of
   * the baselines without judging the whole history again. Without it, the history is judged first, in order.
   */
  known?: ReadonlyMap<string, AnomalyKind>;
}

/**
 * The anomalies raised by `txn` against the user's `history` (any order; the transaction itself and anything
 * after it in time order are ignored). For the stream: pass the user's transactions of the lookback window. A
 * spike returns anomalies for the earlier purchases of the day as well (their ids are deterministic).
 */
export function detectAnomalies(
  history: Iterable<AnomalyTxn>,
  txn: AnomalyTxn,
  { options = {}, known }: DetectOptions = {},
): Anomaly[] {
  const detector = new AnomalyDetector(options);
  const prior = [...history].filter((h) => h.id !== txn.id && compareTxns(h, txn) < 0).sort(compareTxns);
  for (const h of prior) {
    if (known) detector.observe(h, known.get(h.id) ?? null);
    else detector.judge(h);
  }
  return detector.judge(txn);
}

/** Detection over a whole history in time order (benchmarks, backfills): every anomaly found, in that order. */
export function detectAllAnomalies(
  txns: Iterable<AnomalyTxn>,
  options: Partial<AnomalyOptions> = {},
): Anomaly[] {
  const detector = new AnomalyDetector(options);
  const out: Anomaly[] = [];
  for (const t of [...txns].sort(compareTxns)) out.push(...detector.judge(t));
  return out;
}
