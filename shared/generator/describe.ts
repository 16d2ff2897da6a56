/**
 * Raw descriptions in each bank's own style. Card descriptors come from the merchant's template; everything else
 * (ACH, direct debits, UPI, NEFT, transfers, ATM, fees) is written here. String building only: no regexes.
 */
import type { Piece } from './merchants';
import type { Rng } from './prng';

export interface Place {
  city: string;
  state: string;
}

/** Renders a template; `store(width)` gives the store number to use for a `{sN}` placeholder. */
export function renderTemplate(
  pieces: readonly Piece[],
  rng: Rng,
  store: (width: number) => string,
  place: Place,
): string {
  let out = '';
  for (const p of pieces) {
    if (typeof p === 'string') out += p;
    else if (p.t === 'city') out += place.city;
    else if (p.t === 's') out += store(p.n);
    else if (p.t === 'r') out += rng.alnum(p.n);
    else out += rng.digits(p.n);
  }
  return out;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export interface CardStyle {
  /** The card's last four digits. */
  last4: string;
  /** First six digits (IN POS style). */
  bin: string;
}

/** bank_a credit card: the network descriptor, then city and state once posted (in-person purchases). */
export function bankACard(core: string, place: Place, online: boolean): { pending: string; posted: string } {
  return { pending: core, posted: online ? core : `${core} ${place.city} ${place.state}` };
}

/** bank_a checking, debit card: `POS DEBIT 1234 WHOLEFDS MKT #10234 NEW YORK NY`. */
export function bankADebit(
  core: string,
  place: Place,
  online: boolean,
  card: CardStyle,
): { pending: string; posted: string } {
  const base = `POS DEBIT ${card.last4} ${core}`;
  return { pending: base, posted: online ? base : `${base} ${place.city} ${place.state}` };
}

/** bank_b current account, debit card: `POS DEBIT PRET A MANGER 0412 LONDON`. */
export function bankBDebit(core: string, place: Place, online: boolean): string {
  return online ? `POS DEBIT ${core}` : `POS DEBIT ${core} ${place.city}`;
}

/** bank_c credit card: merchant name, city and country as Indian card statements print them. */
export function bankCCard(core: string, place: Place, online: boolean): string {
  return online
    ? `${core} ${place.city === 'MUMBAI' ? 'MUMBAI' : 'BANGALORE'} IN`
    : `${core} ${place.city} IN`;
}

/** bank_c savings account, debit card at a terminal: `POS 4021XXXXXX1234 INDIAN OIL`. */
export function bankCDebit(core: string, card: CardStyle): string {
  return `POS ${card.bin}XXXXXX${card.last4} ${core}`;
}

const PSP_BANK: Record<string, string> = {
  ybl: 'YESB',
  paytm: 'PYTM',
  okaxis: 'UTIB',
  okicici: 'ICIC',
  icici: 'ICIC',
  axl: 'UTIB',
  axisbank: 'UTIB',
  apl: 'UTIB',
  ibl: 'INDB',
  hdfcbank: 'HDFC',
  okhdfcbank: 'HDFC',
  sbi: 'SBIN',
  oksbi: 'SBIN',
  rjio: 'RJIO',
  airtel: 'AIRP',
};

/** A UPI reference number (RRN): last digit of the year, day of year, then eight digits. */
export function upiRef(rng: Rng, year: number, dayOfYear: number): string {
  return `${year % 10}${String(dayOfYear).padStart(3, '0')}${rng.digits(8)}`;
}

/** `UPI/DR/412345678901/SWIGGY/YESB/swiggy@ybl` (payer side) or `UPI/CR/...` (payee side). */
export function upi(direction: 'DR' | 'CR', ref: string, payee: string, vpa: string): string {
  const at = vpa.indexOf('@');
  const handle = at >= 0 ? vpa.slice(at + 1) : '';
  const bank = PSP_BANK[handle] ?? 'NPCI';
  const name = payee.length > 20 ? payee.slice(0, 20).trimEnd() : payee;
  return `UPI/${direction}/${ref}/${name}/${bank}/${vpa}`;
}

/** Payments through the Paytm gateway: `PAYTM*FLIPKART INTERNET`. */
export function paytm(core: string): string {
  return `PAYTM*${core}`;
}

/** US ACH debit: `CON ED OF NY BILL PYMT PPD ID: 9100000026`. */
export function achDebit(company: string, entry: string, secCode: 'PPD' | 'WEB' | 'CCD', id: string): string {
  return `${company} ${entry} ${secCode} ID: ${id}`;
}

/** US ACH credit (payroll, payouts): `ACME CORP PAYROLL PPD ID: 1234567890`. */
export function achCredit(company: string, entry: string, id: string): string {
  return `${company} ${entry} PPD ID: ${id}`;
}

/** Indian NEFT credit: `NEFT CR-HDFC0000001-INFOSYS LTD-SALARY MAR`. */
export function neftCredit(ifsc: string, sender: string, note: string): string {
  return `NEFT CR-${ifsc}-${sender}-${note}`;
}

/** Indian bill payment through net banking: `BIL/BPAY/001234567890/BESCOM BANGALORE`. */
export function billPay(kind: 'BPAY' | 'ONL', ref: string, biller: string): string {
  return `BIL/${kind}/${ref}/${biller}`;
}

/** Indian NACH (auto-debit mandate): `ACH D- LIFE INSURANCE CORPN-0012345678`. */
export function nach(company: string, ref: string): string {
  return `ACH D- ${company}-${ref}`;
}

/** UK direct debit: `DD BRITISH GAS`. */
export function directDebit(company: string, ref: string | null): string {
  return ref ? `DD ${company} ${ref}` : `DD ${company}`;
}

/** UK standing order: `SO FOXTONS RENT FLAT 4`. */
export function standingOrder(payee: string, ref: string): string {
  return `SO ${payee} ${ref}`;
}

export function bacsCredit(company: string, ref: string): string {
  return `BACS CREDIT ${company} ${ref}`;
}

export function fpsOut(name: string, ref: string): string {
  return `FPS PAYMENT ${name} ${ref}`;
}

export function fpsIn(name: string, ref: string): string {
  return `FPS CREDIT ${name} ${ref}`;
}

/** `MM/DD` as US statements print dates inside descriptions. */
export function mmdd(month: number, day: number): string {
  return `${pad2(month)}/${pad2(day)}`;
}

/** `DD-MM-YYYY`. */
export function ddmmyyyy(year: number, month: number, day: number): string {
  return `${pad2(day)}-${pad2(month)}-${year}`;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

export function monthAbbrev(month: number): string {
  return MONTHS[month - 1] ?? 'JAN';
}

/**
 * A degraded version of a description, as banks first send some of them before correcting: cut short, or with the
 * words run together. Always differs from the input.
 */
export function degrade(description: string, rng: Rng): string {
  if (description.length > 14 && rng.chance(0.6)) {
    const cut = Math.max(8, Math.min(description.length - 3, 10 + Math.floor(rng.next() * 8)));
    return description.slice(0, cut).trimEnd();
  }
  const space = description.indexOf(' ', 3);
  if (space > 0) return description.slice(0, space) + description.slice(space + 1);
  return `${description} *`;
}
