import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { directoryConflicts } from '../../../../shared/domain/categorizer/directory/index';
import { SOURCES } from '../../../../shared/domain/categorizer/directory/sources';
import {
  categorize,
  DEFAULT_CONFIDENCE_THRESHOLD,
  directoryEntries,
  explain,
  lookupMerchantName,
  type CategorizeContext,
  type CategorizeInput,
} from '../../../../shared/domain/categorizer/index';
import { CATEGORY_WORDS, STRUCTURAL_RULES } from '../../../../shared/domain/categorizer/keywords';
import { isDetailed, isValidCategory, primaryOf } from '../../../../shared/domain/taxonomy';

function txn(
  description: string,
  amountMinor: number,
  currency = 'USD',
  extra: Partial<CategorizeInput> = {},
) {
  return { description, merchantName: null, amountMinor, currency, accountId: 'acc_1', ...extra };
}

function cat(description: string, amountMinor: number, currency = 'USD', context: CategorizeContext = {}) {
  return categorize(txn(description, amountMinor, currency), [], context);
}

describe('merchant directory', () => {
  it('has hundreds of merchants across US, UK and India, with valid categories and no conflicting aliases', () => {
    const entries = directoryEntries();
    expect(entries.length).toBeGreaterThan(1000);
    for (const region of ['US', 'GB', 'IN'] as const) {
      expect(entries.filter((e) => e.region === region).length).toBeGreaterThan(300);
    }
    for (const e of entries) expect(isValidCategory(e.category)).toBe(true);
    for (const s of SOURCES) for (const code of Object.keys(s.sections)) expect(isDetailed(code)).toBe(true);
    expect(directoryConflicts()).toEqual([]);
  });

  it('looks merchants up by name, whatever the spacing and punctuation', () => {
    expect(lookupMerchantName('Swiggy')?.category.detailed).toBe('FOOD_AND_DRINK_RESTAURANT');
    expect(lookupMerchantName('BIG BASKET')?.category.detailed).toBe('FOOD_AND_DRINK_GROCERIES');
    expect(lookupMerchantName('irctc')?.category.detailed).toBe('TRANSPORTATION_PUBLIC_TRANSIT');
    expect(lookupMerchantName('Ola Cabs')?.category.detailed).toBe('TRANSPORTATION_TAXIS_AND_RIDE_SHARES');
    expect(lookupMerchantName('Reliance Jio')?.category.detailed).toBe('RENT_AND_UTILITIES_TELEPHONE');
    expect(lookupMerchantName('Bharti Airtel')?.category.detailed).toBe('RENT_AND_UTILITIES_TELEPHONE');
    expect(lookupMerchantName('Flipkart')?.category.detailed).toBe('GENERAL_MERCHANDISE_ONLINE_MARKETPLACES');
    expect(lookupMerchantName('Zomato')?.category.detailed).toBe('FOOD_AND_DRINK_RESTAURANT');
    expect(lookupMerchantName("Trader Joe's")?.category.detailed).toBe('FOOD_AND_DRINK_GROCERIES');
    expect(lookupMerchantName('blue-bottle')?.name).toBe('Blue Bottle Coffee');
    expect(lookupMerchantName('Tesco')?.category.detailed).toBe('FOOD_AND_DRINK_GROCERIES');
    expect(lookupMerchantName('Thames Water')?.category.detailed).toBe('RENT_AND_UTILITIES_WATER');
    expect(lookupMerchantName('no such shop')).toBeNull();
  });

  const merchants: [string, number, string, string][] = [
    ['SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO', -550, 'USD', 'FOOD_AND_DRINK_COFFEE'],
    ['AMZN Mktp US*2K4L95ZR0', -2599, 'USD', 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES'],
    ['UBER *TRIP HELP.UBER.COM CA', -1823, 'USD', 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES'],
    ['UBER *EATS PENDING', -2410, 'USD', 'FOOD_AND_DRINK_RESTAURANT'],
    ['NETFLIX.COM 866-579-7172 CA', -1549, 'USD', 'ENTERTAINMENT_TV_AND_MOVIES'],
    ['SHELL OIL 57444444 HOUSTON TX', -4500, 'USD', 'TRANSPORTATION_GAS'],
    ['COMCAST CABLE COMM 800-COMCAST PA', -8999, 'USD', 'RENT_AND_UTILITIES_INTERNET_AND_CABLE'],
    ['PG&E WEBRECURRING 800-743-5000 CA', -14500, 'USD', 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY'],
    ['GEICO *AUTO 800-841-3000 DC', -13200, 'USD', 'GENERAL_SERVICES_INSURANCE'],
    ['CHASE CREDIT CRD AUTOPAY PPD ID: 4760039224', -123456, 'USD', 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'],
    ['TFL TRAVEL CH TFL.GOV.UK/CP', -280, 'GBP', 'TRANSPORTATION_PUBLIC_TRANSIT'],
    ['DD BRITISH GAS', -7200, 'GBP', 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY'],
    ['DELIVEROO.CO.UK', -2300, 'GBP', 'FOOD_AND_DRINK_RESTAURANT'],
    ['UPI/DR/312345678901/SWIGGY/YESB/swiggy@ybl', -45000, 'INR', 'FOOD_AND_DRINK_RESTAURANT'],
    ['UPI/DR/312345678901/BLINKIT/YESB/blinkit.payu@hdfcbank', -65000, 'INR', 'FOOD_AND_DRINK_GROCERIES'],
    ['IRCTC ETICKET NEW DELHI', -145000, 'INR', 'TRANSPORTATION_PUBLIC_TRANSIT'],
    ['BIL/ONL/000123/AIRTEL/AIRTEL PAYMENTS', -59900, 'INR', 'RENT_AND_UTILITIES_TELEPHONE'],
    ['JIO PREPAID RECHARGE', -29900, 'INR', 'RENT_AND_UTILITIES_TELEPHONE'],
    ['OLA CABS BANGALORE', -34500, 'INR', 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES'],
    [
      'POS 412345XXXXXX1234 FLIPKART INTERNET BANGALORE',
      -250000,
      'INR',
      'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES',
    ],
  ];
  it.each(merchants)('%s → %s', (description, amount, currency, detailed) => {
    const r = cat(description, amount, currency);
    expect(r).toMatchObject({ detailed, primary: primaryOf(detailed), source: 'rules' });
    expect(r?.rule_id).toMatch(/^builtin:merchant:[a-z0-9-]+$/);
    expect(r?.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('recognises a merchant name the bank gives even when the description is opaque', () => {
    const r = categorize(txn('POS 0042 REF 99812', -899, 'USD', { merchantName: 'Starbucks' }), [], {});
    expect(r).toMatchObject({ detailed: 'FOOD_AND_DRINK_COFFEE', merchant_name: 'Starbucks' });
  });
});

describe('keyword, regex and amount rules', () => {
  const cases: [string, number, string, string, string][] = [
    [
      'ATM WITHDRAWAL 1234 MAIN ST NEW YORK NY',
      -10000,
      'USD',
      'TRANSFER_OUT_WITHDRAWAL',
      'builtin:amount:round-atm',
    ],
    [
      'ATM WITHDRAWAL 1234 MAIN ST NEW YORK NY',
      -10350,
      'USD',
      'TRANSFER_OUT_WITHDRAWAL',
      'builtin:keyword:atm-withdrawal',
    ],
    ['NON-CHASE ATM FEE-WITH', -300, 'USD', 'BANK_FEES_ATM_FEES', 'builtin:keyword:atm-fee'],
    ['ATM WDL CHGS INCL GST', -2360, 'INR', 'BANK_FEES_ATM_FEES', 'builtin:keyword:atm-fee'],
    ['MONTHLY SERVICE FEE', -1200, 'USD', 'BANK_FEES_OTHER_BANK_FEES', 'builtin:keyword:bank-fee'],
    ['OVERDRAFT ITEM FEE', -3400, 'USD', 'BANK_FEES_OVERDRAFT_FEES', 'builtin:keyword:overdraft-fee'],
    ['INSUFFICIENT FUNDS FEE', -3500, 'USD', 'BANK_FEES_INSUFFICIENT_FUNDS', 'builtin:keyword:nsf-fee'],
    [
      'FOREIGN TRANSACTION FEE',
      -120,
      'USD',
      'BANK_FEES_FOREIGN_TRANSACTION_FEES',
      'builtin:keyword:foreign-fee',
    ],
    ['INTEREST PAYMENT', 123, 'USD', 'INCOME_INTEREST_EARNED', 'builtin:keyword:interest-earned'],
    [
      'INT.PD:01-01-2026 TO 31-03-2026',
      45600,
      'INR',
      'INCOME_INTEREST_EARNED',
      'builtin:keyword:interest-earned',
    ],
    [
      'PURCHASE INTEREST CHARGE',
      -2345,
      'USD',
      'BANK_FEES_INTEREST_CHARGE',
      'builtin:keyword:interest-charge',
    ],
    ['ACME CORP PAYROLL PPD ID: 1234567890', 250000, 'USD', 'INCOME_WAGES', 'builtin:keyword:payroll'],
    ['BGC ACME LTD SALARY', 210000, 'GBP', 'INCOME_WAGES', 'builtin:keyword:payroll'],
    [
      'NEFT CR-HDFC0000001-ACME TECHNOLOGIES PVT LTD-SALARY MAR',
      8500000,
      'INR',
      'INCOME_WAGES',
      'builtin:keyword:payroll',
    ],
    ['QUARTERLY DIVIDEND VANGUARD', 4512, 'USD', 'INCOME_DIVIDENDS', 'builtin:keyword:dividend'],
    ['IRS TREAS 310 TAX REF', 123400, 'USD', 'INCOME_TAX_REFUND', 'builtin:keyword:tax-refund'],
    ['SO RENT LANDLORD', -95000, 'GBP', 'RENT_AND_UTILITIES_RENT', 'builtin:keyword:rent'],
    [
      'Zelle payment to JOHN SMITH JPM99ABC',
      -4000,
      'USD',
      'TRANSFER_OUT_ACCOUNT_TRANSFER',
      'builtin:keyword:p2p-transfer',
    ],
    [
      'FPS CREDIT JOHN SMITH',
      5000,
      'GBP',
      'TRANSFER_IN_ACCOUNT_TRANSFER',
      'builtin:keyword:account-transfer',
    ],
    ['SMS CHRGS FOR QTR', -1770, 'INR', 'BANK_FEES_OTHER_BANK_FEES', 'builtin:keyword:bank-fee'],
    ['REMOTE ONLINE DEPOSIT # 8', 26400, 'USD', 'TRANSFER_IN_DEPOSIT', 'builtin:keyword:deposit'],
    // Category words for merchants the directory does not know.
    [
      'SQ *JOES CORNER BAKERY 0423 PORTLAND OR',
      -725,
      'USD',
      'FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK',
      'builtin:keyword:bakery-dessert',
    ],
    [
      'POS DEBIT 5521 MARIAS TAQUERIA #12 CHICAGO IL',
      -1850,
      'USD',
      'FOOD_AND_DRINK_RESTAURANT',
      'builtin:keyword:restaurant',
    ],
    [
      'SHREE BALAJI MEDICAL STORE PUNE',
      -34000,
      'INR',
      'MEDICAL_PHARMACIES_AND_SUPPLEMENTS',
      'builtin:keyword:pharmacy',
    ],
    [
      'DOWNTOWN PARKING GARAGE 22 DENVER CO',
      -1500,
      'USD',
      'TRANSPORTATION_PARKING',
      'builtin:keyword:parking',
    ],
    // Amount: a small round cash debit; a large credit from a company.
    ['COUNTER WITHDRAWAL BRANCH 0012', -20000, 'USD', 'TRANSFER_OUT_WITHDRAWAL', 'builtin:amount:round-cash'],
    ['GLOBEX LLC 0000123', 350000, 'USD', 'INCOME_WAGES', 'builtin:amount:salary-like'],
  ];
  it.each(cases)('%s (%i %s) → %s by %s', (description, amount, currency, detailed, ruleId) => {
    expect(cat(description, amount, currency)).toMatchObject({ detailed, rule_id: ruleId, source: 'rules' });
  });

  it('every keyword rule names valid categories and a builtin:keyword id', () => {
    for (const r of [...STRUCTURAL_RULES, ...CATEGORY_WORDS]) {
      expect(r.id).toMatch(/^builtin:keyword:[a-z0-9-]+$/);
      for (const code of [r.debit, r.credit]) if (code) expect(isDetailed(code)).toBe(true);
    }
  });

  it('the round-ATM rule is about small round amounts only', () => {
    expect(cat('ATM WITHDRAWAL 0042', -6000)?.rule_id).toBe('builtin:amount:round-atm');
    expect(cat('ATM WITHDRAWAL 0042', -6030)?.rule_id).toBe('builtin:keyword:atm-withdrawal');
    expect(cat('ATM WITHDRAWAL 0042', -500000)?.rule_id).toBe('builtin:keyword:atm-withdrawal');
  });
});

describe('refunds, transfers and the threshold', () => {
  it('a refund keeps the merchant category, with a lower confidence', () => {
    const purchase = cat('AMAZON.COM', -2599);
    const refund = cat('AMAZON.COM REFUND', 2599);
    expect(refund).toMatchObject({
      detailed: 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES',
      rule_id: 'builtin:merchant:amazon',
    });
    expect(refund!.confidence).toBeLessThan(purchase!.confidence);
  });

  it('money in from a wallet or a broker is a transfer in; from a tax authority, a tax refund', () => {
    expect(cat('VANGUARD BUY 0012', -50000)?.detailed).toBe('TRANSFER_OUT_INVESTMENT_AND_RETIREMENT_FUNDS');
    expect(cat('VANGUARD 0012 WITHDRAWAL', 50000)?.detailed).toBe(
      'TRANSFER_IN_INVESTMENT_AND_RETIREMENT_FUNDS',
    );
    expect(cat('HMRC GOV.UK SA', -120000, 'GBP')?.detailed).toBe('GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT');
    expect(cat('HMRC GOV.UK SA', 120000, 'GBP')?.detailed).toBe('INCOME_TAX_REFUND');
  });

  it('a payroll provider is only believed for money in', () => {
    expect(cat('GUSTO PAY 123456 ACME INC', 310000)?.detailed).toBe('INCOME_WAGES');
    expect(cat('GUSTO PAY 123456 ACME INC', -310000)?.primary).not.toBe('INCOME');
  });

  it('names one of the user own accounts: a transfer between own accounts', () => {
    const ctx = { ownAccountIds: ['acc_1', 'acc_savings_9'], ownAccountMasks: ['4321'] };
    expect(cat('ONLINE TRANSFER TO SAV XXXXXX4321 REF #IB0ABC', -50000, 'USD', ctx)).toMatchObject({
      detailed: 'TRANSFER_OUT_SAVINGS',
      rule_id: 'builtin:transfer:own-account',
      own_transfer: true,
      merchant_name: null,
    });
    expect(cat('ONLINE TRANSFER FROM CHK XXXXXX4321', 50000, 'USD', ctx)).toMatchObject({
      detailed: 'TRANSFER_IN_ACCOUNT_TRANSFER',
      own_transfer: true,
    });
    expect(cat('PAYMENT TO CREDIT CARD XXXX4321', -90000, 'USD', ctx)).toMatchObject({
      detailed: 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT',
      own_transfer: true,
    });
    expect(cat('TRANSFER REF ACC_SAVINGS_9', -1000, 'USD', ctx)?.own_transfer).toBe(true);
    // Another account's mask is not ours.
    expect(cat('ONLINE TRANSFER TO XXXXXX9999', -50000, 'USD', ctx)?.own_transfer).toBe(false);
  });

  it('a UPI payment to a person is a transfer; to a merchant QR, not', () => {
    expect(cat('UPI/DR/312345678902/RAHUL SHARMA/HDFC/9876543210@ybl', -200000, 'INR')).toMatchObject({
      detailed: 'TRANSFER_OUT_ACCOUNT_TRANSFER',
      rule_id: 'builtin:transfer:person',
    });
    expect(cat('UPI/CR/312345678902/PRIYA NAIR/SBIN/priya.nair@oksbi', 150000, 'INR')?.detailed).toBe(
      'TRANSFER_IN_ACCOUNT_TRANSFER',
    );
    expect(
      cat('UPI/DR/312345678903/GANESH TEA STALL/PYTM/paytmqr281005050101@paytm', -2000, 'INR')?.detailed,
    ).toBe('FOOD_AND_DRINK_COFFEE');
  });

  it('abstains below the threshold, and the threshold trades coverage for precision', () => {
    expect(cat('XJ29 QLKZ', -1234)).toBeNull();
    const all = cat('XJ29 QLKZ', -1234, 'USD', { minConfidence: 0 });
    expect(all).toMatchObject({ rule_id: 'builtin:fallback:money-out', confidence: 0.3 });
    expect(cat('XJ29 QLKZ', 1234, 'USD', { minConfidence: 0 })?.rule_id).toBe('builtin:fallback:money-in');
    const coffee = cat('SQ *JOES CORNER BAKERY 0423', -725);
    expect(coffee).not.toBeNull();
    expect(cat('SQ *JOES CORNER BAKERY 0423', -725, 'USD', { minConfidence: 0.99 })).toBeNull();
    expect(DEFAULT_CONFIDENCE_THRESHOLD).toBeGreaterThan(0.3);
  });

  it('explain lists every built-in candidate, best first', () => {
    const list = explain(txn('ATM WITHDRAWAL 7-ELEVEN 0042', -4000));
    expect(list[0]?.detailed).toBe('TRANSFER_OUT_WITHDRAWAL');
    expect(list.some((c) => c.ruleId === 'builtin:merchant:7-eleven')).toBe(true);
    for (let i = 1; i < list.length; i++)
      expect(list[i - 1]!.confidence).toBeGreaterThanOrEqual(list[i]!.confidence);
  });
});

describe('properties', () => {
  const arbInput = fc.record({
    description: fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.constantFrom(
        'UPI/DR/1/X/Y/z@ybl',
        'SQ *',
        '*',
        'ATM',
        'AMZN Mktp US*',
        'POS DEBIT',
        'NEFT CR---',
        '(a+)+$',
      ),
    ),
    merchantName: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
    amountMinor: fc.oneof(
      fc.integer({ min: -1e12, max: 1e12 }),
      fc.constantFrom(0, Number.NaN, Infinity, -Infinity),
    ),
    currency: fc.constantFrom('USD', 'GBP', 'INR', 'JPY', 'KWD', 'xx', ''),
    accountId: fc.string({ maxLength: 20 }),
  });
  const arbContext = fc.record(
    {
      ownAccountIds: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
      ownAccountMasks: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
      minConfidence: fc.double({ min: 0, max: 1, noNaN: true }),
    },
    { requiredKeys: [] },
  );

  it('never throws, and gives a valid taxonomy pair with confidence in 0..1, or null', () => {
    fc.assert(
      fc.property(arbInput, arbContext, (input, context) => {
        const r = categorize(input, [], context);
        if (r === null) return;
        expect(isValidCategory({ primary: r.primary, detailed: r.detailed })).toBe(true);
        expect(r.detailed).not.toBeNull();
        expect(r.source).toBe('rules');
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
        expect(r.rule_id).toMatch(/^builtin:/);
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        expect(categorize(input, [], { minConfidence: 0 })).toEqual(
          categorize(input, [], { minConfidence: 0 }),
        );
      }),
      { numRuns: 200 },
    );
  });
});
