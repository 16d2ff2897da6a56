/**
 * Committing intents, with the guards that keep ordinary data inside the anomaly rules (rules.ts): no repeat at a
 * merchant within the duplicate window, small first visits, amounts near the merchant's usual, no burst days. It
 * keeps what the guards and the anomalies read: merchants seen, visits, purchase history, daily totals, balances.
 */
import { roundFor } from './amounts';
import type { Merchant } from './merchants';
import type { UserContext } from './context';
import type { Intent } from './intent';
import { REGION_INFO, type Slot, SLOT_COUNT } from './regions';
import { ANOMALY_RULES } from './anomaly-labels';

const DAY_MS = 86_400_000;
/** No anomaly labels before this day (rules.ts). */
export const WARMUP = ANOMALY_RULES.warmupDays;
/** The duplicate-charge rule's window (ms): ordinary repeats at a merchant on an account stay further apart. */
export const DUP_WINDOW = ANOMALY_RULES.duplicateWindowMs;
/** Guards keep ordinary data well inside the rules: below these fractions of the anomaly thresholds. */
export const NEW_GUARD = 0.6;
const OUTLIER_GUARD = 3;
const SPIKE_GUARD = 3;
const SPIKE_GUARD_COUNT = 5;

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}

/** The median of a sorted list. */
export function medianOf(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A merchant as the rules key it: name and currency. */
export function mkey(m: Merchant): string {
  return `${m.name}|${REGION_INFO[m.region].currency}`;
}

/** An account slot and a merchant. */
function visitKey(slot: Slot, m: Merchant): string {
  return `${slot}|${mkey(m)}`;
}

/** Whether the account paid the merchant within `window` ms of `ms` (not counting the visit at `except`). */
export function visitedWithin(
  g: UserContext,
  slot: Slot,
  m: Merchant,
  ms: number,
  window: number,
  except?: number,
): boolean {
  const list = g.visits.get(visitKey(slot, m));
  if (!list) return false;
  for (let i = list.length - 1; i >= 0; i--) {
    const v = list[i] as number;
    if (v === except) continue;
    if (Math.abs(v - ms) <= window) return true;
    if (v < ms - window - DAY_MS) break;
  }
  return false;
}

/** The account's mean daily purchases over the spike rule's window before day `d`. */
export function baseline(g: UserContext, slot: Slot, d: number): number {
  const totals = g.daily[slot] as number[];
  let sum = 0;
  for (let i = Math.max(0, d - ANOMALY_RULES.spike.windowDays); i < d; i++) sum += totals[i] as number;
  return sum / ANOMALY_RULES.spike.windowDays;
}

/** Ordinary days stay clear of the spike rule: drop habit purchases while a day looks like a burst. */
export function spikeGuard(g: UserContext, d: number, buffer: Intent[], spikeSlot: Slot | undefined): void {
  if (d < WARMUP) return;
  for (let s = 0; s < SLOT_COUNT; s++) {
    const slot = s as Slot;
    if (slot === spikeSlot) continue;
    const base = baseline(g, slot, d);
    for (;;) {
      let total = 0;
      let count = 0;
      let drop = -1;
      for (let i = 0; i < buffer.length; i++) {
        const it = buffer[i] as Intent;
        if (it.slot !== slot || !it.purchase || it.anomaly !== null || it.amount >= 0) continue;
        total -= it.amount;
        count++;
        if (it.droppable && (drop < 0 || it.amount < (buffer[drop] as Intent).amount)) drop = i;
      }
      if (count < SPIKE_GUARD_COUNT || total < SPIKE_GUARD * base || drop < 0) break;
      (buffer[drop] as Intent).dropped = true;
      buffer.splice(drop, 1);
    }
  }
}

/**
 * Commits an intent: guards trim or drop ordinary purchases that would look like anomalies, then the ledger
 * records it.
 */
export function commit(g: UserContext, it: Intent, d: number): void {
  const m = it.merchant;
  if (it.refundOf && it.refundOf.dropped) return;
  if (m && it.purchase && it.amount < 0 && it.anomaly === null) {
    if (visitedWithin(g, it.slot, m, it.ms, DUP_WINDOW)) {
      it.dropped = true;
      return;
    }
    const key = mkey(m);
    const min = ANOMALY_RULES.newMerchantMin[REGION_INFO[m.region].currency] ?? 0;
    if (!g.seen.has(key)) {
      it.first = true;
      it.protect = true;
      if (d >= WARMUP && -it.amount >= NEW_GUARD * min)
        it.amount = -roundFor(m, NEW_GUARD * min * g.rng.range(0.4, 0.9));
    }
    const h = g.history.get(key);
    if (h && h.sorted.length >= ANOMALY_RULES.outlier.minHistory) {
      const med = medianOf(h.sorted);
      if (-it.amount > OUTLIER_GUARD * med) it.amount = -Math.max(1, roundFor(m, med * g.rng.range(1, 2.5)));
    }
  }
  if (m) {
    const key = mkey(m);
    g.seen.add(key);
    const vk = visitKey(it.slot, m);
    const list = g.visits.get(vk);
    if (list) list.push(it.ms);
    else g.visits.set(vk, [it.ms]);
    if (it.purchase && it.amount < 0 && it.anomaly === null) {
      let h = g.history.get(key);
      if (!h) {
        h = { sorted: [], entries: [], merchant: m };
        g.history.set(key, h);
      }
      insertSorted(h.sorted, -it.amount);
      h.entries.push({ ms: it.ms, abs: -it.amount, slot: it.slot });
      const totals = g.daily[it.slot] as number[];
      totals[it.day] = (totals[it.day] as number) - it.amount;
    }
  }
  g.balances[it.slot] = (g.balances[it.slot] as number) + it.amount;
  g.intents.push(it);
}
