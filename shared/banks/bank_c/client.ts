import { HttpBankClient, type ClientOptions } from '../kit/client';
import type { ListingRequest, ListingSupport, ProviderClient, TransactionsPage } from '../kit/provider';
import {
  BANK_C,
  BANK_C_ERROR_CODES,
  BANK_C_PAGE,
  BankCAccountsEnvelopeSchema,
  BankCErrorSchema,
  BankCTransactionsEnvelopeSchema,
} from './wire';

/** `c1.<offset>.<limit>`, with `.<from>.<to>` for a date window. */
const CURSOR = /^c1\.(\d{1,9})\.(\d{1,4})(?:\.(\d{4}-\d{2}-\d{2})\.(\d{4}-\d{2}-\d{2}))?$/;

/**
 * Our client for Cedar Bank: a public client (PKCE, no secret), `Authorization: Token` on the API, offset+limit
 * pagination that follows the bank's `next` link. Our cursor is `c1.<offset>.<limit>`, read from that link, so it
 * survives a change of host (a restarted twin) and never sends a token to a host the link names.
 */
export class BankCClient extends HttpBankClient implements ProviderClient {
  /** A date window on value date or last change; the bank changes a record at most 30 days after its date. */
  readonly listing: ListingSupport = { changes: false, dates: true, correctionHorizonDays: 30 };

  constructor(opts: ClientOptions = {}) {
    super(
      {
        protocol: BANK_C,
        authHeaders: (token) => ({ authorization: `Token ${token}` }),
        errorCode: (body) => {
          const parsed = BankCErrorSchema.safeParse(body);
          return parsed.success ? parsed.data.errors[0]!.code : undefined;
        },
        expiredCodes: [BANK_C_ERROR_CODES.token_expired],
      },
      opts,
    );
  }

  async fetchAccounts(accessToken: string): Promise<unknown[]> {
    const body = await this.getJson('accounts', {}, accessToken);
    const parsed = BankCAccountsEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw this.badEnvelope('GET /accounts', parsed.error);
    return parsed.data.data.accounts;
  }

  async fetchTransactionsPage(
    accessToken: string,
    cursor?: string | null,
    request: ListingRequest = { kind: 'all' },
  ): Promise<TransactionsPage> {
    let offset = 0;
    let limit = this.opts.pageSize ?? BANK_C_PAGE.max;
    let window = request.kind === 'dates' ? { from: request.from, to: request.to } : null;
    if (cursor) {
      const m = CURSOR.exec(cursor);
      if (!m) throw this.badCursor(cursor);
      offset = Number(m[1]);
      limit = Number(m[2]);
      window = m[3] && m[4] ? { from: m[3], to: m[4] } : null;
    }
    const what = 'GET /transactions';
    const body = await this.getJson(
      'transactions',
      { offset: String(offset), limit: String(limit), ...(window ?? {}) },
      accessToken,
    );
    const parsed = BankCTransactionsEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw this.badEnvelope(what, parsed.error);
    const next = parsed.data.links.next;
    if (next === null) return { records: parsed.data.data, nextCursor: null };
    let url: URL;
    try {
      url = new URL(next);
    } catch {
      throw this.badLink(what, 'not an absolute URL');
    }
    if (!url.pathname.endsWith(`/${this.id}/transactions`))
      throw this.badLink(what, 'not a transactions link');
    const nextOffset = url.searchParams.get('offset') ?? '';
    const nextLimit = url.searchParams.get('limit') ?? String(limit);
    const nextWindow = window ? `.${window.from}.${window.to}` : '';
    const nextCursor = `c1.${nextOffset}.${nextLimit}${nextWindow}`;
    if (!CURSOR.test(nextCursor) || Number(nextOffset) <= offset)
      throw this.badLink(what, 'offset does not advance');
    return { records: parsed.data.data, nextCursor };
  }

  private badLink(what: string, why: string) {
    return this.badResponse(what, `links.next: ${why}`);
  }
}
