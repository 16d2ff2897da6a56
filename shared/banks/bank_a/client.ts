import { HttpBankClient, type ClientOptions } from '../kit/client';
import type { ListingRequest, ListingSupport, ProviderClient, TransactionsPage } from '../kit/provider';
import {
  BANK_A,
  BANK_A_ERROR_CODES,
  BANK_A_PAGE,
  BankAAccountsEnvelopeSchema,
  BankAErrorSchema,
  BankATransactionsEnvelopeSchema,
} from './wire';

/**
 * Our client for Acorn Bank: client_secret_basic at the token endpoint, `Authorization: Bearer` on the API,
 * keyset cursor pagination. Our cursor is `a1.<the bank's nextCursor>`. The bank gives a change token on a
 * listing's last page; a listing `since` it holds only what changed after it, with the removals.
 */
export class BankAClient extends HttpBankClient implements ProviderClient {
  readonly listing: ListingSupport = { changes: true, dates: false, correctionHorizonDays: 30 };

  constructor(opts: ClientOptions = {}) {
    super(
      {
        protocol: BANK_A,
        authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
        errorCode: (body) => {
          const parsed = BankAErrorSchema.safeParse(body);
          return parsed.success ? parsed.data.error.code : undefined;
        },
        expiredCodes: [BANK_A_ERROR_CODES.token_expired],
      },
      opts,
    );
  }

  async fetchAccounts(accessToken: string): Promise<unknown[]> {
    const body = await this.getJson('accounts', {}, accessToken);
    const parsed = BankAAccountsEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw this.badEnvelope('GET /accounts', parsed.error);
    return parsed.data.accounts;
  }

  async fetchTransactionsPage(
    accessToken: string,
    cursor?: string | null,
    request: ListingRequest = { kind: 'all' },
  ): Promise<TransactionsPage> {
    const query: Record<string, string> = { limit: String(this.opts.pageSize ?? BANK_A_PAGE.max) };
    if (cursor) {
      if (!cursor.startsWith('a1.') || cursor.length < 4) throw this.badCursor(cursor);
      query.cursor = cursor.slice(3);
    } else if (request.kind === 'changes') {
      query.since = request.since;
    }
    const body = await this.getJson('transactions', query, accessToken);
    const parsed = BankATransactionsEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw this.badEnvelope('GET /transactions', parsed.error);
    return {
      records: parsed.data.transactions,
      nextCursor: parsed.data.nextCursor === null ? null : `a1.${parsed.data.nextCursor}`,
      ...(parsed.data.removed ? { removedIds: parsed.data.removed.map((r) => r.transactionId) } : {}),
      ...(parsed.data.changeToken ? { changeToken: parsed.data.changeToken } : {}),
    };
  }
}
