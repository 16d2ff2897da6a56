import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  exponent,
  formatDecimal,
  fromMajorFloat,
  money,
  parseDecimal,
  MoneyError,
} from '../../../shared/domain/money';

const currency = fc.constantFrom('USD', 'INR', 'EUR', 'JPY', 'KWD');
const minor = fc.integer({ min: -1e13, max: 1e13 });

describe('money', () => {
  it('formats and parses decimal strings exactly (round trip)', () => {
    fc.assert(
      fc.property(minor, currency, (m, c) => {
        const text = formatDecimal(money(m, c));
        expect(parseDecimal(text, c)).toEqual(money(m, c));
        expect(text).toMatch(exponent(c) ? new RegExp(`^-?\\d+\\.\\d{${exponent(c)}}$`) : /^-?\d+$/);
      }),
    );
  });

  it('knows the usual shapes', () => {
    expect(formatDecimal(money(-1234, 'USD'))).toBe('-12.34');
    expect(formatDecimal(money(5, 'USD'))).toBe('0.05');
    expect(formatDecimal(money(0, 'USD'))).toBe('0.00');
    expect(formatDecimal(money(1200, 'JPY'))).toBe('1200');
    expect(parseDecimal('12.3', 'USD').minor).toBe(1230);
    expect(parseDecimal('-0.00', 'USD').minor).toBe(0);
    expect(parseDecimal('+7', 'INR').minor).toBe(700);
  });

  it('refuses what is not an exact amount', () => {
    for (const bad of ['', '1.234', '1,000.00', 'abc', '1e3', '--1', '.5']) {
      expect(() => parseDecimal(bad, 'USD'), bad).toThrow(MoneyError);
    }
    expect(() => money(1.5, 'USD')).toThrow(MoneyError);
    expect(() => money(1, 'usd')).toThrow(MoneyError);
    expect(() => add(money(1, 'USD'), money(1, 'EUR'))).toThrow(MoneyError);
  });

  it('converts major-unit floats without binary error', () => {
    expect(fromMajorFloat(0.1 + 0.2, 'USD').minor).toBe(30);
    expect(fromMajorFloat(-19.99, 'USD').minor).toBe(-1999);
    expect(fromMajorFloat(1.005, 'USD').minor).toBe(101);
    fc.assert(
      fc.property(fc.integer({ min: -1e11, max: 1e11 }), (m) => {
        expect(fromMajorFloat(m / 100, 'USD').minor).toBe(m);
      }),
    );
  });
});
