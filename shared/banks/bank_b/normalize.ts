import type { BankAccount, BankTransaction } from '../../domain/models';
import { parseDecimal } from '../../domain/money';
import { parseDdmmyyyy } from '../kit/formats';
import { apiBalances, cleanText, lastFour, type Normalizer } from '../kit/normalizer';
import { BankBAccountSchema, BankBTransactionSchema } from './wire';

const TYPES: Record<string, { type: BankAccount['type']; subtype: string }> = {
  CURRENT: { type: 'depository', subtype: 'checking' },
  SAVINGS: { type: 'depository', subtype: 'savings' },
  DEPOSIT: { type: 'depository', subtype: 'cd' },
  CREDIT_CARD: { type: 'credit', subtype: 'credit card' },
  LOAN: { type: 'loan', subtype: 'loan' },
  INVESTMENT: { type: 'investment', subtype: 'brokerage' },
};

/** "1,234.56" with DR (money out) or CR (money in) → signed minor units. */
function signed(amount: string, drCr: 'DR' | 'CR', currency: string): number {
  const m = parseDecimal(amount.replace(/,/g, ''), currency);
  return drCr === 'DR' ? -m.minor : m.minor;
}

/**
 * bank_b: snake_case, formatted absolute amounts with a DR/CR flag, dd/mm/yyyy dates in the account's time zone,
 * BOOKED/PENDING, no times and no pending links (the narrative carries the bank's reference).
 */
export const bankBNormalizer: Normalizer = {
  account(raw): BankAccount {
    const a = BankBAccountSchema.parse(raw);
    const kind = TYPES[a.account_type]!;
    return {
      providerAccountId: a.account_id,
      name: a.account_name,
      mask: lastFour(a.masked_number),
      type: kind.type,
      subtype: a.product_name || kind.subtype,
      currency: a.currency_code,
      timeZone: a.time_zone,
      ...apiBalances(
        kind.type,
        signed(a.current_balance, a.current_balance_dr_cr, a.currency_code),
        signed(a.available_balance, a.available_balance_dr_cr, a.currency_code),
      ),
    };
  },
  transaction(raw): BankTransaction {
    const t = BankBTransactionSchema.parse(raw);
    return {
      providerTxnId: t.txn_ref,
      providerAccountId: t.account_id,
      status: t.status === 'BOOKED' ? 'posted' : 'pending',
      date: parseDdmmyyyy(t.booking_date)!,
      occurredAt: null,
      amountMinor: signed(t.amount, t.dr_cr, t.currency_code),
      currency: t.currency_code,
      description: cleanText(t.narrative),
      merchantName: null,
      pendingTxnId: null,
      reference: t.auth_code,
    };
  },
};
