import { normalizeMcc } from '../../domain/categorizer/mcc';
import type { BankAccount, BankTransaction } from '../../domain/models';
import { apiBalances, cleanText, type Normalizer } from '../kit/normalizer';
import { BankAAccountSchema, BankATransactionSchema } from './wire';

/** bank_a: camelCase, integer minor units with the usual sign, ISO dates, pending/posted, explicit pending links. */
export const bankANormalizer: Normalizer = {
  account(raw): BankAccount {
    const a = BankAAccountSchema.parse(raw);
    return {
      providerAccountId: a.accountId,
      name: a.name,
      mask: a.mask,
      type: a.type,
      subtype: a.subtype,
      currency: a.currency,
      timeZone: a.timeZone,
      ...apiBalances(a.type, a.balances.currentMinor, a.balances.availableMinor),
    };
  },
  transaction(raw): BankTransaction {
    const t = BankATransactionSchema.parse(raw);
    return {
      providerTxnId: t.transactionId,
      providerAccountId: t.accountId,
      status: t.status,
      date: t.date,
      occurredAt: new Date(t.authorizedAt).toISOString(),
      amountMinor: t.amountMinor,
      currency: t.currency,
      description: cleanText(t.description),
      merchantName: null,
      pendingTxnId: t.pendingTransactionId,
      ...(t.merchantCategoryCode ? { mcc: normalizeMcc(t.merchantCategoryCode) } : {}),
    };
  },
};
