/**
 * Money between people and between the user's own accounts: person-to-person payments (Zelle/Venmo, Faster
 * Payments, UPI), own-account transfers with both legs (card payments, sweeps, top-ups, remittances through Wise),
 * and intents that land on a later day.
 */
import { sec } from './calendar';
import type { Life, UserContext } from './context';
import * as D from './describe';
import type { Intent } from './intent';
import { titleCase } from './payments';
import { intent } from './purchases';
import { convert, REGION_INFO, type Slot, SLOTS } from './regions';
import { civilFromDays, daysFromCivil } from './time';

/** Money in from a person (Zelle/Venmo, Faster Payments, UPI). */
export function p2pIn(
  g: UserContext,
  life: Life,
  day: number,
  amount: number,
  from: string,
  pattern: string,
): void {
  const it = intent(
    g,
    life.info.dep,
    day,
    sec(g, [[8, 22]]),
    amount,
    'TRANSFER_IN_ACCOUNT_TRANSFER',
    pattern,
  );
  it.protect = true;
  describeP2p(g, it, life, from, 'in');
  g.buffer.push(it);
}

/** Money out to a person (Zelle/Venmo, Faster Payments, UPI). */
export function p2pOut(
  g: UserContext,
  life: Life,
  day: number,
  amount: number,
  to: string,
  pattern: string,
): void {
  const it = intent(
    g,
    life.info.dep,
    day,
    sec(g, [[9, 23]]),
    -amount,
    'TRANSFER_OUT_ACCOUNT_TRANSFER',
    pattern,
  );
  it.protect = true;
  describeP2p(g, it, life, to, 'out');
  g.buffer.push(it);
}

/** A person-to-person payment in its bank's words. */
function describeP2p(g: UserContext, it: Intent, life: Life, who: string, dir: 'in' | 'out'): void {
  const rng = g.rng;
  const c = civilFromDays(g.o.startDays + it.day);
  if (life.region === 'US') {
    const title = titleCase(who);
    it.description = rng.chance(0.6)
      ? dir === 'out'
        ? `Zelle payment to ${title} JPM${rng.alnum(9)}`
        : `Zelle payment from ${title} BAC${rng.alnum(9)}`
      : dir === 'out'
        ? D.achDebit('VENMO', 'PAYMENT', 'WEB', '3264681992')
        : D.achCredit('VENMO', 'CASHOUT', '5264681992');
  } else if (life.region === 'GB') {
    it.description =
      dir === 'out'
        ? D.fpsOut(who, rng.pick(['DINNER', 'THANKS', 'RENT SHARE', 'TICKETS', 'GIFT']))
        : D.fpsIn(who, rng.pick(['THANKS', 'DINNER', 'GIFT', 'SUPPORT']));
  } else {
    const first = who.split(' ')[0]?.toLowerCase() ?? 'user';
    const vpa = `${first}${rng.digits(2)}@ok${rng.pick(['hdfcbank', 'axis', 'icici', 'sbi'])}`;
    const doy = g.o.startDays + it.day - daysFromCivil(c.year, 1, 1) + 1;
    it.description = D.upi(dir === 'out' ? 'DR' : 'CR', D.upiRef(rng, c.year, doy), who, vpa);
  }
  it.pendingDescription = it.description;
}

/**
 * Money between two of the user's own accounts: two legs, opposite signs, paired. Same bank: both legs at once;
 * another bank: the incoming leg a day later. Another currency: converted at the day's rate.
 */
export function transfer(
  g: UserContext,
  from: Slot,
  to: Slot,
  amountFrom: number,
  day: number,
  pattern: string,
  second?: number,
): void {
  if (amountFrom <= 0) return;
  const rng = g.rng;
  const fromInfo = SLOTS[from] as (typeof SLOTS)[number];
  const toInfo = SLOTS[to] as (typeof SLOTS)[number];
  const fromRegion = REGION_INFO[fromInfo.region];
  const toRegion = REGION_INFO[toInfo.region];
  const amountTo = convert(amountFrom, fromRegion.currency, toRegion.currency, day);
  if (amountTo <= 0) return;
  const sameBank = fromInfo.bank === toInfo.bank;
  const at = second ?? sec(g, [[6, 22]]);
  const out = intent(g, from, day, at, -amountFrom, '', pattern);
  const inDay = sameBank ? day : day + 1;
  const inn = intent(
    g,
    to,
    inDay,
    sameBank ? Math.min(86_399, at + 1) : sec(g, [[5, 12]]),
    amountTo,
    '',
    pattern,
  );
  const toCard = toInfo.type === 'credit';
  const toSavings = toInfo.subtype === 'savings' && fromInfo.bank === toInfo.bank;
  out.detailed = toCard
    ? 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'
    : toSavings
      ? 'TRANSFER_OUT_SAVINGS'
      : 'TRANSFER_OUT_ACCOUNT_TRANSFER';
  inn.detailed = toCard
    ? 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'
    : toSavings
      ? 'TRANSFER_IN_SAVINGS'
      : 'TRANSFER_IN_ACCOUNT_TRANSFER';
  out.pair = inn;
  inn.pair = out;
  out.protect = inn.protect = true;
  const fromMask = g.accounts[from]?.mask ?? '0000';
  const toMask = g.accounts[to]?.mask ?? '0000';
  const ref = rng.digits(11);
  const wise = rng.alnum(9);
  if (toCard) {
    if (fromInfo.bank === 'bank_a') {
      out.description = `ONLINE PAYMENT TO CARD ...${toMask} CONF# ${rng.alnum(8)}`;
      inn.description = rng.chance(0.5) ? 'AUTOMATIC PAYMENT - THANK YOU' : 'PAYMENT THANK YOU-MOBILE';
    } else {
      out.description = D.billPay('ONL', rng.digits(12), `CREDIT CARD ${toMask}`);
      inn.description = 'BBPS PAYMENT RECEIVED - THANK YOU';
    }
  } else if (sameBank) {
    if (fromInfo.bank === 'bank_a') {
      const f = fromInfo.subtype === 'savings' ? 'SAV' : 'CHK';
      const t = toInfo.subtype === 'savings' ? 'SAV' : 'CHK';
      out.description = `ONLINE TRANSFER TO ${t} ...${toMask} TRANSACTION#: ${ref}`;
      inn.description = `ONLINE TRANSFER FROM ${f} ...${fromMask} TRANSACTION#: ${ref}`;
    } else {
      out.description = `TRANSFER TO ${(g.accounts[to]?.name ?? '').toUpperCase()} ${toMask}`;
      inn.description = `TRANSFER FROM ${(g.accounts[from]?.name ?? '').toUpperCase()} ${fromMask}`;
    }
  } else {
    // Cross-border: through Wise, in each bank's words.
    out.description =
      fromInfo.bank === 'bank_a'
        ? D.achDebit('WISE US INC', 'WISE', 'WEB', '1453233521')
        : fromInfo.bank === 'bank_b'
          ? D.fpsOut('WISE PAYMENTS LTD', `P${wise}`)
          : `INTL OUTWARD REMIT/WISE/${wise}`;
    inn.description =
      toInfo.bank === 'bank_a'
        ? D.achCredit('WISE US INC', 'WISE', '1453233521')
        : toInfo.bank === 'bank_b'
          ? D.fpsIn('WISE PAYMENTS LTD', `P${wise}`)
          : D.neftCredit('CITI0000002', 'WISE PAYMENTS LIMITED', wise);
  }
  out.pendingDescription = out.description;
  inn.pendingDescription = inn.description;
  g.buffer.push(out);
  if (inDay === day) g.buffer.push(inn);
  else later(g, inDay, inn);
}

/** An intent of a later day (committed that day), or of after the period (kept as is). */
export function later(g: UserContext, day: number, it: Intent): void {
  if (day >= g.o.days) {
    // Past the period: it still happens (both legs of a transfer exist), outside daily bookkeeping.
    g.intents.push(it);
    return;
  }
  const list = g.future.get(day);
  if (list) list.push(it);
  else g.future.set(day, [it]);
}
