import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredTransaction, TxnEvent } from '../../../../shared/domain/models';
import { plaidTransactionAmount as plaidAmount } from '../../../../shared/domain/plaid/accounts';
import {
  knownPendingHistory,
  paymentChannel,
  pendingAt,
  pendingHistory,
  pendingPlaidId,
  personalFinanceCategory,
  plaidTransactionId,
  removedEntries,
  toPlaidTransaction,
} from '../../../../shared/domain/plaid/transactions';

function stored(over: Partial<StoredTransaction> = {}): StoredTransaction {
  return {
    id: 'txn_1',
    userId: 'u1',
    connectionId: 'c1',
    accountId: 'acct_1',
    provider: 'bank_a',
    providerTxnIds: ['A-1'],
    original: {
      status: 'posted',
      date: '2026-03-04',
      occurredAt: '2026-03-02T18:00:00.000Z',
      amountMinor: -540,
      currency: 'USD',
      description: 'SQ *BLUE BOTTLE COFFEE',
      merchantName: 'Blue Bottle Coffee',
      reference: null,
      mcc: '5814',
    },
    fingerprint: 'fp',
    removed: false,
    category: {
      primary: 'FOOD_AND_DRINK',
      detailed: 'FOOD_AND_DRINK_COFFEE',
      source: 'rules',
      confidence: 0.9,
      ruleId: 'builtin:x',
    },
    overlay: null,
    version: 1,
    createdAt: '2026-03-04T10:00:00.000Z',
    updatedAt: '2026-03-04T10:00:00.000Z',
    ...over,
  };
}

const ev = (
  seq: number,
  kind: TxnEvent['kind'],
  before: object | null,
  after: object | null,
  at = `2026-03-0${seq}T00:00:00.000Z`,
): TxnEvent => ({
  txnId: 'txn_1',
  seq,
  at,
  actor: 'sync:r',
  kind,
  before: before as Record<string, unknown> | null,
  after: after as Record<string, unknown> | null,
});

describe('toPlaidTransaction', () => {
  it('maps a posted card purchase with Plaid sign, categories and nulls where unknown', () => {
    const p = toPlaidTransaction(stored());
    expect(p).toMatchObject({
      transaction_id: 'txn_1',
      account_id: 'acct_1',
      amount: 5.4,
      iso_currency_code: 'USD',
      unofficial_currency_code: null,
      date: '2026-03-04',
      authorized_date: '2026-03-04',
      name: 'SQ *BLUE BOTTLE COFFEE',
      merchant_name: 'Blue Bottle Coffee',
      pending: false,
      pending_transaction_id: null,
      payment_channel: 'in store',
      category: ['Food and Drink', 'Coffee'],
      personal_finance_category: {
        primary: 'FOOD_AND_DRINK',
        detailed: 'FOOD_AND_DRINK_COFFEE',
        confidence_level: 'HIGH',
      },
      transaction_code: 'purchase',
      merchant_category_code: '5814',
    });
    expect(p.location).toEqual({
      address: null,
      city: null,
      region: null,
      postal_code: null,
      country: null,
      lat: null,
      lon: null,
      store_number: null,
    });
    expect(Object.values(p.payment_meta).every((v) => v === null)).toBe(true);
    expect(p.counterparties).toEqual([
      expect.objectContaining({ name: 'Blue Bottle Coffee', type: 'merchant' }),
    ]);
  });

  it("shows the user's corrections (overlay) and category, as finagg's own API does", () => {
    const p = toPlaidTransaction(
      stored({
        overlay: {
          amountMinor: -600,
          description: 'Coffee with Sam',
          merchantName: 'Blue Bottle',
          date: '2026-03-05',
        },
        category: { primary: 'ENTERTAINMENT', detailed: null, source: 'user', confidence: 1, ruleId: null },
      }),
    );
    expect(p).toMatchObject({
      amount: 6,
      name: 'Coffee with Sam',
      merchant_name: 'Blue Bottle',
      date: '2026-03-05',
      category: ['Entertainment'],
      personal_finance_category: {
        primary: 'ENTERTAINMENT',
        detailed: 'ENTERTAINMENT_OTHER_ENTERTAINMENT',
        confidence_level: 'VERY_HIGH',
      },
    });
  });

  it('income is a negative Plaid amount; zero is 0 (never -0)', () => {
    expect(plaidAmount(250_000, 'USD')).toBe(-2500);
    expect(Object.is(plaidAmount(0, 'USD'), 0)).toBe(true);
    expect(plaidAmount(-1, 'JPY')).toBe(1);
    expect(plaidAmount(-1234, 'KWD')).toBe(1.234);
  });

  it('amount is exactly the negated decimal of the minor units (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom('USD', 'GBP', 'INR', 'JPY', 'KWD'),
        (minor, currency) => {
          const a = plaidAmount(minor, currency);
          const exp = currency === 'JPY' ? 0 : currency === 'KWD' ? 3 : 2;
          expect(Math.round(a * 10 ** exp)).toBe(minor === 0 ? 0 : -minor);
          expect(Math.sign(a)).toBe(minor === 0 ? 0 : -Math.sign(minor));
        },
      ),
    );
  });

  it('a pending transaction has its pending id; once posted it has its own id and names the pending one', () => {
    const pending = stored({ original: { ...stored().original, status: 'pending' } });
    const p = toPlaidTransaction(pending, { history: knownPendingHistory(pending) });
    expect(p.pending).toBe(true);
    expect(p.transaction_id).toBe(pendingPlaidId('txn_1'));
    expect(p.transaction_id).not.toBe('txn_1');
    expect(p.pending_transaction_id).toBeNull();
    expect(p.datetime).toBeNull();

    const posted = stored({ version: 3 });
    const history = pendingHistory([
      ev(1, 'created', null, { status: 'pending' }),
      ev(2, 'merged', null, { provider_txn_id: 'A-2' }),
      ev(3, 'status_changed', { status: 'pending' }, { status: 'posted' }),
    ]);
    expect(history).toEqual({ wasPending: true, postedAt: '2026-03-03T00:00:00.000Z' });
    const q = toPlaidTransaction(posted, { history });
    expect(q.transaction_id).toBe('txn_1');
    expect(q.pending_transaction_id).toBe(pendingPlaidId('txn_1'));
  });

  it('one that arrived posted names no pending transaction', () => {
    const t = stored({ version: 2 });
    const history = pendingHistory([
      ev(1, 'created', null, { status: 'posted' }),
      ev(2, 'categorized', null, { primary: 'FOOD_AND_DRINK' }),
    ]);
    expect(history).toEqual({ wasPending: false, postedAt: null });
    expect(toPlaidTransaction(t, { history }).pending_transaction_id).toBeNull();
    expect(knownPendingHistory(stored())).toEqual({ wasPending: false, postedAt: null });
    expect(knownPendingHistory(t)).toBeNull();
  });

  it('pendingAt: pending at an instant when created by then and not yet posted', () => {
    const t = stored({ createdAt: '2026-03-01T00:00:00.000Z' });
    const h = { wasPending: true, postedAt: '2026-03-05T00:00:00.000Z' };
    expect(pendingAt(t, h, '2026-03-04T00:00:00.000Z')).toBe(true);
    expect(pendingAt(t, h, '2026-03-06T00:00:00.000Z')).toBe(false);
    expect(pendingAt(t, h, '2026-02-28T00:00:00.000Z')).toBe(false);
    expect(pendingAt(t, { wasPending: false, postedAt: null }, '2026-03-04T00:00:00.000Z')).toBe(false);
  });

  it('a removal names every id the app may hold', () => {
    const t = stored({ removed: true });
    expect(removedEntries(t, { wasPending: true, postedAt: 'x' }).map((r) => r.transaction_id)).toEqual([
      'txn_1',
      pendingPlaidId('txn_1'),
    ]);
    expect(removedEntries(t, { wasPending: false, postedAt: null })).toEqual([
      { transaction_id: 'txn_1', account_id: 'acct_1' },
    ]);
    expect(plaidTransactionId(t)).toBe('txn_1');
  });

  it('payment channel from description and category', () => {
    expect(paymentChannel('NETFLIX.COM', null)).toBe('online');
    expect(paymentChannel('POS DEBIT 1234 TESCO LONDON', null)).toBe('in store');
    expect(
      paymentChannel('ACME CORP PAYROLL PPD ID: 123', {
        primary: 'INCOME',
        detailed: null,
        source: 'rules',
        confidence: 1,
        ruleId: null,
      }),
    ).toBe('other');
  });

  it('personal finance category is null without a category', () => {
    expect(personalFinanceCategory(null)).toBeNull();
  });
});
