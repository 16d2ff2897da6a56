import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../ports/clock';
import {
  applyClockChange,
  bankNow,
  ClockChangeSchema,
  describeClock,
  REAL_TIME,
  type ClockState,
} from './clock';
import { adminToken, bankEnv, clientRegistration, type BankEnv, type ClientRegistration } from './config';
import { renderConsentPage, renderErrorPage } from './consent';
import {
  PKCE_S256_CHALLENGE,
  PKCE_VERIFIER,
  pkceS256,
  randomSecret,
  secretsEqual,
  sha256Hex,
} from './crypto';
import type { BankDataSource } from './data-source';
import { MAX_SANDBOX_USER } from './data-source';
import {
  API_ERROR_STATUS,
  type ApiErrorKind,
  type BankDialect,
  type RenderContext,
  type WireRecord,
} from './dialect';
import {
  FaultConfigSchema,
  FaultPlan,
  faultsFromEnv,
  needsRequestNumber,
  NO_FAULTS,
  type FaultConfig,
} from './faults';
import {
  htmlResponse,
  isForm,
  jsonResponse,
  noStoreJson,
  parseForm,
  redirectResponse,
  rootPath,
  type BankRequest,
  type BankResponse,
} from './http';
import { accountViews, bankListing } from './replay';
import { bankDate, parseScript, SCRIPTED_USERNAME, scriptedUser, type ScriptedLogin } from './scripted';
import type { MockBankState, StoredGrant, StoredToken } from './state';
import type { BankId } from '../../generator/types';

/** The sandbox login: `user_good` is generated user 0, `user_good_<n>` user n; the password is `pass_good`. */
export const SANDBOX_PASSWORD = 'pass_good';
const SANDBOX_USER = /^user_good(?:_(\d{1,6}))?$/;

const OAUTH_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'scope',
] as const;

export interface BankServerOptions {
  dialect: BankDialect;
  state: MockBankState;
  data: BankDataSource;
  /** Real time; the bank's clock is derived from it (kit/clock.ts). */
  clock?: Clock;
  env?: BankEnv;
  /** Our platform's registration at this bank (default: from the env, see BankProtocol.envPrefix). */
  client?: ClientRegistration;
  /** How a slow-response fault waits (tests record instead of sleeping). */
  sleep?: (ms: number) => Promise<void>;
}

/** Ends request handling early with a response (faults, auth failures). */
class Early extends Error {
  constructor(readonly response: BankResponse) {
    super('early response');
  }
}

interface RequestContext {
  realNow: Date;
  /** The bank clock. */
  now: Date;
  clock: ClockState;
  clockSource: 'admin' | 'env' | 'real';
  faults: FaultConfig;
  faultSource: 'admin' | 'env' | 'none';
}

type Handler = (req: BankRequest, ctx: RequestContext) => Promise<BankResponse>;

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const iso = (d: Date) => d.toISOString();
const addSeconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);

/**
 * One mock bank: its OAuth2 server (authorization code + PKCE S256, consent page, token with refresh rotation,
 * revocation), its data API (accounts, transactions replayed as of its clock, in its own wire format), its faults
 * and its admin routes. Everything that must outlive a Lambda instance is in the MockBankState.
 */
export class BankServer {
  readonly id: string;
  private readonly dialect: BankDialect;
  private readonly state: MockBankState;
  private readonly data: BankDataSource;
  private readonly clock: Clock;
  private readonly env: BankEnv;
  private readonly client: ClientRegistration;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly routes: Record<string, Partial<Record<string, Handler>>>;

  constructor(opts: BankServerOptions) {
    this.dialect = opts.dialect;
    this.id = opts.dialect.protocol.id;
    this.state = opts.state;
    this.data = opts.data;
    this.clock = opts.clock ?? systemClock;
    this.env = opts.env ?? bankEnv();
    this.client =
      opts.client ?? clientRegistration(opts.dialect.protocol.envPrefix, opts.dialect.protocol.defaultClient);
    this.sleep = opts.sleep ?? sleepReal;
    this.routes = {
      authorize: { GET: (r, c) => this.authorize(r, c, 'GET'), POST: (r, c) => this.authorize(r, c, 'POST') },
      token: { POST: (r, c) => this.token(r, c) },
      revoke: { POST: (r, c) => this.revoke(r, c) },
      accounts: { GET: (r, c) => this.accounts(r, c) },
      transactions: { GET: (r, c) => this.transactions(r, c) },
      '.well-known/oauth-authorization-server': { GET: async (r) => this.metadata(r) },
      'admin/faults': { GET: (r, c) => this.adminFaults(r, c), POST: (r, c) => this.adminFaults(r, c) },
      'admin/clock': { GET: (r, c) => this.adminClock(r, c), POST: (r, c) => this.adminClock(r, c) },
      'admin/reset': { POST: (r, c) => this.adminReset(r, c) },
    };
  }

  async handle(req: BankRequest): Promise<BankResponse> {
    const path = req.path.replace(/^\/+|\/+$/g, '');
    const methods = this.routes[path];
    const method = req.method.toUpperCase();
    if (!methods) return this.apiError('not_found', `No such endpoint: /${path}`);
    const handler = methods[method];
    if (!handler) {
      const res = this.apiError('method_not_allowed', `${method} is not allowed on /${path}`);
      return { ...res, headers: { ...res.headers, allow: Object.keys(methods).join(', ') } };
    }
    try {
      return await handler(req, await this.context());
    } catch (err) {
      if (err instanceof Early) return err.response;
      throw err;
    }
  }

  // ---- context: the bank clock and the faults in force ------------------------------------------------

  private async context(): Promise<RequestContext> {
    const realNow = this.clock.now();
    const settings = await this.state.getSettings();
    let clock: ClockState = REAL_TIME;
    let clockSource: RequestContext['clockSource'] = 'real';
    if (settings.clock) [clock, clockSource] = [settings.clock, 'admin'];
    else if (this.env.MOCK_BANK_CLOCK)
      [clock, clockSource] = [{ offsetMs: 0, frozenAt: iso(new Date(this.env.MOCK_BANK_CLOCK)) }, 'env'];
    let faults = NO_FAULTS;
    let faultSource: RequestContext['faultSource'] = 'none';
    const fromEnv = faultsFromEnv(this.id, this.env.MOCK_BANK_FAULTS);
    if (settings.faults) [faults, faultSource] = [settings.faults, 'admin'];
    else if (fromEnv) [faults, faultSource] = [fromEnv, 'env'];
    return { realNow, now: bankNow(clock, realNow), clock, clockSource, faults, faultSource };
  }

  /** Slow responses, 429 and 5xx, decided by the fault plan of this request. */
  private async requestFaults(ctx: RequestContext, oauth: boolean): Promise<FaultPlan> {
    const cfg = ctx.faults;
    if (oauth && cfg.scope !== 'all') return new FaultPlan(NO_FAULTS, this.id, 0);
    const n = needsRequestNumber(cfg) ? await this.state.nextRequestNumber() : 0;
    const plan = new FaultPlan(cfg, this.id, n);
    const delay = plan.delayMs();
    if (delay > 0) await this.sleep(delay);
    const retryAfter = { 'retry-after': this.dialect.retryAfter(cfg.retry_after_seconds, ctx.realNow) };
    if (plan.rateLimited()) {
      throw new Early(
        oauth
          ? noStoreJson(
              429,
              { error: 'temporarily_unavailable', error_description: 'Too many requests.' },
              retryAfter,
            )
          : this.apiError('rate_limited', 'Too many requests; slow down.', retryAfter),
      );
    }
    const status = plan.serverError();
    if (status) {
      const headers = status === 503 ? retryAfter : {};
      const kind: ApiErrorKind =
        status === 500 ? 'server_error' : status === 502 ? 'bad_gateway' : 'service_unavailable';
      throw new Early(
        oauth
          ? noStoreJson(
              status,
              { error: 'server_error', error_description: 'The bank had a problem.' },
              headers,
            )
          : this.apiError(kind, 'The bank had a problem; try again later.', headers),
      );
    }
    return plan;
  }

  private apiError(kind: ApiErrorKind, message: string, headers: Record<string, string> = {}): BankResponse {
    const out = this.dialect.apiError(kind, message);
    return jsonResponse(API_ERROR_STATUS[kind], out.body, { ...out.headers, ...headers });
  }

  // ---- OAuth2: authorize (consent page) -------------------------------------------------------------

  private allowedScopes(): string[] {
    const s = this.dialect.protocol.scopes;
    return [s.accounts, s.transactions];
  }

  private scopeDescriptions(scope: string[]): string[] {
    const s = this.dialect.protocol.scopes;
    return scope.map((x) =>
      x === s.accounts
        ? 'See your accounts and balances'
        : x === s.transactions
          ? 'See your transactions, including pending ones'
          : x,
    );
  }

  private redirectUriProblem(uri: string | undefined): string | null {
    if (!uri) return 'redirect_uri is required.';
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return 'redirect_uri is not an absolute URL.';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'redirect_uri must be http or https.';
    if (url.hash || uri.includes('#')) return 'redirect_uri must not have a fragment.';
    if (uri.length > 2000) return 'redirect_uri is too long.';
    const prefixes = (this.env.MOCK_BANK_REDIRECT_URI_PREFIXES ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (prefixes.length && !prefixes.some((p) => uri.startsWith(p))) return 'redirect_uri is not registered.';
    return null;
  }

  private errorPage(status: number, message: string): BankResponse {
    return htmlResponse(
      status,
      renderErrorPage(this.dialect.protocol.name, this.dialect.brand.colour, message),
    );
  }

  private async authorize(
    req: BankRequest,
    ctx: RequestContext,
    method: 'GET' | 'POST',
  ): Promise<BankResponse> {
    let params: Record<string, string> = { ...req.query };
    let form: Record<string, string> = {};
    if (method === 'POST') {
      if (!isForm(req))
        return this.errorPage(415, 'The form must be sent as application/x-www-form-urlencoded.');
      const parsed = parseForm(req.body);
      if (parsed.repeated) return this.errorPage(400, `The parameter ${parsed.repeated} is repeated.`);
      form = parsed.fields;
      for (const k of OAUTH_PARAMS) if (form[k] !== undefined) params[k] = form[k];
    }
    params = Object.fromEntries(
      OAUTH_PARAMS.filter((k) => params[k] !== undefined).map((k) => [k, params[k]!]),
    );

    // Without a known client and a valid redirect_uri the bank must not redirect (RFC 6749 §4.1.2.1).
    if (!params.client_id || !secretsEqual(params.client_id, this.client.clientId)) {
      return this.errorPage(400, 'Unknown client_id.');
    }
    const uriProblem = this.redirectUriProblem(params.redirect_uri);
    if (uriProblem) return this.errorPage(400, uriProblem);
    const redirectUri = params.redirect_uri!;
    const back = (values: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(values)) url.searchParams.set(k, v);
      if (params.state !== undefined) url.searchParams.set('state', params.state);
      return redirectResponse(url.toString());
    };
    const fail = (error: string, description: string) => back({ error, error_description: description });

    if (params.response_type !== 'code')
      return fail('unsupported_response_type', 'response_type must be code.');
    if (params.code_challenge_method !== 'S256' || !PKCE_S256_CHALLENGE.test(params.code_challenge ?? '')) {
      return fail(
        'invalid_request',
        'PKCE is required: code_challenge (43 characters) with code_challenge_method=S256.',
      );
    }
    const requested = (params.scope ?? '').split(' ').filter(Boolean);
    const allowed = this.allowedScopes();
    if (requested.some((s) => !allowed.includes(s))) {
      return fail('invalid_scope', `Scopes this bank knows: ${allowed.join(' ')}.`);
    }
    const scope = requested.length ? [...new Set(requested)] : allowed;

    const page = (status: number, error?: string, username?: string) =>
      htmlResponse(
        status,
        renderConsentPage({
          bankName: this.dialect.protocol.name,
          colour: this.dialect.brand.colour,
          tagline: this.dialect.brand.tagline,
          clientName: 'finagg (sandbox)',
          action: `${rootPath(req)}/authorize`,
          params,
          scopes: this.scopeDescriptions(scope),
          error,
          username,
        }),
      );

    if (method === 'GET') return page(200);
    if (form.decision === 'deny') return fail('access_denied', 'The user denied access.');
    if (form.decision !== 'allow') return page(400, 'Choose Allow or Deny.', form.username);
    if (form.username === SCRIPTED_USERNAME) {
      // A scripted sandbox user: the password is its JSON configuration (kit/scripted.ts).
      const parsed = parseScript(form.password ?? '');
      if (!parsed.ok) return page(400, parsed.message, form.username);
      if (parsed.script.force_error)
        return page(401, `The bank refused the login: ${parsed.script.force_error}.`, form.username);
      const scripted: ScriptedLogin = {
        document: JSON.stringify(parsed.script),
        anchor: bankDate(this.id as BankId, ctx.now),
      };
      return back({ code: await this.issueCode(ctx, params, redirectUri, scope, -1, scripted) });
    }
    const userIndex = await this.login(form.username, form.password);
    if (userIndex === null) return page(401, 'Incorrect username or password.', form.username);
    return back({ code: await this.issueCode(ctx, params, redirectUri, scope, userIndex) });
  }

  /** Stores a new authorization code (by its SHA-256) and returns it. */
  private async issueCode(
    ctx: RequestContext,
    params: Record<string, string>,
    redirectUri: string,
    scope: string[],
    userIndex: number,
    scripted?: ScriptedLogin,
  ): Promise<string> {
    const code = randomSecret();
    await this.state.saveCode({
      hash: sha256Hex(code),
      grantId: randomUUID(),
      clientId: this.client.clientId,
      redirectUri,
      codeChallenge: params.code_challenge!,
      scope,
      userIndex,
      ...(scripted ? { scripted } : {}),
      expiresAt: iso(addSeconds(ctx.now, this.env.MOCK_BANK_CODE_TTL_SECONDS)),
      purgeAt: this.purgeAt(ctx, this.env.MOCK_BANK_CODE_TTL_SECONDS),
    });
    return code;
  }

  private async login(username: string | undefined, password: string | undefined): Promise<number | null> {
    const m = SANDBOX_USER.exec(username ?? '');
    const passwordOk = secretsEqual(password ?? '', SANDBOX_PASSWORD);
    if (!m || !passwordOk) return null;
    const index = m[1] === undefined ? 0 : Number(m[1]);
    if (index > MAX_SANDBOX_USER) return null;
    return (await this.data.user(index)) ? index : null;
  }

  /** When a record may be deleted for good (real time, epoch seconds): its lifetime plus a day. */
  private purgeAt(ctx: RequestContext, lifetimeSeconds: number): number {
    return Math.floor(ctx.realNow.getTime() / 1000) + lifetimeSeconds + 86_400;
  }

  // ---- OAuth2: token, revoke --------------------------------------------------------------------------

  private oauthError(
    status: number,
    error: string,
    description: string,
    headers: Record<string, string> = {},
  ) {
    return noStoreJson(status, { error, error_description: description }, headers);
  }

  /** The form of a token/revoke request, with the client authenticated the bank's way. */
  private clientForm(req: BankRequest): Record<string, string> {
    if (!isForm(req)) {
      throw new Early(this.oauthError(400, 'invalid_request', 'Send application/x-www-form-urlencoded.'));
    }
    const { fields, repeated } = parseForm(req.body);
    if (repeated)
      throw new Early(this.oauthError(400, 'invalid_request', `The parameter ${repeated} is repeated.`));
    const auth = this.dialect.protocol.clientAuth;
    const invalid = () =>
      new Early(
        this.oauthError(
          401,
          'invalid_client',
          'Client authentication failed.',
          auth === 'client_secret_basic' ? { 'www-authenticate': `Basic realm="${this.id}"` } : {},
        ),
      );
    let id: string | undefined;
    let secret: string | undefined;
    if (auth === 'client_secret_basic') {
      const m = /^Basic\s+([A-Za-z0-9+/]+=*)$/i.exec(req.headers.authorization ?? '');
      if (!m) throw invalid();
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw invalid();
      try {
        id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      } catch {
        throw invalid();
      }
    } else {
      id = fields.client_id;
      secret = fields.client_secret;
    }
    if (!id || !secretsEqual(id, this.client.clientId)) throw invalid();
    if (
      auth !== 'none' &&
      (!secret || !this.client.clientSecret || !secretsEqual(secret, this.client.clientSecret))
    ) {
      throw invalid();
    }
    return fields;
  }

  private async token(req: BankRequest, ctx: RequestContext): Promise<BankResponse> {
    await this.requestFaults(ctx, true);
    const form = this.clientForm(req);
    const invalidGrant = (description: string) => this.oauthError(400, 'invalid_grant', description);
    switch (form.grant_type) {
      case 'authorization_code': {
        const { code, redirect_uri: redirectUri, code_verifier: verifier } = form;
        if (!code || !redirectUri || !verifier) {
          return this.oauthError(
            400,
            'invalid_request',
            'code, redirect_uri and code_verifier are required.',
          );
        }
        const stored = await this.state.useCode(sha256Hex(code), iso(ctx.now));
        if (!stored) return invalidGrant('The authorization code is invalid.');
        if (stored.usedAt) {
          // A replayed code: revoke everything issued from it (RFC 6749 §4.1.2).
          await this.state.revokeGrant(stored.grantId, iso(ctx.now));
          return invalidGrant('The authorization code was already used.');
        }
        if (Date.parse(stored.expiresAt) <= ctx.now.getTime())
          return invalidGrant('The authorization code expired.');
        if (stored.clientId !== this.client.clientId)
          return invalidGrant('The code was issued to another client.');
        if (stored.redirectUri !== redirectUri)
          return invalidGrant('redirect_uri does not match the authorization.');
        if (!PKCE_VERIFIER.test(verifier) || !secretsEqual(pkceS256(verifier), stored.codeChallenge)) {
          return invalidGrant('The code_verifier does not match the code_challenge.');
        }
        const grant: StoredGrant = {
          id: stored.grantId,
          clientId: stored.clientId,
          userIndex: stored.userIndex,
          ...(stored.scripted ? { scripted: stored.scripted } : {}),
          scope: stored.scope,
          createdAt: iso(ctx.now),
          purgeAt: this.purgeAt(ctx, this.env.MOCK_BANK_REFRESH_TOKEN_TTL_SECONDS),
        };
        await this.state.saveGrant(grant);
        return this.issueTokens(grant, ctx);
      }
      case 'refresh_token': {
        if (!form.refresh_token) return this.oauthError(400, 'invalid_request', 'refresh_token is required.');
        const stored = await this.state.useToken(sha256Hex(form.refresh_token), iso(ctx.now));
        if (!stored || stored.kind !== 'refresh') return invalidGrant('The refresh token is invalid.');
        if (stored.clientId !== this.client.clientId)
          return invalidGrant('The token was issued to another client.');
        if (stored.revokedAt) return invalidGrant('The refresh token was revoked.');
        if (stored.usedAt) {
          // Rotation: a refresh token works once. Reuse means it leaked; end the whole grant.
          await this.state.revokeGrant(stored.grantId, iso(ctx.now));
          return invalidGrant('The refresh token was already used; the grant is revoked.');
        }
        if (stored.expiresAt && Date.parse(stored.expiresAt) <= ctx.now.getTime()) {
          return invalidGrant('The refresh token expired.');
        }
        const grant = await this.state.getGrant(stored.grantId);
        if (!grant || grant.revokedAt) return invalidGrant('The grant was revoked.');
        return this.issueTokens(grant, ctx);
      }
      default:
        return this.oauthError(
          400,
          'unsupported_grant_type',
          'grant_type must be authorization_code or refresh_token.',
        );
    }
  }

  private async issueTokens(grant: StoredGrant, ctx: RequestContext): Promise<BankResponse> {
    const accessToken = randomSecret();
    const refreshToken = randomSecret();
    const accessTtl = this.env.MOCK_BANK_ACCESS_TOKEN_TTL_SECONDS;
    const refreshTtl = this.env.MOCK_BANK_REFRESH_TOKEN_TTL_SECONDS;
    const base = { grantId: grant.id, clientId: grant.clientId, createdAt: iso(ctx.now) };
    await this.state.saveToken({
      ...base,
      hash: sha256Hex(accessToken),
      kind: 'access',
      expiresAt: iso(addSeconds(ctx.now, accessTtl)),
      purgeAt: this.purgeAt(ctx, accessTtl),
    });
    await this.state.saveToken({
      ...base,
      hash: sha256Hex(refreshToken),
      kind: 'refresh',
      expiresAt: iso(addSeconds(ctx.now, refreshTtl)),
      purgeAt: this.purgeAt(ctx, refreshTtl),
    });
    return noStoreJson(200, {
      access_token: accessToken,
      token_type: this.dialect.protocol.tokenType,
      expires_in: accessTtl,
      refresh_token: refreshToken,
      scope: grant.scope.join(' '),
    });
  }

  /** RFC 7009: 200 whether or not the token was known; a refresh token takes its whole grant with it. */
  private async revoke(req: BankRequest, ctx: RequestContext): Promise<BankResponse> {
    await this.requestFaults(ctx, true);
    const form = this.clientForm(req);
    if (!form.token) return this.oauthError(400, 'invalid_request', 'token is required.');
    const stored = await this.state.getToken(sha256Hex(form.token));
    if (stored && stored.clientId === this.client.clientId) {
      await this.state.revokeToken(stored.hash, iso(ctx.now));
      if (stored.kind === 'refresh') await this.state.revokeGrant(stored.grantId, iso(ctx.now));
    }
    return noStoreJson(200, {});
  }

  private metadata(req: BankRequest): BankResponse {
    const root = req.rootUrl.replace(/\/+$/, '');
    return jsonResponse(200, {
      issuer: root,
      authorization_endpoint: `${root}/authorize`,
      token_endpoint: `${root}/token`,
      revocation_endpoint: `${root}/revoke`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: [this.dialect.protocol.clientAuth],
      revocation_endpoint_auth_methods_supported: [this.dialect.protocol.clientAuth],
      scopes_supported: this.allowedScopes(),
    });
  }

  // ---- data API ---------------------------------------------------------------------------------------

  /** The grant behind the request's access token, or an Early 401/403 in the bank's error format. */
  private async authenticate(
    req: BankRequest,
    ctx: RequestContext,
    plan: FaultPlan,
    scope: string,
  ): Promise<StoredGrant> {
    const token = this.dialect.readAccessToken(req.headers);
    if (!token) throw new Early(this.apiError('invalid_token', 'An access token is required.'));
    const stored: StoredToken | null = await this.state.getToken(sha256Hex(token));
    if (!stored || stored.kind !== 'access' || stored.revokedAt) {
      throw new Early(this.apiError('invalid_token', 'The access token is invalid or was revoked.'));
    }
    const grant = await this.state.getGrant(stored.grantId);
    if (!grant || grant.revokedAt) {
      throw new Early(this.apiError('invalid_token', 'The access token is invalid or was revoked.'));
    }
    if (stored.expiresAt && Date.parse(stored.expiresAt) <= ctx.now.getTime()) {
      throw new Early(this.apiError('token_expired', 'The access token expired.'));
    }
    if (plan.expireToken()) {
      await this.state.expireToken(stored.hash, iso(ctx.now));
      throw new Early(this.apiError('token_expired', 'The access token expired.'));
    }
    if (!grant.scope.includes(scope)) {
      throw new Early(this.apiError('insufficient_scope', `The grant does not include ${scope}.`));
    }
    return grant;
  }

  private async userData(grant: StoredGrant, req: BankRequest, ctx: RequestContext) {
    const user = grant.scripted
      ? scriptedUser(grant.scripted, this.id as BankId)
      : await this.data.user(grant.userIndex);
    if (!user) throw new Early(this.apiError('not_found', 'The user no longer exists.'));
    const accounts = new Map(user.accounts.filter((a) => a.bank === this.id).map((a) => [a.id, a]));
    const render: RenderContext = { rootUrl: req.rootUrl.replace(/\/+$/, ''), accounts, now: ctx.now };
    const listing = bankListing(user, this.id, ctx.now);
    return { user, render, visible: listing.visible, gone: listing.gone };
  }

  private async accounts(req: BankRequest, ctx: RequestContext): Promise<BankResponse> {
    const plan = await this.requestFaults(ctx, false);
    const grant = await this.authenticate(req, ctx, plan, this.dialect.protocol.scopes.accounts);
    const { user, render, visible } = await this.userData(grant, req, ctx);
    return jsonResponse(200, this.dialect.accounts(accountViews(user, this.id, visible), render));
  }

  private async transactions(req: BankRequest, ctx: RequestContext): Promise<BankResponse> {
    const plan = await this.requestFaults(ctx, false);
    const grant = await this.authenticate(req, ctx, plan, this.dialect.protocol.scopes.transactions);
    const { render, visible, gone } = await this.userData(grant, req, ctx);
    const slice = this.dialect.transactions(req.query, visible, render, gone);
    if (!slice.ok) return this.apiError('bad_request', slice.message);
    const records: WireRecord[] = [];
    for (const t of slice.items) {
      const record = this.dialect.transaction(t, render);
      const kind = plan.malformed(t.bankTxnId);
      if (!kind) {
        records.push(record);
        continue;
      }
      const pick = <T>(options: readonly T[]) => plan.variant(options, t.bankTxnId);
      if (ctx.faults.malformed_mode === 'corrupt') {
        records.push(this.dialect.malform(record, kind, pick));
      } else {
        records.push(
          record,
          this.dialect.malform(this.dialect.withId(record, `${t.bankTxnId}-X`), kind, pick),
        );
      }
    }
    return jsonResponse(200, slice.envelope(records));
  }

  // ---- admin ------------------------------------------------------------------------------------------

  private adminGuard(req: BankRequest): void {
    const expected = adminToken(this.env);
    if (!expected) throw new Early(jsonResponse(404, { error: 'admin routes are disabled' }));
    const given = req.headers['x-admin-token'] ?? '';
    if (!given || !secretsEqual(given, expected)) {
      throw new Early(jsonResponse(401, { error: 'a valid X-Admin-Token header is required' }));
    }
  }

  private jsonBody(req: BankRequest): unknown {
    if (!req.body.trim()) return {};
    try {
      return JSON.parse(req.body) as unknown;
    } catch {
      throw new Early(jsonResponse(400, { error: 'the body is not valid JSON' }));
    }
  }

  private validation(error: z.ZodError): BankResponse {
    return jsonResponse(400, {
      error: 'invalid body',
      issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }

  private async adminFaults(req: BankRequest, ctx: RequestContext): Promise<BankResponse> {
    this.adminGuard(req);
    if (req.method.toUpperCase() === 'POST') {
      const parsed = FaultConfigSchema.safeParse(this.jsonBody(req));
      if (!parsed.success) return this.validation(parsed.error);
      await this.state.saveFaults(parsed.data);
      return jsonResponse(200, { bank: this.id, faults: parsed.data, source: 'admin' });
    }
    return jsonResponse(200, { bank: this.id, faults: ctx.faults, source: ctx.faultSource });
  }

  private async adminClock(req: BankRequest, ctx: RequestContext): Promise<BankResponse> {
    this.adminGuard(req);
    if (req.method.toUpperCase() === 'POST') {
      const parsed = ClockChangeSchema.safeParse(this.jsonBody(req));
      if (!parsed.success) return this.validation(parsed.error);
      const next = applyClockChange(ctx.clock, parsed.data, ctx.realNow);
      await this.state.saveClock(next);
      return jsonResponse(200, { bank: this.id, ...describeClock(next, ctx.realNow), source: 'admin' });
    }
    return jsonResponse(200, {
      bank: this.id,
      ...describeClock(ctx.clock, ctx.realNow),
      source: ctx.clockSource,
    });
  }

  /** Back to the environment's defaults: no stored clock, no stored faults. Tokens stay valid. */
  private async adminReset(req: BankRequest, _ctx: RequestContext): Promise<BankResponse> {
    this.adminGuard(req);
    await this.state.saveClock(null);
    await this.state.saveFaults(null);
    const ctx = await this.context();
    return jsonResponse(200, {
      bank: this.id,
      clock: { ...describeClock(ctx.clock, ctx.realNow), source: ctx.clockSource },
      faults: ctx.faults,
      fault_source: ctx.faultSource,
    });
  }
}
