/**
 * When things happen: the agenda of planned items (on), days of the month and fixed intervals in the period, a
 * second of the day in weighted hour windows, and the UTC instant of a local second at an account.
 */
import type { UserContext } from './context';
import type { Rng } from './prng';
import { REGION_INFO, type Slot, SLOTS } from './regions';
import { civilFromDays, daysFromCivil, daysInMonth, weekday, zonedToUtc } from './time';

/** Seconds in an hour. */
export const HOUR = 3600;

/** Runs `fn` when day `day` of the period comes (days outside the period are ignored). */
export function on(g: UserContext, day: number, fn: () => void): void {
  if (day < 0 || day >= g.o.days) return;
  const list = g.agenda.get(day);
  if (list) list.push(fn);
  else g.agenda.set(day, [fn]);
}

/** Days of the period that are day `dom` of their month (clamped to the month's end), shifted off weekends. */
export function monthly(
  g: UserContext,
  dom: number,
  shift: 'back' | 'forward' | 'none',
  months?: readonly number[],
): number[] {
  const out: number[] = [];
  const first = civilFromDays(g.o.startDays);
  let y = first.year;
  let m = first.month;
  for (;;) {
    const day = Math.min(dom, daysInMonth(y, m));
    let d = daysFromCivil(y, m, day);
    const wd = weekday(d);
    if (shift === 'back' && wd === 6) d -= 1;
    else if (shift === 'back' && wd === 0) d -= 2;
    else if (shift === 'forward' && wd === 6) d += 2;
    else if (shift === 'forward' && wd === 0) d += 1;
    const idx = d - g.o.startDays;
    if (idx >= g.o.days) break;
    if (idx >= 0 && (!months || months.includes(m))) out.push(idx);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
    if (y > first.year + 12) break;
  }
  return out;
}

/** Days `firstDay`, `firstDay + n`, ... of the period. */
export function everyNDays(g: UserContext, firstDay: number, n: number): number[] {
  const out: number[] = [];
  for (let d = firstDay; d < g.o.days; d += n) if (d >= 0) out.push(d);
  return out;
}

/** A second of the local day, uniform within hour windows chosen by their length (`[[8, 23]]`: 08:00-23:00). */
export function sec(
  g: UserContext,
  windows: readonly (readonly [number, number])[],
  rng: Rng = g.rng,
): number {
  const lengths = windows.map(([a, b]) => b - a);
  const w = windows[rng.weighted(lengths)] as readonly [number, number];
  return Math.min(86_399, Math.floor((w[0] + rng.next() * (w[1] - w[0])) * HOUR));
}

/** The UTC instant (ms) of second `second` of day `day`, local to the account in `slot`. */
export function instant(g: UserContext, slot: Slot, day: number, second: number): number {
  return zonedToUtc(REGION_INFO[SLOTS[slot]?.region ?? 'US'].timeZone, g.o.startDays + day, second);
}
