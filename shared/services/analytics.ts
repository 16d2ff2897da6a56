import type { Granularity } from '../domain/analytics';
import type { StoredAnomaly } from '../domain/insights';
import { categoriesFromCells, decodeCells, monthOf, seriesFromCells, type SpendCell } from '../domain/spend';
import { dayNumber, isoDate, monthStartDay } from '../domain/stats';
import { badRequest } from '../http/problem';
import type { Clock } from '../ports/clock';
import type { AnomalyStore, ProjectionStore, SettingsStore } from '../ports/store';
import { todayIn } from './budgets';

export interface AnalyticsDeps {
  store: SettingsStore & AnomalyStore & ProjectionStore;
  clock: Clock;
}

/** The longest range a query may cover. */
export const MAX_RANGE_DAYS = 5 * 366;

export interface RangeQuery {
  from?: string;
  to?: string;
}

/**
 * The range of an analytics query: `to` defaults to today in the user's time zone, `from` to the first day of the
 * month eleven months before `to` (twelve calendar months).
 */
export async function resolveRange(
  deps: AnalyticsDeps,
  userId: string,
  q: RangeQuery,
): Promise<{ from: string; to: string }> {
  let to = q.to;
  if (to === undefined) {
    const { timeZone } = await deps.store.getUserSettings(userId);
    to = todayIn(timeZone, deps.clock.now());
  }
  let from = q.from;
  if (from === undefined) {
    let start = monthStartDay(dayNumber(to));
    for (let i = 0; i < 11; i++) start = monthStartDay(start - 1);
    from = isoDate(start);
  }
  if (from > to) throw badRequest('from must not be after to', [{ path: 'query.from', message: 'after to' }]);
  if (dayNumber(to) - dayNumber(from) >= MAX_RANGE_DAYS) {
    throw badRequest(`A range covers at most ${MAX_RANGE_DAYS} days.`, [
      { path: 'query.from', message: `at most ${MAX_RANGE_DAYS} days before to` },
    ]);
  }
  return { from, to };
}

/** The rollup cells of the months that hold [from, to] (one query of the spending projection). */
async function cellsBetween(
  store: ProjectionStore,
  userId: string,
  from: string,
  to: string,
): Promise<SpendCell[]> {
  const months = await store.readSpendRollups(userId, monthOf(from), monthOf(to));
  return months.flatMap(decodeCells);
}

/** `GET /analytics/spending`. */
export async function spending(
  deps: AnalyticsDeps,
  userId: string,
  q: RangeQuery & { granularity: Granularity; currency?: string },
) {
  const { from, to } = await resolveRange(deps, userId, q);
  const cells = await cellsBetween(deps.store, userId, from, to);
  return {
    from,
    to,
    granularity: q.granularity,
    series: seriesFromCells(cells, { granularity: q.granularity, from, to, currency: q.currency }),
  };
}

/** `GET /analytics/categories`. */
export async function categories(deps: AnalyticsDeps, userId: string, q: RangeQuery & { currency?: string }) {
  const { from, to } = await resolveRange(deps, userId, q);
  const cells = await cellsBetween(deps.store, userId, from, to);
  const b = categoriesFromCells(cells, { from, to, currency: q.currency });
  return { from, to, currency: b.currency, categories: b.categories, other_currencies: b.otherCurrencies };
}

export function anomalyApiView(a: StoredAnomaly) {
  return {
    id: a.id,
    transaction_id: a.transactionId,
    kind: a.kind,
    score: a.score,
    explanation: a.explanation,
    detected_at: a.detectedAt,
    date: a.date,
  };
}

/** `GET /analytics/anomalies`: by transaction date, newest first. */
export async function anomalies(deps: AnalyticsDeps, userId: string, q: RangeQuery) {
  const { from, to } = await resolveRange(deps, userId, q);
  const list = await deps.store.listAnomalies(userId, { from, to });
  list.sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.id < b.id ? -1 : 1));
  return { from, to, anomalies: list.map(anomalyApiView) };
}
