import type { GeneratedAccount } from '../../generator/types';
import type { MalformKind } from './faults';
import type { AccountView, GoneTransaction, VisibleTransaction } from './replay';

/**
 * What tells one bank from another. The kit (kit/server.ts) runs the OAuth server, the clock, the faults and the
 * life-cycle replay for every bank; a bank supplies its protocol (shared with its provider client), its wire
 * format and its error format.
 */

/** The OAuth and API conventions a bank's server and our client for it agree on (each bank's wire.ts). */
export interface BankProtocol {
  id: string;
  name: string;
  /** How the client authenticates at the token and revocation endpoints. */
  clientAuth: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** The bank's scope names for what we read. */
  scopes: { accounts: string; transactions: string };
  /** `token_type` in the bank's token responses. */
  tokenType: string;
  /** Env prefix of our registration at the bank (`BANK_A` → BANK_A_CLIENT_ID, BANK_A_CLIENT_SECRET). */
  envPrefix: string;
  /** The sandbox registration when the env says nothing (no secret = public client). */
  defaultClient: { clientId: string; clientSecret?: string };
}

export type ApiErrorKind =
  | 'invalid_token'
  | 'token_expired'
  | 'insufficient_scope'
  | 'rate_limited'
  | 'server_error'
  | 'bad_gateway'
  | 'service_unavailable'
  | 'bad_request'
  | 'not_found'
  | 'method_not_allowed';

export const API_ERROR_STATUS: Record<ApiErrorKind, number> = {
  invalid_token: 401,
  token_expired: 401,
  insufficient_scope: 403,
  rate_limited: 429,
  server_error: 500,
  bad_gateway: 502,
  service_unavailable: 503,
  bad_request: 400,
  not_found: 404,
  method_not_allowed: 405,
};

export interface RenderContext {
  /** Absolute URL of the bank's root as the caller reached it, for links. */
  rootUrl: string;
  /** The bank's accounts of the user, by id (time zones, currencies). */
  accounts: Map<string, GeneratedAccount>;
  /** The bank clock. */
  now: Date;
}

export type TransactionsSlice =
  | {
      ok: true;
      /** The records of the requested page, in the bank's order. */
      items: VisibleTransaction[];
      /** Wraps the rendered records (possibly with malformed ones mixed in) in the bank's page envelope. */
      envelope: (records: unknown[]) => unknown;
    }
  | { ok: false; message: string };

/** A JSON record as a bank renders it. */
export type WireRecord = Record<string, unknown>;

export interface BankDialect {
  protocol: BankProtocol;
  /** Consent page look. */
  brand: { colour: string; tagline: string };
  /** The access token from the request in the bank's header style, or null. */
  readAccessToken(headers: Record<string, string>): string | null;
  /** The bank's error body (and extra headers) for an API error. */
  apiError(kind: ApiErrorKind, message: string): { body: unknown; headers?: Record<string, string> };
  /** The Retry-After header value the bank sends (delta-seconds or an HTTP-date). */
  retryAfter(seconds: number, realNow: Date): string;
  accounts(views: AccountView[], ctx: RenderContext): unknown;
  /**
   * Orders, validates the query, and picks one page. `gone`: the ids that were visible once and are not any more,
   * for a bank whose listing reports removals.
   */
  transactions(
    query: Record<string, string>,
    visible: VisibleTransaction[],
    ctx: RenderContext,
    gone: readonly GoneTransaction[],
  ): TransactionsSlice;
  transaction(t: VisibleTransaction, ctx: RenderContext): WireRecord;
  /** The record broken the given way; `pick` is a seeded choice among the bank's variants. */
  malform(record: WireRecord, kind: MalformKind, pick: <T>(options: readonly T[]) => T): WireRecord;
  /** The record under another id (the `extra` malformed copy must not collide with the good record). */
  withId(record: WireRecord, id: string): WireRecord;
}
