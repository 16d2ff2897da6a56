import * as z from 'zod';
import type { BankProtocol } from '../kit/dialect';

/**
 * Cedar Bank (bank_c): the wire format, shared by its server and our client, and the zod schemas a normalizer
 * validates its records with. Documented in ./README.md.
 */
export const BANK_C: BankProtocol = {
  id: 'bank_c',
  name: 'Cedar Bank',
  clientAuth: 'none',
  scopes: { accounts: 'accounts:read', transactions: 'transactions:read' },
  tokenType: 'Token',
  envPrefix: 'BANK_C',
  defaultClient: { clientId: 'finagg-sandbox-c' },
};

/** `limit` defaults to 100, at most 250; `offset` starts at 0. */
export const BANK_C_PAGE = { default: 100, max: 250 } as const;

/** Epoch milliseconds between 2000-01-01 and 2100-01-01. */
export const bankCEpochMs = z.lazy(() => z.number().int().min(946_684_800_000).max(4_102_444_800_000));
/** A float in major units (what this bank sends; convert with fromMajorFloat). */
const major = z.lazy(() => z.number().refine(Number.isFinite, 'not a finite number'));

export const BankCAccountSchema = z.lazy(() =>
  z.object({
    id: z.string().min(1),
    type: z.literal('account'),
    attributes: z.object({
      nickname: z.string(),
      category: z.enum(['depository', 'credit', 'loan', 'investment']),
      subcategory: z.string(),
      currency: z.string().regex(/^[A-Z]{3}$/),
      'masked-number': z.string().regex(/^X+\d{4}$/),
      'time-zone': z.string().min(1),
      /** Major units, natural sign (positive = money in the account). */
      balance: z.object({ ledger: major, available: major, 'credit-limit': major.nullable() }),
    }),
  }),
);
export type BankCAccount = z.infer<typeof BankCAccountSchema>;

export const BankCTransactionSchema = z.lazy(() =>
  z.object({
    id: z.string().min(1),
    type: z.literal('transaction'),
    attributes: z.object({
      /** Major units as a float, OPPOSITE sign: positive = money out (debit), negative = money in. */
      amount: major,
      currency: z.string().regex(/^[A-Z]{3}$/),
      narration: z.string().min(1),
      state: z.enum(['AUTHORIZED', 'SETTLED']),
      /** The transaction's date: epoch ms of local midnight in the account's time zone. */
      'value-date': bankCEpochMs,
      /** When it happened / settled (epoch ms). */
      'txn-time': bankCEpochMs,
      /** When the first version was authorized (epoch ms). */
      'authorized-time': bankCEpochMs,
    }),
    relationships: z.object({
      account: z.object({ id: z.string().min(1) }),
      /** A settled transaction that replaced an authorization under another id: that authorization. */
      authorization: z.object({ id: z.string().min(1) }).nullable(),
    }),
  }),
);
export type BankCTransaction = z.infer<typeof BankCTransactionSchema>;

/** `GET /accounts` */
export const BankCAccountsEnvelopeSchema = z.lazy(() =>
  z.object({
    status: z.literal('ok'),
    data: z.object({ accounts: z.array(z.unknown()) }),
    meta: z.object({ count: z.number().int(), 'as-of': z.number().int() }),
  }),
);
/** `GET /transactions?offset=&limit=` */
export const BankCTransactionsEnvelopeSchema = z.lazy(() =>
  z.object({
    status: z.literal('ok'),
    data: z.array(z.unknown()),
    links: z.object({ self: z.string(), next: z.string().nullable() }),
    meta: z.object({
      offset: z.number().int().min(0),
      limit: z.number().int().min(1),
      total: z.number().int().min(0),
    }),
  }),
);
/** Every error. */
export const BankCErrorSchema = z.lazy(() =>
  z.object({
    status: z.literal('error'),
    errors: z.array(z.object({ code: z.string(), title: z.string(), detail: z.string() })).min(1),
  }),
);

export const BANK_C_ERROR_CODES = {
  invalid_token: 'token_invalid',
  token_expired: 'token_expired',
  insufficient_scope: 'insufficient_scope',
  rate_limited: 'rate_limited',
  server_error: 'internal_error',
  bad_gateway: 'bad_gateway',
  service_unavailable: 'service_unavailable',
  bad_request: 'bad_request',
  not_found: 'not_found',
  method_not_allowed: 'method_not_allowed',
} as const;
