import { formatDecimal, money } from '../../domain/money';
import { dayNumber, isoDate, localDayOf, localMidnightUtc } from '../../domain/stats';

/** `1234567` minor units of GBP → `12,345.67` (absolute value, thousands separators). */
export function groupedAmount(minorAbs: number, currency: string): string {
  const text = formatDecimal(money(Math.abs(minorAbs), currency));
  const [whole = '0', frac] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/**
 * Minor units → a float in major units, for wire formats that ARE floats. Goes through the exact decimal text,
 * never through float arithmetic.
 */
export function majorFloat(minor: number, currency: string): number {
  return Number(formatDecimal(money(minor, currency)));
}

/** `2026-03-04` → `04/03/2026`. */
export function ddmmyyyy(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}

/** `04/03/2026` → `2026-03-04`, or null unless it is a real calendar date. */
export function parseDdmmyyyy(text: string): string | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (!m) return null;
  const [, d, mo, y] = m;
  const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const iso = `${y}-${mo}-${d}`;
  return t.toISOString().slice(0, 10) === iso ? iso : null;
}

/** Epoch ms of local midnight of `date` (YYYY-MM-DD) in `timeZone` (how some banks send a date). */
export function zonedMidnightEpochMs(date: string, timeZone: string): number {
  return localMidnightUtc(dayNumber(date), timeZone);
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localIsoDate(epochMs: number, timeZone: string): string {
  return isoDate(localDayOf(epochMs, timeZone));
}
