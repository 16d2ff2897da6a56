import type { BankTransaction } from '../../shared/domain/models';

/**
 * A bank's posted card transaction of -10.00 USD on 2026-02-10 from account `chk`, its instant (and so its
 * fingerprint) derived from the id; `over` sets any field.
 */
export const bankTxn = (id: string, over: Partial<BankTransaction> = {}): BankTransaction => ({
  providerTxnId: id,
  providerAccountId: 'chk',
  status: 'posted',
  date: '2026-02-10',
  occurredAt: `2026-02-10T10:00:${id.padStart(2, '0').slice(-2)}.000Z`,
  amountMinor: -1000,
  currency: 'USD',
  description: `SHOP ${id}`,
  merchantName: null,
  pendingTxnId: null,
  ...over,
});
