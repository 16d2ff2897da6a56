import * as z from 'zod';
import type { BankDialect, WireRecord } from '../kit/dialect';
import { localIsoDate, majorFloat, zonedMidnightEpochMs } from '../kit/formats';
import { BANK_C, BANK_C_ERROR_CODES, BANK_C_PAGE, type BankCAccount, type BankCTransaction } from './wire';

const OffsetSchema = z.lazy(() => z.coerce.number().int().min(0).max(100_000_000));
const LimitSchema = z.lazy(() => z.coerce.number().int().min(1).max(BANK_C_PAGE.max));
/** `from` / `to`: local dates, inclusive. */
const DateSchema = z.iso.date();

const TITLES: Record<string, string> = {
  token_invalid: 'Unauthorized',
  token_expired: 'Unauthorized',
  insufficient_scope: 'Forbidden',
  rate_limited: 'Too Many Requests',
  internal_error: 'Internal Server Error',
  bad_gateway: 'Bad Gateway',
  service_unavailable: 'Service Unavailable',
  bad_request: 'Bad Request',
  not_found: 'Not Found',
  method_not_allowed: 'Method Not Allowed',
};

/**
 * Cedar Bank: JSON:API-like nested envelope with kebab-case attributes, float major units with the opposite
 * sign, epoch-millisecond dates, AUTHORIZED/SETTLED, offset+limit with a `next` link, oldest first.
 */
export const bankCDialect: BankDialect = {
  protocol: BANK_C,
  brand: { colour: '#e65100', tagline: 'Aapka bharosa, hamari zimmedari' },

  readAccessToken(headers) {
    return /^Token\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1] ?? null;
  },

  apiError(kind, message) {
    const code = BANK_C_ERROR_CODES[kind];
    return { body: { status: 'error', errors: [{ code, title: TITLES[code] ?? 'Error', detail: message }] } };
  },

  retryAfter(seconds) {
    return String(seconds);
  },

  accounts(views, ctx) {
    return {
      status: 'ok',
      data: {
        accounts: views.map((v): BankCAccount => ({
          id: v.account.id,
          type: 'account',
          attributes: {
            nickname: v.account.name,
            category: v.account.type,
            subcategory: v.account.subtype,
            currency: v.account.currency,
            'masked-number': `XXXXXXXX${v.account.mask}`,
            'time-zone': v.account.timeZone,
            balance: {
              ledger: majorFloat(v.currentMinor, v.account.currency),
              available: majorFloat(v.availableMinor, v.account.currency),
              'credit-limit': v.limitMinor === null ? null : majorFloat(v.limitMinor, v.account.currency),
            },
          },
        })),
      },
      meta: { count: views.length, 'as-of': ctx.now.getTime() },
    };
  },

  transactions(query, all, ctx) {
    const offset = OffsetSchema.safeParse(query.offset ?? 0);
    if (!offset.success) return { ok: false, message: 'offset must be a non-negative integer.' };
    const limit = LimitSchema.safeParse(query.limit ?? BANK_C_PAGE.default);
    if (!limit.success)
      return { ok: false, message: `limit must be an integer from 1 to ${BANK_C_PAGE.max}.` };
    // A date window: the records whose value date, or whose last change's local date, is within it.
    const from = query.from === undefined ? undefined : DateSchema.safeParse(query.from);
    const to = query.to === undefined ? undefined : DateSchema.safeParse(query.to);
    if ((from && !from.success) || (to && !to.success))
      return { ok: false, message: 'from and to must be dates (YYYY-MM-DD).' };
    const lo = from?.data ?? '0000-01-01';
    const hi = to?.data ?? '9999-12-31';
    if (lo > hi) return { ok: false, message: 'from must not be after to.' };
    const within = (d: string) => d >= lo && d <= hi;
    const visible =
      from || to
        ? all.filter(
            (t) =>
              within(t.date) ||
              within(localIsoDate(Date.parse(t.changedAt), ctx.accounts.get(t.accountId)?.timeZone ?? 'UTC')),
          )
        : all;
    const items = visible.slice(offset.data, offset.data + limit.data);
    const window = `${from ? `&from=${lo}` : ''}${to ? `&to=${hi}` : ''}`;
    const link = (o: number) => `${ctx.rootUrl}/transactions?offset=${o}&limit=${limit.data}${window}`;
    const nextOffset = offset.data + limit.data;
    return {
      ok: true,
      items,
      envelope: (records) => ({
        status: 'ok',
        data: records,
        links: { self: link(offset.data), next: nextOffset < visible.length ? link(nextOffset) : null },
        meta: { offset: offset.data, limit: limit.data, total: visible.length },
      }),
    };
  },

  transaction(t, ctx): BankCTransaction & WireRecord {
    const timeZone = ctx.accounts.get(t.accountId)?.timeZone ?? 'UTC';
    return {
      id: t.bankTxnId,
      type: 'transaction',
      attributes: {
        amount: majorFloat(-t.amountMinor, t.currency),
        currency: t.currency,
        narration: t.description,
        state: t.status === 'posted' ? 'SETTLED' : 'AUTHORIZED',
        'value-date': zonedMidnightEpochMs(t.date, timeZone),
        'txn-time': Date.parse(t.at),
        'authorized-time': Date.parse(t.firstAt),
      },
      relationships: {
        account: { id: t.accountId },
        authorization: t.pendingBankTxnId ? { id: t.pendingBankTxnId } : null,
      },
    };
  },

  malform(record, kind, pick) {
    const out = structuredClone(record);
    const attributes = (out.attributes ?? {}) as WireRecord;
    switch (kind) {
      case 'missing_field': {
        const field = pick(['id', 'amount', 'currency', 'state', 'account'] as const);
        if (field === 'id') delete out.id;
        else if (field === 'account') delete out.relationships;
        else delete attributes[field];
        break;
      }
      case 'garbage_amount':
        attributes.amount = pick(['₹1,234.50', 'NaN', null, '12..5', true] as const);
        break;
      case 'bad_date':
        attributes['value-date'] = pick([-1, 'yesterday', 99_999_999_999_999, null, 1.5] as const);
        break;
    }
    return out;
  },

  withId(record, id) {
    return { ...record, id };
  },
};
