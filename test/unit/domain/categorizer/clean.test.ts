import { describe, expect, it } from 'vitest';
import { parseDescription } from '../../../../shared/domain/categorizer/clean';
import { cleanMerchant } from '../../../../shared/domain/categorizer/index';
import { compactKey, merchantKey, tokenize } from '../../../../shared/domain/categorizer/text';

describe('tokenize and merchant keys', () => {
  it('folds case, accents, apostrophes and punctuation', () => {
    expect(tokenize("Peet's Coffee & Tea")).toEqual(['PEETS', 'COFFEE', 'TEA']);
    expect(tokenize('Café Nero')).toEqual(['CAFE', 'NERO']);
    expect(tokenize('7-Eleven #1234')).toEqual(['7', 'ELEVEN', '1234']);
    expect(merchantKey('  AT&T  ')).toBe('AT T');
  });

  it('splits store numbers glued to a name but keeps card masks whole', () => {
    expect(tokenize('STORE05123')).toEqual(['STORE', '05123']);
    expect(tokenize('XXXXXX4321')).toEqual(['XXXXXX4321']);
  });

  it('compares names without spaces', () => {
    expect(compactKey('Blue Bottle')).toBe(compactKey('BLUEBOTTLE'));
    expect(compactKey('blue-bottle')).toBe('BLUEBOTTLE');
    expect(compactKey('')).toBe('');
  });
});

describe('cleanMerchant', () => {
  const cases: [string, string | null][] = [
    // Card processors and aggregators before a `*`.
    ['SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO', 'Blue Bottle Coffee'],
    ['TST* SHAKE SHACK 123 NEW YORK NY', 'Shake Shack'],
    ['PAYPAL *NETFLIX 4029357733', 'Netflix'],
    ['PAYTM*ZOMATO NOIDA', 'Zomato'],
    ['STRIPE*NOTION LABS', 'Notion'],
    ['GOOGLE *YouTube Premium g.co/helppay#', 'YouTube Premium'],
    // A merchant before the `*`.
    ['AMZN Mktp US*2K4L95ZR0', 'Amazon'],
    ['Amazon.com*MK1234ABC', 'Amazon'],
    ['UBER *TRIP HELP.UBER.COM CA', 'Uber'],
    ['UBER *EATS PENDING', 'Uber Eats'],
    // Bank wording, store numbers, reference ids, cities.
    ['POS DEBIT 1234 STARBUCKS STORE 05123 SEATTLE WA', 'Starbucks'],
    ['PURCHASE AUTHORIZED ON 04/23 CHIPOTLE 1234 AUSTIN TX S384113456789012 CARD 1234', 'Chipotle'],
    ['CHECKCARD 0423 TARGET T-1234 MINNEAPOLIS MN', 'Target'],
    ['DEBIT CARD PURCHASE - WHOLEFDS MKT 10234 AUSTIN TX', 'Whole Foods Market'],
    ['CVS/PHARMACY #01234 BOSTON MA', 'CVS Pharmacy'],
    ['NETFLIX.COM 866-579-7172 CA', 'Netflix'],
    ['CARD PAYMENT TO TESCO STORES 3021 ON 12 APR', 'Tesco'],
    ["SAINSBURY'S S/MKT LONDON GB", "Sainsbury's"],
    ['DD THAMES WATER', 'Thames Water'],
    ['ACH D- BAJAJ FINANCE LTD-123456789', 'Bajaj Finserv'],
    ['POS 412345XXXXXX1234 BIGBASKET BANGALORE', 'BigBasket'],
    // Indian rails.
    ['UPI/DR/312345678901/SWIGGY/YESB/swiggy@ybl', 'Swiggy'],
    ['UPI-ZOMATO LTD-zomato@hdfcbank-HDFC0000001-312345678901-PAYMENT', 'Zomato'],
    ['UPI/DR/312345678902/RAHUL SHARMA/HDFC/9876543210@ybl', 'Rahul Sharma'],
    ['NEFT CR-HDFC0000001-ACME TECHNOLOGIES PVT LTD-SALARY MAR', 'Acme Technologies PVT LTD'],
    // Unknown merchants: the cleaned counterparty in title case.
    ['SQ *JOES CORNER BAKERY 0423 PORTLAND OR', 'Joes Corner Bakery'],
    ['POS DEBIT 5521 MARIAS TAQUERIA #12 CHICAGO IL', 'Marias Taqueria'],
    ['FPS CREDIT JOHN SMITH', 'John Smith'],
    // No merchant at all.
    ['ATM WITHDRAWAL 1234 MAIN ST NEW YORK NY', null],
    ['MONTHLY SERVICE FEE', null],
    ['INTEREST PAYMENT', null],
    ['ONLINE TRANSFER TO SAV XXXXXX4321 REF #IB0ABC', null],
    ['', null],
  ];
  it.each(cases)('%s → %s', (description, merchant) => {
    expect(cleanMerchant(description)).toBe(merchant);
  });
});

describe('parseDescription', () => {
  it('reads the channel, the processor and UPI hints', () => {
    const upi = parseDescription('UPI/DR/312345678901/SWIGGY/YESB/swiggy@ybl');
    expect(upi.channel).toBe('upi');
    expect(upi.direction).toBe('out');
    expect(upi.handles).toContain('SWIGGY');
    expect(upi.vpas).toEqual(['swiggy@ybl']);
    // IFSC, bank codes and references are not part of the text keyword rules see.
    expect(upi.tokens).not.toContain('YESB');
    expect(upi.tokens).not.toContain('312345678901');

    const sq = parseDescription('SQ *BLUE BOTTLE COFFEE 0423');
    expect(sq.processor).toBe('SQUARE');
    expect(sq.channel).toBe('card');
    expect(parseDescription('ATM WITHDRAWAL 1234').channel).toBe('atm');
    expect(parseDescription('NEFT CR-HDFC0000001-ACME LTD').channel).toBe('neft');
    expect(parseDescription('DD BRITISH GAS').channel).toBe('direct_debit');
  });

  it('is total on odd input', () => {
    for (const s of [
      '*',
      '***',
      '/',
      'UPI/',
      'UPI-',
      '@',
      'a@b',
      '\u0000\u0001',
      'X'.repeat(5000),
      '🙂 *🙂',
    ]) {
      expect(() => parseDescription(s)).not.toThrow();
    }
    expect(parseDescription('X'.repeat(5000)).raw.length).toBeLessThanOrEqual(512);
  });
});
