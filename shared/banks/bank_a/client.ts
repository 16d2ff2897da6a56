import { HttpBankClient, type ClientOptions } from '../kit/client';
import type { ProviderClient, TransactionsPage } from '../kit/provider';
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
 * keyset cursor pagination. Our cursor is `a1.<the bank's nextCursor>`.
 */
export class BankAClient extends HttpBankClient implements ProviderClient {
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

  async fetchTransactionsPage(accessToken: string, cursor?: string | null): Promise<TransactionsPage> {
    const query: Record<string, string> = { limit: String(this.opts.pageSize ?? BANK_A_PAGE.max) };
    if (cursor) {
      if (!cursor.startsWith('a1.') || cursor.length < 4) throw this.badCursor(cursor);
      query.cursor = cursor.slice(3);
    }
    const body = await this.getJson('transactions', query, accessToken);
    const parsed = BankATransactionsEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw this.badEnvelope('GET /transactions', parsed.error);
    return {
      records: parsed.data.transactions,
      nextCursor: parsed.data.nextCursor === null ? null : `a1.${parsed.data.nextCursor}`,
    };
  }
}
