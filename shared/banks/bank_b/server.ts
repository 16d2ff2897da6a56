import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { GeneratedAccount } from '../../generator/types';
import type { BankDialect, WireRecord } from '../kit/dialect';
import { ddmmyyyy, groupedAmount } from '../kit/formats';
import {
  BANK_B,
  BANK_B_ERROR_CODES,
  BANK_B_PAGE,
  BANK_B_TOKEN_HEADER,
  type BankBAccount,
  type BankBTransaction,
} from './wire';

const PageSchema = z.lazy(() => z.coerce.number().int().min(1).max(1_000_000));
const SizeSchema = z.lazy(() => z.coerce.number().int().min(1).max(BANK_B_PAGE.max));

function accountType(a: GeneratedAccount): BankBAccount['account_type'] {
  switch (a.type) {
    case 'depository':
      return a.subtype === 'checking' ? 'CURRENT' : a.subtype === 'savings' ? 'SAVINGS' : 'DEPOSIT';
    case 'credit':
      return 'CREDIT_CARD';
    case 'loan':
      return 'LOAN';
    case 'investment':
      return 'INVESTMENT';
  }
}

const drCr = (minor: number) => (minor < 0 ? 'DR' : 'CR');

/** Birch & Co.: snake_case, formatted amounts with DR/CR, dd/mm/yyyy, BOOKED/PENDING, page+size, newest first. */
export const bankBDialect: BankDialect = {
  protocol: BANK_B,
  brand: { colour: '#4a148c', tagline: 'Sound banking since 1871' },

  readAccessToken(headers) {
    const token = headers[BANK_B_TOKEN_HEADER]?.trim();
    return token ? token : null;
  },

  apiError(kind, message) {
    return { body: { error_code: BANK_B_ERROR_CODES[kind], error_message: message } };
  },

  /** An HTTP-date, rounded up to the next whole second. */
  retryAfter(seconds, realNow) {
    return new Date(Math.ceil((realNow.getTime() + seconds * 1000) / 1000) * 1000).toUTCString();
  },

  accounts(views) {
    return {
      accounts: views.map((v): BankBAccount => ({
        account_id: v.account.id,
        account_name: v.account.name,
        account_type: accountType(v.account),
        product_name: v.account.subtype,
        currency_code: v.account.currency,
        masked_number: `****${v.account.mask}`,
        time_zone: v.account.timeZone,
        current_balance: groupedAmount(v.currentMinor, v.account.currency),
        current_balance_dr_cr: drCr(v.currentMinor),
        available_balance: groupedAmount(v.availableMinor, v.account.currency),
        available_balance_dr_cr: drCr(v.availableMinor),
        credit_limit: v.limitMinor === null ? null : groupedAmount(v.limitMinor, v.account.currency),
      })),
    };
  },

  transactions(query, visible) {
    const page = PageSchema.safeParse(query.page ?? 1);
    if (!page.success) return { ok: false, message: 'page must be a positive integer.' };
    const size = SizeSchema.safeParse(query.size ?? BANK_B_PAGE.default);
    if (!size.success) return { ok: false, message: `size must be an integer from 1 to ${BANK_B_PAGE.max}.` };
    // `visible` is oldest first (compareVisible, a total order).
    const newestFirst = [...visible].reverse();
    const start = (page.data - 1) * size.data;
    const items = newestFirst.slice(start, start + size.data);
    return {
      ok: true,
      items,
      envelope: (records) => ({
        page: page.data,
        size: size.data,
        total_pages: Math.ceil(newestFirst.length / size.data),
        total_records: newestFirst.length,
        transactions: records,
      }),
    };
  },

  transaction(t): BankBTransaction & WireRecord {
    return {
      txn_ref: t.bankTxnId,
      account_id: t.accountId,
      booking_date: ddmmyyyy(t.date),
      amount: groupedAmount(t.amountMinor, t.currency),
      dr_cr: drCr(t.amountMinor),
      currency_code: t.currency,
      narrative: t.description,
      status: t.status === 'posted' ? 'BOOKED' : 'PENDING',
      auth_code: authCode(t.sourceId),
    };
  },

  malform(record, kind, pick) {
    const out: WireRecord = { ...record };
    switch (kind) {
      case 'missing_field':
        delete out[
          pick(['txn_ref', 'account_id', 'amount', 'booking_date', 'dr_cr', 'status', 'auth_code'] as const)
        ];
        break;
      case 'garbage_amount':
        out.amount = pick(['1,23x.45', 'N/A', '--', '12.345.67', '-1,000.00'] as const);
        break;
      case 'bad_date':
        out.booking_date = pick(['31/02/2026', '2026-03-01', '00/00/0000', '32/13/2026', ''] as const);
        break;
    }
    return out;
  },

  withId(record, id) {
    return { ...record, txn_ref: id };
  },
};

/** A 6-digit authorization code for one real-world payment (stable across its versions and re-sends). */
function authCode(sourceId: string): string {
  const n = createHash('sha256').update(`auth:${sourceId}`).digest().readUInt32BE(0) % 1_000_000;
  return String(n).padStart(6, '0');
}
