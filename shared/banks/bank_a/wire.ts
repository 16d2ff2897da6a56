import * as z from 'zod';
import type { BankProtocol } from '../kit/dialect';

/**
 * Acorn Bank (bank_a): the wire format, shared by its server and our client, and the zod schemas a normalizer
 * validates its records with. Documented in ./README.md.
 */
export const BANK_A: BankProtocol = {
  id: 'bank_a',
  name: 'Acorn Bank',
  clientAuth: 'client_secret_basic',
  scopes: { accounts: 'accounts', transactions: 'transactions' },
  tokenType: 'Bearer',
  envPrefix: 'BANK_A',
  defaultClient: { clientId: 'finagg-sandbox-a', clientSecret: 'sandbox-secret-a-7f3c1e' },
};

/** Records per page: `limit` defaults to 100, at most 500. */
export const BANK_A_PAGE = { default: 100, max: 500 } as const;

const currency = z.lazy(() => z.string().regex(/^[A-Z]{3}$/));
const minor = z.lazy(() => z.number().int().refine(Number.isSafeInteger, 'not a safe integer'));
const instant = z.iso.datetime({ offset: true });

export const BankAAccountSchema = z.lazy(() =>
  z.object({
    accountId: z.string().min(1),
    name: z.string(),
    type: z.enum(['depository', 'credit', 'loan', 'investment']),
    subtype: z.string(),
    currency,
    mask: z.string().regex(/^\d{4}$/),
    /** IANA zone the account's dates are in. */
    timeZone: z.string().min(1),
    balances: z.object({
      currentMinor: minor,
      availableMinor: minor,
      limitMinor: minor.nullable(),
    }),
  }),
);
export type BankAAccount = z.infer<typeof BankAAccountSchema>;

export const BankATransactionSchema = z.lazy(() =>
  z.object({
    transactionId: z.string().min(1),
    accountId: z.string().min(1),
    /** Integer minor units; negative = money out of the account. */
    amountMinor: minor,
    currency,
    description: z.string().min(1),
    status: z.enum(['pending', 'posted']),
    /** Local date in the account's time zone. */
    date: z.iso.date(),
    /** When the first version of this transaction happened (UTC). */
    authorizedAt: instant,
    /** When the bank posted it (UTC); null while pending. */
    postedAt: instant.nullable(),
    /** For a posted transaction that replaced a pending one under another id: that pending id. */
    pendingTransactionId: z.string().min(1).nullable(),
    /** Card purchases only, where the network sent one: the merchant category code (ISO 18245), 4 digits. */
    merchantCategoryCode: z
      .string()
      .regex(/^\d{4}$/)
      .optional(),
  }),
);
export type BankATransaction = z.infer<typeof BankATransactionSchema>;

/** `GET /accounts` */
export const BankAAccountsEnvelopeSchema = z.lazy(() => z.object({ accounts: z.array(z.unknown()) }));
/** A record that left the listing since the change token (removed, or replaced by a posting under another id). */
export const BankARemovedSchema = z.lazy(() =>
  z.object({
    transactionId: z.string().min(1),
    accountId: z.string().min(1),
    removedAt: instant,
  }),
);
/** `GET /transactions?since=&cursor=&limit=` */
export const BankATransactionsEnvelopeSchema = z.lazy(() =>
  z.object({
    transactions: z.array(z.unknown()),
    nextCursor: z.string().min(1).nullable(),
    /** With `since`, on the last page: what left the listing after the token. */
    removed: z.array(BankARemovedSchema).optional(),
    /** On the last page: pass it as `since` to list only what changes after this listing. */
    changeToken: z.string().min(1).nullable().optional(),
  }),
);
/** Every error. */
export const BankAErrorSchema = z.lazy(() =>
  z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
);

export const BANK_A_ERROR_CODES = {
  invalid_token: 'INVALID_TOKEN',
  token_expired: 'TOKEN_EXPIRED',
  insufficient_scope: 'INSUFFICIENT_SCOPE',
  rate_limited: 'RATE_LIMITED',
  server_error: 'INTERNAL_ERROR',
  bad_gateway: 'BAD_GATEWAY',
  service_unavailable: 'SERVICE_UNAVAILABLE',
  bad_request: 'INVALID_REQUEST',
  not_found: 'NOT_FOUND',
  method_not_allowed: 'METHOD_NOT_ALLOWED',
} as const;
