/**
 * The spending projection: per user and calendar month, the effective values of every live transaction that
 * budgets and analytics read (one compact entry per transaction), and per day the sums analytics need (cells).
 * Pure: the Budgets stream function keeps it (shared/services/spend-processor.ts), the routes read it.
 *
 * Why a projection: budgets and analytics read whole periods of a user's transactions. Reading 10,000 items
 * takes about a second from DynamoDB Local, and costs as many item reads in the cloud; the projection answers a
 * year of analytics with 12 small items, and a budget's period with one or two.
 *
 * Entries carry the transaction's effective values (provider values overlaid by the user's corrections, the
 * category as the categorizer or the user set it); removed transactions have no entry. Cells hold, per local date,
 * currency and primary category, exactly what `spendingSeries` and `categoryBreakdown` (analytics.ts) add up, so
 * `seriesFromCells` and `categoriesFromCells` give the same answers as those functions over the transactions
 * (property-tested in test/unit/domain/spend.test.ts).
 */
import type {
  AnalyticsTxn,
  CategoryBreakdown,
  CategoryRow,
  CategoryRowMinor,
  SeriesOptions,
  SeriesPoint,
} from './analytics';
import {
  CategoryTally,
  SeriesTally,
  UNCATEGORIZED,
  flowOf,
  formatBreakdown,
  formatSeries,
} from './analytics';
import type { BudgetTxn } from './budgets';
import type { SpendMonth } from './insights';
import type { StoredTransaction } from './models';
import { dayNumber, isoDate, nextMonthStartDay } from './stats';
import { effective } from './transactions';

/** One transaction as the projection keeps it. */
export interface SpendEntry {
  id: string;
  /** Effective local date, YYYY-MM-DD. */
  date: string;
  /** Effective signed minor units; negative is money out. */
  amountMinor: number;
  currency: string;
  primary: string | null;
  detailed: string | null;
  status: 'pending' | 'posted';
  /** One leg of a transfer between the user's own accounts, where the categorizer says so. */
  ownTransfer: boolean;
}

/** The categorizer may mark own-account transfers on the category; read it without depending on its shape. */
export function ownTransferOf(t: StoredTransaction): boolean {
  const c: unknown = t.category;
  if (typeof c !== 'object' || c === null) return false;
  const flag = (c as Record<string, unknown>).ownTransfer ?? (c as Record<string, unknown>).own_transfer;
  return flag === true;
}

/** The projection entry of a stored transaction, from its effective values; null when it is removed. */
export function spendEntryOf(t: StoredTransaction): SpendEntry | null {
  if (t.removed) return null;
  const e = effective(t);
  return {
    id: t.id,
    date: e.date,
    amountMinor: e.amountMinor,
    currency: e.currency,
    primary: t.category?.primary ?? null,
    detailed: t.category?.detailed ?? null,
    status: e.status,
    ownTransfer: ownTransferOf(t),
  };
}

/** `YYYY-MM` of a date. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** Every month (`YYYY-MM`) from the month of `from` to the month of `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = dayNumber(`${monthOf(from)}-01`); d <= dayNumber(to); d = nextMonthStartDay(d)) {
    out.push(monthOf(isoDate(d)));
  }
  return out;
}

/**
 * What a load of monthly projection items (spend or anomaly history) starts from: each month asked for, once and
 * in the order first asked, empty at rev 0 (never written); the store then overwrites the months it holds.
 */
export function emptyMonths(months: readonly string[]): Map<string, SpendMonth> {
  const result = new Map<string, SpendMonth>();
  for (const month of months) result.set(month, { month, rev: 0, entries: new Map() });
  return result;
}

const ENTRY = /^(\d{4}-\d{2}-\d{2})\|(-?\d+)\|([A-Z]{3})\|([A-Z0-9_]*)\|([A-Z0-9_]*)\|([pt]*)$/;

/** `date|amount|currency|primary|detailed|flags` (flags: `p` pending, `t` own transfer). */
export function encodeEntry(e: SpendEntry): string {
  const flags = `${e.status === 'pending' ? 'p' : ''}${e.ownTransfer ? 't' : ''}`;
  return `${e.date}|${e.amountMinor}|${e.currency}|${e.primary ?? ''}|${e.detailed ?? ''}|${flags}`;
}

export function decodeEntry(id: string, text: string): SpendEntry {
  const m = ENTRY.exec(text);
  if (!m) throw new Error(`spend entry ${id} is malformed`);
  return {
    id,
    date: m[1]!,
    amountMinor: Number(m[2]),
    currency: m[3]!,
    primary: m[4] || null,
    detailed: m[5] || null,
    status: m[6]!.includes('p') ? 'pending' : 'posted',
    ownTransfer: m[6]!.includes('t'),
  };
}

/** The entry as budgets see it. */
export function budgetTxnOf(e: SpendEntry): BudgetTxn {
  return {
    id: e.id,
    date: e.date,
    amountMinor: e.amountMinor,
    currency: e.currency,
    primary: e.primary,
    status: e.status,
    removed: false,
  };
}

/** The entry as analytics see it. */
export function analyticsTxnOf(e: SpendEntry): AnalyticsTxn {
  return {
    date: e.date,
    amountMinor: e.amountMinor,
    currency: e.currency,
    primary: e.primary,
    detailed: e.detailed,
    ownTransfer: e.ownTransfer,
  };
}

/** True when two entries count the same for budgets and analytics. */
export function sameEntry(a: SpendEntry | null, b: SpendEntry | null): boolean {
  if (a === null || b === null) return a === b;
  return encodeEntry(a) === encodeEntry(b);
}

// ---------------------------------------------------------------------------------------------------------------
// Cells

/** The sums of one local date, currency and primary category (UNCATEGORIZED when there is none). */
export interface SpendCell {
  date: string;
  currency: string;
  primary: string;
  /** Net money out of the transactions that count as spending (refunds reduce it), minor units. */
  spentMinor: number;
  spendCount: number;
  /** Money out of the spending transactions (refunds not deducted), minor units, positive. */
  outMinor: number;
  /** Money in that counts as income, minor units. */
  incomeMinor: number;
  incomeCount: number;
}

/** The cells of a set of transactions (transfers and removed ones are left out, as analytics do). */
export function cellsOf(txns: Iterable<AnalyticsTxn>): SpendCell[] {
  const cells = new Map<string, SpendCell>();
  for (const t of txns) {
    const flow = flowOf(t);
    if (flow === null) continue;
    const primary = t.primary ?? UNCATEGORIZED;
    const key = `${t.date}|${t.currency}|${primary}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        date: t.date,
        currency: t.currency,
        primary,
        spentMinor: 0,
        spendCount: 0,
        outMinor: 0,
        incomeMinor: 0,
        incomeCount: 0,
      };
      cells.set(key, cell);
    }
    if (flow === 'spend') {
      cell.spentMinor -= t.amountMinor;
      cell.spendCount += 1;
      if (t.amountMinor < 0) cell.outMinor -= t.amountMinor;
    } else {
      cell.incomeMinor += t.amountMinor;
      cell.incomeCount += 1;
    }
  }
  return [...cells.values()].sort((a, b) =>
    a.date !== b.date
      ? a.date < b.date
        ? -1
        : 1
      : a.currency !== b.currency
        ? a.currency < b.currency
          ? -1
          : 1
        : a.primary < b.primary
          ? -1
          : 1,
  );
}

const CELL = /^(\d{4}-\d{2}-\d{2})\|([A-Z]{3})\|([A-Z0-9_]+)\|(-?\d+)\|(\d+)\|(\d+)\|(-?\d+)\|(\d+)$/;

/** One line per cell: `date|currency|primary|spent|spendCount|out|income|incomeCount`. */
export function encodeCells(cells: readonly SpendCell[]): string {
  return cells
    .map(
      (c) =>
        `${c.date}|${c.currency}|${c.primary}|${c.spentMinor}|${c.spendCount}|${c.outMinor}|${c.incomeMinor}|${c.incomeCount}`,
    )
    .join('\n');
}

export function decodeCells(text: string): SpendCell[] {
  if (!text) return [];
  return text.split('\n').map((line) => {
    const m = CELL.exec(line);
    if (!m) throw new Error(`spend cell is malformed: ${line.slice(0, 80)}`);
    return {
      date: m[1]!,
      currency: m[2]!,
      primary: m[3]!,
      spentMinor: Number(m[4]),
      spendCount: Number(m[5]),
      outMinor: Number(m[6]),
      incomeMinor: Number(m[7]),
      incomeCount: Number(m[8]),
    };
  });
}

/** `spendingSeries` (analytics.ts) from cells: the same points, in the same order. */
export function seriesFromCells(cells: Iterable<SpendCell>, options: SeriesOptions): SeriesPoint[] {
  const tally = new SeriesTally(options);
  for (const c of cells) {
    if (c.spendCount + c.incomeCount === 0) continue;
    tally.add(c.currency, c.date, c.spentMinor, c.incomeMinor);
  }
  return formatSeries(tally.points());
}

/** `categoryBreakdownMinor` (analytics.ts) from cells. */
export function categoriesFromCellsMinor(
  cells: Iterable<SpendCell>,
  options: { from?: string; to?: string; currency?: string } = {},
): CategoryBreakdown<CategoryRowMinor> {
  const fromDay = options.from !== undefined ? dayNumber(options.from) : Number.NEGATIVE_INFINITY;
  const toDay = options.to !== undefined ? dayNumber(options.to) : Number.POSITIVE_INFINITY;
  const tally = new CategoryTally();
  for (const c of cells) {
    if (c.spendCount === 0) continue;
    const day = dayNumber(c.date);
    if (day < fromDay || day > toDay) continue;
    tally.add(c.currency, c.primary, c.spentMinor, c.spendCount, c.outMinor);
  }
  return tally.breakdown(options.currency);
}

/** `categoryBreakdown` (analytics.ts) from cells. */
export function categoriesFromCells(
  cells: Iterable<SpendCell>,
  options: { from?: string; to?: string; currency?: string } = {},
): CategoryBreakdown<CategoryRow> {
  return formatBreakdown(categoriesFromCellsMinor(cells, options));
}
