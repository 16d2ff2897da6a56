/**
 * Intents with payees that are not shops: bills (ACH, direct debit, standing order, NACH, UPI bill pay), income
 * (wages, payouts, invoices, refunds, interest), bank fees and investments, each described as its bank words it.
 */
import { sec } from './calendar';
import type { Merchant } from './merchants';
import type { Life, UserContext } from './context';
import * as D from './describe';
import type { Intent } from './intent';
import { hashString } from './prng';
import { intent, storeNumber } from './purchases';
import type { Slot } from './regions';
import { isPurchaseCategory } from './anomaly-labels';
import { civilFromDays, daysFromCivil } from './time';

const ACRONYMS = new Set([
  'IRS',
  'HMRC',
  'UK',
  'US',
  'NYU',
  'UCL',
  'HCL',
  'HDFC',
  'IBM',
  'TCS',
  'PVT',
  'LLC',
  'MF',
]);

/** `ACME CORP` → `Acme Corp`, keeping acronyms (`HDFC MUTUAL FUND` → `HDFC Mutual Fund`). */
export function titleCase(upper: string): string {
  return upper
    .split(' ')
    .map((w) => (ACRONYMS.has(w) || w.length <= 1 ? w : `${w.charAt(0)}${w.slice(1).toLowerCase()}`))
    .join(' ');
}

/** A bill paid from the everyday account by ACH / direct debit / standing order / UPI bill pay / NACH. */
export function bill(
  g: UserContext,
  life: Life,
  m: Merchant,
  day: number,
  amount: number,
  pattern: string,
): void {
  const rng = g.rng;
  const slot = life.info.dep;
  const it = intent(g, slot, day, sec(g, [[1, 7]]), -amount, m.detailed, pattern);
  it.merchant = m;
  it.merchantName = m.name;
  it.purchase = isPurchaseCategory(m.detailed);
  it.recurring = true;
  const core = D.renderTemplate(rng.pick(m.templates), rng, (w) => storeNumber(g, m, w), life.place);
  const id = String(1_000_000_000 + (hashString(m.key) % 8_999_999_999));
  if (life.region === 'US') {
    const entry =
      pattern === 'rent' || pattern === 'mortgage'
        ? 'WEB PMTS'
        : pattern === 'insurance'
          ? 'INS PREM'
          : pattern === 'loan'
            ? 'LOAN PMT'
            : pattern === 'tax'
              ? 'TAX PYMT'
              : pattern === 'tuition' || pattern === 'childcare'
                ? 'TUITION'
                : 'BILL PYMT';
    it.description = D.achDebit(core, entry, pattern === 'rent' ? 'WEB' : 'PPD', id);
  } else if (life.region === 'GB') {
    it.description =
      pattern === 'rent'
        ? D.standingOrder(core, `FLAT ${rng.int(1, 40)}`)
        : D.directDebit(core, rng.chance(0.5) ? rng.digits(9) : null);
  } else {
    const ref = rng.digits(12);
    if (
      pattern === 'insurance' ||
      pattern === 'loan' ||
      pattern === 'mortgage' ||
      pattern === 'childcare' ||
      pattern === 'tuition'
    ) {
      it.description = D.nach(core, rng.digits(10));
    } else if (pattern === 'rent' || rng.chance(0.4)) {
      const c = civilFromDays(g.o.startDays + day);
      it.description = D.upi(
        'DR',
        D.upiRef(rng, c.year, g.o.startDays + day - daysFromCivil(c.year, 1, 1) + 1),
        core,
        m.vpa,
      );
    } else {
      it.description = D.billPay('BPAY', ref, core);
    }
  }
  it.pendingDescription = it.description;
  g.buffer.push(it);
}

/** Money in from a payer: wages, payouts, invoices, loans, refunds, interest, in each bank's words. */
export function income(
  g: UserContext,
  life: Life,
  slot: Slot,
  day: number,
  amount: number,
  detailed: string,
  who: string | null,
  pattern: string,
  canonical?: string,
): void {
  const rng = g.rng;
  const it = intent(g, slot, day, sec(g, [[2, 7]]), amount, detailed, pattern);
  it.merchantName = canonical ?? (who === null ? null : titleCase(who));
  it.protect = true;
  const region = life.region;
  const c = civilFromDays(g.o.startDays + day);
  const id = String(1_000_000_000 + (((hashString(who ?? pattern) ^ g.seedHash) >>> 0) % 8_999_999_999));
  let text: string;
  if (pattern === 'interest') {
    text =
      region === 'US'
        ? 'INTEREST PAYMENT'
        : region === 'GB'
          ? 'INTEREST PAID'
          : `Int.Pd:${g.accounts[slot]?.mask}:${D.ddmmyyyy(c.year, c.month, 1)} to ${D.ddmmyyyy(c.year, c.month, c.day)}`;
  } else if (pattern === 'freelance_payout') {
    text =
      region === 'US'
        ? `STRIPE PAYOUT ST-${rng.alnum(12)}`
        : region === 'GB'
          ? D.bacsCredit('STRIPE PAYMENTS UK LTD', rng.alnum(8))
          : D.neftCredit(`YESB0000${rng.digits(3)}`, 'RAZORPAY SOFTWARE PVT', `PAYOUT ${rng.alnum(8)}`);
  } else if (pattern === 'student_loan') {
    text =
      region === 'US'
        ? D.achCredit('US DEPT OF ED', 'DISB', id)
        : D.bacsCredit('STUDENT LOANS CO', 'MAINT LOAN');
  } else if (pattern === 'tax_refund') {
    text =
      region === 'US'
        ? D.achCredit('IRS TREAS 310', 'TAX REF', '9111036036')
        : region === 'GB'
          ? D.bacsCredit('HMRC', 'PAYE REFUND')
          : D.neftCredit('SBIN0000001', 'ITD TAX REFUND', rng.digits(9));
  } else if (pattern === 'invoice') {
    text =
      region === 'US'
        ? `${who} PAYMENT CCD ID: ${id}`
        : region === 'GB'
          ? D.fpsIn(who ?? '', `INV ${rng.int(1000, 9999)}`)
          : D.neftCredit(`HDFC0000${rng.digits(3)}`, who ?? '', `INV ${rng.int(1000, 9999)}`);
  } else {
    // Wages.
    const entry = pattern === 'bonus' ? 'BONUS' : region === 'US' && rng.chance(0.3) ? 'DIR DEP' : 'PAYROLL';
    text =
      region === 'US'
        ? D.achCredit(who ?? '', entry, id)
        : region === 'GB'
          ? D.bacsCredit(who ?? '', pattern === 'bonus' ? 'BONUS' : 'SALARY')
          : D.neftCredit(
              `HDFC0000${String(hashString(who ?? '') % 1000).padStart(3, '0')}`,
              who ?? '',
              `${pattern === 'bonus' ? 'BONUS' : 'SALARY'} ${D.monthAbbrev(c.month)}`,
            );
  }
  it.description = it.pendingDescription = text;
  g.buffer.push(it);
}

/** A bank fee on an account (service, annual, GST, SMS, ATM, overdraft). */
export function fee(
  g: UserContext,
  life: Life,
  slot: Slot,
  day: number,
  amount: number,
  detailed: string,
  pattern: string,
  into?: Intent[],
): Intent {
  const it = intent(g, slot, day, sec(g, [[0, 5]]), -amount, detailed, pattern);
  it.protect = true;
  const r = life.region;
  const text =
    pattern === 'service_fee'
      ? 'MONTHLY SERVICE FEE'
      : pattern === 'annual_fee'
        ? r === 'IN'
          ? 'ANNUAL FEE'
          : 'ANNUAL MEMBERSHIP FEE'
        : pattern === 'gst_on_fee'
          ? 'IGST ON ANNUAL FEE'
          : pattern === 'sms_charges'
            ? 'SMS CHGS QTR INCL GST'
            : pattern === 'atm_fee'
              ? r === 'US'
                ? 'NON-BANK ATM FEE'
                : 'ATM WDL CHGS INCL GST'
              : r === 'GB'
                ? 'UNARRANGED OVERDRAFT FEE'
                : 'OVERDRAFT FEE';
  it.description = it.pendingDescription = text;
  (into ?? g.buffer).push(it);
  return it;
}

/** A monthly transfer to a broker or mutual fund (not an account of the user). */
export function investment(g: UserContext, life: Life, day: number, amount: number, broker: string): void {
  const it = intent(
    g,
    life.info.dep,
    day,
    sec(g, [[2, 8]]),
    -amount,
    'TRANSFER_OUT_INVESTMENT_AND_RETIREMENT_FUNDS',
    'investment',
  );
  it.merchantName = titleCase(broker);
  it.protect = true;
  const id = String(1_000_000_000 + (hashString(broker) % 8_999_999_999));
  it.description = it.pendingDescription =
    life.region === 'US'
      ? D.achDebit(broker, 'TRANSFER', 'WEB', id)
      : life.region === 'GB'
        ? D.directDebit(broker, null)
        : D.nach(`${broker} SIP`, g.rng.digits(10));
  g.buffer.push(it);
}
