import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categoryBreakdown,
  categoryBreakdownMinor,
  flowOf,
  shares,
  spendingSeries,
  spendingSeriesMinor,
  type AnalyticsTxn,
} from '../../../shared/domain/analytics';

function t(
  date: string,
  amountMinor: number,
  primary: string | null,
  over: Partial<AnalyticsTxn> = {},
): AnalyticsTxn {
  return { date, amountMinor, currency: 'USD', primary, ...over };
}

const sample: AnalyticsTxn[] = [
  t('2025-11-03', -1_250, 'FOOD_AND_DRINK'), // Monday
  t('2025-11-03', -4_000, 'GENERAL_MERCHANDISE'),
  t('2025-11-04', 250_000, 'INCOME'),
  t('2025-11-05', 1_000, 'GENERAL_MERCHANDISE'), // refund
  t('2025-11-06', -50_000, 'TRANSFER_OUT'), // to savings
  t('2025-11-06', 50_000, 'TRANSFER_IN'),
  t('2025-11-07', -30_000, 'LOAN_PAYMENTS', { detailed: 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT' }),
  t('2025-11-08', -120_000, 'LOAN_PAYMENTS', { detailed: 'LOAN_PAYMENTS_MORTGAGE_PAYMENT' }),
  t('2025-11-09', -999, 'FOOD_AND_DRINK', { removed: true }),
  t('2025-11-10', -700, 'FOOD_AND_DRINK'), // next Monday
  t('2025-11-10', -2_000, 'ENTERTAINMENT', { ownTransfer: true }),
  t('2025-12-01', -300, null),
  t('2025-11-12', -5_000, 'TRAVEL', { currency: 'EUR' }),
];

describe('flows', () => {
  it('classifies spending, refunds, income, transfers and removals', () => {
    expect(sample.map(flowOf)).toEqual([
      'spend',
      'spend',
      'income',
      'spend',
      null,
      null,
      null,
      'spend',
      null,
      'spend',
      null,
      'spend',
      'spend',
    ]);
  });
});

describe('spending series', () => {
  it('buckets by day, ISO week and month, net of refunds, without transfers', () => {
    const weeks = spendingSeries(sample, { granularity: 'week', currency: 'USD' });
    expect(weeks).toEqual([
      { period_start: '2025-11-03', spent: '1242.50', income: '2500.00', currency: 'USD' },
      { period_start: '2025-11-10', spent: '7.00', income: '0.00', currency: 'USD' },
      { period_start: '2025-11-17', spent: '0.00', income: '0.00', currency: 'USD' },
      { period_start: '2025-11-24', spent: '0.00', income: '0.00', currency: 'USD' },
      { period_start: '2025-12-01', spent: '3.00', income: '0.00', currency: 'USD' },
    ]);
    const months = spendingSeries(sample, { granularity: 'month' });
    expect(months).toEqual([
      { period_start: '2025-11-01', spent: '50.00', income: '0.00', currency: 'EUR' },
      { period_start: '2025-11-01', spent: '1249.50', income: '2500.00', currency: 'USD' },
      { period_start: '2025-12-01', spent: '0.00', income: '0.00', currency: 'EUR' },
      { period_start: '2025-12-01', spent: '3.00', income: '0.00', currency: 'USD' },
    ]);
    const days = spendingSeries(sample, {
      granularity: 'day',
      from: '2025-11-04',
      to: '2025-11-06',
      currency: 'USD',
    });
    expect(days).toEqual([
      { period_start: '2025-11-04', spent: '0.00', income: '2500.00', currency: 'USD' },
      { period_start: '2025-11-05', spent: '-10.00', income: '0.00', currency: 'USD' },
      { period_start: '2025-11-06', spent: '0.00', income: '0.00', currency: 'USD' },
    ]);
  });

  it('the first bucket starts at the period holding `from` (a week starts on Monday)', () => {
    const s = spendingSeries(sample, {
      granularity: 'week',
      from: '2025-11-05',
      to: '2025-11-10',
      currency: 'USD',
    });
    expect(s.map((p) => [p.period_start, p.spent])).toEqual([
      ['2025-11-03', '1190.00'], // the refund and the mortgage; Monday's purchases are before `from`
      ['2025-11-10', '7.00'],
    ]);
    expect(
      spendingSeries([], { granularity: 'day', from: '2025-01-01', to: '2025-01-02', currency: 'INR' }),
    ).toEqual([
      { period_start: '2025-01-01', spent: '0.00', income: '0.00', currency: 'INR' },
      { period_start: '2025-01-02', spent: '0.00', income: '0.00', currency: 'INR' },
    ]);
  });

  it('series totals equal the sum of the counted amounts, at every granularity', () => {
    const txn = fc.record({
      day: fc.integer({ min: 0, max: 800 }),
      amountMinor: fc.integer({ min: -1e7, max: 1e7 }),
      primary: fc.constantFrom(null, 'FOOD_AND_DRINK', 'INCOME', 'TRANSFER_OUT', 'TRAVEL'),
      removed: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(txn, { maxLength: 80 }),
        fc.constantFrom('day' as const, 'week' as const, 'month' as const),
        (items, g) => {
          const txns = items.map((i) =>
            t(new Date(Date.UTC(2024, 0, 1 + i.day)).toISOString().slice(0, 10), i.amountMinor, i.primary, {
              removed: i.removed,
            }),
          );
          const series = spendingSeriesMinor(txns, { granularity: g });
          const counted = txns.filter((x) => flowOf(x) !== null);
          const spent = series.reduce((a, p) => a + p.spentMinor, 0);
          const income = series.reduce((a, p) => a + p.incomeMinor, 0);
          expect(income - spent).toBe(counted.reduce((a, x) => a + x.amountMinor, 0));
          expect(income).toBe(
            counted.filter((x) => flowOf(x) === 'income').reduce((a, x) => a + x.amountMinor, 0),
          );
          const starts = series.map((p) => p.periodStart);
          expect([...starts].sort()).toEqual(starts);
          expect(new Set(starts).size).toBe(starts.length);
        },
      ),
    );
  });
});

describe('category breakdown', () => {
  it('sums spend per primary with counts and shares, in the main currency', () => {
    const b = categoryBreakdown(sample);
    expect(b.currency).toBe('USD');
    expect(b.otherCurrencies).toEqual({ EUR: 1 });
    expect(b.categories).toEqual([
      { primary: 'LOAN_PAYMENTS', spent: '1200.00', count: 1, share: 0.9581 },
      { primary: 'GENERAL_MERCHANDISE', spent: '30.00', count: 2, share: 0.0239 },
      { primary: 'FOOD_AND_DRINK', spent: '19.50', count: 2, share: 0.0156 },
      { primary: 'UNCATEGORIZED', spent: '3.00', count: 1, share: 0.0024 },
    ]);
    const eur = categoryBreakdown(sample, { currency: 'EUR' });
    expect(eur.categories).toEqual([{ primary: 'TRAVEL', spent: '50.00', count: 1, share: 1 }]);
    expect(categoryBreakdown(sample, { from: '2025-11-05', to: '2025-11-05' }).categories).toEqual([
      { primary: 'GENERAL_MERCHANDISE', spent: '-10.00', count: 1, share: 0 },
    ]);
    expect(categoryBreakdown([])).toEqual({ categories: [], currency: null, otherCurrencies: {} });
  });

  it('shares sum to 1 when there is spend, and the rows sum to the total', () => {
    const txn = fc.record({
      amountMinor: fc.integer({ min: -1e6, max: 2e5 }),
      primary: fc.constantFrom(
        'FOOD_AND_DRINK',
        'TRAVEL',
        'ENTERTAINMENT',
        'MEDICAL',
        'PERSONAL_CARE',
        'INCOME',
      ),
    });
    fc.assert(
      fc.property(fc.array(txn, { maxLength: 60 }), (items) => {
        const txns = items.map((i) => t('2025-01-15', i.amountMinor, i.primary));
        const b = categoryBreakdownMinor(txns);
        const total = b.categories.reduce((a, r) => a + r.spentMinor, 0);
        const spend = txns.filter((x) => flowOf(x) === 'spend').reduce((a, x) => a - x.amountMinor, 0);
        expect(total).toBe(spend);
        const positive = b.categories.some((r) => r.spentMinor > 0);
        const sumShares = b.categories.reduce((a, r) => a + r.share, 0);
        if (positive) expect(sumShares).toBeCloseTo(1, 9);
        else expect(sumShares).toBe(0);
        for (const r of b.categories) expect(r.share).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('shares use largest remainders', () => {
    expect(shares([1, 1, 1])).toEqual([0.3334, 0.3333, 0.3333]);
    expect(shares([0, -5])).toEqual([0, 0]);
    expect(shares([3, -1, 1])).toEqual([0.75, 0, 0.25]);
  });

  it('handles 10,000 transactions in one pass quickly', () => {
    const many: AnalyticsTxn[] = [];
    const cats = ['FOOD_AND_DRINK', 'TRAVEL', 'ENTERTAINMENT', 'GENERAL_MERCHANDISE', 'INCOME'];
    for (let i = 0; i < 10_000; i += 1) {
      const date = new Date(Date.UTC(2023, 0, 1 + (i % 1000))).toISOString().slice(0, 10);
      many.push(t(date, i % 7 === 0 ? 10_000 : -(i % 5_000) - 1, cats[i % cats.length] as string));
    }
    const series = spendingSeries(many, { granularity: 'day' });
    expect(series).toHaveLength(1000);
    expect(categoryBreakdown(many).categories.length).toBe(5);
  });
});
