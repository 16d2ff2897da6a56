/**
 * Anomalies, injected on chosen days from the user's own history, with their own random stream: amount outliers,
 * first purchases at unusual merchants, duplicate charges and spend-spike days (rules.ts says what each label means).
 */
import { drawAmount, roundFor } from './amounts';
import { instant, sec } from './calendar';
import { chainMerchants, type Merchant } from './merchants';
import type { Loc, UserContext } from './context';
import type { Intent } from './intent';
import { baseline, commit, DUP_WINDOW, medianOf, mkey, NEW_GUARD, visitedWithin, WARMUP } from './ledger';
import { describePurchase, intent, purchase } from './purchases';
import { REGION_INFO, Slot, SLOTS } from './regions';
import { ANOMALY_RULES, isPurchaseCategory } from './anomaly-labels';
import type { AnomalyKind } from './types';

/** Chooses the days of each anomaly (Poisson per kind, times `anomalyRate`) and the account of each spike day. */
export function planAnomalies(g: UserContext): void {
  const r = g.o.anomalyRate;
  if (r <= 0 || g.o.days <= WARMUP + 1) return;
  const arng = g.arng;
  const span = g.o.days - WARMUP;
  const years = span / 365;
  const add = (kind: AnomalyKind, mean: number) => {
    const n = arng.poisson(mean * years * r);
    for (let i = 0; i < n; i++) {
      const d = WARMUP + arng.int(0, span - 1);
      const list = g.anomalyDays.get(d);
      if (list) list.push(kind);
      else g.anomalyDays.set(d, [kind]);
    }
  };
  add('amount_outlier', 5);
  add('new_merchant', 4);
  add('duplicate_charge', 4);
  const spikes = arng.poisson(2.5 * years * r);
  for (let i = 0; i < spikes; i++) {
    const d = WARMUP + arng.int(0, span - 1);
    const region = g.where[d]?.region ?? g.home;
    const info = REGION_INFO[region];
    // The account that carries most purchases in that country.
    const slot = region === 'US' ? Slot.A_CARD : info.dep;
    if (!g.spikeDays.has(d)) g.spikeDays.set(d, slot);
  }
}

/**
 * Labels a burst day: the day's purchases on the account plus a burst at known merchants. Purchases that a guard
 * would later trim (a big first visit, an amount far above the merchant's usual, a repeat within the duplicate
 * window) are dropped first, so that what is labelled is exactly what is committed.
 */
export function injectSpike(g: UserContext, d: number, slot: Slot): boolean {
  const arng = g.arng;
  const region = SLOTS[slot]?.region ?? g.home;
  const life = g.lives[region];
  const currency = life.info.currency;
  const mine = (it: Intent) => it.slot === slot && it.purchase && it.amount < 0 && it.anomaly === null;
  if (g.buffer.some((it) => mine(it) && it.recurring)) return false;
  const minNew = ANOMALY_RULES.newMerchantMin[currency] ?? 0;
  const kept: Intent[] = [];
  const risky = (it: Intent): boolean => {
    const m = it.merchant as Merchant;
    const key = mkey(m);
    if (!g.seen.has(key) && -it.amount >= NEW_GUARD * minNew * 0.9) return true;
    const h = g.history.get(key);
    if (h && h.sorted.length >= 1 && -it.amount > 2.5 * medianOf(h.sorted)) return true;
    if (visitedWithin(g, slot, m, it.ms, DUP_WINDOW)) return true;
    return kept.some((k) => k.merchant === m && Math.abs(k.ms - it.ms) <= DUP_WINDOW);
  };
  const candidatesToday = g.buffer.filter(mine).sort((a, b) => a.ms - b.ms || a.n - b.n);
  for (const it of candidatesToday) {
    if (risky(it)) {
      it.dropped = true;
      g.buffer.splice(g.buffer.indexOf(it), 1);
    } else kept.push(it);
  }
  const base = baseline(g, slot, d);
  const minTotal = ANOMALY_RULES.spike.minTotal[currency] ?? 0;
  const target = Math.max(5 * base, 1.3 * minTotal);
  let total = kept.reduce((sum, it) => sum - it.amount, 0);
  let count = kept.length;
  const known = [...g.history.values()].filter(
    (h) =>
      h.merchant.region === region &&
      !h.merchant.subscription &&
      !h.merchant.bill &&
      isPurchaseCategory(h.merchant.detailed) &&
      !kept.some((k) => k.merchant === h.merchant),
  );
  const candidates = arng.shuffle(known).sort((a, b) => medianOf(b.sorted) - medianOf(a.sorted));
  const burst: Intent[] = [];
  const loc = g.where[d] as Loc;
  for (const h of candidates) {
    if ((total >= target && count >= 7) || burst.length >= 16) break;
    const m = h.merchant;
    const second = sec(g, [[10, 21]], arng);
    const ms = instant(g, slot, d, second);
    if (visitedWithin(g, slot, m, ms, DUP_WINDOW)) continue;
    const med = medianOf(h.sorted);
    let amount = drawAmount(g, m, 1, d, arng);
    if (amount > 2 * med) amount = roundFor(m, med * 2);
    const it = purchase(g, life, m, amount, d, 'spike_burst', second, {
      loc,
      slot,
      anomaly: 'spend_spike',
      into: burst,
    });
    if (it.slot !== slot) {
      burst.pop();
      continue;
    }
    it.protect = true;
    total += amount;
    count++;
  }
  if (total < target || count < 7) return false;
  for (const it of kept) {
    it.anomaly = 'spend_spike';
    it.protect = true;
  }
  g.buffer.push(...burst);
  return true;
}

/** Injects one anomaly on day `d` from the user's history (none if the history does not allow it yet). */
export function injectAnomaly(g: UserContext, d: number, kind: AnomalyKind): void {
  const arng = g.arng;
  const loc = g.where[d] as Loc;
  if (kind === 'amount_outlier') {
    const candidates = [...g.history.values()].filter(
      (h) =>
        h.sorted.length >= 8 &&
        !h.merchant.subscription &&
        !h.merchant.bill &&
        h.merchant.region === loc.region,
    );
    if (!candidates.length) return;
    const h = arng.pick(candidates);
    const m = h.merchant;
    const life = g.lives[m.region];
    const slot = (h.entries[h.entries.length - 1] as { slot: Slot }).slot;
    const second = sec(g, [[10, 21]], arng);
    const ms = instant(g, slot, d, second);
    const prior = h.entries.filter((e) => e.ms < ms).map((e) => e.abs);
    if (prior.length < ANOMALY_RULES.outlier.minHistory) return;
    prior.sort((a, b) => a - b);
    // Far above the upper quartile and the maximum, so the label holds even if a prior purchase is later removed.
    const q75 = prior[Math.floor(prior.length * 0.75)] as number;
    const max = prior[prior.length - 1] as number;
    const amount = roundFor(m, Math.max(q75 * arng.range(6, 9), max * arng.range(2.5, 3)));
    if (visitedWithin(g, slot, m, ms, DUP_WINDOW)) return;
    const it = purchase(g, life, m, amount, d, 'outlier', second, {
      loc,
      slot,
      anomaly: 'amount_outlier',
      into: [],
    });
    if (it.slot !== slot) return;
    it.protect = true;
    commit(g, it, d);
  } else if (kind === 'new_merchant') {
    const life = g.lives[loc.region];
    const pool: Merchant[] = [];
    for (const cat of [
      'GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES',
      'GENERAL_MERCHANDISE_ELECTRONICS',
      'GENERAL_MERCHANDISE_DEPARTMENT_STORES',
      'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE',
      'HOME_IMPROVEMENT_FURNITURE',
    ]) {
      for (const m of chainMerchants(loc.region, cat))
        if (m.unusual && !g.seen.has(mkey(m)) && !g.usedUnusual.has(m.key)) pool.push(m);
    }
    if (!pool.length) return;
    const m = arng.pick(pool);
    g.usedUnusual.add(m.key);
    const min = ANOMALY_RULES.newMerchantMin[life.info.currency] ?? 0;
    const amount = roundFor(m, Math.max(drawAmount(g, m, 1, d, arng), min * arng.range(1.5, 3)));
    const slot = life.info.card ?? life.info.dep;
    const it = purchase(g, life, m, amount, d, 'new_merchant', sec(g, [[11, 20]], arng), {
      loc,
      slot,
      anomaly: 'new_merchant',
      into: [],
    });
    it.protect = true;
    it.first = true;
    commit(g, it, d);
  } else if (kind === 'duplicate_charge') {
    const today = g.intents.filter(
      (it) =>
        it.day === d &&
        it.purchase &&
        it.anomaly === null &&
        it.amount < 0 &&
        it.merchant !== null &&
        !it.protect &&
        !it.recurring,
    );
    for (const orig of arng.shuffle(today)) {
      const m = orig.merchant as Merchant;
      const ms = orig.ms + arng.int(60, 600) * 1000;
      const localSecond = Math.floor((ms - instant(g, orig.slot, d, 0)) / 1000);
      if (localSecond >= 86_400) continue;
      if (
        visitedWithin(g, orig.slot, m, ms, DUP_WINDOW, orig.ms) ||
        visitedWithin(g, orig.slot, m, orig.ms, DUP_WINDOW, orig.ms)
      )
        continue;
      const dup = intent(g, orig.slot, d, localSecond, orig.amount, orig.detailed, orig.pattern);
      dup.ms = ms;
      dup.merchant = m;
      dup.merchantName = orig.merchantName;
      dup.card = orig.card;
      dup.style = orig.style;
      dup.place = orig.place;
      dup.purchase = true;
      dup.hold = orig.hold === 'tip' ? null : orig.hold;
      dup.anomaly = 'duplicate_charge';
      dup.dupOf = orig;
      dup.protect = orig.protect = true;
      if (orig.style === 'c_upi' || orig.style === 'c_paytm') describePurchase(g, dup, m, arng);
      else {
        dup.description = orig.description;
        dup.pendingDescription = orig.pendingDescription;
      }
      commit(g, dup, d);
      return;
    }
  }
}
