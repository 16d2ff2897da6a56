import type { Listing, ListingCapabilities } from '../../domain/sync-window';

/**
 * The provider client interface: how the platform talks to a bank, whichever bank it is. One implementation per
 * bank (`shared/banks/<bank>/client.ts`), registered in `shared/banks/registry.ts`.
 *
 * Clients make exactly one HTTP call per method and never retry: the sync engine owns retries, using the typed
 * errors below (`retryAfterMs` for 429 and 503, `retryable` for the rest). Records come back raw (`unknown`);
 * each bank's `wire.ts` has the zod schemas a normalizer validates them with.
 */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** RFC 3339: the client's clock plus the bank's `expires_in`. */
  expiresAt: string;
  /** Granted scopes, as the bank names them. */
  scope: string[];
}

/** The name the linking service uses for a token set. */
export type ProviderTokens = TokenSet;

export interface TransactionsPage {
  records: unknown[];
  /** Opaque; pass it back to get the next page. null: this was the last page. */
  nextCursor: string | null;
  /** A change listing: the bank ids (as normalized records name them) that left the listing. */
  removedIds?: string[];
  /** On the last page, where the bank gives one: the `since` of the next change listing. */
  changeToken?: string | null;
}

/**
 * What a listing asks the bank for: everything; only what changed since a change token the bank gave; or the
 * records dated (or updated) within a date window, local dates inclusive.
 */
export type ListingRequest = Listing;

/**
 * How a bank can narrow a listing (each bank's README says which it offers): `changes`, a change token and
 * listings of only what changed since it, removals included; `dates`, `from`/`to` on the record's date or its
 * last change's date; `correctionHorizonDays`, how long after its date the bank may still change or remove a
 * record.
 */
export type ListingSupport = ListingCapabilities;

export interface AuthorizeUrlInput {
  state: string;
  /** BASE64URL(SHA256(code_verifier)). */
  codeChallenge: string;
  redirectUri: string;
}

export interface ProviderClient {
  readonly id: string;
  /** The bank's consent page URL for this link attempt. */
  authorizeUrl(input: AuthorizeUrlInput): string;
  exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenSet>;
  /** Refresh tokens rotate: the returned refresh token replaces the one given, which stops working. */
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Revokes a token (a refresh token ends the whole grant). Succeeds for unknown tokens too. */
  revoke(token: string): Promise<void>;
  fetchAccounts(accessToken: string): Promise<unknown[]>;
  /** How this bank can narrow a listing. */
  readonly listing: ListingSupport;
  /**
   * One page; call with the returned cursor until it is null. No cursor = the first page of the listing `request`
   * asks for (default: everything); the cursor carries the request on.
   */
  fetchTransactionsPage(
    accessToken: string,
    cursor?: string | null,
    request?: ListingRequest,
  ): Promise<TransactionsPage>;
}

/** A registered provider (shared/banks/registry.ts): a bank and our client for it. */
export interface Provider {
  id: string;
  name: string;
  client: ProviderClient;
}

export type ProviderErrorKind =
  /** 429: wait `retryAfterMs`, then retry. */
  | 'rate_limited'
  /** 5xx: retry with backoff (`retryAfterMs` when the bank said). */
  | 'server'
  /** 401 on the data API with an expired access token: refresh, then retry. */
  | 'token_expired'
  /** 401 on the data API with an unknown or revoked access token: refresh once; if that fails, re-link. */
  | 'invalid_token'
  /** The token endpoint refused the code or refresh token (invalid, expired, reused, revoked): re-link. */
  | 'invalid_grant'
  /** The bank does not accept our client credentials: a configuration problem. */
  | 'invalid_client'
  /** Another 4xx: our request is wrong (a bad cursor, a missing scope); retrying will not help. */
  | 'bad_request'
  /** The bank answered something we cannot read (not JSON, not the documented envelope). */
  | 'bad_response'
  /** No answer: connection refused or reset, DNS, timeout. */
  | 'network';

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set([
  'rate_limited',
  'server',
  'network',
  'bad_response',
]);

/** A bank call that failed. Never carries a token in its message. */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  /** HTTP status, when the bank answered. */
  readonly status: number | undefined;
  /** How long the bank asked us to wait (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;
  /** The bank's own error code (`TOKEN_EXPIRED`, `invalid_grant`, ...), when it sent one. */
  readonly code: string | undefined;

  constructor(
    kind: ProviderErrorKind,
    provider: string,
    message: string,
    opts: { status?: number; retryAfterMs?: number; code?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.provider = provider;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.code = opts.code;
  }

  /** Worth retrying the same call later (after `retryAfterMs` when set). */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}
