import * as z from 'zod';
import type { BankDialect, WireRecord } from '../kit/dialect';
import { compareVisible, type VisibleTransaction } from '../kit/replay';
import { BANK_A, BANK_A_ERROR_CODES, BANK_A_PAGE, type BankAAccount, type BankATransaction } from './wire';

const instant = z.iso.datetime({ offset: true });
/** `snap`: the instant of the listing's first page; `since`: its change token's instant (a change listing). */
const CursorSchema = z.lazy(() =>
  z
    .object({ at: instant, id: z.string().min(1), snap: instant.optional(), since: instant.optional() })
    .strict(),
);
const ChangeTokenSchema = z.lazy(() => z.object({ ct: instant }).strict());
const LimitSchema = z.lazy(() => z.coerce.number().int().min(1).max(BANK_A_PAGE.max));

type Cursor = z.infer<typeof CursorSchema>;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode<T>(schema: z.ZodType<T>, text: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The keyset cursor: the last record's (time, id), so records appearing earlier never shift a walk. */
function encodeCursor(t: VisibleTransaction, snap: string, since: string | null): string {
  const cursor: Cursor = { at: t.at, id: t.bankTxnId, snap, ...(since ? { since } : {}) };
  return encode(cursor);
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

  transactions(query, visible, ctx, gone) {
    const limit = LimitSchema.safeParse(query.limit ?? BANK_A_PAGE.default);
    if (!limit.success)
      return { ok: false, message: `limit must be an integer from 1 to ${BANK_A_PAGE.max}.` };
    // A listing is one snapshot instant (its first page's), and a change listing also the token's instant.
    let snap = ctx.now.toISOString();
    let since: string | null = null;
    let key: Cursor | null = null;
    if (query.cursor) {
      key = decode(CursorSchema, query.cursor);
      if (!key) return { ok: false, message: 'cursor is not valid.' };
      snap = key.snap ?? snap;
      since = key.since ?? null;
    } else if (query.since) {
      const token = decode(ChangeTokenSchema, query.since);
      if (!token || Date.parse(token.ct) > ctx.now.getTime())
        return { ok: false, message: 'since is not a change token of this bank.' };
      since = token.ct;
    }
    const sinceMs = since === null ? -Infinity : Date.parse(since);
    const snapMs = Date.parse(snap);
    const changed = (at: string) => Date.parse(at) > sinceMs && Date.parse(at) <= snapMs;
    // A change listing: only the records that changed after the token (up to the snapshot).
    const list = since === null ? visible : visible.filter((t) => changed(t.changedAt));
    let start = 0;
    if (key) {
      const probe = { at: key.at, bankTxnId: key.id };
      start = list.findIndex((t) => compareVisible(t, probe) > 0);
      if (start < 0) start = list.length;
    }
    const items = list.slice(start, start + limit.data);
    const more = start + items.length < list.length;
    return {
      ok: true,
      items,
      envelope: (records) => ({
        transactions: records,
        nextCursor: more ? encodeCursor(items.at(-1)!, snap, since) : null,
        ...(more
          ? {}
          : {
              ...(since === null
                ? {}
                : {
                    removed: gone
                      .filter((g) => changed(g.goneAt))
                      .map((g) => ({
                        transactionId: g.bankTxnId,
                        accountId: g.accountId,
                        removedAt: g.goneAt,
                      })),
                  }),
              changeToken: encode({ ct: snap }),
            }),
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
