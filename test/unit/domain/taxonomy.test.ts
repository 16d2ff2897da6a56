import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import data from '../../../shared/domain/taxonomy.json' with { type: 'json' };
import {
  categoryOf,
  DETAILED_CODES,
  isDetailed,
  isPrimary,
  isValidCategory,
  listDetailed,
  listPrimaries,
  lookupDetailed,
  lookupPrimary,
  normalizeCode,
  PRIMARY_CODES,
  primaryOf,
  TAXONOMY_VERSION,
} from '../../../shared/domain/taxonomy';

const PFC_V1_PRIMARIES = [
  'INCOME',
  'TRANSFER_IN',
  'TRANSFER_OUT',
  'LOAN_PAYMENTS',
  'BANK_FEES',
  'ENTERTAINMENT',
  'FOOD_AND_DRINK',
  'GENERAL_MERCHANDISE',
  'HOME_IMPROVEMENT',
  'MEDICAL',
  'PERSONAL_CARE',
  'GENERAL_SERVICES',
  'GOVERNMENT_AND_NON_PROFIT',
  'TRANSPORTATION',
  'TRAVEL',
  'RENT_AND_UTILITIES',
];

describe('taxonomy (Plaid PFC v1)', () => {
  it('has the 16 primaries in Plaid order and 104 detailed categories', () => {
    expect(TAXONOMY_VERSION).toBe('v1');
    expect(PRIMARY_CODES).toEqual(PFC_V1_PRIMARIES);
    expect(DETAILED_CODES).toHaveLength(104);
    expect(new Set(DETAILED_CODES).size).toBe(104);
    const perPrimary = Object.fromEntries(listPrimaries().map((p) => [p.primary, p.detailed.length]));
    expect(perPrimary).toEqual({
      INCOME: 7,
      TRANSFER_IN: 6,
      TRANSFER_OUT: 5,
      LOAN_PAYMENTS: 6,
      BANK_FEES: 6,
      ENTERTAINMENT: 6,
      FOOD_AND_DRINK: 7,
      GENERAL_MERCHANDISE: 14,
      HOME_IMPROVEMENT: 5,
      MEDICAL: 7,
      PERSONAL_CARE: 4,
      GENERAL_SERVICES: 9,
      GOVERNMENT_AND_NON_PROFIT: 4,
      TRANSPORTATION: 7,
      TRAVEL: 4,
      RENT_AND_UTILITIES: 7,
    });
  });

  it('is read from the one data file', () => {
    const fromFile = data.primaries.flatMap((p) => p.detailed.map((d) => d.detailed));
    expect(DETAILED_CODES).toEqual(fromFile);
    for (const p of data.primaries) expect(lookupPrimary(p.primary)?.description).toBe(p.description);
  });

  it('knows well-known detailed codes and their primaries', () => {
    for (const [detailed, primary] of [
      ['FOOD_AND_DRINK_GROCERIES', 'FOOD_AND_DRINK'],
      ['FOOD_AND_DRINK_COFFEE', 'FOOD_AND_DRINK'],
      ['INCOME_WAGES', 'INCOME'],
      ['TRANSFER_OUT_WITHDRAWAL', 'TRANSFER_OUT'],
      ['LOAN_PAYMENTS_CREDIT_CARD_PAYMENT', 'LOAN_PAYMENTS'],
      ['GENERAL_MERCHANDISE_ONLINE_MARKETPLACES', 'GENERAL_MERCHANDISE'],
      ['RENT_AND_UTILITIES_RENT', 'RENT_AND_UTILITIES'],
      ['ENTERTAINMENT_SPORTING_EVENTS_AMUSEMENT_PARKS_AND_MUSEUMS', 'ENTERTAINMENT'],
      ['GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT', 'GOVERNMENT_AND_NON_PROFIT'],
      ['BANK_FEES_OVERDRAFT_FEES', 'BANK_FEES'],
    ] as const) {
      expect(isDetailed(detailed)).toBe(true);
      expect(primaryOf(detailed)).toBe(primary);
      expect(categoryOf(detailed)).toEqual({ primary, detailed });
      expect(lookupDetailed(detailed)?.description.length).toBeGreaterThan(3);
    }
  });

  it('validates codes and pairs', () => {
    expect(isPrimary('FOOD_AND_DRINK')).toBe(true);
    expect(isPrimary('FOOD_AND_DRINK_COFFEE')).toBe(false);
    expect(isDetailed('FOOD_AND_DRINK')).toBe(false);
    expect(isDetailed('FOOD_AND_DRINK_PIZZA')).toBe(false);
    expect(primaryOf('NOT_A_CATEGORY')).toBeNull();
    expect(isValidCategory({ primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' })).toBe(true);
    expect(isValidCategory({ primary: 'FOOD_AND_DRINK' })).toBe(true);
    expect(isValidCategory({ primary: 'FOOD_AND_DRINK', detailed: null })).toBe(true);
    expect(isValidCategory({ primary: 'TRAVEL', detailed: 'FOOD_AND_DRINK_COFFEE' })).toBe(false);
    expect(isValidCategory({ primary: 'FOOD', detailed: 'FOOD_AND_DRINK_COFFEE' })).toBe(false);
    expect(() => categoryOf('FOOD_AND_DRINK_PIZZA')).toThrow(/not a detailed category/);
  });

  it('lists detailed categories per primary', () => {
    expect(listDetailed('TRAVEL').map((d) => d.detailed)).toEqual([
      'TRAVEL_FLIGHTS',
      'TRAVEL_LODGING',
      'TRAVEL_RENTAL_CARS',
      'TRAVEL_OTHER_TRAVEL',
    ]);
    expect(listDetailed('NOPE')).toEqual([]);
    expect(listDetailed()).toHaveLength(104);
  });

  it('reads loosely written codes', () => {
    expect(normalizeCode('food and drink - groceries')).toBe('FOOD_AND_DRINK_GROCERIES');
    expect(normalizeCode(' Travel ')).toBe('TRAVEL');
    expect(normalizeCode('pizza')).toBeNull();
  });

  it('every detailed code starts with its primary and belongs to exactly one primary (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DETAILED_CODES), (detailed) => {
        const primary = primaryOf(detailed);
        expect(primary).not.toBeNull();
        expect(detailed.startsWith(`${primary}_`)).toBe(true);
        const owners = PRIMARY_CODES.filter((p) => lookupPrimary(p)?.detailed.includes(detailed));
        expect(owners).toEqual([primary]);
        expect(isValidCategory({ primary: primary as string, detailed })).toBe(true);
      }),
    );
  });
});
