import * as z from 'zod';
import type { BankProtocol } from '../kit/dialect';
import { parseDdmmyyyy } from '../kit/formats';

/**
 * Birch & Co. Bank (bank_b): the wire format, shared by its server and our client, and the zod schemas a
 * normalizer validates its records with. Documented in ./README.md.
 */
export const BANK_B: BankProtocol = {
  id: 'bank_b',
  name: 'Birch & Co. Bank',
  clientAuth: 'client_secret_post',
  scopes: { accounts: 'read_accounts', transactions: 'read_transactions' },
  tokenType: 'Bearer',
  envPrefix: 'BANK_B',
  defaultClient: { clientId: 'finagg-sandbox-b', clientSecret: 'sandbox-secret-b-2d9a4b' },
};

/** The API header carrying the access token. */
export const BANK_B_TOKEN_HEADER = 'x-access-token';

/** `size` defaults to 50, at most 200; `page` starts at 1. */
export const BANK_B_PAGE = { default: 50, max: 200 } as const;

/** Generated account type/subtype → the bank's product vocabulary (normalizers map it back). */
export const BANK_B_ACCOUNT_TYPES = [
  'CURRENT',
  'SAVINGS',
  'DEPOSIT',
  'CREDIT_CARD',
  'LOAN',
  'INVESTMENT',
] as const;

/** Absolute amount with thousands separators: `1,234.56`, `0.50`, `12` (zero-decimal currencies). */
export const BANK_B_AMOUNT = /^\d{1,3}(?:,\d{3})*(?:\.\d+)?$/;

const amount = z.lazy(() => z.string().regex(BANK_B_AMOUNT, 'not a formatted amount'));
const drCr = z.enum(['DR', 'CR']);
export const bankBDate = z.lazy(() =>
  z.string().refine((s) => parseDdmmyyyy(s) !== null, 'not a dd/mm/yyyy date'),
);

export const BankBAccountSchema = z.lazy(() =>
  z.object({
    account_id: z.string().min(1),
    account_name: z.string(),
    account_type: z.enum(BANK_B_ACCOUNT_TYPES),
    /** The generated subtype, as the bank's product name. */
    product_name: z.string(),
    currency_code: z.string().regex(/^[A-Z]{3}$/),
    masked_number: z.string().regex(/^\*{4}\d{4}$/),
    time_zone: z.string().min(1),
    current_balance: amount,
    current_balance_dr_cr: drCr,
    available_balance: amount,
    available_balance_dr_cr: drCr,
    credit_limit: amount.nullable(),
  }),
);
export type BankBAccount = z.infer<typeof BankBAccountSchema>;

export const BankBTransactionSchema = z.lazy(() =>
  z.object({
    txn_ref: z.string().min(1),
    account_id: z.string().min(1),
    /** dd/mm/yyyy in the account's time zone. */
    booking_date: bankBDate,
    /** Absolute value; the direction is dr_cr (DR = money out). */
    amount,
    dr_cr: drCr,
    currency_code: z.string().regex(/^[A-Z]{3}$/),
    narrative: z.string().min(1),
    status: z.enum(['BOOKED', 'PENDING']),
    /**
     * The card scheme's authorization code: the same on the pending and the booked record of one payment and on a
     * re-sent copy, different for two separate payments. This bank gives no time of day.
     */
    auth_code: z.string().regex(/^\d{6}$/, 'not a 6-digit authorization code'),
  }),
);
export type BankBTransaction = z.infer<typeof BankBTransactionSchema>;

/** `GET /accounts` */
export const BankBAccountsEnvelopeSchema = z.lazy(() => z.object({ accounts: z.array(z.unknown()) }));
/** `GET /transactions?page=&size=` */
export const BankBTransactionsEnvelopeSchema = z.lazy(() =>
  z.object({
    page: z.number().int().min(1),
    size: z.number().int().min(1),
    total_pages: z.number().int().min(0),
    total_records: z.number().int().min(0),
    transactions: z.array(z.unknown()),
  }),
);
/** Every error. */
export const BankBErrorSchema = z.lazy(() => z.object({ error_code: z.string(), error_message: z.string() }));

export const BANK_B_ERROR_CODES = {
  invalid_token: 'ACCESS_TOKEN_INVALID',
  token_expired: 'ACCESS_TOKEN_EXPIRED',
  insufficient_scope: 'INSUFFICIENT_SCOPE',
  rate_limited: 'TOO_MANY_REQUESTS',
  server_error: 'INTERNAL_ERROR',
  bad_gateway: 'BAD_GATEWAY',
  service_unavailable: 'SERVICE_UNAVAILABLE',
  bad_request: 'BAD_REQUEST',
  not_found: 'NOT_FOUND',
  method_not_allowed: 'METHOD_NOT_ALLOWED',
} as const;
