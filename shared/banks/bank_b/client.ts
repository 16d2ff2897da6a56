import { HttpBankClient, type ClientOptions } from '../kit/client';
import type { ListingSupport, ProviderClient, TransactionsPage } from '../kit/provider';
import {
  BANK_B,
  BANK_B_ERROR_CODES,
  BANK_B_PAGE,
  BANK_B_TOKEN_HEADER,
  BankBAccountsEnvelopeSchema,
  BankBErrorSchema,
  BankBTransactionsEnvelopeSchema,
} from './wire';

const CURSOR = /^b1\.(\d{1,7})\.(\d{1,4})$/;

/**
 * Our client for Birch & Co.: client_secret_post at the token endpoint, `X-Access-Token` on the API, page+size
 * pagination (newest first). Our cursor is `b1.<page>.<size>`.
 */
export class BankBClient extends HttpBankClient implements ProviderClient {
  /** Birch & Co. lists everything, every time. */
  readonly listing: ListingSupport = { changes: false, dates: false, correctionHorizonDays: 30 };

  constructor(opts: ClientOptions = {}) {
    super(
      {
        protocol: BANK_B,
        authHeaders: (token) => ({ [BANK_B_TOKEN_HEADER]: token }),
        errorCode: (body) => {
          const parsed = BankBErrorSchema.safeParse(body);
          return parsed.success ? parsed.data.error_code : undefined;
        },
        expiredCodes: [BANK_B_ERROR_CODES.token_expired],
      },
      opts,
    );
  }

  async fetchAccounts(accessToken: string): Promise<unknown[]> {
    const body = await this.getJson('accounts', {}, accessToken);
    const parsed = BankBAccountsEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw this.badEnvelope('GET /accounts', parsed.error);
    return parsed.data.accounts;
  }

  async fetchTransactionsPage(accessToken: string, cursor?: string | null): Promise<TransactionsPage> {
    let page = 1;
    let size = this.opts.pageSize ?? BANK_B_PAGE.max;
    if (cursor) {
      const m = CURSOR.exec(cursor);
      if (!m) throw this.badCursor(cursor);
      page = Number(m[1]);
      size = Number(m[2]);
    }
    const body = await this.getJson('transactions', { page: String(page), size: String(size) }, accessToken);
    const parsed = BankBTransactionsEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw this.badEnvelope('GET /transactions', parsed.error);
    const env = parsed.data;
    return {
      records: env.transactions,
      nextCursor: env.page < env.total_pages ? `b1.${env.page + 1}.${env.size}` : null,
    };
  }
}
