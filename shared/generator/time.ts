/**
 * Calendar and time-zone arithmetic for the generator, without Date parsing in hot loops: civil dates are day
 * numbers (days since 1970-01-01), time-zone offsets come from Intl (one formatter per zone, built once) and are
 * memoized per quarter hour, so a year of transactions asks Intl a few thousand times at most.
 */

import { DAY_MS, civilFromDays, daysFromCivil, zoneOffsetMs, type CivilDate } from '../domain/stats';

export { civilFromDays, daysFromCivil, type CivilDate };

const BUCKET_MS = 15 * 60_000;

/** Parses `YYYY-MM-DD` (strictly) into a day number. */
export function parseIsoDate(text: string): number {
  if (text.length !== 10 || text.charAt(4) !== '-' || text.charAt(7) !== '-') {
    throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(text)}`);
  }
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) {
    throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(text)}`);
  }
  const days = daysFromCivil(year, month, day);
  const back = civilFromDays(days);
  if (back.year !== year || back.month !== month || back.day !== day) {
    throw new RangeError(`not a calendar date: ${JSON.stringify(text)}`);
  }
  return days;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `YYYY-MM-DD` of a day number. */
export function formatIsoDate(days: number): string {
  const c = civilFromDays(days);
  return `${String(c.year).padStart(4, '0')}-${pad2(c.month)}-${pad2(c.day)}`;
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export function daysInMonth(year: number, month: number): number {
  return month === 12 ? 31 : daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

const datePrefixes = new Map<number, string>();
const TWO_DIGITS: string[] = [];
for (let i = 0; i < 60; i++) TWO_DIGITS.push(pad2(i));

/** RFC 3339 UTC instant with second precision: `2026-01-01T12:34:56Z` (no Date allocation; memoized per day). */
export function rfc3339(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = datePrefixes.get(day);
  if (prefix === undefined) {
    prefix = `${formatIsoDate(day)}T`;
    datePrefixes.set(day, prefix);
  }
  let sec = Math.floor((ms - day * DAY_MS) / 1000);
  const h = Math.floor(sec / 3600);
  sec -= h * 3600;
  const m = Math.floor(sec / 60);
  sec -= m * 60;
  return `${prefix}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[sec]}Z`;
}

/**
 * Offsets per zone, memoized per UTC day (and per quarter hour on the rare days a zone changes its offset).
 * Memoization only: the values are a pure function of zone and instant.
 */
class ZoneOffsets {
  /** Offset of the whole UTC day, or NaN when the offset changes during that day. */
  private readonly days = new Map<number, number>();
  private readonly buckets = new Map<number, number>();

  constructor(readonly timeZone: string) {}

  /** Local wall time minus UTC, in ms, at the instant `utcMs`. */
  offsetAt(utcMs: number): number {
    const day = Math.floor(utcMs / DAY_MS);
    let whole = this.days.get(day);
    if (whole === undefined) {
      const a = this.compute(day * DAY_MS);
      const b = this.compute((day + 1) * DAY_MS - BUCKET_MS);
      whole = a === b ? a : Number.NaN;
      this.days.set(day, whole);
    }
    if (!Number.isNaN(whole)) return whole;
    const bucket = Math.floor(utcMs / BUCKET_MS);
    let hit = this.buckets.get(bucket);
    if (hit === undefined) {
      hit = this.compute(bucket * BUCKET_MS);
      this.buckets.set(bucket, hit);
    }
    return hit;
  }

  private compute(at: number): number {
    return zoneOffsetMs(this.timeZone, at);
  }
}

const zones = new Map<string, ZoneOffsets>();

function zone(timeZone: string): ZoneOffsets {
  let z = zones.get(timeZone);
  if (!z) {
    z = new ZoneOffsets(timeZone);
    zones.set(timeZone, z);
  }
  return z;
}

/** Local wall time minus UTC, in minutes, in `timeZone` at `utcMs`. */
export function offsetMinutes(timeZone: string, utcMs: number): number {
  return zone(timeZone).offsetAt(utcMs) / 60_000;
}

/**
 * The UTC instant of a local wall time: day number `days` at `secondOfDay` seconds after local midnight. A wall
 * time that does not exist (skipped by a DST change) lands one offset later, as clocks do.
 */
export function zonedToUtc(timeZone: string, days: number, secondOfDay: number): number {
  const z = zone(timeZone);
  const wall = days * DAY_MS + secondOfDay * 1000;
  const first = z.offsetAt(wall);
  let utc = wall - first;
  const second = z.offsetAt(utc);
  if (second !== first) utc = wall - second;
  return utc;
}

/** The local day number of the instant `utcMs` in `timeZone`. */
export function localDay(timeZone: string, utcMs: number): number {
  return Math.floor((utcMs + zone(timeZone).offsetAt(utcMs)) / DAY_MS);
}
