/**
 * Intents at merchants: the blank intent every step starts from, and purchases (the account and channel, the
 * description in the bank's words, holds for tips, fuel and hotels) and subscription charges on a card.
 */
import { instant, sec } from './calendar';
import type { Merchant } from './merchants';
import { homeLoc, type Life, type Loc, type UserContext } from './context';
import * as D from './describe';
import type { Intent, Style } from './intent';
import type { Rng } from './prng';
import { Slot, SLOTS } from './regions';
import { isPurchaseCategory } from './anomaly-labels';
import { civilFromDays, daysFromCivil } from './time';
import type { AnomalyKind } from './types';

/** A blank intent on an account: the next sequence number and its instant; every builder starts here. */
export function intent(
  g: UserContext,
  slot: Slot,
  day: number,
  second: number,
  amount: number,
  detailed: string,
  pattern: string,
): Intent {
  return {
    n: g.counter++,
    slot,
    day,
    ms: instant(g, slot, day, second),
    amount,
    detailed,
    merchant: null,
    merchantName: null,
    pattern,
    card: false,
    style: 'text',
    place: g.lives[SLOTS[slot]?.region ?? 'US'].place,
    description: '',
    pendingDescription: '',
    hold: null,
    purchase: false,
    anomaly: null,
    dupOf: null,
    pair: null,
    protect: false,
    first: false,
    droppable: false,
    recurring: false,
    refundable: false,
    refundOf: null,
    dropped: false,
    id: '',
  };
}

/** A store number of `width` digits: each merchant has one to three per user. */
export function storeNumber(g: UserContext, m: Merchant, width: number): string {
  const key = `${m.key}|${width}`;
  let list = g.stores.get(key);
  if (!list) {
    const n = g.rng.int(1, 3);
    list = [];
    for (let i = 0; i < n; i++) list.push(`${g.rng.int(1, 9)}${g.rng.digits(width - 1)}`);
    g.stores.set(key, list);
  }
  return g.rng.pick(list);
}

/** Chooses the account and channel of a purchase in a country. */
function channel(g: UserContext, life: Life, m: Merchant, forced: Slot | null): { slot: Slot; style: Style } {
  const rng = g.rng;
  const region = life.region;
  if (region === 'US') {
    if (forced === Slot.A_CHK) return { slot: Slot.A_CHK, style: 'a_debit' };
    if (forced === Slot.A_CARD) return { slot: Slot.A_CARD, style: 'a_card' };
    const debit = m.online ? 0.1 : g.persona === 'student' ? 0.5 : 0.28;
    return rng.chance(debit)
      ? { slot: Slot.A_CHK, style: 'a_debit' }
      : { slot: Slot.A_CARD, style: 'a_card' };
  }
  if (region === 'GB') return { slot: Slot.B_CUR, style: 'b_debit' };
  if (forced === Slot.C_CARD) return { slot: Slot.C_CARD, style: 'c_card' };
  if (forced === Slot.C_SAV) return { slot: Slot.C_SAV, style: 'c_upi' };
  const r = rng.next();
  if (m.online)
    return r < 0.25
      ? { slot: Slot.C_SAV, style: 'c_paytm' }
      : r < 0.6
        ? { slot: Slot.C_CARD, style: 'c_card' }
        : { slot: Slot.C_SAV, style: 'c_upi' };
  return r < 0.68
    ? { slot: Slot.C_SAV, style: 'c_upi' }
    : r < 0.9
      ? { slot: Slot.C_CARD, style: 'c_card' }
      : { slot: Slot.C_SAV, style: 'c_debit' };
}

/** Sets a purchase's posted and pending descriptions in its style (bank and channel). */
export function describePurchase(g: UserContext, it: Intent, m: Merchant, rng: Rng): void {
  const template = rng.pick(m.templates);
  const core = D.renderTemplate(template, rng, (w) => storeNumber(g, m, w), it.place);
  const card = g.cardStyle[it.slot] as D.CardStyle;
  switch (it.style) {
    case 'a_card': {
      const d = D.bankACard(core, it.place, m.online);
      it.description = d.posted;
      it.pendingDescription = d.pending;
      break;
    }
    case 'a_debit': {
      const d = D.bankADebit(core, it.place, m.online, card);
      it.description = d.posted;
      it.pendingDescription = d.pending;
      break;
    }
    case 'b_debit':
      it.description = it.pendingDescription = D.bankBDebit(core, it.place, m.online);
      break;
    case 'c_card':
      it.description = it.pendingDescription = D.bankCCard(core, it.place, m.online);
      break;
    case 'c_debit':
      it.description = it.pendingDescription = D.bankCDebit(core, card);
      break;
    case 'c_paytm':
      it.description = it.pendingDescription = D.paytm(core);
      break;
    case 'c_upi': {
      const c = civilFromDays(g.o.startDays + it.day);
      const doy = g.o.startDays + it.day - daysFromCivil(c.year, 1, 1) + 1;
      it.description = it.pendingDescription = D.upi('DR', D.upiRef(rng, c.year, doy), core, m.vpa);
      break;
    }
    case 'text':
      it.description = it.pendingDescription = core;
      break;
  }
}

/** A purchase at a merchant (amount positive), added to today's buffer (or the given list). */
export function purchase(
  g: UserContext,
  life: Life,
  m: Merchant,
  amountAbs: number,
  day: number,
  pattern: string,
  second: number,
  opts: {
    loc: Loc;
    slot: Slot | null;
    anomaly?: AnomalyKind;
    recurring?: boolean;
    droppable?: boolean;
    into?: Intent[];
  },
): Intent {
  const { slot, style } = channel(g, life, m, opts.slot);
  const it = intent(g, slot, day, second, -amountAbs, m.detailed, pattern);
  it.merchant = m;
  it.merchantName = m.name;
  it.style = style;
  it.card =
    style === 'a_card' ||
    style === 'a_debit' ||
    style === 'b_debit' ||
    style === 'c_card' ||
    style === 'c_debit';
  it.place = opts.loc.region === life.region ? opts.loc.place : life.place;
  it.purchase = isPurchaseCategory(m.detailed);
  it.anomaly = opts.anomaly ?? null;
  it.recurring = opts.recurring ?? false;
  it.droppable = opts.droppable ?? false;
  it.refundable = m.refundable;
  if (it.card) it.hold = m.tipped ? 'tip' : m.fuel && life.region !== 'IN' ? 'fuel' : m.hold ? 'hold' : null;
  describePurchase(g, it, m, g.rng);
  (opts.into ?? g.buffer).push(it);
  return it;
}

/** A subscription charged to the card (or the everyday account) at night, never with a hold. */
export function subscriptionCharge(
  g: UserContext,
  life: Life,
  m: Merchant,
  day: number,
  amount: number,
  pattern: string,
): void {
  const slot = life.info.card ?? life.info.dep;
  const it = purchase(g, life, m, amount, day, pattern, sec(g, [[0, 6]]), {
    loc: homeLoc(g),
    slot,
    recurring: true,
  });
  it.hold = null;
}
