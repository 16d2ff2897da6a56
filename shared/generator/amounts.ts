/**
 * Amounts at a merchant: drawn from its distribution (log-normal around a median scaled by the user's basket, a
 * menu of prices, or a price that steps up once during the period), fixed for bills, rounded like the country.
 */
import type { Merchant } from './merchants';
import type { UserContext } from './context';
import { hashInts, hashString, type Rng } from './prng';

/** The user's basket size at a merchant: a factor 0.8-1.25, fixed per user and merchant. */
export function basket(g: UserContext, m: Merchant): number {
  let b = g.baskets.get(m.key);
  if (b === undefined) {
    b = 0.8 + (0.45 * hashInts(g.seedHash, g.index, hashString(m.key))) / 4294967296;
    g.baskets.set(m.key, b);
  }
  return b;
}

/** The day a `step` price changes (30-70% into the period, per merchant). */
function changeDay(g: UserContext, m: Merchant): number {
  return Math.floor(g.o.days * (0.3 + (0.4 * hashString(m.key)) / 4294967296));
}

/** A positive amount in minor units, drawn from the merchant's distribution. */
export function drawAmount(
  g: UserContext,
  m: Merchant,
  scale: number,
  day: number,
  rng: Rng = g.rng,
): number {
  const a = m.amount;
  let v: number;
  if (a.kind === 'menu') v = rng.pick(a.prices);
  else if (a.kind === 'step') v = day < changeDay(g, m) ? a.before : a.after;
  else {
    const z = clamp(rng.normal(), -2, 2);
    v = a.median * basket(g, m) * scale * Math.exp(a.sigma * z);
    v = m.region === 'IN' ? Math.round(v / 100) * 100 : Math.round(v);
  }
  return Math.max(m.region === 'IN' ? 1000 : 50, v);
}

/** The amount of a fixed bill (rent, insurance, loan): the median times the basket, rounded to $5 / £5 / ₹100. */
export function fixedAmount(g: UserContext, m: Merchant, scale: number): number {
  const a = m.amount;
  if (a.kind === 'log') {
    const v = a.median * basket(g, m) * scale;
    return m.region === 'IN' ? Math.round(v / 10_000) * 10_000 : Math.round(v / 500) * 500;
  }
  if (a.kind === 'step') return a.before;
  return a.prices[0] as number;
}

/** Rounds an amount as the merchant's country prices (India: whole rupees). */
export function roundFor(m: Merchant, v: number): number {
  return m.region === 'IN' ? Math.max(100, Math.round(v / 100) * 100) : Math.max(1, Math.round(v));
}

/** `v` within `lo`..`hi`. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
