import { describe, expect, it } from 'vitest';
import {
  categoryById,
  humanize,
  legacyCategory,
  plaidCategories,
} from '../../../../shared/domain/plaid/categories';
import { DETAILED_CODES, PRIMARY_CODES } from '../../../../shared/domain/taxonomy';

describe('Plaid legacy categories from the taxonomy', () => {
  const all = plaidCategories();

  it('has one entry per primary and per detailed category, with unique 8-digit ids', () => {
    expect(all).toHaveLength(PRIMARY_CODES.length + DETAILED_CODES.length);
    const ids = all.map((c) => c.category_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^\d{8}$/);
  });

  it('pins the ids (they are a contract: apps store them)', () => {
    expect(legacyCategory({ primary: 'INCOME', detailed: null })).toMatchObject({
      category_id: '10000000',
      hierarchy: ['Income'],
      group: 'special',
    });
    expect(legacyCategory({ primary: 'INCOME', detailed: 'INCOME_WAGES' })).toMatchObject({
      category_id: '10006000',
      hierarchy: ['Income', 'Wages'],
    });
    expect(
      legacyCategory({ primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' })?.hierarchy,
    ).toEqual(['Food and Drink', 'Coffee']);
  });

  it('children sit under their primary', () => {
    for (const c of all) {
      if (c.hierarchy.length === 2) {
        const parent = categoryById(`${c.category_id.slice(0, 2)}000000`);
        expect(parent?.hierarchy).toEqual([c.hierarchy[0]]);
        expect(parent?.group).toBe(c.group);
      }
    }
  });

  it('an unknown or mismatched detailed code falls back to the primary; unknown primary is null', () => {
    expect(legacyCategory({ primary: 'INCOME', detailed: 'FOOD_AND_DRINK_COFFEE' })?.category_id).toBe(
      '10000000',
    );
    expect(legacyCategory({ primary: 'NOPE', detailed: null })).toBeNull();
    expect(legacyCategory(null)).toBeNull();
  });

  it('humanizes codes', () => {
    expect(humanize('RENT_AND_UTILITIES')).toBe('Rent and Utilities');
    expect(humanize('ATM_FEES')).toBe('ATM Fees');
  });
});
