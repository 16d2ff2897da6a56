import { describe, expect, it } from 'vitest';
import {
  AnomalyDetector,
  DEFAULT_ANOMALY_OPTIONS,
  anomalyId,
  anomalyView,
  compareTxns,
  detectAllAnomalies,
  detectAnomalies,
  type AnomalyTxn,
} from '../../../shared/domain/anomalies';
import { formatMoneyText, mad, median, modifiedZ } from '../../../shared/domain/stats';

const START = Date.UTC(2025, 0, 1);

let seq = 0;
/** A purchase on day `day` after 2025-01-01 at `hour` UTC. */
function p(
  day: number,
  amountMinor: number,
  merchant: string | null,
  over: Partial<AnomalyTxn> = {},
): AnomalyTxn {
  seq += 1;
  const ms = START + day * 86_400_000 + (over.occurredAt === undefined ? 12 * 3_600_000 + seq * 1000 : 0);
  const iso = new Date(ms).toISOString();
  return {
    id: `t${String(seq).padStart(5, '0')}`,
    accountId: 'acc1',
    date: iso.slice(0, 10),
    occurredAt: over.occurredAt === undefined ? `${iso.slice(0, 19)}Z` : over.occurredAt,
    amountMinor: -amountMinor,
    currency: 'USD',
    merchant,
    primary: 'GENERAL_MERCHANDISE',
    detailed: 'GENERAL_MERCHANDISE_ELECTRONICS',
    ...over,
  };
}

/** A steady life: groceries twice a week, coffee most days, for `days` days. */
function routine(days: number): AnomalyTxn[] {
  const out: AnomalyTxn[] = [];
  for (let d = 0; d < days; d += 1) {
    if (d % 7 !== 6) {
      out.push(
        p(d, [495, 565, 645][d % 3] as number, 'Starbucks', {
          primary: 'FOOD_AND_DRINK',
          detailed: 'FOOD_AND_DRINK_COFFEE',
        }),
      );
    }
    if (d % 7 === 1 || d % 7 === 4) {
      out.push(
        p(d, 5_000 + ((d * 37) % 3_000), "Trader Joe's", {
          primary: 'FOOD_AND_DRINK',
          detailed: 'FOOD_AND_DRINK_GROCERIES',
        }),
      );
    }
    if (d % 10 === 3) out.push(p(d, 4_000 + ((d * 53) % 5_000), 'Best Buy'));
  }
  return out;
}

describe('statistics', () => {
  it('median, MAD and modified z-score', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(modifiedZ(100, 3, 1)).toBeCloseTo(65.4, 1);
    expect(modifiedZ(3, 3, 0)).toBe(0);
    expect(modifiedZ(5, 3, 0, 0.5)).toBeCloseTo(2.698, 3);
  });

  it('formats amounts per currency from integers', () => {
    expect(formatMoneyText(41_250, 'USD')).toBe('$412.50');
    expect(formatMoneyText(123_456_789, 'USD')).toBe('$1,234,567.89');
    expect(formatMoneyText(12_345_678, 'INR')).toBe('₹1,23,456.78');
    expect(formatMoneyText(5, 'GBP')).toBe('GBP 0.05');
    expect(formatMoneyText(1_500, 'JPY')).toBe('JPY 1,500');
    expect(formatMoneyText(-500, 'USD')).toBe('-$5.00');
  });
});

describe('amount outliers', () => {
  it('flags an amount far above the usual at a merchant, with the numbers', () => {
    const history = routine(120);
    const big = p(121, 41_250, 'Best Buy');
    const found = detectAnomalies(history, big);
    expect(found).toHaveLength(1);
    const a = found[0];
    expect(a?.kind).toBe('amount_outlier');
    expect(a?.id).toBe(anomalyId(big.id, 'amount_outlier'));
    expect(a?.transactionId).toBe(big.id);
    const amounts = history.filter((t) => t.merchant === 'Best Buy').map((t) => -t.amountMinor);
    const med = median(amounts);
    expect(a?.explanation).toBe(
      `$412.50 at Best Buy is ${(41_250 / med).toFixed(1)} times your usual purchase there (median ${formatMoneyText(Math.round(med), 'USD')} over ${amounts.length} purchases).`,
    );
    expect(a?.score).toBeGreaterThan(DEFAULT_ANOMALY_OPTIONS.merchantZ);
  });

  it('does not flag ordinary amounts, nor a high one that is not above the largest before', () => {
    const history = routine(120);
    expect(detectAnomalies(history, p(121, 8_200, 'Best Buy'))).toEqual([]);
    expect(detectAnomalies(history, p(121, 645, 'Starbucks', { primary: 'FOOD_AND_DRINK' }))).toEqual([]);
    // Mostly small amounts with one bigger purchase before: over four times the median is not enough while it is
    // not well above the largest purchase there.
    const lumpy = [1, 2, 3, 4, 5, 6].map((i) => p(i * 3, 2_000 + i * 10, 'Home Depot'));
    lumpy.push(p(20, 7_000, 'Home Depot'));
    expect(detectAllAnomalies(lumpy)).toEqual([]);
    expect(detectAnomalies(lumpy, p(40, 9_000, 'Home Depot'))).toEqual([]);
    expect(detectAnomalies(lumpy, p(40, 12_000, 'Home Depot')).map((a) => a.kind)).toEqual([
      'amount_outlier',
    ]);
  });

  it('needs enough history before judging (no judgement on 4 purchases)', () => {
    const few = [
      p(0, 5_000, 'Best Buy'),
      p(10, 5_200, 'Best Buy'),
      p(20, 4_900, 'Best Buy'),
      p(30, 5_100, 'Best Buy'),
    ];
    expect(detectAnomalies(few, p(40, 90_000, 'Best Buy'))).toEqual([]);
    const five = [...few, p(35, 5_050, 'Best Buy')];
    expect(detectAnomalies(five, p(40, 90_000, 'Best Buy')).map((a) => a.kind)).toEqual(['amount_outlier']);
  });

  it('falls back on the category, more strictly, when the merchant is little known', () => {
    const history: AnomalyTxn[] = [];
    for (let i = 0; i < 24; i += 1) history.push(p(i * 3, 6_000 + (i % 6) * 100, `Shop ${i % 6}`));
    const known = [...history, p(71, 6_100, 'BESTBUY')];
    const found = detectAnomalies(known, p(72, 90_000, 'BESTBUY'));
    expect(found.map((a) => a.kind)).toEqual(['amount_outlier']);
    expect(found[0]?.explanation).toBe(
      '$900.00 at BESTBUY is 14.5 times your usual electronics purchase (median $62.00 over 25 purchases).',
    );
    expect(found[0]?.details.basis).toBe('category');
    // Six times the category's median is not enough without the merchant's own history.
    expect(detectAnomalies(known, p(72, 36_000, 'BESTBUY'))).toEqual([]);
  });

  it('stays quiet on a small, steady menu of prices (a MAD floor)', () => {
    const cafe: AnomalyTxn[] = [];
    for (let i = 0; i < 30; i += 1) cafe.push(p(i, 565, 'Starbucks', { primary: 'FOOD_AND_DRINK' }));
    expect(detectAnomalies(cafe, p(31, 1_130, 'Starbucks', { primary: 'FOOD_AND_DRINK' }))).toEqual([]);
  });

  it('keeps flagged outliers out of the baseline: a second outlier is still one', () => {
    const history = [...routine(120), p(100, 60_000, 'Best Buy'), p(105, 61_000, 'Best Buy')];
    const all = detectAllAnomalies([...history, p(121, 62_000, 'Best Buy')]);
    expect(all.filter((a) => a.kind === 'amount_outlier')).toHaveLength(3);
  });
});

describe('new merchants', () => {
  it('flags a sizeable first purchase at an unknown merchant once the history is long enough', () => {
    const history = routine(90);
    const t = p(91, 145_000, 'Tiffany & Co.', { detailed: 'GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES' });
    const found = detectAnomalies(history, t);
    expect(found.map((a) => a.kind)).toEqual(['new_merchant']);
    expect(found[0]?.explanation).toMatch(
      /^\$1,450\.00 at Tiffany & Co\. is your first purchase there in 3 months, and \d+\.\d times your typical purchase \(median \$\d+\.\d\d over \d+ purchases; 95% of them are under \$[\d,]+\.\d\d\)\.$/,
    );
  });

  it('does not flag coffee at a new café, a modest amount, a known merchant, or anything during warm-up', () => {
    const history = routine(90);
    expect(detectAnomalies(history, p(91, 650, 'Blue Bottle Coffee', { primary: 'FOOD_AND_DRINK' }))).toEqual(
      [],
    );
    // Far above the usual purchase, but under the sizeable floor (about USD 150).
    expect(detectAnomalies(history, p(91, 14_000, 'Uniqlo'))).toEqual([]);
    expect(detectAnomalies(routine(20), p(21, 145_000, 'Tiffany & Co.'))).toEqual([]);
    const withTiffany = [...history, p(50, 120_000, 'Tiffany & Co.')];
    expect(detectAnomalies(withTiffany, p(91, 145_000, 'Tiffany & Co.')).map((a) => a.kind)).not.toContain(
      'new_merchant',
    );
  });

  it('judges per currency: INR amounts against INR purchases and an INR floor', () => {
    const inr = routine(90).map((t) => ({ ...t, currency: 'INR', amountMinor: t.amountMinor * 40 }));
    const t = p(91, 9_000_000, 'Tanishq', { currency: 'INR' });
    const [a] = detectAnomalies(inr, t);
    expect(a?.kind).toBe('new_merchant');
    expect(a?.explanation).toMatch(/^₹90,000\.00 at Tanishq is your first purchase there/);
    expect(detectAnomalies(inr, p(91, 1_000_000, 'Croma', { currency: 'INR' }))).toEqual([]);
  });
});

describe('duplicate charges', () => {
  it('flags the same amount at the same merchant on the same account within the window', () => {
    const history = routine(60);
    const first = p(61, 8_999, 'Best Buy', { occurredAt: '2025-03-03T15:02:00Z', date: '2025-03-03' });
    const second = p(61, 8_999, 'Best Buy', { occurredAt: '2025-03-03T15:06:00Z', date: '2025-03-03' });
    const found = detectAnomalies([...history, first], second);
    expect(found.map((a) => a.kind)).toEqual(['duplicate_charge']);
    expect(found[0]?.explanation).toBe(
      '$89.99 at Best Buy was charged twice on the same account, 4 minutes apart (the first charge on March 3). Check whether one of them is a duplicate.',
    );
    expect(found[0]?.details.first_transaction_id).toBe(first.id);
    expect(found[0]?.score).toBe(0.9);
    // The first of the two is not the duplicate.
    expect(detectAnomalies([...history, second], first)).toEqual([]);
  });

  it('does not flag other accounts, other amounts, or the same coffee in the afternoon', () => {
    const first = p(61, 8_999, 'Best Buy', { occurredAt: '2025-03-03T09:00:00Z', date: '2025-03-03' });
    const at = (time: string, over: Partial<AnomalyTxn> = {}) =>
      p(61, 8_999, 'Best Buy', { occurredAt: `2025-03-03T${time}Z`, date: '2025-03-03', ...over });
    expect(detectAnomalies([first], at('09:05:00', { accountId: 'acc2' }))).toEqual([]);
    expect(detectAnomalies([first], at('09:05:00', { amountMinor: -9_000 }))).toEqual([]);
    expect(detectAnomalies([first], at('15:00:00'))).toEqual([]);
    expect(detectAnomalies([first], at('09:19:00')).map((a) => a.kind)).toEqual(['duplicate_charge']);
  });

  it('without instants, only the same day counts', () => {
    const a = p(61, 2_500, 'Local Deli', { occurredAt: null });
    const b = p(61, 2_500, 'Local Deli', { occurredAt: null });
    const found = detectAnomalies([a], b);
    expect(found[0]?.explanation).toContain('on the same day');
    expect(found[0]?.score).toBe(0.5);
    expect(detectAnomalies([a], p(62, 2_500, 'Local Deli', { occurredAt: null }))).toEqual([]);
  });
});

describe('spend spikes', () => {
  const shop = { primary: 'GENERAL_MERCHANDISE', detailed: 'GENERAL_MERCHANDISE_DEPARTMENT_STORES' };
  const stores = ['Macy’s', 'Nordstrom', 'Zara', 'H&M', 'Gap', 'Target', 'Old Navy'];

  it('flags every purchase of an account-day that crosses its rolling baseline, once each', () => {
    const history = routine(90);
    // Seen before, so none of them is new; ordinary amounts there, so none is an outlier.
    const seen = stores.map((m, i) => p(10 + i, 6_000, m, shop));
    const spree = stores.map((m, i) => p(91, 6_500 + i * 100, m, shop));
    const all = detectAllAnomalies([...history, ...seen, ...spree]);
    const spikes = all.filter((a) => a.kind === 'spend_spike');
    expect(spikes.map((a) => a.transactionId).sort()).toEqual(spree.map((t) => t.id).sort());
    expect(new Set(spikes.map((a) => a.id)).size).toBe(spikes.length);
    expect(spikes[0]?.explanation).toMatch(
      /^You spent \$[\d,]+\.\d\d in \d+ purchases on April 2 on one account, \d+\.\d times its usual daily spending \(\$\d+\.\d\d a day over the previous 28 days\)\.$/,
    );
    // The same purchases spread over two accounts are not a spike on either.
    const split = spree.map((t, i) => ({ ...t, accountId: i % 2 ? 'acc1' : 'acc2' }));
    expect(
      detectAllAnomalies([...history, ...seen, ...split]).filter((a) => a.kind === 'spend_spike'),
    ).toEqual([]);
  });

  it('a few big purchases are not a spike (too few), and a quiet history is not judged', () => {
    const history = routine(90);
    const seen = stores.map((m, i) => p(10 + i, 6_000, m, shop));
    const few = stores.slice(0, 3).map((m) => p(91, 9_000, m, shop));
    expect(detectAllAnomalies([...history, ...seen, ...few]).filter((a) => a.kind === 'spend_spike')).toEqual(
      [],
    );
    const early = [p(0, 500, 'A'), p(1, 600, 'B'), ...stores.map((m) => p(2, 90_000, m))];
    expect(detectAllAnomalies(early).filter((a) => a.kind === 'spend_spike')).toEqual([]);
  });
});

describe('detection in general', () => {
  it('ignores income, transfers, bills, removed transactions and refunds', () => {
    const history = routine(90);
    const cases: AnomalyTxn[] = [
      p(91, -500_000, 'Employer', { primary: 'INCOME' }),
      p(91, 900_000, 'Chase', { primary: 'TRANSFER_OUT' }),
      p(91, 900_000, 'Best Buy', { removed: true }),
      p(91, -90_000, 'Best Buy'),
      p(91, 300_000, 'Chase', { primary: 'LOAN_PAYMENTS', detailed: 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT' }),
      p(91, 900_000, 'Vanguard', { ownTransfer: true }),
      p(91, 250_000, 'Con Edison', { primary: 'RENT_AND_UTILITIES' }),
      p(91, 90_000, null),
    ];
    for (const t of cases) expect(detectAnomalies(history, t)).toEqual([]);
  });

  it('batch and stream agree: the batch run equals judging each transaction against its past', () => {
    const history = [
      ...routine(100),
      p(95, 60_000, 'Best Buy'),
      p(96, 150_000, 'Leica Store'),
      p(97, 20_000, 'Starbucks', { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' }),
      p(98, 4_444, "Trader Joe's", { primary: 'FOOD_AND_DRINK', occurredAt: '2025-04-09T10:00:00Z' }),
      p(98, 4_444, "Trader Joe's", { primary: 'FOOD_AND_DRINK', occurredAt: '2025-04-09T10:03:00Z' }),
    ];
    const batch = detectAllAnomalies(history);
    expect(new Set(batch.map((a) => a.kind))).toEqual(
      new Set(['amount_outlier', 'new_merchant', 'duplicate_charge']),
    );
    const stream = [...history].sort(compareTxns).flatMap((t) => detectAnomalies(history, t));
    expect(stream).toEqual(batch);
    // With the stored anomalies of the history passed in, the stream does not re-judge the history.
    const known = new Map(batch.map((a) => [a.transactionId, a.kind]));
    const quick = [...history].sort(compareTxns).flatMap((t) => detectAnomalies(history, t, { known }));
    expect(quick).toEqual(batch);
    // Deterministic: same input, same anomalies (ids included); input order does not matter.
    expect(detectAllAnomalies([...history].reverse())).toEqual(batch);
  });

  it('the detector can be fed incrementally', () => {
    const d = new AnomalyDetector();
    for (const t of routine(60)) d.observe(t);
    expect(d.judge(p(61, 70_000, 'Best Buy'))[0]?.kind).toBe('amount_outlier');
    expect(d.judge(p(62, 5_000, 'Best Buy'))).toEqual([]);
  });

  it('shows anomalies in the API shape', () => {
    const t = p(121, 41_250, 'Best Buy');
    const [a] = detectAnomalies(routine(120), t);
    expect(a && anomalyView(a, '2025-05-02T10:00:00Z')).toEqual({
      id: anomalyId(t.id, 'amount_outlier'),
      transaction_id: t.id,
      kind: 'amount_outlier',
      score: a?.score,
      explanation: a?.explanation,
      detected_at: '2025-05-02T10:00:00Z',
    });
  });
});
