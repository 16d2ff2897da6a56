/**
 * Small pure helpers shared by budgets, anomalies and analytics: robust statistics over numbers of minor units,
 * amounts and categories written for people, deterministic ids, and civil-date arithmetic in IANA time zones.
 *
 * Statistics (median, MAD, ratios) may be computed on numbers of minor units; every amount shown to a user is
 * formatted from an integer of minor units, never from the result of float arithmetic.
 */
import { createHash } from 'node:crypto';
import { exponent } from './money';

// ---------------------------------------------------------------------------------------------------------------
// Statistics

/** The median of `values` (not modified); NaN for an empty list. */
export function median(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The median absolute deviation from `center` (the median when omitted). */
export function mad(values: readonly number[], center: number = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/** Mean and (population) standard deviation. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let s = 0;
  for (const v of values) s += v;
  const mean = s / n;
  let q = 0;
  for (const v of values) q += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(q / n) };
}

/**
 * Iglewicz and Hoaglin's modified z-score, 0.6745 (x − median) / MAD. `madFloor` keeps a near-constant history
 * (every coffee 5.65) from turning a cent of difference into a huge score.
 */
export function modifiedZ(x: number, med: number, madValue: number, madFloor = 0): number {
  const spread = Math.max(madValue, madFloor);
  if (spread <= 0) return x === med ? 0 : Number.POSITIVE_INFINITY * Math.sign(x - med);
  return (0.6745 * (x - med)) / spread;
}

/** Rounds to `digits` decimal places for display and scores (not for money). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// ---------------------------------------------------------------------------------------------------------------
// Display

const SYMBOLS: Record<string, string> = { USD: '$', INR: '₹' };

function group(whole: string, indian: boolean): string {
  if (whole.length <= 3) return whole;
  const last3 = whole.slice(-3);
  const rest = whole.slice(0, -3);
  const size = indian ? 2 : 3;
  const parts: string[] = [];
  for (let end = rest.length; end > 0; end -= size) parts.unshift(rest.slice(Math.max(0, end - size), end));
  return `${parts.join(',')},${last3}`;
}

/**
 * An amount for a sentence, from integer minor units: `$1,412.50`, `₹1,23,456.00` (Indian grouping), `EUR 12.34`
 * for other currencies. The sign is kept (`-$5.00`); callers usually pass an absolute amount.
 */
export function formatMoneyText(minor: number, currency: string): string {
  const exp = exponent(currency);
  const digits = Math.abs(minor)
    .toString()
    .padStart(exp + 1, '0');
  const whole = exp ? digits.slice(0, -exp) : digits;
  const frac = exp ? `.${digits.slice(-exp)}` : '';
  const body = `${group(whole, currency === 'INR')}${frac}`;
  const symbol = SYMBOLS[currency];
  const text = symbol ? `${symbol}${body}` : `${currency} ${body}`;
  return minor < 0 ? `-${text}` : text;
}

/** `FOOD_AND_DRINK` → `Food and drink`; a detailed code → its last words (`..._GROCERIES` → `groceries`). */
export function categoryLabel(code: string): string {
  const words = code.toLowerCase().split('_').filter(Boolean).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A detailed category in a sentence: `FOOD_AND_DRINK_GROCERIES` → `groceries` (the part after its primary). */
export function detailedLabel(detailed: string, primary: string): string {
  const rest = detailed.startsWith(`${primary}_`) ? detailed.slice(primary.length + 1) : detailed;
  if (rest.startsWith('OTHER_')) return categoryLabel(primary).toLowerCase();
  return rest.toLowerCase().split('_').filter(Boolean).join(' ');
}

// ---------------------------------------------------------------------------------------------------------------
// Ids

/** A deterministic id: `prefix_` + the first 32 hex digits of SHA-256 over the parts joined by U+001F. */
export function deterministicId(prefix: string, parts: readonly (string | number)[]): string {
  const digest = createHash('sha256').update(parts.map(String).join('\u001f')).digest('hex');
  return `${prefix}_${digest.slice(0, 32)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Civil dates (day numbers) and time zones

export const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

/** The civil date of a day number (Howard Hinnant's civil_from_days). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The dates the domain reads and writes: what `YYYY-MM-DD` can spell, without year 0 (1 BC). */
export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

/**
 * Parses a strict `YYYY-MM-DD` calendar date (years `MIN_YEAR`..`MAX_YEAR`) into a day number; throws RangeError
 * otherwise.
 */
export function dayNumber(text: string): number {
  const m = ISO_DATE.exec(text);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(text)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < MIN_YEAR)
    throw new RangeError(`year out of range (${MIN_YEAR}-${MAX_YEAR}): ${JSON.stringify(text)}`);
  const days = daysFromCivil(year, month, day);
  const back = civilFromDays(days);
  if (back.year !== year || back.month !== month || back.day !== day) {
    throw new RangeError(`not a calendar date: ${JSON.stringify(text)}`);
  }
  return days;
}

/** True when `text` is a strict `YYYY-MM-DD` calendar date. */
export function isIsoDate(text: string): boolean {
  try {
    dayNumber(text);
    return true;
  } catch {
    return false;
  }
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `YYYY-MM-DD` of a day number; throws RangeError for a year outside `MIN_YEAR`..`MAX_YEAR` (not "00-2-12-01"). */
export function isoDate(days: number): string {
  if (!Number.isSafeInteger(days)) throw new RangeError(`not a day number: ${days}`);
  const c = civilFromDays(days);
  if (c.year < MIN_YEAR || c.year > MAX_YEAR) {
    throw new RangeError(`day ${days} is in year ${c.year}, out of range (${MIN_YEAR}-${MAX_YEAR})`);
  }
  return `${String(c.year).padStart(4, '0')}-${pad2(c.month)}-${pad2(c.day)}`;
}

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** The Monday on or before `days` (ISO weeks start on Monday). */
export function weekStartDay(days: number): number {
  return days - (isoWeekday(days) - 1);
}

/** The first day of the calendar month of `days`. */
export function monthStartDay(days: number): number {
  const c = civilFromDays(days);
  return daysFromCivil(c.year, c.month, 1);
}

/** The first day of the month after the month of `days`. */
export function nextMonthStartDay(days: number): number {
  const c = civilFromDays(days);
  return c.month === 12 ? daysFromCivil(c.year + 1, 1, 1) : daysFromCivil(c.year, c.month + 1, 1);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for a zone Intl does not know.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows `timeZone` as an IANA zone (e.g. `America/New_York`, `Asia/Kolkata`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local wall time minus UTC, in ms, in `timeZone` at the instant `utcMs`. */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const at = Math.floor(utcMs / 1000) * 1000;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    const v = Number(part.value);
    if (part.type === 'year') year = v;
    else if (part.type === 'month') month = v;
    else if (part.type === 'day') day = v;
    else if (part.type === 'hour') hour = v;
    else if (part.type === 'minute') minute = v;
    else if (part.type === 'second') second = v;
  }
  const local = daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
  return local - at;
}

/** The local day number, in `timeZone`, of an instant (a Date, epoch ms or an RFC 3339 string). */
export function localDayOf(instant: Date | number | string, timeZone: string): number {
  const ms = instantMs(instant);
  return Math.floor((ms + zoneOffsetMs(timeZone, ms)) / DAY_MS);
}

/**
 * The UTC instant (epoch ms) at which local day `days` starts in `timeZone`: local midnight, DST-aware. Where a DST
 * change skips midnight (clocks jump from 00:00 to 01:00), the day starts at the first instant that is on it.
 */
export function localMidnightUtc(days: number, timeZone: string): number {
  const wall = days * DAY_MS;
  let utc = wall - zoneOffsetMs(timeZone, wall);
  utc = wall - zoneOffsetMs(timeZone, utc);
  const dayAt = (ms: number): number => Math.floor((ms + zoneOffsetMs(timeZone, ms)) / DAY_MS);
  if (dayAt(utc) === days && dayAt(utc - 1000) < days) return utc;
  // Rare: search the first second on day `days` near the guess (offsets change by at most a few hours).
  let lo = utc - 6 * 3_600_000;
  let hi = utc + 6 * 3_600_000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (dayAt(mid) >= days) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Epoch ms of a Date, epoch ms or RFC 3339 string; throws RangeError for an invalid instant. */
export function instantMs(instant: Date | number | string): number {
  const ms =
    typeof instant === 'number'
      ? instant
      : typeof instant === 'string'
        ? Date.parse(instant)
        : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return ms;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `November`, from a day number. */
export function monthName(days: number): string {
  return MONTHS[civilFromDays(days).month - 1] as string;
}

/** `November 17`, from a day number. */
export function monthDay(days: number): string {
  const c = civilFromDays(days);
  return `${MONTHS[c.month - 1] as string} ${c.day}`;
}
