/**
 * Budgets: a spending limit per primary category and period (weekly or monthly, in the user's time zone), with
 * thresholds that raise alerts once per budget, threshold and period. Pure: times and transactions are passed in.
 *
 * Rules (the API's `spent` and `remaining` follow them):
 * - A transaction counts for a budget when, in its effective values (provider values overlaid by the user's
 *   corrections), its primary category is the budget's, its currency is the budget's, its local date lies in the
 *   period, and it is not removed. Transactions in another currency are not converted: they are left out and
 *   reported (`otherCurrencies`).
 * - Money out (negative amount) adds to spend; money in at the category (a refund) reduces it. The net is clamped
 *   at zero: a refund of last month's purchase does not make this month's spend negative.
 * - Pending transactions count, so that an alert is timely. When a pending transaction posts with another amount
 *   (a tip), the posted amount replaces it: after reconciliation they are one transaction with one amount. A
 *   pending transaction that the bank drops is removed and stops counting.
 * - The period of a transaction is decided by its `date` (the local date the bank reports, or the user's
 *   corrected date); the current period is decided by the instant `now` in the user's IANA time zone. Weekly
 *   periods are ISO weeks (Monday to Sunday), monthly periods calendar months; `period_end` is the last day.
 * - A threshold t is crossed upward by a change when spend before < t × limit ≤ spend after (exact integer
 *   arithmetic). t < 1 raises `budget_threshold`, t ≥ 1 `budget_exceeded`. The alert id is a hash of the budget
 *   id, the threshold and the period start, so an alert is written once per budget, threshold and period however
 *   often the change is redelivered, and spend that dips under a threshold and crosses it again in the same
 *   period does not alert twice.
 */
import * as z from 'zod';
import type { Alert } from './alerts';
import { MoneyError, formatDecimal, money, parseDecimal } from './money';
import { isPrimary } from './taxonomy';
import {
  categoryLabel,
  dayNumber,
  deterministicId,
  formatMoneyText,
  isoDate,
  isValidTimeZone,
  localDayOf,
  localMidnightUtc,
  monthDay,
  monthName,
  monthStartDay,
  nextMonthStartDay,
  weekStartDay,
} from './stats';

export type BudgetPeriodKind = 'weekly' | 'monthly';

export const DEFAULT_THRESHOLDS: readonly number[] = Object.freeze([0.8, 1.0]);
export const MAX_THRESHOLD = 2;
export const MAX_THRESHOLDS = 10;

/** Thresholds are kept to basis points (0.0001) so that crossing is decided in exact integer arithmetic. */
const BP = 10_000;

function basisPoints(t: number): number {
  return Math.round(t * BP);
}

const ThresholdSchema = z
  .number()
  .gt(0, 'a threshold is a fraction of the limit greater than 0')
  .lte(MAX_THRESHOLD, `a threshold is at most ${MAX_THRESHOLD} (200% of the limit)`)
  .refine((t) => Math.abs(t * BP - basisPoints(t)) < 1e-6, 'a threshold has at most 4 decimal places');

/** Sorted, without duplicates. */
function normalizeThresholds(list: readonly number[]): number[] {
  return [...new Set(list.map((t) => basisPoints(t)))].sort((a, b) => a - b).map((bp) => bp / BP);
}

const ThresholdsSchema = z
  .array(ThresholdSchema)
  .min(1, 'give at least one threshold, or leave thresholds out for the default [0.8, 1.0]')
  .max(MAX_THRESHOLDS)
  .transform(normalizeThresholds);

export const TimeZoneSchema = z
  .string()
  .refine(isValidTimeZone, 'must be an IANA time zone such as America/New_York');

const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');
const CategorySchema = z
  .string()
  .refine(isPrimary, 'must be a primary personal-finance category such as FOOD_AND_DRINK');
const PeriodSchema = z.enum(['weekly', 'monthly']);
const LimitSchema = z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal string such as "500.00"');

function checkLimit(limit: string, currency: string, ctx: z.RefinementCtx): void {
  try {
    const m = parseDecimal(limit, currency);
    if (m.minor <= 0) ctx.addIssue({ code: 'custom', path: ['limit'], message: 'must be greater than 0' });
  } catch (err) {
    const message = err instanceof MoneyError ? err.message : 'not a valid amount';
    ctx.addIssue({ code: 'custom', path: ['limit'], message });
  }
}

/** `POST /budgets` body. Thresholds default to [0.8, 1.0] and come out sorted and unique. */
export const BudgetInputSchema = z
  .strictObject({
    category: CategorySchema,
    period: PeriodSchema,
    limit: LimitSchema,
    currency: CurrencySchema,
    thresholds: ThresholdsSchema.optional(),
  })
  .superRefine((v, ctx) => checkLimit(v.limit, v.currency, ctx))
  .transform((v) => ({ ...v, thresholds: v.thresholds ?? [...DEFAULT_THRESHOLDS] }));
export type BudgetInput = z.output<typeof BudgetInputSchema>;

/** `PUT /budgets/{id}` body: any of the fields; a new `limit` is read in the new or the current currency. */
export const BudgetUpdateSchema = z
  .strictObject({
    category: CategorySchema.optional(),
    period: PeriodSchema.optional(),
    limit: LimitSchema.optional(),
    currency: CurrencySchema.optional(),
    thresholds: ThresholdsSchema.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change');
export type BudgetUpdate = z.output<typeof BudgetUpdateSchema>;

export interface Budget {
  id: string;
  userId: string;
  /** Primary category, e.g. FOOD_AND_DRINK. */
  category: string;
  period: BudgetPeriodKind;
  /** Integer minor units, > 0. */
  limitMinor: number;
  currency: string;
  /** Fractions of the limit, sorted and unique, each in (0, 2]. */
  thresholds: number[];
  createdAt: string;
  updatedAt: string;
}

/** A validated input made into a budget (the id is chosen by the caller, e.g. a ULID or a UUID). */
export function createBudget(input: BudgetInput, ids: { id: string; userId: string; now: string }): Budget {
  return {
    id: ids.id,
    userId: ids.userId,
    category: input.category,
    period: input.period,
    limitMinor: parseDecimal(input.limit, input.currency).minor,
    currency: input.currency,
    thresholds: normalizeThresholds(input.thresholds),
    createdAt: ids.now,
    updatedAt: ids.now,
  };
}

/**
 * A validated update applied to a budget. A new currency without a new limit re-reads the current limit's
 * decimal text in the new currency (it throws a MoneyError when the digits do not fit, e.g. 12.50 in JPY).
 */
export function updateBudget(budget: Budget, update: BudgetUpdate, now: string): Budget {
  const currency = update.currency ?? budget.currency;
  const limitText = update.limit ?? formatDecimal(money(budget.limitMinor, budget.currency));
  const limitMinor = parseDecimal(limitText, currency).minor;
  if (limitMinor <= 0) throw new MoneyError('a budget limit must be greater than 0');
  return {
    ...budget,
    category: update.category ?? budget.category,
    period: update.period ?? budget.period,
    limitMinor,
    currency,
    thresholds: update.thresholds ? normalizeThresholds(update.thresholds) : budget.thresholds,
    updatedAt: now,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Periods

export interface BudgetPeriod {
  kind: BudgetPeriodKind;
  /** First day, YYYY-MM-DD. */
  start: string;
  /** Last day (inclusive), YYYY-MM-DD. */
  end: string;
}

function periodFromDay(kind: BudgetPeriodKind, day: number): BudgetPeriod {
  if (kind === 'weekly') {
    const start = weekStartDay(day);
    return { kind, start: isoDate(start), end: isoDate(start + 6) };
  }
  const start = monthStartDay(day);
  return { kind, start: isoDate(start), end: isoDate(nextMonthStartDay(day) - 1) };
}

/** The period that contains the local date `date` (YYYY-MM-DD). */
export function periodContaining(kind: BudgetPeriodKind, date: string): BudgetPeriod {
  return periodFromDay(kind, dayNumber(date));
}

/** The period that contains the instant `now` in the user's IANA time zone. */
export function currentPeriod(
  kind: BudgetPeriodKind,
  now: Date | number | string,
  timeZone: string,
): BudgetPeriod {
  return periodFromDay(kind, localDayOf(now, timeZone));
}

/** The period right after `period`. */
export function nextPeriod(period: BudgetPeriod): BudgetPeriod {
  return periodFromDay(period.kind, dayNumber(period.end) + 1);
}

/** The instants (RFC 3339 UTC) at which a period starts and the next one starts, in the user's time zone. */
export function periodInstants(period: BudgetPeriod, timeZone: string): { startsAt: string; endsAt: string } {
  const start = localMidnightUtc(dayNumber(period.start), timeZone);
  const end = localMidnightUtc(dayNumber(period.end) + 1, timeZone);
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString() };
}

/** True when the local date `date` lies in `period`. */
export function inPeriod(period: BudgetPeriod, date: string): boolean {
  // YYYY-MM-DD strings order as dates.
  return date >= period.start && date <= period.end;
}

/** The period in words: `November` (monthly) or `the week of November 17` (weekly). */
export function periodLabel(period: BudgetPeriod): string {
  const start = dayNumber(period.start);
  return period.kind === 'monthly' ? monthName(start) : `the week of ${monthDay(start)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Spend

/** The effective values of a transaction that budgets look at. */
export interface BudgetTxn {
  id: string;
  /** Effective local date, YYYY-MM-DD. */
  date: string;
  /** Effective signed minor units; negative is money out. */
  amountMinor: number;
  currency: string;
  /** Effective primary category, or null while uncategorized. */
  primary: string | null;
  status: 'pending' | 'posted';
  removed: boolean;
}

/** What a transaction adds to a budget's spend in `period`, in minor units (refunds are negative). */
export function contribution(
  budget: Pick<Budget, 'category' | 'currency'>,
  period: BudgetPeriod,
  txn: BudgetTxn | null | undefined,
): number {
  if (!txn || txn.removed) return 0;
  if (txn.primary !== budget.category || txn.currency !== budget.currency) return 0;
  if (!inPeriod(period, txn.date)) return 0;
  return -txn.amountMinor;
}

export interface SpendSummary {
  /** Net spend, clamped at 0, in minor units. */
  spentMinor: number;
  /** Money out at the category. */
  outMinor: number;
  /** Money in at the category (refunds), positive. */
  refundsMinor: number;
  /** Transactions that counted (including refunds). */
  count: number;
  /** How many of them are still pending. */
  pendingCount: number;
  /** Transactions of the category in the period in another currency, left out: count per currency. */
  otherCurrencies: Record<string, number>;
}

/** A budget's spend in `period` from the effective values of `txns` (any list; others are skipped). */
export function spendFor(
  budget: Pick<Budget, 'category' | 'currency'>,
  period: BudgetPeriod,
  txns: Iterable<BudgetTxn>,
): SpendSummary {
  let net = 0;
  let out = 0;
  let refunds = 0;
  let count = 0;
  let pendingCount = 0;
  const otherCurrencies: Record<string, number> = {};
  for (const t of txns) {
    if (t.removed || t.primary !== budget.category || !inPeriod(period, t.date)) continue;
    if (t.currency !== budget.currency) {
      otherCurrencies[t.currency] = (otherCurrencies[t.currency] ?? 0) + 1;
      continue;
    }
    net -= t.amountMinor;
    if (t.amountMinor < 0) out -= t.amountMinor;
    else refunds += t.amountMinor;
    count += 1;
    if (t.status === 'pending') pendingCount += 1;
  }
  return {
    spentMinor: Math.max(0, net),
    outMinor: out,
    refundsMinor: refunds,
    count,
    pendingCount,
    otherCurrencies,
  };
}

/** The budget as the API shows it (../shared/API.md, B). */
export interface BudgetView {
  id: string;
  category: string;
  period: BudgetPeriodKind;
  limit: string;
  currency: string;
  thresholds: number[];
  spent: string;
  remaining: string;
  period_start: string;
  period_end: string;
}

/** `B` for the period that contains `now` in the user's time zone. */
export function budgetView(
  budget: Budget,
  txns: Iterable<BudgetTxn>,
  now: Date | number | string,
  timeZone: string,
): BudgetView {
  const period = currentPeriod(budget.period, now, timeZone);
  return budgetViewFor(budget, period, spendFor(budget, period, txns).spentMinor);
}

/** `B` for a given period and spend. `remaining` is negative once the budget is exceeded. */
export function budgetViewFor(budget: Budget, period: BudgetPeriod, spentMinor: number): BudgetView {
  return {
    id: budget.id,
    category: budget.category,
    period: budget.period,
    limit: formatDecimal(money(budget.limitMinor, budget.currency)),
    currency: budget.currency,
    thresholds: [...budget.thresholds],
    spent: formatDecimal(money(spentMinor, budget.currency)),
    remaining: formatDecimal(money(budget.limitMinor - spentMinor, budget.currency)),
    period_start: period.start,
    period_end: period.end,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Thresholds and alerts

/** True when `spentMinor` has reached `threshold` × limit (exact). */
export function reached(limitMinor: number, threshold: number, spentMinor: number): boolean {
  return BigInt(spentMinor) * BigInt(BP) >= BigInt(basisPoints(threshold)) * BigInt(limitMinor);
}

/** The thresholds (ascending) crossed upward by spend going from `beforeMinor` to `afterMinor`. */
export function crossedThresholds(
  budget: Pick<Budget, 'limitMinor' | 'thresholds'>,
  beforeMinor: number,
  afterMinor: number,
): number[] {
  if (afterMinor <= beforeMinor) return [];
  return budget.thresholds.filter(
    (t) => !reached(budget.limitMinor, t, beforeMinor) && reached(budget.limitMinor, t, afterMinor),
  );
}

/** `budget_exceeded` from 100% of the limit up, `budget_threshold` below. */
export function alertKindFor(threshold: number): 'budget_threshold' | 'budget_exceeded' {
  return basisPoints(threshold) >= BP ? 'budget_exceeded' : 'budget_threshold';
}

/** Deterministic: one alert per budget, threshold and period. */
export function budgetAlertId(budgetId: string, threshold: number, periodStart: string): string {
  return deterministicId('alert', ['budget', budgetId, basisPoints(threshold), periodStart]);
}

/** Whole percent of the limit, rounded down (79.9% shows as 79%, never as a threshold it has not reached). */
export function percentOf(limitMinor: number, spentMinor: number): number {
  return Number((BigInt(Math.max(0, spentMinor)) * 100n) / BigInt(limitMinor));
}

/**
 * `You have spent $412.50 of your $500.00 Food and drink budget for November (82%).`, and for an exceeded
 * budget `... (104%), $20.00 over.`
 */
export function budgetAlertMessage(
  budget: Pick<Budget, 'category' | 'limitMinor' | 'currency'>,
  period: BudgetPeriod,
  spentMinor: number,
): string {
  const spent = formatMoneyText(spentMinor, budget.currency);
  const limit = formatMoneyText(budget.limitMinor, budget.currency);
  const pct = percentOf(budget.limitMinor, spentMinor);
  const head = `You have spent ${spent} of your ${limit} ${categoryLabel(budget.category)} budget for ${periodLabel(period)} (${pct}%)`;
  const over = spentMinor - budget.limitMinor;
  return over > 0 ? `${head}, ${formatMoneyText(over, budget.currency)} over.` : `${head}.`;
}

/** One change to a transaction, as the stream shows it: its effective values before and after (null: absent). */
export interface BudgetChange {
  before: BudgetTxn | null;
  after: BudgetTxn | null;
}

export interface BudgetAlert {
  /** Ready for the AlertSink (`user_id` is the budget's owner). */
  alert: Alert;
  threshold: number;
  period: BudgetPeriod;
  spentMinor: number;
}

export interface BudgetChangeInput {
  budget: Budget;
  /** The changes of one stream batch for this user (several changes of one transaction are collapsed). */
  changes: readonly BudgetChange[];
  /**
   * The user's transactions that may fall in the affected periods, either before or after the batch: each
   * changed transaction is taken from `changes` (its latest `after`) whatever this list holds for its id.
   */
  transactions: Iterable<BudgetTxn>;
  /** RFC 3339: the alert's `created_at`. */
  createdAt: string;
  /** Only periods that end on or after this date (YYYY-MM-DD) alert, e.g. not a backfill of last year. */
  since?: string;
  /** The transaction to name in the alert (default: the last changed one of the period). */
  transactionId?: string;
}

/**
 * The alerts a batch of changes raises for one budget: for every period a change touches, the spend before and
 * after the batch, and the thresholds crossed upward in between. Safe to run twice (the ids are deterministic).
 */
export function budgetChangeAlerts(input: BudgetChangeInput): BudgetAlert[] {
  const { budget } = input;
  // Collapse several changes of one transaction: first `before`, last `after`.
  const collapsed = new Map<string, BudgetChange>();
  for (const c of input.changes) {
    const id = c.after?.id ?? c.before?.id;
    if (id === undefined) continue;
    const seen = collapsed.get(id);
    collapsed.set(id, { before: seen ? seen.before : c.before, after: c.after });
  }
  const periods = new Map<string, BudgetPeriod>();
  for (const c of collapsed.values()) {
    for (const t of [c.before, c.after]) {
      if (!t || t.primary !== budget.category || t.currency !== budget.currency || t.removed) continue;
      const p = periodContaining(budget.period, t.date);
      if (input.since !== undefined && p.end < input.since) continue;
      periods.set(p.start, p);
    }
  }
  if (periods.size === 0) return [];

  const current: BudgetTxn[] = [];
  for (const t of input.transactions) if (!collapsed.has(t.id)) current.push(t);
  for (const c of collapsed.values()) if (c.after) current.push(c.after);

  const out: BudgetAlert[] = [];
  for (const period of [...periods.values()].sort((a, b) => (a.start < b.start ? -1 : 1))) {
    const after = spendFor(budget, period, current);
    let net = after.outMinor - after.refundsMinor;
    let lastChanged: string | undefined;
    for (const [id, c] of collapsed) {
      const delta = contribution(budget, period, c.after) - contribution(budget, period, c.before);
      net -= delta;
      if (delta !== 0) lastChanged = id;
    }
    const beforeMinor = Math.max(0, net);
    for (const threshold of crossedThresholds(budget, beforeMinor, after.spentMinor)) {
      const transactionId = input.transactionId ?? lastChanged;
      out.push({
        alert: {
          id: budgetAlertId(budget.id, threshold, period.start),
          kind: alertKindFor(threshold),
          user_id: budget.userId,
          budget_id: budget.id,
          ...(transactionId !== undefined ? { transaction_id: transactionId } : {}),
          message: budgetAlertMessage(budget, period, after.spentMinor),
          created_at: input.createdAt,
        },
        threshold,
        period,
        spentMinor: after.spentMinor,
      });
    }
  }
  return out;
}
