/**
 * The engine on real US statement formats (ACH fields, card and wallet prefixes, P2P lines, bank lines), the MCC
 * signal, Plaid's confidence levels, and a floor on the labelled statement strings of
 * `../shared/data/categorization-dev.csv` (dev part and held-out part; skipped when the file is missing).
 * The strings below are written for these tests in the banks' formats, not taken from the dev set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categorize,
  cleanMerchant,
  confidenceLevel,
  CONFIDENCE_LEVELS,
  parseDescription,
  type CategorizeInput,
} from '../../../../shared/domain/categorizer/index';
import { mccCategory, mccForCategory, normalizeMcc } from '../../../../shared/domain/categorizer/mcc';
import { isDetailed, primaryOf } from '../../../../shared/domain/taxonomy';
import { DEV_SET_PATH, isHeldOut, loadDevSet } from '../../../support/categorization-dev';

function input(
  description: string,
  amountMinor: number,
  extra: Partial<CategorizeInput> = {},
): CategorizeInput {
  return { description, merchantName: null, amountMinor, currency: 'USD', accountId: 'acc_1', ...extra };
}

const cat = (description: string, amountMinor: number, extra: Partial<CategorizeInput> = {}) =>
  categorize(input(description, amountMinor, extra));

describe('statement formats', () => {
  const cases: [string, number, string, string | null][] = [
    // ACH: Bank of America (DES/ID/INDN/CO ID), Chase (ORIG CO NAME / CO ENTRY DESCR), PPD/WEB ids, glued words.
    [
      'NORTHWIND TRADERS DES:PAYROLL ID:XXXXX4821 INDN:JANE Q PUBLIC CO ID:9876543210 PPD',
      250000,
      'INCOME',
      'Northwind Traders',
    ],
    ['ORIG CO NAME:CONTOSO LTD CO ENTRY DESCR:DIR DEP SEC:PPD ORIG ID:1234', 180000, 'INCOME', 'Contoso LTD'],
    ['FABRIKAM HOLDINGSPAYROLL PPD ID: 555123987', 210000, 'INCOME', 'Fabrikam Holdings'],
    ['LAKESIDE TOWERSRENT PMT 77812345 WEB ID: ZX81KQ', -185000, 'RENT_AND_UTILITIES', 'Lakeside Towers'],
    ['HILLTOP FCU MORTGAGE 44120987 PPD ID: 112233445', -210000, 'LOAN_PAYMENTS', 'Hilltop FCU'],
    ['GRANITE STATE INS PREMIUM PPD ID: 4455667788', -12000, 'GENERAL_SERVICES', 'Granite State'],
    ['TRADESTATION MONEYLINK PPD ID: 998877665', -50000, 'TRANSFER_OUT', 'TradeStation'],
    ['FIRST COASTAL BANK DDA TO DDA 8KQ2LM WEB ID: PPQQ88', 40000, 'TRANSFER_IN', 'First Coastal Bank'],
    ['US TREASURY BENEFIT PMT PPD ID: 4410001', 94300, 'INCOME', null],
    // Card lines: bank prefixes, processors, store numbers, addresses, cities.
    [
      'CHECKCARD 0412 JOES PIZZA SPRINGFIELD IL 24431234567890123456789',
      -2350,
      'FOOD_AND_DRINK',
      'Joes Pizza',
    ],
    [
      'PURCHASE AUTHORIZED ON 04/12 SMITH FAMILY DENTAL ANYTOWN OH S386102345 CARD 1234',
      -9500,
      'MEDICAL',
      'Smith Family Dental',
    ],
    ['SQ *RIVERSIDE AUTO REPAIR', -32000, 'GENERAL_SERVICES', 'Riverside Auto Repair'],
    ['TST* HARBOR GRILL 1234 MAIN ST SEATTLE WA USA', -5400, 'FOOD_AND_DRINK', 'Harbor Grill'],
    ['BELLA NAIL SALON 4410 ELM AVE DENVER 80202 CO USA', -4500, 'PERSONAL_CARE', 'Bella Nail Salon'],
    ['DOORDASH*BURGER BARN', -2600, 'FOOD_AND_DRINK', 'DoorDash'],
    // Wallet and bill-pay wrappers: the purchase, not the wallet.
    ['EXPRESS CHECKOUT PAYMENT: GREENWAY PHARMACY', -1800, 'MEDICAL', 'Greenway Pharmacy'],
    ['PAYPAL INST XFER MAPLE VETERINARY CLINIC WEB ID: PAYPALSI77', -15000, 'MEDICAL', null],
    ['PREAUTHORIZED WITHDRAWAL TO CITY PLUMBING', -22000, 'HOME_IMPROVEMENT', 'City Plumbing'],
    // P2P: the app, never the person.
    ['Zelle payment to JOHN SAMPLE 12345678901', -5000, 'TRANSFER_OUT', 'Zelle'],
    ['CASH APP PAYMENT FROM MARY EXAMPLE', 5000, 'TRANSFER_IN', 'Cash App'],
    // Bank lines: no merchant.
    ['ACCOUNT CLOSURE FEE - 11/22', -2500, 'BANK_FEES', null],
    ['CASH ADVANCE FEE', -1000, 'BANK_FEES', null],
    ["CASHIER'S CHECK #123456", -100000, 'TRANSFER_OUT', null],
  ];
  it.each(cases)('%s (%d) → %s, merchant %s', (description, amount, primary, merchant) => {
    const r = cat(description, amount);
    expect(r, description).not.toBeNull();
    expect(r!.primary).toBe(primary);
    if (merchant !== null) expect(r!.merchant_name).toBe(merchant);
    if (primary === 'BANK_FEES' || primary === 'TRANSFER_OUT' || description.startsWith('US TREASURY'))
      if (merchant === null) expect(r!.merchant_name === null || !/\d/.test(r!.merchant_name)).toBe(true);
  });

  it('never names the person of a P2P line, nor the account holder of an ACH line', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Zelle payment to', 'ZELLE PAYMENT FROM', 'VENMO PAYMENT TO', 'CASH APP PAYMENT TO'),
        fc.constantFrom('ALICE', 'ROBERTO', 'MEI', 'OLUWASEUN', 'PRIYA'),
        fc.constantFrom('NGUYEN', 'OKAFOR', 'JOHANSSON', 'PATEL', 'GARCIA'),
        fc.integer({ min: -100000, max: 100000 }).filter((n) => n !== 0),
        (lead, first, last, amount) => {
          const d = `${lead} ${first} ${last}`;
          for (const name of [cat(d, amount)?.merchant_name ?? null, cleanMerchant(d)]) {
            expect(name ?? '').not.toMatch(new RegExp(`${first}|${last}`, 'i'));
          }
          const ach = `ACME WIDGETS DES:PAYROLL ID:XXXX1 INDN:${first} ${last} CO ID:12345 PPD`;
          expect(cleanMerchant(ach) ?? '').not.toMatch(new RegExp(`${first}|${last}`, 'i'));
        },
      ),
    );
  });

  it('PayPal descriptors name the shop; a glued one-word shop name is split at its category word', () => {
    expect(cleanMerchant('PAYPAL *ACMEBIKES')).toBe('Acme Bikes');
    expect(cleanMerchant('PYPL *RIVERBEND BOOKS')).toBe('Riverbend Books');
    expect(parseDescription('PAYPAL *ACMEBIKES').processor).toBe('PAYPAL');
  });

  it('keeps the sync and enrich merchant consistent with the engine on recognised merchants', () => {
    for (const d of [
      'SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO',
      'DOORDASH*BURGER BARN',
      'TARGET #0339 DALLAS',
    ]) {
      expect(cleanMerchant(d)).toBe(cat(d, -1000)!.merchant_name);
    }
  });
});

describe('MCC', () => {
  it('normalizes what banks send and rejects the rest', () => {
    expect(normalizeMcc('5812')).toBe('5812');
    expect(normalizeMcc(742)).toBe('0742');
    expect(normalizeMcc(' 742 ')).toBe('0742');
    for (const bad of ['58121', 'abcd', '', 12.5, -1, 10000, null, undefined, {}])
      expect(normalizeMcc(bad)).toBeNull();
  });

  it('maps to valid Plaid categories, airline / car-rental / hotel ranges included', () => {
    expect(mccCategory('5812')?.detailed).toBe('FOOD_AND_DRINK_RESTAURANT');
    expect(mccCategory(3058)?.detailed).toBe('TRAVEL_FLIGHTS');
    expect(mccCategory('3390')?.detailed).toBe('TRAVEL_RENTAL_CARS');
    expect(mccCategory('3700')?.detailed).toBe('TRAVEL_LODGING');
    expect(mccCategory('6011')).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), (n) => {
        const m = mccCategory(n);
        if (m) expect(isDetailed(m.detailed)).toBe(true);
      }),
    );
  });

  it('gives the generator an MCC for card categories that maps back to the same primary', () => {
    for (const d of [
      'FOOD_AND_DRINK_COFFEE',
      'TRANSPORTATION_GAS',
      'TRAVEL_LODGING',
      'MEDICAL_DENTAL_CARE',
    ]) {
      const mcc = mccForCategory(d);
      expect(mcc, d).toMatch(/^\d{4}$/);
      expect(primaryOf(mccCategory(mcc)!.detailed)).toBe(primaryOf(d));
    }
    expect(mccForCategory('TRANSFER_OUT_ACCOUNT_TRANSFER')).toBeNull();
  });

  it('is a strong signal when present, and the engine works without it', () => {
    const unknown = 'ZQXV 99812 PLN';
    expect(cat(unknown, -1999)).toBeNull();
    const r = cat(unknown, -1999, { mcc: '5812' });
    expect(r).toMatchObject({ primary: 'FOOD_AND_DRINK', rule_id: 'builtin:mcc:5812' });
    const refund = cat(unknown, 1999, { mcc: '5812' });
    expect(refund!.primary).toBe('FOOD_AND_DRINK');
    expect(refund!.confidence).toBeLessThan(r!.confidence);
    // A directory match at the start of the description still names the merchant.
    expect(cat('STARBUCKS 1234', -450, { mcc: '5814' })!.merchant_name).toBe('Starbucks');
    expect(cat(unknown, -1999, { mcc: 'nonsense' })).toBeNull();
  });
});

describe('confidence_level', () => {
  it("answers Plaid's levels by band", () => {
    expect(confidenceLevel(1)).toBe('VERY_HIGH');
    expect(confidenceLevel(0.95)).toBe('VERY_HIGH');
    expect(confidenceLevel(0.9)).toBe('HIGH');
    expect(confidenceLevel(0.7)).toBe('MEDIUM');
    expect(confidenceLevel(0.3)).toBe('LOW');
    expect(confidenceLevel(0)).toBe('UNKNOWN');
    expect(confidenceLevel(Number.NaN)).toBe('UNKNOWN');
  });

  it('never falls as confidence rises', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const rank = (x: number) => CONFIDENCE_LEVELS.indexOf(confidenceLevel(x));
          expect(rank(hi)).toBeLessThanOrEqual(rank(lo));
        },
      ),
    );
  });
});

describe('labelled statement strings (../shared/data/categorization-dev.csv)', () => {
  const cases = loadDevSet();
  if (!cases) console.warn(`skipped: ${DEV_SET_PATH} is missing (it belongs beside the checkout)`);

  it('splits about 30% off as held-out, deterministically', () => {
    expect(isHeldOut('SOME LINE 123')).toBe(isHeldOut('SOME LINE 123'));
    if (!cases) return;
    const share = cases.filter((c) => c.heldOut).length / cases.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  // Measured (npm run bench -- --only categorization): dev part 99.55% precision at 99.35% coverage, held-out part
  // 98.28% at 98.2%. The floors leave a small margin.
  it.skipIf(!cases)('is precise and covers most lines, on the dev part and the held-out part', () => {
    for (const [part, floor] of [
      [false, { precision: 0.985, coverage: 0.98 }],
      [true, { precision: 0.97, coverage: 0.97 }],
    ] as const) {
      const list = cases!.filter((c) => c.heldOut === part);
      let given = 0;
      let right = 0;
      for (const c of list) {
        const r = categorize(input(c.description, c.sign * 100, { accountId: '' }));
        if (!r) continue;
        given++;
        if (r.primary === c.primary) right++;
      }
      expect(right / given, part ? 'held-out precision' : 'dev precision').toBeGreaterThanOrEqual(
        floor.precision,
      );
      expect(given / list.length, part ? 'held-out coverage' : 'dev coverage').toBeGreaterThanOrEqual(
        floor.coverage,
      );
    }
  });
});
