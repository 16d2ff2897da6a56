/**
 * Recurring inflow and outflow streams (Plaid's `/transactions/recurring/get`): salaries, rent, subscriptions,
 * bills. Pure.
 *
 * 1. Posted transactions are grouped by account, currency, direction and counterparty (the merchant name's
 *    tokens, else the description's words without digits: references and dates change every month).
 * 2. A group's cadence is read from the gaps between its dates (same-day entries count once): WEEKLY (7 ± 1 days),
 *    BIWEEKLY (14 ± 1), SEMI_MONTHLY (two paydays a month: gaps of 10 to 20 days that are not a steady 14),
 *    MONTHLY (24 to 37: a day of the month moved up to three days either way, off weekends and holidays), ANNUALLY (350 to 380). A cadence needs at least
 *    three quarters of the gaps within its band (one missed or extra entry in four is tolerated); otherwise the
 *    group is not a stream.
 * 3. A stream needs three entries (two a year apart); with only three, their amounts must agree within 25%. It is
 *    MATURE with four entries or more (two for ANNUALLY), else EARLY_DETECTION; it is active while
 *    its next entry is not overdue by more than half a period (and at least 5 days), TOMBSTONED once it is.
 *
 * `stream_id` is a hash of the group's key: the same stream keeps its id as entries arrive.
 */
import { createHash } from 'node:crypto';
import { compactKey } from '../categorizer/text';
import type { TxnCategory } from '../models';
import { legacyCategory } from './categories';
import { plaidTransactionAmount } from './accounts';
import { personalFinanceCategory, type PlaidPersonalFinanceCategory } from './transactions';

export type RecurringFrequency = 'WEEKLY' | 'BIWEEKLY' | 'SEMI_MONTHLY' | 'MONTHLY' | 'ANNUALLY' | 'UNKNOWN';
export type StreamStatus = 'MATURE' | 'EARLY_DETECTION' | 'TOMBSTONED' | 'UNKNOWN';

/** One transaction as recurring detection reads it: effective values, finagg's sign (negative = money out). */
export interface RecurringInput {
  /** The id the app knows it by (its Plaid transaction id). */
  id: string;
  accountId: string;
  date: string;
  amountMinor: number;
  currency: string;
  description: string;
  merchantName: string | null;
  category: TxnCategory | null;
  pending: boolean;
}

export interface StreamAmount {
  amount: number;
  iso_currency_code: string | null;
  unofficial_currency_code: string | null;
}

/** Plaid's `TransactionStream`. */
export interface PlaidTransactionStream {
  account_id: string;
  stream_id: string;
  category: string[] | null;
  category_id: string | null;
  description: string;
  merchant_name: string | null;
  first_date: string;
  last_date: string;
  predicted_next_date: string | null;
  frequency: RecurringFrequency;
  transaction_ids: string[];
  average_amount: StreamAmount;
  last_amount: StreamAmount;
  is_active: boolean;
  status: StreamStatus;
  personal_finance_category: PlaidPersonalFinanceCategory | null;
  is_user_modified: boolean;
}

export interface RecurringStreams {
  inflow_streams: PlaidTransactionStream[];
  outflow_streams: PlaidTransactionStream[];
}

const DAY = 86_400_000;
const toDays = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY);
const fromDays = (days: number) => new Date(days * DAY).toISOString().slice(0, 10);

/** The grouping key of a transaction's counterparty. */
export function counterpartyKey(t: Pick<RecurringInput, 'merchantName' | 'description'>): string {
  const merchant = t.merchantName ? compactKey(t.merchantName) : '';
  if (merchant) return `m:${merchant}`;
  // Digits are references, dates and card masks: a monthly line keeps its words, not its numbers.
  const words = compactKey(t.description.replace(/[0-9]+/g, ' ').replace(/\bX{2,}\b/gi, ' '));
  return `d:${words}`;
}

interface Band {
  frequency: Exclude<RecurringFrequency, 'UNKNOWN'>;
  min: number;
  max: number;
  periodDays: number;
}

const BANDS: Band[] = [
  { frequency: 'WEEKLY', min: 6, max: 8, periodDays: 7 },
  { frequency: 'BIWEEKLY', min: 13, max: 15, periodDays: 14 },
  { frequency: 'SEMI_MONTHLY', min: 10, max: 20, periodDays: 15 },
  { frequency: 'MONTHLY', min: 24, max: 37, periodDays: 30 },
  { frequency: 'ANNUALLY', min: 350, max: 380, periodDays: 365 },
];

/** Share of gaps that must fit a cadence. */
const MIN_FIT = 0.75;

/**
 * The cadence of a series of distinct dates (ascending), or UNKNOWN. Needs at least two dates (one gap); a
 * biweekly series is told from a semi-monthly one by its steady 14-day gaps.
 */
export function detectFrequency(dates: readonly string[]): RecurringFrequency {
  const days = dates.map(toDays);
  const gaps: number[] = [];
  for (let i = 1; i < days.length; i++) gaps.push(days[i]! - days[i - 1]!);
  if (!gaps.length) return 'UNKNOWN';
  const fit = (b: Band) => gaps.filter((g) => g >= b.min && g <= b.max).length / gaps.length;
  const scored = BANDS.map((b) => ({ b, fit: fit(b) })).filter((s) => s.fit >= MIN_FIT);
  if (!scored.length) return 'UNKNOWN';
  const weekly = scored.find((s) => s.b.frequency === 'WEEKLY');
  if (weekly) return 'WEEKLY';
  const biweekly = scored.find((s) => s.b.frequency === 'BIWEEKLY');
  const semi = scored.find((s) => s.b.frequency === 'SEMI_MONTHLY');
  if (biweekly && semi) {
    // Both fit: steady 14s are biweekly; 13 to 17 days that follow the calendar are semi-monthly.
    const exact14 = gaps.filter((g) => g === 14).length / gaps.length;
    return exact14 >= MIN_FIT || !semiMonthlyDays(dates) ? 'BIWEEKLY' : 'SEMI_MONTHLY';
  }
  if (biweekly) return 'BIWEEKLY';
  if (semi) return semiMonthlyDays(dates) || gaps.length < 3 ? 'SEMI_MONTHLY' : 'UNKNOWN';
  return scored[0]!.b.frequency;
}

/** Days of the month fall in two clusters (a first-half and a second-half payday), shifted a few days at most. */
function semiMonthlyDays(dates: readonly string[]): boolean {
  const firstHalf = dates.filter((d) => Number(d.slice(8, 10)) <= 15).length;
  const share = firstHalf / dates.length;
  return share >= 0.3 && share <= 0.7;
}

/** The date one period after `date`. */
export function nextDate(date: string, frequency: RecurringFrequency, lastTwo?: readonly string[]): string {
  const d = new Date(`${date}T00:00:00Z`);
  switch (frequency) {
    case 'WEEKLY':
      return fromDays(toDays(date) + 7);
    case 'BIWEEKLY':
      return fromDays(toDays(date) + 14);
    case 'SEMI_MONTHLY': {
      const day = d.getUTCDate();
      if (lastTwo && lastTwo.length === 2) {
        // Alternate between the two paydays: the previous one's day of the month, in the next half.
        const prev = Number(lastTwo[0]!.slice(8, 10));
        if (day > 15 && prev <= 15) return addMonths(date, 1, prev);
        if (day <= 15 && prev > 15) return addMonths(date, 0, prev);
      }
      return fromDays(toDays(date) + 15);
    }
    case 'MONTHLY':
      return addMonths(date, 1, d.getUTCDate());
    case 'ANNUALLY':
      return addMonths(date, 12, d.getUTCDate());
    default:
      return fromDays(toDays(date) + 30);
  }
}

/** `date` moved `months` months on, on day `dayOfMonth` (clamped to the month's length). */
function addMonths(date: string, months: number, dayOfMonth: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(dayOfMonth, last))).toISOString().slice(0, 10);
}

const PERIOD: Record<RecurringFrequency, number> = {
  WEEKLY: 7,
  BIWEEKLY: 14,
  SEMI_MONTHLY: 15,
  MONTHLY: 30,
  ANNUALLY: 365,
  UNKNOWN: 30,
};

export interface RecurringOptions {
  /** Today, in the items' dates (YYYY-MM-DD): whether a stream is still active. */
  asOf: string;
  /** Only these accounts. */
  accountIds?: ReadonlySet<string> | null;
}

/** The recurring streams of a history. */
export function detectRecurring(items: readonly RecurringInput[], opts: RecurringOptions): RecurringStreams {
  const groups = new Map<string, RecurringInput[]>();
  for (const t of items) {
    if (t.pending || t.amountMinor === 0) continue;
    if (opts.accountIds && !opts.accountIds.has(t.accountId)) continue;
    const direction = t.amountMinor > 0 ? 'in' : 'out';
    const key = `${t.accountId}\u001f${t.currency}\u001f${direction}\u001f${counterpartyKey(t)}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  const inflow: PlaidTransactionStream[] = [];
  const outflow: PlaidTransactionStream[] = [];
  for (const [key, list] of groups) {
    const stream = streamOf(key, list, opts.asOf);
    if (!stream) continue;
    (list[0]!.amountMinor > 0 ? inflow : outflow).push(stream);
  }
  const order = (a: PlaidTransactionStream, b: PlaidTransactionStream) =>
    a.account_id.localeCompare(b.account_id) || a.stream_id.localeCompare(b.stream_id);
  return { inflow_streams: inflow.sort(order), outflow_streams: outflow.sort(order) };
}

function streamOf(key: string, list: RecurringInput[], asOf: string): PlaidTransactionStream | null {
  const sorted = [...list].sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  const dates = [...new Set(sorted.map((t) => t.date))];
  if (dates.length < 2) return null;
  const frequency = detectFrequency(dates);
  if (frequency === 'UNKNOWN') return null;
  // Many entries per date are not a bill paid once a period.
  if (sorted.length > dates.length * 1.5) return null;
  // Two entries make a stream only a year apart; three only with steady amounts (three purchases at one shop a
  // month apart are a habit more often than a bill).
  if (dates.length < (frequency === 'ANNUALLY' ? 2 : 3)) return null;
  if (dates.length === 3 && !steadyAmounts(sorted)) return null;
  const first = sorted[0]!;
  const last = sorted.at(-1)!;
  const currency = last.currency;
  const total = sorted.reduce((s, t) => s + t.amountMinor, 0);
  const average = Math.round(total / sorted.length);
  const predicted = nextDate(last.date, frequency, dates.slice(-2));
  const grace = Math.max(5, Math.round(PERIOD[frequency] / 2));
  const isActive = toDays(asOf) <= toDays(predicted) + grace;
  const mature = dates.length >= (frequency === 'ANNUALLY' ? 2 : 4);
  const category = commonCategory(sorted);
  const legacy = legacyCategory(category);
  return {
    account_id: first.accountId,
    stream_id: `stream_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`,
    category: legacy ? [...legacy.hierarchy] : null,
    category_id: legacy?.category_id ?? null,
    description: last.description,
    merchant_name: last.merchantName,
    first_date: first.date,
    last_date: last.date,
    predicted_next_date: isActive ? predicted : null,
    frequency,
    transaction_ids: sorted.map((t) => t.id),
    average_amount: amount(average, currency),
    last_amount: amount(last.amountMinor, currency),
    is_active: isActive,
    status: !isActive ? 'TOMBSTONED' : mature ? 'MATURE' : 'EARLY_DETECTION',
    personal_finance_category: personalFinanceCategory(category),
    is_user_modified: false,
  };
}

/** Every amount within 25% of the median. */
function steadyAmounts(list: readonly RecurringInput[]): boolean {
  const abs = list.map((t) => Math.abs(t.amountMinor)).sort((a, b) => a - b);
  const median = abs[Math.floor(abs.length / 2)]!;
  return abs.every((a) => Math.abs(a - median) <= 0.25 * median);
}

function amount(minor: number, currency: string): StreamAmount {
  return {
    amount: plaidTransactionAmount(minor, currency),
    iso_currency_code: currency,
    unofficial_currency_code: null,
  };
}

/** The category most of a stream's entries have (the latest one's on a tie). */
function commonCategory(list: readonly RecurringInput[]): TxnCategory | null {
  const counts = new Map<string, { n: number; c: TxnCategory }>();
  for (const t of list) {
    if (!t.category) continue;
    const k = `${t.category.primary}/${t.category.detailed ?? ''}`;
    const hit = counts.get(k);
    counts.set(k, { n: (hit?.n ?? 0) + 1, c: t.category });
  }
  let best: { n: number; c: TxnCategory } | null = null;
  for (const v of counts.values()) if (!best || v.n >= best.n) best = v;
  return best?.c ?? null;
}
