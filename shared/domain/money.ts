/**
 * Money is an integer number of minor units with its ISO 4217 currency. Never float arithmetic on amounts:
 * parsing and formatting go through strings, and arithmetic stays on safe integers.
 * Sign convention: negative is money leaving the account.
 */
export interface Money {
  /** Integer minor units (cents, paise). */
  readonly minor: number;
  readonly currency: string;
}

/** ISO 4217 minor-unit exponents for the currencies we handle; everything else defaults to 2. */
const EXPONENTS: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  BHD: 3,
  KWD: 3,
  JOD: 3,
  OMR: 3,
  TND: 3,
};

export function exponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

export class MoneyError extends Error {
  override name = 'MoneyError';
}

export function money(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`minor units must be a safe integer, got ${minor}`);
  if (!/^[A-Z]{3}$/.test(currency))
    throw new MoneyError(`currency must be an ISO 4217 code, got ${currency}`);
  return { minor, currency };
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a plain decimal string ("-12.34", "1200", "0.5") into minor units, exactly. More fraction digits than
 * the currency has is an error, not a rounding.
 */
export function parseDecimal(text: string, currency: string): Money {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new MoneyError(`not a decimal amount: ${JSON.stringify(text)}`);
  const [, sign, whole, frac = ''] = m;
  const exp = exponent(currency);
  if (frac.length > exp)
    throw new MoneyError(`${currency} has ${exp} decimal places; got ${JSON.stringify(text)}`);
  const digits = `${whole}${frac.padEnd(exp, '0')}`.replace(/^0+(?=\d)/, '');
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`amount out of range: ${text}`);
  return money(sign === '-' && minor !== 0 ? -minor : minor, currency);
}

/** The API's decimal string: "-12.34", "0.00", "1200.00". */
export function formatDecimal(m: Money): string {
  const exp = exponent(m.currency);
  const abs = Math.abs(m.minor)
    .toString()
    .padStart(exp + 1, '0');
  const whole = exp ? abs.slice(0, -exp) : abs;
  const frac = exp ? `.${abs.slice(-exp)}` : '';
  return `${m.minor < 0 ? '-' : ''}${whole}${frac}`;
}

/** Exact conversion of a float in major units (as some banks send) to minor units, rounding half away from zero. */
export function fromMajorFloat(value: number, currency: string): Money {
  if (!Number.isFinite(value)) throw new MoneyError(`not a finite amount: ${value}`);
  // toFixed gives the decimal text of the float; parsing text avoids binary-float multiplication error.
  const text = Math.abs(value).toFixed(exponent(currency) + 2);
  const exp = exponent(currency);
  const [whole = '0', frac = ''] = text.split('.');
  const kept = Number(`${whole}${frac.slice(0, exp)}`);
  const roundUp = Number(frac.slice(exp)) >= 50;
  const minor = kept + (roundUp ? 1 : 0);
  return money(value < 0 && minor !== 0 ? -minor : minor, currency);
}

export function add(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new MoneyError(`cannot add ${a.currency} and ${b.currency}`);
  return money(a.minor + b.minor, a.currency);
}

export function negate(a: Money): Money {
  return money(a.minor === 0 ? 0 : -a.minor, a.currency);
}

export function sum(items: Money[], currency: string): Money {
  return items.reduce((acc, m) => add(acc, m), money(0, currency));
}

/** { amount: "-12.34", currency: "USD" } as the API shows money. */
export function toApi(m: Money): { amount: string; currency: string } {
  return { amount: formatDecimal(m), currency: m.currency };
}
