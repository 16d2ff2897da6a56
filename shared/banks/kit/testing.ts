import type { GeneratedUser } from '../../generator/types';
import { ManualClock } from '../../ports/clock';
import type { ClientOptions } from './client';
import type { ClockChange } from './clock';
import { bankEnv, type BankEnv } from './config';
import { createPkcePair } from './crypto';
import { FixtureDataSource, type BankDataSource } from './data-source';
import type { BankDialect } from './dialect';
import type { FaultConfigInput } from './faults';
import { FIXTURE_END, fixtureUser } from './fixtures';
import type { BankRequest, BankResponse } from './http';
import { BankServer } from './server';
import type { ProviderClient } from './provider';
import { InMemoryMockBankState } from './state';

/**
 * Test support: a bank running in process (in-memory state, a manual clock, fixture or generated users) and a
 * `fetch` that routes to such banks without sockets, so provider clients and the sync engine can be tested
 * against the real bank code, fast. Also a consent-form driver that works over any fetch (real HTTP too).
 */
export interface InProcessBank {
  server: BankServer;
  state: InMemoryMockBankState;
  /** Real time as the bank sees it; the bank clock is derived from it (admin routes move that one). */
  clock: ManualClock;
  /** Every slow-response delay the bank asked for, in ms (nothing actually sleeps). */
  sleeps: number[];
  /** One request; `path` below the bank root, with an optional query string. */
  request(
    method: string,
    path: string,
    opts?: { headers?: Record<string, string>; form?: Record<string, string>; json?: unknown; body?: string },
  ): Promise<BankResponse>;
}

export const TEST_ROOT = 'http://bank.test/mock-banks';

export function inProcessBank(
  dialect: BankDialect,
  opts: { users?: GeneratedUser[]; data?: BankDataSource; now?: string; env?: Partial<BankEnv> } = {},
): InProcessBank {
  const state = new InMemoryMockBankState();
  const clock = new ManualClock(opts.now ?? FIXTURE_END);
  const sleeps: number[] = [];
  const env: BankEnv = { ...bankEnv({ STAGE: 'local' }), ...opts.env };
  const server = new BankServer({
    dialect,
    state,
    data: opts.data ?? new FixtureDataSource(opts.users ?? [fixtureUser(0), fixtureUser(1)]),
    clock,
    env,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  const rootUrl = `${TEST_ROOT}/${dialect.protocol.id}`;
  return {
    server,
    state,
    clock,
    sleeps,
    request(method, path, o = {}) {
      const url = new URL(`${rootUrl}/${path.replace(/^\//, '')}`);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
      let body = o.body ?? '';
      if (o.form) {
        body = new URLSearchParams(o.form).toString();
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
      } else if (o.json !== undefined) {
        body = JSON.stringify(o.json);
        headers['content-type'] ??= 'application/json';
      }
      return server.handle(toRequest(method, url, headers, body, rootUrl));
    },
  };
}

function toRequest(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string,
  rootUrl: string,
): BankRequest {
  const rootPath = new URL(rootUrl).pathname;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] ??= v;
  return { method, path: url.pathname.slice(rootPath.length + 1), query, headers, body, rootUrl };
}

/**
 * A fetch that serves `${root}/<bank id>/...` from in-process banks (no sockets). Give it to a provider
 * client as `fetch` with `baseUrl: root`.
 */
export function inProcessFetch(banks: InProcessBank[], root = TEST_ROOT): typeof fetch {
  const byId = new Map(banks.map((b) => [b.server.id, b]));
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const prefix = new URL(root).pathname.replace(/\/+$/, '');
    const rest =
      url.origin === new URL(root).origin && url.pathname.startsWith(`${prefix}/`)
        ? url.pathname.slice(prefix.length + 1)
        : '';
    const bankId = rest.split('/')[0] ?? '';
    const bank = byId.get(bankId);
    if (!bank) throw new TypeError(`fetch failed: nothing serves ${url.origin}${url.pathname}`);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const body = typeof init?.body === 'string' ? init.body : '';
    const res = await bank.server.handle(
      toRequest(
        (init?.method ?? 'GET').toUpperCase(),
        url,
        headers,
        body,
        `${url.origin}${prefix}/${bankId}`,
      ),
    );
    return new Response(res.status === 302 || res.body === '' ? null : res.body, {
      status: res.status,
      headers: res.headers,
    });
  };
}

export interface ConsentOutcome {
  /** The status of the form submission (302 on allow/deny, 401 on a wrong password). */
  status: number;
  /** Where the bank redirected (with code/state or error), or null. */
  location: string | null;
  code: string | null;
  state: string | null;
  error: string | null;
  /** The HTML the bank answered with, when it did not redirect. */
  html: string;
}

/** The hidden and visible inputs of the consent form, as a browser would submit them. */
export function consentForm(html: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error('no consent form in the page');
  const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  const fields: Record<string, string> = {};
  for (const m of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = /\bname="([^"]*)"/.exec(m[1]!)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(m[1]!)?.[1] ?? '';
    if (name) fields[unescape(name)] = unescape(value);
  }
  return { action: unescape(form[1]!), fields };
}

/**
 * Drives a bank's consent page like a person: GET the authorize URL, fill in the form, press Allow or Deny.
 * Works over real HTTP (global fetch) or an in-process fetch.
 */
export async function submitConsent(
  authorizeUrl: string,
  opts: { username?: string; password?: string; decision?: 'allow' | 'deny'; fetch?: typeof fetch } = {},
): Promise<ConsentOutcome> {
  const f = opts.fetch ?? fetch;
  const page = await f(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the consent page answered ${page.status}: ${html.slice(0, 200)}`);
  const { action, fields } = consentForm(html);
  const body = new URLSearchParams({
    ...fields,
    username: opts.username ?? 'user_good',
    password: opts.password ?? 'pass_good',
    decision: opts.decision ?? 'allow',
  });
  const res = await f(new URL(action, authorizeUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  const params = location ? new URL(location).searchParams : null;
  return {
    status: res.status,
    location,
    code: params?.get('code') ?? null,
    state: params?.get('state') ?? null,
    error: params?.get('error') ?? null,
    html: await res.text(),
  };
}

/** The sandbox redirect URI the tests use. */
export const TEST_REDIRECT_URI = 'https://app.test/link/callback?from=bank';

/**
 * An in-process bank, our client for it (over inProcessFetch), and a completed link as `user`: the consent form
 * submitted, the code exchanged with its PKCE verifier.
 */
export async function linkInProcess(
  bank: {
    dialect: BankDialect;
    createClient(opts: ClientOptions): ProviderClient;
  },
  opts: Parameters<typeof inProcessBank>[1] & { username?: string; password?: string } = {},
) {
  const server = inProcessBank(bank.dialect, opts);
  const fetchImpl = inProcessFetch([server]);
  const client = bank.createClient({ baseUrl: TEST_ROOT, fetch: fetchImpl, clock: server.clock });
  const pkce = createPkcePair();
  const consent = await submitConsent(
    client.authorizeUrl({ state: 'st-1', codeChallenge: pkce.challenge, redirectUri: TEST_REDIRECT_URI }),
    { fetch: fetchImpl, username: opts.username, password: opts.password },
  );
  if (!consent.code)
    throw new Error(`no code: ${consent.status} ${consent.location ?? consent.html.slice(0, 200)}`);
  const tokens = await client.exchangeCode({
    code: consent.code,
    codeVerifier: pkce.verifier,
    redirectUri: TEST_REDIRECT_URI,
  });
  return { server, client, fetch: fetchImpl, tokens, pkce };
}

/**
 * The admin routes of a bank over HTTP (e2e tests, demos): `await bankAdmin(twin.url, 'bank_a').clock({advance_days: 2})`.
 */
export function bankAdmin(
  publicBaseUrl: string,
  bank: string,
  opts: { token?: string; fetch?: typeof fetch } = {},
) {
  const f = opts.fetch ?? fetch;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await f(`${publicBaseUrl.replace(/\/+$/, '')}/mock-banks/${bank}/admin/${path}`, {
      method,
      headers: { 'x-admin-token': opts.token ?? 'local-admin', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200)
      throw new Error(`${method} ${bank}/admin/${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  return {
    /** `{set?, freeze?, advance_ms?, advance_days?, reset?}`; no argument reads the clock. */
    clock: (change?: ClockChange) => (change ? call('POST', 'clock', change) : call('GET', 'clock')),
    /** A fault config (`{}` turns every fault off); no argument reads the faults in force. */
    faults: (config?: FaultConfigInput) => (config ? call('POST', 'faults', config) : call('GET', 'faults')),
    reset: () => call('POST', 'reset', {}),
  };
}
