/**
 * Plaid's error object and the codes this surface answers with (https://plaid.com/docs/errors/). Every error of the
 * `/plaid` surface is one of these objects, with Plaid's HTTP status, and the request's `request_id`.
 */

/** The error object as Plaid's API (and the official client's `PlaidError` type) has it. */
export interface PlaidErrorObject {
  error_type: PlaidErrorType;
  error_code: string;
  error_code_reason: string | null;
  error_message: string;
  display_message: string | null;
  request_id: string;
  causes: unknown[];
  status: number;
  documentation_url: string;
  suggested_action: string | null;
}

export type PlaidErrorType =
  | 'INVALID_REQUEST'
  | 'INVALID_INPUT'
  | 'INVALID_RESULT'
  | 'INSTITUTION_ERROR'
  | 'RATE_LIMIT_EXCEEDED'
  | 'API_ERROR'
  | 'ITEM_ERROR'
  | 'SANDBOX_ERROR'
  | 'TRANSACTIONS_ERROR';

/** Each code this surface uses: its type and HTTP status (as Plaid answers them). */
export const PLAID_ERROR_CODES = {
  // INVALID_REQUEST: the request is malformed.
  INVALID_BODY: { type: 'INVALID_REQUEST', status: 400 },
  INVALID_HEADERS: { type: 'INVALID_REQUEST', status: 400 },
  INVALID_FIELD: { type: 'INVALID_REQUEST', status: 400 },
  MISSING_FIELDS: { type: 'INVALID_REQUEST', status: 400 },
  UNKNOWN_FIELDS: { type: 'INVALID_REQUEST', status: 400 },
  NOT_FOUND: { type: 'INVALID_REQUEST', status: 404 },
  // INVALID_INPUT: the fields are there but their values are wrong.
  INVALID_API_KEYS: { type: 'INVALID_INPUT', status: 400 },
  INVALID_ACCESS_TOKEN: { type: 'INVALID_INPUT', status: 400 },
  INVALID_PUBLIC_TOKEN: { type: 'INVALID_INPUT', status: 400 },
  INVALID_LINK_TOKEN: { type: 'INVALID_INPUT', status: 400 },
  INVALID_INSTITUTION: { type: 'INVALID_INPUT', status: 400 },
  INVALID_PRODUCT: { type: 'INVALID_INPUT', status: 400 },
  INVALID_ACCOUNT_ID: { type: 'INVALID_INPUT', status: 400 },
  INVALID_WEBHOOK_VERIFICATION_KEY_ID: { type: 'INVALID_INPUT', status: 400 },
  // ITEM_ERROR: the Item cannot be used as asked.
  ITEM_LOGIN_REQUIRED: { type: 'ITEM_ERROR', status: 400 },
  ITEM_NOT_FOUND: { type: 'ITEM_ERROR', status: 400 },
  PRODUCT_NOT_READY: { type: 'ITEM_ERROR', status: 400 },
  NO_ACCOUNTS: { type: 'ITEM_ERROR', status: 400 },
  INVALID_CREDENTIALS: { type: 'ITEM_ERROR', status: 400 },
  // INSTITUTION_ERROR: the bank failed.
  INSTITUTION_DOWN: { type: 'INSTITUTION_ERROR', status: 400 },
  INSTITUTION_NOT_RESPONDING: { type: 'INSTITUTION_ERROR', status: 400 },
  INSTITUTION_NOT_FOUND: { type: 'INVALID_INPUT', status: 400 },
  // TRANSACTIONS_ERROR
  TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION: { type: 'TRANSACTIONS_ERROR', status: 400 },
  // SANDBOX_ERROR
  SANDBOX_PRODUCT_NOT_ENABLED: { type: 'SANDBOX_ERROR', status: 400 },
  SANDBOX_WEBHOOK_INVALID: { type: 'SANDBOX_ERROR', status: 400 },
  // RATE_LIMIT_EXCEEDED
  RATE_LIMIT_EXCEEDED: { type: 'RATE_LIMIT_EXCEEDED', status: 429 },
  // API_ERROR: ours.
  INTERNAL_SERVER_ERROR: { type: 'API_ERROR', status: 500 },
  PLANNED_MAINTENANCE: { type: 'API_ERROR', status: 503 },
} as const satisfies Record<string, { type: PlaidErrorType; status: number }>;

export type PlaidErrorCode = keyof typeof PLAID_ERROR_CODES;

/** What each code tells an end user, where Plaid shows one (null: not the user's business). */
const DISPLAY: Partial<Record<PlaidErrorCode, string>> = {
  ITEM_LOGIN_REQUIRED: 'Your bank needs you to sign in again to keep this connection working.',
  INSTITUTION_DOWN: 'This bank is currently unavailable. Please try again later.',
  INSTITUTION_NOT_RESPONDING: 'This bank is currently not responding. Please try again later.',
  INVALID_CREDENTIALS: 'The credentials you provided were incorrect. Check them and try again.',
  RATE_LIMIT_EXCEEDED: 'Too many requests were made. Please try again in a moment.',
  INTERNAL_SERVER_ERROR: 'An unexpected error occurred. Please try again later.',
};

/** A Plaid error to throw from a service or handler; the Plaid middleware answers it as Plaid does. */
export class PlaidError extends Error {
  override name = 'PlaidError';
  readonly code: PlaidErrorCode;
  readonly type: PlaidErrorType;
  readonly status: number;
  readonly displayMessage: string | null;
  readonly reason: string | null;

  constructor(
    code: PlaidErrorCode,
    message: string,
    opts: { displayMessage?: string | null; reason?: string | null } = {},
  ) {
    super(message);
    this.code = code;
    this.type = PLAID_ERROR_CODES[code].type;
    this.status = PLAID_ERROR_CODES[code].status;
    this.displayMessage = opts.displayMessage === undefined ? (DISPLAY[code] ?? null) : opts.displayMessage;
    this.reason = opts.reason ?? null;
  }

  toObject(requestId: string): PlaidErrorObject {
    return plaidErrorObject(this.code, this.message, requestId, {
      displayMessage: this.displayMessage,
      reason: this.reason,
    });
  }
}

/** Plaid's error object for a code. */
export function plaidErrorObject(
  code: PlaidErrorCode,
  message: string,
  requestId: string,
  opts: { displayMessage?: string | null; reason?: string | null } = {},
): PlaidErrorObject {
  const { type, status } = PLAID_ERROR_CODES[code];
  return {
    error_type: type,
    error_code: code,
    error_code_reason: opts.reason ?? null,
    error_message: message,
    display_message: opts.displayMessage === undefined ? (DISPLAY[code] ?? null) : opts.displayMessage,
    request_id: requestId,
    causes: [],
    status,
    documentation_url: `https://plaid.com/docs/errors/${docsPage(type)}/#${code.toLowerCase()}`,
    suggested_action: null,
  };
}

function docsPage(type: PlaidErrorType): string {
  return type
    .toLowerCase()
    .replace(/_error$/, '')
    .replace(/_/g, '-');
}

// Helpers for the codes every endpoint meets.
export const invalidField = (message: string) => new PlaidError('INVALID_FIELD', message);
export const missingFields = (fields: readonly string[]) =>
  new PlaidError('MISSING_FIELDS', `the following required fields are missing: ${fields.join(', ')}`);
export const invalidApiKeys = () =>
  new PlaidError('INVALID_API_KEYS', 'invalid client_id or secret provided');
export const invalidAccessToken = () =>
  new PlaidError('INVALID_ACCESS_TOKEN', 'provided access token is in an invalid format or does not exist');
export const itemNotFound = () =>
  new PlaidError(
    'ITEM_NOT_FOUND',
    'the Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user',
  );
export const itemLoginRequired = () =>
  new PlaidError(
    'ITEM_LOGIN_REQUIRED',
    "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
  );
export const internalServerError = () =>
  new PlaidError('INTERNAL_SERVER_ERROR', 'an unexpected error occurred');
