import { z } from 'zod';
import type { BankDialect, WireRecord } from '../kit/dialect';
import { compareVisible, type VisibleTransaction } from '../kit/replay';
import { BANK_A, BANK_A_ERROR_CODES, BANK_A_PAGE, type BankAAccount, type BankATransaction } from './wire';

const CursorSchema = z.object({ at: z.iso.datetime({ offset: true }), id: z.string().min(1) }).strict();
const LimitSchema = z.coerce.number().int().min(1).max(BANK_A_PAGE.max);

/** The keyset cursor: the last record's (time, id), so records appearing earlier never shift a walk. */
function encodeCursor(t: VisibleTransaction): string {
  return Buffer.from(JSON.stringify({ at: t.at, id: t.bankTxnId }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } | null {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Acorn Bank: camelCase, integer minor units, ISO dates, pending/posted, keyset cursor, oldest first. */
export const bankADialect: BankDialect = {
  protocol: BANK_A,
  brand: { colour: '#1b5e20', tagline: 'Banking that grows with you' },

  readAccessToken(headers) {
    return /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1] ?? null;
  },

  apiError(kind, message) {
    const headers: Record<string, string> =
      kind === 'invalid_token' || kind === 'token_expired'
        ? {
            'www-authenticate': `Bearer realm="bank_a", error="invalid_token", error_description="${message}"`,
          }
        : {};
    return { body: { error: { code: BANK_A_ERROR_CODES[kind], message } }, headers };
  },

  retryAfter(seconds) {
    return String(seconds);
  },

  accounts(views) {
    return {
      accounts: views.map((v): BankAAccount => ({
        accountId: v.account.id,
        name: v.account.name,
        type: v.account.type,
        subtype: v.account.subtype,
        currency: v.account.currency,
        mask: v.account.mask,
        timeZone: v.account.timeZone,
        balances: {
          currentMinor: v.currentMinor,
          availableMinor: v.availableMinor,
          limitMinor: v.limitMinor,
        },
      })),
    };
  },

  transactions(query, visible) {
    const limit = LimitSchema.safeParse(query.limit ?? BANK_A_PAGE.default);
    if (!limit.success)
      return { ok: false, message: `limit must be an integer from 1 to ${BANK_A_PAGE.max}.` };
    let start = 0;
    if (query.cursor) {
      const key = decodeCursor(query.cursor);
      if (!key) return { ok: false, message: 'cursor is not valid.' };
      const probe = { at: key.at, bankTxnId: key.id };
      start = visible.findIndex((t) => compareVisible(t, probe) > 0);
      if (start < 0) start = visible.length;
    }
    const items = visible.slice(start, start + limit.data);
    const more = start + items.length < visible.length;
    return {
      ok: true,
      items,
      envelope: (records) => ({
        transactions: records,
        nextCursor: more ? encodeCursor(items.at(-1)!) : null,
      }),
    };
  },

  transaction(t): BankATransaction & WireRecord {
    return {
      transactionId: t.bankTxnId,
      accountId: t.accountId,
      amountMinor: t.amountMinor,
      currency: t.currency,
      description: t.description,
      status: t.status,
      date: t.date,
      authorizedAt: t.firstAt,
      postedAt: t.postedAt,
      pendingTransactionId: t.pendingBankTxnId,
      ...(t.mcc ? { merchantCategoryCode: t.mcc } : {}),
    };
  },

  malform(record, kind, pick) {
    const out: WireRecord = { ...record };
    switch (kind) {
      case 'missing_field':
        delete out[pick(['transactionId', 'accountId', 'amountMinor', 'date', 'status'] as const)];
        break;
      case 'garbage_amount':
        out.amountMinor = pick(['12.5O', 1050.5, null, '-', '1e400'] as const);
        break;
      case 'bad_date':
        out.date = pick(['2026-02-30', '03/15/2026', '', '2026-13-01', 'yesterday'] as const);
        break;
    }
    return out;
  },

  withId(record, id) {
    return { ...record, transactionId: id };
  },
};
