import * as z from 'zod';
import { systemClock, type Clock } from '../../ports/clock';
import { bankEnv, banksBaseUrl, clientRegistration, type ClientRegistration } from './config';
import type { BankProtocol } from './dialect';
import { ProviderError, type AuthorizeUrlInput, type TokenSet } from './provider';

/** Options every provider client takes; everything defaults from the environment, read at each call. */
export interface ClientOptions {
  /** Root of the mock banks (the bank is at `${baseUrl}/<bank id>`). Default: BANKS_BASE_URL, else PUBLIC_BASE_URL + /mock-banks. */
  baseUrl?: string;
  /** Our client id/secret at the bank. Default: `<BANK>_CLIENT_ID` / `_SECRET`, else the sandbox values. */
  registration?: ClientRegistration;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** For `expiresAt`. */
  clock?: Clock;
  /** Per HTTP call. Default BANKS_HTTP_TIMEOUT_MS (15 s). */
  timeoutMs?: number;
  /** Records per transactions page (default: the bank's maximum). */
  pageSize?: number;
}

/** How a bank's client differs: its protocol, its API auth header, its error body. */
export interface BankClientSpec {
  protocol: BankProtocol;
  /** The headers carrying an access token, the bank's way. */
  authHeaders(accessToken: string): Record<string, string>;
  /** The bank's error code in one of its error bodies, if any. */
  errorCode(body: unknown): string | undefined;
  /** Error codes with which a 401 means "expired" (refresh helps) rather than "invalid". */
  expiredCodes: readonly string[];
}

const TokenResponseSchema = z.lazy(() =>
  z.object({
    access_token: z.string().min(1),
    token_type: z.string().min(1),
    expires_in: z.number().int().positive(),
    refresh_token: z.string().min(1).optional(),
    scope: z.string().optional(),
  }),
);

const OAuthErrorSchema = z.lazy(() =>
  z.object({ error: z.string(), error_description: z.string().optional() }),
);

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from now. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: unknown;
}

/** The OAuth half of every provider client, and the plumbing of its data calls. */
export class HttpBankClient {
  readonly id: string;

  constructor(
    protected readonly spec: BankClientSpec,
    protected readonly opts: ClientOptions = {},
  ) {
    this.id = spec.protocol.id;
  }

  /** The bank's root URL. */
  root(): string {
    const base = (this.opts.baseUrl ?? banksBaseUrl(bankEnv())).replace(/\/+$/, '');
    return `${base}/${this.id}`;
  }

  protected registration(): ClientRegistration {
    return (
      this.opts.registration ??
      clientRegistration(this.spec.protocol.envPrefix, this.spec.protocol.defaultClient)
    );
  }

  private now(): Date {
    return (this.opts.clock ?? systemClock).now();
  }

  authorizeUrl(input: AuthorizeUrlInput): string {
    const url = new URL(`${this.root()}/authorize`);
    const { scopes } = this.spec.protocol;
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.registration().clientId,
      redirect_uri: input.redirectUri,
      state: input.state,
      code_challenge: input.codeChallenge,
      code_challenge_method: 'S256',
      scope: `${scopes.accounts} ${scopes.transactions}`,
    }).toString();
    return url.toString();
  }

  async exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenSet> {
    return this.tokenRequest(
      {
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: input.redirectUri,
        code_verifier: input.codeVerifier,
      },
      null,
    );
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    return this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, refreshToken);
  }

  async revoke(token: string): Promise<void> {
    const answer = await this.postForm('revoke', { token });
    if (answer.status !== 200) throw this.oauthFailure('POST /revoke', answer);
  }

  // ---- plumbing ---------------------------------------------------------------------------------------

  private async send(what: string, url: string, init: RequestInit): Promise<Answer> {
    const timeoutMs = this.opts.timeoutMs ?? bankEnv().BANKS_HTTP_TIMEOUT_MS;
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(url, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw new ProviderError(
        'network',
        this.id,
        `${this.id} ${what}: ${timedOut ? `no answer within ${timeoutMs} ms` : 'the connection failed'}`,
        { cause: err },
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new ProviderError('network', this.id, `${this.id} ${what}: the answer was cut off`, {
        cause: err,
      });
    }
    let json: unknown;
    if (/json/i.test(res.headers.get('content-type') ?? '') && text) {
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, json };
  }

  private async postForm(endpoint: 'token' | 'revoke', fields: Record<string, string>): Promise<Answer> {
    const reg = this.registration();
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const form = new URLSearchParams(fields);
    switch (this.spec.protocol.clientAuth) {
      case 'client_secret_basic': {
        const pair = `${encodeURIComponent(reg.clientId)}:${encodeURIComponent(reg.clientSecret ?? '')}`;
        headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
        break;
      }
      case 'client_secret_post':
        form.set('client_id', reg.clientId);
        form.set('client_secret', reg.clientSecret ?? '');
        break;
      case 'none':
        form.set('client_id', reg.clientId);
        break;
    }
    return this.send(`POST /${endpoint}`, `${this.root()}/${endpoint}`, {
      method: 'POST',
      headers,
      body: form.toString(),
    });
  }

  private async tokenRequest(
    fields: Record<string, string>,
    previousRefresh: string | null,
  ): Promise<TokenSet> {
    const answer = await this.postForm('token', fields);
    if (answer.status !== 200) throw this.oauthFailure('POST /token', answer);
    const parsed = TokenResponseSchema.safeParse(answer.json);
    if (!parsed.success) {
      throw new ProviderError('bad_response', this.id, `${this.id} POST /token: not a token response`, {
        status: answer.status,
      });
    }
    const refreshToken = parsed.data.refresh_token ?? previousRefresh;
    if (!refreshToken) {
      throw new ProviderError('bad_response', this.id, `${this.id} POST /token: no refresh_token`, {
        status: answer.status,
      });
    }
    return {
      accessToken: parsed.data.access_token,
      refreshToken,
      expiresAt: new Date(this.now().getTime() + parsed.data.expires_in * 1000).toISOString(),
      scope: (parsed.data.scope ?? '').split(' ').filter(Boolean),
    };
  }

  private transient(what: string, answer: Answer): ProviderError | null {
    const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), this.now());
    const opts = { status: answer.status, retryAfterMs };
    if (answer.status === 429) {
      return new ProviderError('rate_limited', this.id, `${this.id} ${what}: rate limited (429)`, opts);
    }
    if (answer.status >= 500) {
      return new ProviderError(
        'server',
        this.id,
        `${this.id} ${what}: server error (${answer.status})`,
        opts,
      );
    }
    return null;
  }

  private oauthFailure(what: string, answer: Answer): ProviderError {
    const transient = this.transient(what, answer);
    if (transient) return transient;
    const body = OAuthErrorSchema.safeParse(answer.json);
    const code = body.success ? body.data.error : undefined;
    const detail = body.success && body.data.error_description ? `: ${body.data.error_description}` : '';
    const opts = { status: answer.status, code };
    if (code === 'invalid_grant')
      return new ProviderError('invalid_grant', this.id, `${this.id} ${what}: invalid_grant${detail}`, opts);
    if (code === 'invalid_client' || answer.status === 401) {
      return new ProviderError(
        'invalid_client',
        this.id,
        `${this.id} ${what}: invalid_client${detail}`,
        opts,
      );
    }
    if (answer.status >= 400 && answer.status < 500) {
      return new ProviderError(
        'bad_request',
        this.id,
        `${this.id} ${what}: ${code ?? answer.status}${detail}`,
        opts,
      );
    }
    return new ProviderError(
      'bad_response',
      this.id,
      `${this.id} ${what}: unexpected status ${answer.status}`,
      opts,
    );
  }

  /** GET on the data API; the parsed JSON of a 200, or a typed error. */
  protected async getJson(
    path: string,
    query: Record<string, string>,
    accessToken: string,
  ): Promise<unknown> {
    const url = new URL(`${this.root()}/${path}`);
    url.search = new URLSearchParams(query).toString();
    const what = `GET /${path}`;
    const answer = await this.send(what, url.toString(), {
      method: 'GET',
      headers: { accept: 'application/json', ...this.spec.authHeaders(accessToken) },
    });
    if (answer.status === 200) {
      if (answer.json === undefined)
        throw new ProviderError('bad_response', this.id, `${this.id} ${what}: not JSON`, { status: 200 });
      return answer.json;
    }
    const transient = this.transient(what, answer);
    if (transient) throw transient;
    const code = this.spec.errorCode(answer.json);
    const opts = { status: answer.status, code };
    if (answer.status === 401) {
      const expired = code !== undefined && this.spec.expiredCodes.includes(code);
      throw new ProviderError(
        expired ? 'token_expired' : 'invalid_token',
        this.id,
        `${this.id} ${what}: ${expired ? 'the access token expired' : 'the access token was refused'} (${code ?? 401})`,
        opts,
      );
    }
    if (answer.status >= 400 && answer.status < 500) {
      throw new ProviderError(
        'bad_request',
        this.id,
        `${this.id} ${what}: ${answer.status} (${code ?? 'no code'})`,
        opts,
      );
    }
    throw new ProviderError(
      'bad_response',
      this.id,
      `${this.id} ${what}: unexpected status ${answer.status}`,
      opts,
    );
  }

  /** A page envelope that does not match the bank's documented shape. */
  protected badEnvelope(what: string, error: z.ZodError): ProviderError {
    const where = error.issues[0]
      ? `${error.issues[0].path.join('.') || '(root)'}: ${error.issues[0].message}`
      : '';
    return this.badResponse(what, `unexpected envelope (${where})`);
  }

  protected badResponse(what: string, detail: string): ProviderError {
    return new ProviderError('bad_response', this.id, `${this.id} ${what}: ${detail}`, { status: 200 });
  }

  protected badCursor(cursor: string): ProviderError {
    return new ProviderError(
      'bad_request',
      this.id,
      `${this.id}: not a cursor of this bank: ${JSON.stringify(cursor.slice(0, 80))}`,
    );
  }
}
