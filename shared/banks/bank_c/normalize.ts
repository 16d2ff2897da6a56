import type { BankAccount, BankTransaction } from '../../domain/models';
import { fromMajorFloat } from '../../domain/money';
import { localIsoDate } from '../kit/formats';
import { apiBalances, cleanText, lastFour, type Normalizer } from '../kit/normalizer';
import { BankCAccountSchema, BankCTransactionSchema } from './wire';

/**
 * bank_c: a nested JSON:API-style envelope, floats in major units with the OPPOSITE sign (positive = money out),
 * epoch-millisecond dates, AUTHORIZED/SETTLED, settlements linked to their authorization.
 */
export const bankCNormalizer: Normalizer = {
  account(raw): BankAccount {
    const a = BankCAccountSchema.parse(raw);
    const at = a.attributes;
    return {
      providerAccountId: a.id,
      name: at.nickname,
      mask: lastFour(at['masked-number']),
      type: at.category,
      subtype: at.subcategory,
      currency: at.currency,
      timeZone: at['time-zone'],
      ...apiBalances(
        at.category,
        fromMajorFloat(at.balance.ledger, at.currency).minor,
        fromMajorFloat(at.balance.available, at.currency).minor,
      ),
    };
  },
  transaction(raw, accounts): BankTransaction {
    const t = BankCTransactionSchema.parse(raw);
    const at = t.attributes;
    const account = accounts.get(t.relationships.account.id);
    if (!account) throw new Error(`relationships.account.id: unknown account ${t.relationships.account.id}`);
    if (!account.timeZone) throw new Error(`account ${account.providerAccountId} has no time zone`);
    return {
      providerTxnId: t.id,
      providerAccountId: t.relationships.account.id,
      status: at.state === 'SETTLED' ? 'posted' : 'pending',
      date: localIsoDate(at['value-date'], account.timeZone),
      occurredAt: new Date(at['authorized-time']).toISOString(),
      // Flip the bank's sign: here negative is money out.
      amountMinor: -fromMajorFloat(at.amount, at.currency).minor || 0,
      currency: at.currency,
      description: cleanText(at.narration),
      merchantName: null,
      pendingTxnId: t.relationships.authorization?.id ?? null,
    };
  },
};
