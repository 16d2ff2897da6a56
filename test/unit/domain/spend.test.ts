import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoryBreakdown, spendingSeries, type AnalyticsTxn } from '../../../shared/domain/analytics';
import type { StoredTransaction } from '../../../shared/domain/models';
import {
  analyticsTxnOf,
  categoriesFromCells,
  cellsOf,
  decodeCells,
  decodeEntry,
  encodeCells,
  emptyMonths,
  encodeEntry,
  monthsBetween,
  seriesFromCells,
  spendEntryOf,
  type SpendEntry,
} from '../../../shared/domain/spend';

function stored(over: Partial<StoredTransaction> = {}): StoredTransaction {
  return {
    id: 'txn_1',
    userId: 'u1',
    connectionId: 'c1',
    accountId: 'acc_1',
    provider: 'bank_a',
    providerTxnIds: ['p1'],
    original: {
      status: 'pending',
      date: '2026-11-03',
      occurredAt: null,
      amountMinor: -1250,
      currency: 'USD',
      description: 'BLUE BOTTLE',
      merchantName: null,
    },
    fingerprint: 'f',
    removed: false,
    category: {
      primary: 'FOOD_AND_DRINK',
      detailed: 'FOOD_AND_DRINK_COFFEE',
      source: 'rules',
      confidence: 0.9,
      ruleId: null,
    },
    overlay: null,
    version: 1,
    createdAt: '2026-11-03T00:00:00Z',
    updatedAt: '2026-11-03T00:00:00Z',
    ...over,
  };
}

describe('spend entries', () => {
  it('take effective values (the user\u2019s corrections), and removed transactions have none', () => {
    const e = spendEntryOf(stored({ overlay: { amountMinor: -2000, date: '2026-11-30' } }))!;
    expect(e).toEqual({
      id: 'txn_1',
      date: '2026-11-30',
      amountMinor: -2000,
      currency: 'USD',
      primary: 'FOOD_AND_DRINK',
      detailed: 'FOOD_AND_DRINK_COFFEE',
      status: 'pending',
      ownTransfer: false,
    });
    expect(spendEntryOf(stored({ removed: true }))).toBeNull();
    expect(spendEntryOf(stored({ category: null }))!.primary).toBeNull();
    const own = { primary: 'TRANSFER_OUT', detailed: null, source: 'rules', confidence: 1, ruleId: null };
    expect(spendEntryOf(stored({ category: { ...own, ownTransfer: true } as never }))!.ownTransfer).toBe(
      true,
    );
  });

  it('encode and decode losslessly', () => {
    const entry = fc.record({
      id: fc.constant('t'),
      date: fc
        .integer({ min: 0, max: 3000 })
        .map((d) => new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10)),
      amountMinor: fc.integer({ min: -1e12, max: 1e12 }),
      currency: fc.constantFrom('USD', 'GBP', 'INR', 'JPY'),
      primary: fc.constantFrom(null, 'FOOD_AND_DRINK', 'INCOME'),
      detailed: fc.constantFrom(null, 'FOOD_AND_DRINK_COFFEE'),
      status: fc.constantFrom('pending' as const, 'posted' as const),
      ownTransfer: fc.boolean(),
    });
    fc.assert(
      fc.property(entry, (e: SpendEntry) => {
        expect(decodeEntry('t', encodeEntry(e))).toEqual(e);
      }),
    );
    expect(() => decodeEntry('t', '2026-11-03|12.5|USD|||')).toThrow(/malformed/);
  });

  it('lists the months of a range', () => {
    expect(monthsBetween('2026-11-24', '2027-02-01')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthsBetween('2026-11-30', '2026-11-30')).toEqual(['2026-11']);
  });
});

describe('emptyMonths (what a store\u2019s load of projection months starts from)', () => {
  it('holds each month asked for once, in the order first asked, empty at rev 0', () => {
    const loaded = emptyMonths(['2026-10', '2026-11', '2026-10']);
    expect([...loaded.keys()]).toEqual(['2026-10', '2026-11']);
    expect(loaded.get('2026-10')).toEqual({ month: '2026-10', rev: 0, entries: new Map() });
    expect(emptyMonths([]).size).toBe(0);
  });

  it('for any list of months: the distinct ones in first-seen order, each its own empty entries', () => {
    const month = fc
      .tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 }))
      .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(fc.array(month, { maxLength: 40 }), (months) => {
        const loaded = emptyMonths(months);
        expect([...loaded.keys()]).toEqual([...new Set(months)]);
        for (const [key, value] of loaded) {
          expect(value).toEqual({ month: key, rev: 0, entries: new Map() });
        }
        // A store fills or a processor edits one month's entries without touching another's.
        const maps = [...loaded.values()].map((m) => m.entries);
        expect(new Set(maps).size).toBe(maps.length);
      }),
    );
  });
});

describe('rollup cells answer exactly as the analytics functions over the transactions', () => {
  const txn = fc.record({
    day: fc.integer({ min: 0, max: 120 }),
    amountMinor: fc.integer({ min: -50_000, max: 50_000 }),
    currency: fc.constantFrom('USD', 'USD', 'EUR', 'GBP'),
    primary: fc.constantFrom(null, 'FOOD_AND_DRINK', 'INCOME', 'TRANSFER_OUT', 'TRAVEL', 'LOAN_PAYMENTS'),
    detailed: fc.constantFrom(null, 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'),
    ownTransfer: fc.boolean(),
  });
  interface Item {
    day: number;
    amountMinor: number;
    currency: string;
    primary: string | null;
    detailed: string | null;
    ownTransfer: boolean;
  }
  const toTxns = (items: readonly Item[]): AnalyticsTxn[] =>
    items.map((i) => ({
      date: new Date(Date.UTC(2026, 9, 1 + i.day)).toISOString().slice(0, 10),
      amountMinor: i.amountMinor,
      currency: i.currency,
      primary: i.primary,
      detailed: i.primary === 'LOAN_PAYMENTS' ? i.detailed : null,
      ownTransfer: i.ownTransfer && i.day % 5 === 0,
    }));
  const range = fc.option(
    fc.tuple(fc.integer({ min: -5, max: 130 }), fc.integer({ min: 0, max: 60 })).map(([start, len]) => ({
      from: new Date(Date.UTC(2026, 9, 1 + start)).toISOString().slice(0, 10),
      to: new Date(Date.UTC(2026, 9, 1 + start + len)).toISOString().slice(0, 10),
    })),
    { nil: undefined },
  );

  it('spending series, at every granularity, with and without a range or currency', () => {
    fc.assert(
      fc.property(
        fc.array(txn, { maxLength: 60 }),
        fc.constantFrom('day' as const, 'week' as const, 'month' as const),
        range,
        fc.constantFrom(undefined, 'USD', 'JPY'),
        (items, granularity, r, currency) => {
          const txns = toTxns(items);
          const cells = decodeCells(encodeCells(cellsOf(txns)));
          const options = { granularity, currency, ...(r ?? {}) };
          expect(seriesFromCells(cells, options)).toEqual(spendingSeries(txns, options));
        },
      ),
    );
  });

  it('category breakdown, with and without a range or currency', () => {
    fc.assert(
      fc.property(
        fc.array(txn, { maxLength: 60 }),
        range,
        fc.constantFrom(undefined, 'EUR'),
        (items, r, currency) => {
          const txns = toTxns(items);
          const cells = decodeCells(encodeCells(cellsOf(txns)));
          const options = { currency, ...(r ?? {}) };
          expect(categoriesFromCells(cells, options)).toEqual(categoryBreakdown(txns, options));
        },
      ),
    );
  });

  it('from projection entries as from the stored transactions', () => {
    const t = stored({ original: { ...stored().original, status: 'posted', amountMinor: -700 } });
    const cells = cellsOf([analyticsTxnOf(spendEntryOf(t)!)]);
    expect(cells).toEqual([
      {
        date: '2026-11-03',
        currency: 'USD',
        primary: 'FOOD_AND_DRINK',
        spentMinor: 700,
        spendCount: 1,
        outMinor: 700,
        incomeMinor: 0,
        incomeCount: 0,
      },
    ]);
  });
});
