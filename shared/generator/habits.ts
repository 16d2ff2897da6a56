/**
 * Everyday life, one day at a time: habits (coffee, groceries, rides... at Poisson rates shaped by persona, weekday,
 * month and trips, at the user's regular merchants or new ones), twin purchases, refunds, person-to-person payments,
 * deposits and ATM withdrawals with their fees.
 */
import { drawAmount } from './amounts';
import { HOUR, instant, sec } from './calendar';
import { REGIONS } from './merchants';
import type { Loc, UserContext } from './context';
import * as D from './describe';
import type { Intent } from './intent';
import { mkey, NEW_GUARD, WARMUP } from './ledger';
import { pickMerchant } from './merchant-pools';
import { fee } from './payments';
import { FIRST_NAMES, LAST_NAMES } from './names';
import { HABITS } from './personas';
import { describePurchase, intent, purchase } from './purchases';
import { Slot } from './regions';
import { ANOMALY_RULES, isPurchaseCategory } from './anomaly-labels';
import { civilFromDays, weekday } from './time';
import { later, p2pIn, p2pOut } from './transfers';

/**
 * A day's habit purchases in every country (mostly where the user is), twin purchases, refunds, person-to-person
 * payments and deposits.
 */
export function dailyHabits(g: UserContext, d: number): void {
  const rng = g.rng;
  const c = civilFromDays(g.o.startDays + d);
  const wd = weekday(g.o.startDays + d);
  const loc = g.where[d] as Loc;
  for (const region of REGIONS) {
    const life = g.lives[region];
    const here = loc.region === region;
    for (const h of HABITS) {
      if (h.needs === 'car' && !g.traits.car && !(here && loc.trip)) continue;
      if (h.needs === 'pet' && !g.traits.pet) continue;
      if (h.needs === 'gambler' && !g.traits.gambler) continue;
      if (h.needs === 'smoker' && !g.traits.smoker) continue;
      let factor: number;
      if (here) factor = loc.trip ? h.travel : 1;
      else if (region === g.home) factor = h.pattern === 'online_shopping' ? 0.6 : 0.03;
      else factor = h.travel > 0 && h.pattern !== 'transit' && h.pattern !== 'fuel' ? 0.1 : 0;
      if (factor <= 0) continue;
      const mean = h.rate[g.persona] * (h.dow[wd] as number) * (h.months[c.month - 1] as number) * factor;
      const count = rng.poisson(mean);
      for (let i = 0; i < count; i++) {
        const cat = (h.cats[rng.weighted(h.cats.map((x) => x[1]))] as readonly [string, number])[0];
        let m = pickMerchant(g, life, h, cat, loc);
        if (!m) continue;
        const scale = h.scale?.[g.persona] ?? 1;
        let amount = drawAmount(g, m, scale, d);
        // Keep first visits after the warm-up small (new-merchant rule): prefer a regular merchant instead.
        const min = ANOMALY_RULES.newMerchantMin[life.info.currency] ?? 0;
        if (d >= WARMUP && !g.seen.has(mkey(m)) && amount >= NEW_GUARD * min && isPurchaseCategory(cat)) {
          const favs = life.favorites.get(`${h.pattern}|${cat}|`) ?? [];
          const known = favs.filter((f) => g.seen.has(mkey(f)));
          if (known.length) {
            m = rng.pick(known);
            amount = drawAmount(g, m, scale, d);
          }
        }
        const second = sec(g, h.hours);
        const it = purchase(g, life, m, amount, d, h.pattern, second, {
          loc,
          slot: null,
          droppable: true,
        });
        // Two identical purchases on one day (the morning and the afternoon coffee): not duplicates.
        if (m.quick && rng.chance(0.12) && second < 18 * HOUR) {
          const again: Intent = {
            ...it,
            n: g.counter++,
            ms: instant(g, it.slot, d, second + rng.int(2 * HOUR, 5 * HOUR)),
          };
          if (it.style === 'c_upi') describePurchase(g, again, m, rng);
          again.droppable = false;
          it.protect = again.protect = true;
          g.buffer.push(again);
        }
        if (m.refundable && rng.chance(0.05)) {
          const back = d + rng.int(3, 20);
          if (back < g.o.days)
            refundLater(g, it, back, rng.chance(0.7) ? amount : Math.round(amount * rng.range(0.2, 0.8)));
        }
      }
    }
  }
  // Person-to-person payments at home.
  const home = g.lives[g.home];
  const friend = () => `${rng.pick(FIRST_NAMES[g.home])} ${rng.pick(LAST_NAMES[g.home])}`.toUpperCase();
  const p2pScale = g.home === 'IN' ? 40 : 1;
  if (rng.chance(0.04)) p2pOut(g, home, d, Math.round(rng.range(10, 120) * 100 * p2pScale), friend(), 'p2p');
  if (rng.chance(0.03)) p2pIn(g, home, d, Math.round(rng.range(10, 90) * 100 * p2pScale), friend(), 'p2p');
  if (g.home === 'US' && rng.chance(0.01)) {
    const it = intent(
      g,
      Slot.A_CHK,
      d,
      sec(g, [[9, 20]]),
      rng.int(50, 600) * 100,
      'TRANSFER_IN_DEPOSIT',
      'deposit',
    );
    it.description = it.pendingDescription = `REMOTE ONLINE DEPOSIT # ${rng.int(1, 9)}`;
    it.protect = true;
    g.buffer.push(it);
  }
}

/** A refund of a purchase on a later day, in full or in part. */
function refundLater(g: UserContext, orig: Intent, day: number, amountAbs: number): void {
  const it = intent(g, orig.slot, day, sec(g, [[6, 22]]), amountAbs, orig.detailed, 'refund');
  it.merchant = orig.merchant;
  it.merchantName = orig.merchantName;
  it.card = orig.card;
  it.style = orig.style;
  it.place = orig.place;
  it.description = orig.style === 'c_upi' ? orig.description.replace('UPI/DR/', 'UPI/CR/') : orig.description;
  it.pendingDescription = orig.style === 'c_upi' ? it.description : orig.pendingDescription;
  it.protect = true;
  it.refundOf = orig;
  orig.protect = true;
  later(g, day, it);
}

/** ATM withdrawals (and their fees). */
export function atmWithdrawal(g: UserContext, d: number): void {
  const rng = g.rng;
  const loc = g.where[d] as Loc;
  const life = g.lives[loc.region];
  const r = loc.region;
  const rateByRegion = r === 'US' ? 0.03 : r === 'GB' ? 0.04 : 0.06;
  if (!rng.chance(rateByRegion * (g.persona === 'student' ? 1.4 : 1))) return;
  const slot = life.info.dep;
  const amounts =
    r === 'US'
      ? [4000, 6000, 8000, 10_000, 14_000, 20_000]
      : r === 'GB'
        ? [2000, 3000, 5000, 10_000]
        : [50_000, 100_000, 200_000, 300_000, 500_000];
  let amount = rng.pick(amounts);
  const outOfNetwork = r === 'US' && rng.chance(0.35);
  if (outOfNetwork) amount += rng.int(250, 399);
  const it = intent(g, slot, d, sec(g, [[8, 23]]), -amount, 'TRANSFER_OUT_WITHDRAWAL', 'atm');
  const c = civilFromDays(g.o.startDays + d);
  const place = loc.place;
  it.place = place;
  it.protect = true;
  it.description = it.pendingDescription =
    r === 'US'
      ? `${outOfNetwork ? 'NON-BANK ' : ''}ATM WITHDRAWAL ${rng.digits(6)} ${D.mmdd(c.month, c.day)} ${rng.int(1, 999)} ${rng.pick(['BROADWAY', 'MAIN ST', 'MARKET ST', '5TH AVE', 'STATE ST', 'PINE ST'])} ${place.city} ${place.state}`
      : r === 'GB'
        ? `CASH WITHDRAWAL ${rng.pick(['LINK', 'NOTEMACHINE', 'BANK OF SCOTLAND', 'HSBC'])} ${place.city}`
        : `ATM WDL/${rng.alnum(8)}/${place.city}`;
  g.buffer.push(it);
  if (outOfNetwork) fee(g, life, slot, d, 300, 'BANK_FEES_ATM_FEES', 'atm_fee');
  if (r === 'IN') {
    const key = `${c.year}-${c.month}`;
    const n = (g.atmCount.get(key) ?? 0) + 1;
    g.atmCount.set(key, n);
    if (n > 5) fee(g, life, slot, d, 2360, 'BANK_FEES_ATM_FEES', 'atm_fee');
  }
}
