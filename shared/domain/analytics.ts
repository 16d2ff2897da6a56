/**
 * Spending analytics from effective values (provider values overlaid by the user's corrections, categories as
 * the categorizer or the user decided): a spending series per day, ISO week or calendar month, and a breakdown by
 * primary category. One pass over the transactions; pure.
 *
 * Rules:
 * - Removed transactions do not count; pending ones do (as for budgets), with their current amount.
 * - Transfers are not spending and not income: anything flagged as a transfer between the user's own accounts
 *   (`ownTransfer`), every TRANSFER_IN and TRANSFER_OUT transaction (moving money, including cash withdrawals
 *   and deposits), and both sides of a credit-card payment (LOAN_PAYMENTS_CREDIT_CARD_PAYMENT: the purchases on
 *   the card are the spending; counting the payment too would count them twice). Other loan payments (mortgage,
 *   car, student loan) are spending.
 * - `spent` is money out net of refunds: money in at a spending category (a refund at a store) reduces the
 *   spending of the period and of the category it lands in. It can be negative for a period that holds only a
 *   refund. `income` is money in that is not a refund: INCOME, and money in that is not categorized yet.
 * - Amounts are never converted: each currency has its own series; the category breakdown is in one currency
 *   (the one asked for, else the one with the most spend) and reports the others it left out.
 */
import { formatDecimal, money } from './money';
import { dayNumber, isoDate, monthStartDay, nextMonthStartDay, weekStartDay } from './stats';

export type Granularity = 'day' | 'week' | 'month';

/** The effective values analytics look at. */
export interface AnalyticsTxn {
  /** Effective local date, YYYY-MM-DD. */
  date: string;
  /** Effective signed minor units; negative is money out. */
  amountMinor: number;
  currency: string;
  /** Effective primary category, or null while uncategorized. */
  primary: string | null;
  /** Effective detailed category, if known. */
  detailed?: string | null;
  removed?: boolean;
  /** Set by the categorizer's own-account transfer rule (one leg of a transfer between the user's accounts). */
  ownTransfer?: boolean;
}

export const UNCATEGORIZED = 'UNCATEGORIZED';

const TRANSFER_PRIMARIES = new Set(['TRANSFER_IN', 'TRANSFER_OUT']);
const CARD_PAYMENT = 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT';

/** True when a transaction moves the user's own money rather than spending or earning it (see the rules). */
export function isTransfer(t: Pick<AnalyticsTxn, 'primary' | 'detailed' | 'ownTransfer'>): boolean {
  if (t.ownTransfer) return true;
  if (t.primary !== null && TRANSFER_PRIMARIES.has(t.primary)) return true;
  return t.detailed === CARD_PAYMENT;
}

/** How a transaction counts: 'spend' (money out or a refund: net spending), 'income', or null (left out). */
export function flowOf(t: AnalyticsTxn): 'spend' | 'income' | null {
  if (t.removed || isTransfer(t) || t.amountMinor === 0) return null;
  if (t.amountMinor < 0) return 'spend';
  return t.primary === null || t.primary === 'INCOME' ? 'income' : 'spend';
}

export interface SeriesOptions {
  granularity: Granularity;
  /** First date (inclusive), YYYY-MM-DD; default: the earliest counted transaction. */
  from?: string;
  /** Last date (inclusive), YYYY-MM-DD; default: the latest counted transaction. */
  to?: string;
  /** Only this currency; default: every currency, each with its own points. */
  currency?: string;
  /** Emit zero points for empty periods between `from` and `to` (default true). */
  fillGaps?: boolean;
}

export interface SeriesPoint {
  period_start: string;
  /** Net money out, decimal string (see the rules). */
  spent: string;
  /** Money in that is income, decimal string. */
  income: string;
  currency: string;
}

export interface SeriesPointMinor {
  periodStart: string;
  spentMinor: number;
  incomeMinor: number;
  currency: string;
}

/** The first day (day number) of the period of `day`. */
export function bucketStart(granularity: Granularity, day: number): number {
  if (granularity === 'day') return day;
  if (granularity === 'week') return weekStartDay(day);
  return monthStartDay(day);
}

function nextBucket(granularity: Granularity, start: number): number {
  if (granularity === 'day') return start + 1;
  if (granularity === 'week') return start + 7;
  return nextMonthStartDay(start);
}

/** Parses dates through a small cache: a user's 10,000 transactions have a few hundred distinct dates. */
function dayParser(): (date: string) => number {
  const cache = new Map<string, number>();
  return (date) => {
    let d = cache.get(date);
    if (d === undefined) {
      d = dayNumber(date);
      cache.set(date, d);
    }
    return d;
  };
}

/**
 * Spent and income per currency and period, added up from transactions or from stored cells alike, and turned into
 * the series: one point per period (and currency), the empty periods between the bounds filled with zeros unless
 * asked not to, sorted by period then currency.
 */
export class SeriesTally {
  // currency → bucket start → [spent, income]
  private readonly byCurrency = new Map<string, Map<number, [number, number]>>();
  private readonly parse = dayParser();
  private readonly fromDay: number;
  private readonly toDay: number;
  private minDay = Number.POSITIVE_INFINITY;
  private maxDay = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SeriesOptions) {
    this.fromDay = options.from !== undefined ? dayNumber(options.from) : Number.NEGATIVE_INFINITY;
    this.toDay = options.to !== undefined ? dayNumber(options.to) : Number.POSITIVE_INFINITY;
  }

  /** Adds to the period of `date`; left out when not in the options' currency or date range. */
  add(currency: string, date: string, spentMinor: number, incomeMinor: number): void {
    if (this.options.currency !== undefined && currency !== this.options.currency) return;
    const day = this.parse(date);
    if (day < this.fromDay || day > this.toDay) return;
    if (day < this.minDay) this.minDay = day;
    if (day > this.maxDay) this.maxDay = day;
    let buckets = this.byCurrency.get(currency);
    if (!buckets) {
      buckets = new Map();
      this.byCurrency.set(currency, buckets);
    }
    const key = bucketStart(this.options.granularity, day);
    let cell = buckets.get(key);
    if (!cell) {
      cell = [0, 0];
      buckets.set(key, cell);
    }
    cell[0] += spentMinor;
    cell[1] += incomeMinor;
  }

  points(): SeriesPointMinor[] {
    const { granularity, currency: requested } = this.options;
    const byCurrency = new Map(this.byCurrency);
    if (requested !== undefined && !byCurrency.has(requested)) byCurrency.set(requested, new Map());
    const out: SeriesPointMinor[] = [];
    const first = Number.isFinite(this.fromDay) ? this.fromDay : this.minDay;
    const last = Number.isFinite(this.toDay) ? this.toDay : this.maxDay;
    for (const [currency, counted] of byCurrency) {
      const buckets = new Map(counted);
      if (
        this.options.fillGaps !== false &&
        Number.isFinite(first) &&
        Number.isFinite(last) &&
        first <= last
      ) {
        for (let b = bucketStart(granularity, first); b <= last; b = nextBucket(granularity, b)) {
          if (!buckets.has(b)) buckets.set(b, [0, 0]);
        }
      }
      for (const [start, [spent, income]] of buckets) {
        out.push({ periodStart: isoDate(start), spentMinor: spent, incomeMinor: income, currency });
      }
    }
    out.sort((a, b) =>
      a.periodStart < b.periodStart
        ? -1
        : a.periodStart > b.periodStart
          ? 1
          : a.currency < b.currency
            ? -1
            : 1,
    );
    return out;
  }
}

/** The spending series in minor units, sorted by period then currency. */
export function spendingSeriesMinor(
  txns: Iterable<AnalyticsTxn>,
  options: SeriesOptions,
): SeriesPointMinor[] {
  const tally = new SeriesTally(options);
  for (const t of txns) {
    const flow = flowOf(t);
    if (flow === null) continue;
    if (flow === 'spend') tally.add(t.currency, t.date, -t.amountMinor, 0);
    else tally.add(t.currency, t.date, 0, t.amountMinor);
  }
  return tally.points();
}

/** The series' points with decimal strings, as `GET /analytics/spending` returns them. */
export function formatSeries(points: readonly SeriesPointMinor[]): SeriesPoint[] {
  return points.map((p) => ({
    period_start: p.periodStart,
    spent: formatDecimal(money(p.spentMinor, p.currency)),
    income: formatDecimal(money(p.incomeMinor, p.currency)),
    currency: p.currency,
  }));
}

/** `GET /analytics/spending`: `{period_start, spent, income, currency}` per period (and currency). */
export function spendingSeries(txns: Iterable<AnalyticsTxn>, options: SeriesOptions): SeriesPoint[] {
  return formatSeries(spendingSeriesMinor(txns, options));
}

export interface CategoryOptions {
  from?: string;
  to?: string;
  /** The currency of the breakdown; default: the one with the most money out. */
  currency?: string;
}

export interface CategoryRow {
  primary: string;
  /** Net spend at the category, decimal string. */
  spent: string;
  /** Transactions counted (purchases and refunds). */
  count: number;
  /** Fraction of the total positive spend, 4 decimals; the shares of all rows sum to 1 when there is spend. */
  share: number;
}

export interface CategoryRowMinor {
  primary: string;
  spentMinor: number;
  count: number;
  share: number;
}

export interface CategoryBreakdown<Row> {
  categories: Row[];
  /** The breakdown's currency, or null when nothing was spent. */
  currency: string | null;
  /** Spending transactions in other currencies, left out: count per currency. */
  otherCurrencies: Record<string, number>;
}

/**
 * Shares to 4 decimals that add up to exactly 10,000 basis points (largest remainders), over the positive
 * values; zero and negative values get a share of 0.
 */
export function shares(values: readonly number[]): number[] {
  const positive = values.map((v) => Math.max(0, v));
  const total = positive.reduce((a, b) => a + b, 0);
  if (total <= 0) return values.map(() => 0);
  const UNITS = 10_000;
  const exact = positive.map((v) => (v * UNITS) / total);
  const floors = exact.map((x) => Math.floor(x));
  let left = UNITS - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, r: x - Math.floor(x) }))
    .filter(({ i }) => (positive[i] as number) > 0)
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] as number) + 1;
    left -= 1;
  }
  return floors.map((f) => f / UNITS);
}

/**
 * Spend per currency and primary category, added up from transactions or from stored cells alike, and turned into
 * the breakdown: rows by spend, largest first (ties by code), in the requested currency or else the one with the
 * most money out (then the most transactions, then the first code).
 */
export class CategoryTally {
  // currency → primary → [spent, count]
  private readonly byCurrency = new Map<string, Map<string, [number, number]>>();
  private readonly outByCurrency = new Map<string, number>();
  private readonly countByCurrency = new Map<string, number>();

  add(currency: string, primary: string, spentMinor: number, count: number, outMinor: number): void {
    let rows = this.byCurrency.get(currency);
    if (!rows) {
      rows = new Map();
      this.byCurrency.set(currency, rows);
    }
    let cell = rows.get(primary);
    if (!cell) {
      cell = [0, 0];
      rows.set(primary, cell);
    }
    cell[0] += spentMinor;
    cell[1] += count;
    this.outByCurrency.set(currency, (this.outByCurrency.get(currency) ?? 0) + outMinor);
    this.countByCurrency.set(currency, (this.countByCurrency.get(currency) ?? 0) + count);
  }

  breakdown(requested?: string): CategoryBreakdown<CategoryRowMinor> {
    let currency = requested ?? null;
    if (currency === null) {
      let best: [number, number] = [-1, -1];
      for (const c of [...this.countByCurrency.keys()].sort()) {
        const key: [number, number] = [this.outByCurrency.get(c) ?? 0, this.countByCurrency.get(c) ?? 0];
        if (key[0] > best[0] || (key[0] === best[0] && key[1] > best[1])) {
          best = key;
          currency = c;
        }
      }
    }
    const otherCurrencies: Record<string, number> = {};
    for (const [c, n] of this.countByCurrency) if (c !== currency) otherCurrencies[c] = n;
    const rows =
      currency !== null ? [...(this.byCurrency.get(currency) ?? new Map<string, [number, number]>())] : [];
    rows.sort((a, b) => b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1));
    const s = shares(rows.map(([, [spent]]) => spent));
    return {
      categories: rows.map(([primary, [spentMinor, count]], i) => ({
        primary,
        spentMinor,
        count,
        share: s[i] as number,
      })),
      currency: rows.length ? currency : (requested ?? null),
      otherCurrencies,
    };
  }
}

/** The breakdown in minor units: rows by spend, largest first (ties by code). */
export function categoryBreakdownMinor(
  txns: Iterable<AnalyticsTxn>,
  options: CategoryOptions = {},
): CategoryBreakdown<CategoryRowMinor> {
  const parse = dayParser();
  const fromDay = options.from !== undefined ? dayNumber(options.from) : Number.NEGATIVE_INFINITY;
  const toDay = options.to !== undefined ? dayNumber(options.to) : Number.POSITIVE_INFINITY;
  const tally = new CategoryTally();
  for (const t of txns) {
    if (flowOf(t) !== 'spend') continue;
    const day = parse(t.date);
    if (day < fromDay || day > toDay) continue;
    tally.add(
      t.currency,
      t.primary ?? UNCATEGORIZED,
      -t.amountMinor,
      1,
      t.amountMinor < 0 ? -t.amountMinor : 0,
    );
  }
  return tally.breakdown(options.currency);
}

/** `GET /analytics/categories`: `{primary, spent, count, share}` per primary category. */
export function categoryBreakdown(
  txns: Iterable<AnalyticsTxn>,
  options: CategoryOptions = {},
): CategoryBreakdown<CategoryRow> {
  return formatBreakdown(categoryBreakdownMinor(txns, options));
}

/** The breakdown with decimal strings, as `GET /analytics/categories` returns it. */
export function formatBreakdown(b: CategoryBreakdown<CategoryRowMinor>): CategoryBreakdown<CategoryRow> {
  const currency = b.currency ?? 'USD';
  return {
    categories: b.categories.map((r) => ({
      primary: r.primary,
      spent: formatDecimal(money(r.spentMinor, currency)),
      count: r.count,
      share: r.share,
    })),
    currency: b.currency,
    otherCurrencies: b.otherCurrencies,
  };
}
