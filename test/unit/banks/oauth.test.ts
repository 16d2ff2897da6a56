import { describe, expect, it } from 'vitest';
import { bank_a } from '../../../shared/banks/bank_a';
import { bank_b } from '../../../shared/banks/bank_b';
import { bank_c } from '../../../shared/banks/bank_c';
import { createPkcePair, sha256Hex } from '../../../shared/banks/kit/crypto';
import {
  consentForm,
  inProcessBank,
  inProcessFetch,
  linkInProcess,
  submitConsent,
  TEST_REDIRECT_URI,
  TEST_ROOT,
} from '../../../shared/banks/kit/testing';
import { rejection } from '../../support/bank-wiring';

const BANKS = [bank_a, bank_b, bank_c];
const ADMIN = { 'x-admin-token': 'local-admin' };
/** Each bank's API auth header style. */
const AUTH: Record<string, (token: string) => Record<string, string>> = {
  bank_a: (t) => ({ authorization: `Bearer ${t}` }),
  bank_b: (t) => ({ 'x-access-token': t }),
  bank_c: (t) => ({ authorization: `Token ${t}` }),
};

describe.each(BANKS)('$protocol.id OAuth2 server', (bank) => {
  const id = bank.protocol.id;

  function setup() {
    const server = inProcessBank(bank.dialect);
    const fetchImpl = inProcessFetch([server]);
    const client = bank.createClient({ baseUrl: TEST_ROOT, fetch: fetchImpl, clock: server.clock });
    const pkce = createPkcePair();
    const url = client.authorizeUrl({
      state: 'st/1 ok',
      codeChallenge: pkce.challenge,
      redirectUri: TEST_REDIRECT_URI,
    });
    return { server, fetchImpl, client, pkce, url };
  }

  it('renders a real HTML consent form carrying the OAuth parameters', async () => {
    const { fetchImpl, url } = setup();
    const res = await fetchImpl(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain(bank.protocol.name.replace('&', '&#38;'));
    const form = consentForm(html);
    expect(form.action).toBe(`/mock-banks/${id}/authorize`);
    expect(form.fields).toMatchObject({
      response_type: 'code',
      state: 'st/1 ok',
      redirect_uri: TEST_REDIRECT_URI,
      code_challenge_method: 'S256',
      username: '',
      password: '',
    });
  });

  it('allow with the sandbox credentials redirects with a code and the state, keeping the redirect query', async () => {
    const { fetchImpl, url } = setup();
    const out = await submitConsent(url, { fetch: fetchImpl });
    expect(out.status).toBe(302);
    expect(out.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(out.state).toBe('st/1 ok');
    const loc = new URL(out.location!);
    expect(`${loc.origin}${loc.pathname}`).toBe('https://app.test/link/callback');
    expect(loc.searchParams.get('from')).toBe('bank');
  });

  it('a wrong password re-renders the form with an error, 401, no redirect', async () => {
    const { fetchImpl, url } = setup();
    const out = await submitConsent(url, { fetch: fetchImpl, password: 'nope' });
    expect(out.status).toBe(401);
    expect(out.location).toBeNull();
    expect(out.html).toContain('Incorrect username or password.');
    expect(consentForm(out.html).fields.username).toBe('user_good');
    const unknown = await submitConsent(url, { fetch: fetchImpl, username: 'user_bad' });
    expect(unknown.status).toBe(401);
  });

  it('deny redirects with error=access_denied and the state', async () => {
    const { fetchImpl, url } = setup();
    const out = await submitConsent(url, { fetch: fetchImpl, decision: 'deny' });
    expect(out.status).toBe(302);
    expect(out.error).toBe('access_denied');
    expect(out.state).toBe('st/1 ok');
    expect(out.code).toBeNull();
  });

  it('never redirects to an unknown client or an invalid redirect_uri', async () => {
    const { server, url } = setup();
    const q = new URL(url).searchParams;
    for (const [k, v] of [
      ['client_id', 'someone-else'],
      ['redirect_uri', 'javascript:alert(1)'],
      ['redirect_uri', 'https://app.test/cb#frag'],
      ['redirect_uri', 'not a url'],
    ] as const) {
      const params = new URLSearchParams(q);
      params.set(k, v);
      const res = await server.request('GET', `authorize?${params}`);
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
  });

  it('redirects protocol errors: PKCE S256 is required, unknown scopes and response types are refused', async () => {
    const { server, url } = setup();
    const q = new URL(url).searchParams;
    const cases: [Record<string, string | null>, string][] = [
      [{ code_challenge: null }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge: 'short' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ scope: 'everything' }, 'invalid_scope'],
    ];
    for (const [change, error] of cases) {
      const params = new URLSearchParams(q);
      for (const [k, v] of Object.entries(change)) {
        if (v === null) params.delete(k);
        else params.set(k, v);
      }
      const res = await server.request('GET', `authorize?${params}`);
      expect(res.status).toBe(302);
      const loc = new URL(res.headers.location!);
      expect(loc.searchParams.get('error')).toBe(error);
      expect(loc.searchParams.get('state')).toBe('st/1 ok');
    }
  });

  it('exchanges a code for tokens; the code is single-use and a replay revokes what it issued', async () => {
    const { server, fetchImpl, client, pkce, url } = setup();
    const { code } = await submitConsent(url, { fetch: fetchImpl });
    const tokens = await client.exchangeCode({
      code: code!,
      codeVerifier: pkce.verifier,
      redirectUri: TEST_REDIRECT_URI,
    });
    expect(tokens.scope).toEqual([bank.protocol.scopes.accounts, bank.protocol.scopes.transactions]);
    expect(Date.parse(tokens.expiresAt) - server.clock.now().getTime()).toBe(3600_000);
    expect((await client.fetchAccounts(tokens.accessToken)).length).toBeGreaterThan(0);

    const replay = await rejection(
      client.exchangeCode({ code: code!, codeVerifier: pkce.verifier, redirectUri: TEST_REDIRECT_URI }),
    );
    expect(replay.kind).toBe('invalid_grant');
    expect((await rejection(client.fetchAccounts(tokens.accessToken))).kind).toBe('invalid_token');
    expect((await rejection(client.refresh(tokens.refreshToken))).kind).toBe('invalid_grant');
  });

  it('rejects a wrong PKCE verifier, and the attempt burns the code', async () => {
    const { fetchImpl, client, pkce, url } = setup();
    const { code } = await submitConsent(url, { fetch: fetchImpl });
    const wrong = createPkcePair().verifier;
    const err = await rejection(
      client.exchangeCode({ code: code!, codeVerifier: wrong, redirectUri: TEST_REDIRECT_URI }),
    );
    expect(err).toMatchObject({ kind: 'invalid_grant', status: 400, code: 'invalid_grant' });
    expect(err.message).toMatch(/code_verifier/);
    expect(
      (
        await rejection(
          client.exchangeCode({ code: code!, codeVerifier: pkce.verifier, redirectUri: TEST_REDIRECT_URI }),
        )
      ).kind,
    ).toBe('invalid_grant');
  });

  it('codes are short-lived and bound to their redirect_uri', async () => {
    const { server, fetchImpl, client, pkce, url } = setup();
    const first = await submitConsent(url, { fetch: fetchImpl });
    server.clock.advance(301_000);
    const expired = await rejection(
      client.exchangeCode({ code: first.code!, codeVerifier: pkce.verifier, redirectUri: TEST_REDIRECT_URI }),
    );
    expect(expired.message).toMatch(/expired/);
    const second = await submitConsent(url, { fetch: fetchImpl });
    const mismatch = await rejection(
      client.exchangeCode({
        code: second.code!,
        codeVerifier: pkce.verifier,
        redirectUri: 'https://app.test/other',
      }),
    );
    expect(mismatch.message).toMatch(/redirect_uri/);
  });

  it('refresh rotates: the new pair works, the old refresh token is single-use and reusing it ends the grant', async () => {
    const { client, tokens } = await linkInProcess(bank);
    const next = await client.refresh(tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.accessToken).not.toBe(tokens.accessToken);
    expect((await client.fetchAccounts(next.accessToken)).length).toBeGreaterThan(0);
    // The previous access token stays valid until it expires.
    expect((await client.fetchAccounts(tokens.accessToken)).length).toBeGreaterThan(0);

    const reuse = await rejection(client.refresh(tokens.refreshToken));
    expect(reuse.kind).toBe('invalid_grant');
    expect((await rejection(client.fetchAccounts(next.accessToken))).kind).toBe('invalid_token');
    expect((await rejection(client.refresh(next.refreshToken))).kind).toBe('invalid_grant');
  });

  it('access tokens expire on the bank clock; refreshing gets a working one', async () => {
    const { server, client, tokens } = await linkInProcess(bank);
    const moved = await server.request('POST', 'admin/clock', {
      headers: ADMIN,
      json: { advance_ms: 3600_000 },
    });
    expect(moved.status).toBe(200);
    const err = await rejection(client.fetchAccounts(tokens.accessToken));
    expect(err).toMatchObject({ kind: 'token_expired', status: 401 });
    const next = await client.refresh(tokens.refreshToken);
    expect((await client.fetchAccounts(next.accessToken)).length).toBeGreaterThan(0);
  });

  it('revoking the refresh token ends the grant; revoking an access token ends only that token', async () => {
    const one = await linkInProcess(bank);
    await one.client.revoke(one.tokens.refreshToken);
    expect((await rejection(one.client.refresh(one.tokens.refreshToken))).kind).toBe('invalid_grant');
    expect((await rejection(one.client.fetchAccounts(one.tokens.accessToken))).kind).toBe('invalid_token');
    await one.client.revoke('never-issued'); // RFC 7009: 200 for unknown tokens

    const two = await linkInProcess(bank);
    await two.client.revoke(two.tokens.accessToken);
    expect((await rejection(two.client.fetchAccounts(two.tokens.accessToken))).kind).toBe('invalid_token');
    const next = await two.client.refresh(two.tokens.refreshToken);
    expect((await two.client.fetchAccounts(next.accessToken)).length).toBeGreaterThan(0);
  });

  it('stores codes and tokens only as SHA-256 digests', async () => {
    const { server, tokens } = await linkInProcess(bank);
    const dump = JSON.stringify({
      codes: [...server.state.codes.entries()],
      tokens: [...server.state.tokens.entries()],
      grants: [...server.state.grants.entries()],
    });
    expect(dump).not.toContain(tokens.accessToken);
    expect(dump).not.toContain(tokens.refreshToken);
    expect(server.state.tokens.get(sha256Hex(tokens.accessToken))?.kind).toBe('access');
    expect(server.state.tokens.get(sha256Hex(tokens.refreshToken))?.kind).toBe('refresh');
  });

  it('only accepts the access token in its own header style', async () => {
    const { server, tokens } = await linkInProcess(bank);
    expect((await server.request('GET', 'accounts', { headers: AUTH[id]!(tokens.accessToken) })).status).toBe(
      200,
    );
    for (const [other, style] of Object.entries(AUTH)) {
      if (other === id) continue;
      const res = await server.request('GET', 'accounts', { headers: style(tokens.accessToken) });
      expect(res.status).toBe(401);
    }
    expect((await server.request('GET', 'accounts')).status).toBe(401);
  });

  it('user_good_<n> sees generated user n', async () => {
    const { client, tokens } = await linkInProcess(bank, { username: 'user_good_1' });
    const accounts = (await client.fetchAccounts(tokens.accessToken)) as Record<string, unknown>[];
    expect(accounts.map((a) => a.accountId ?? a.account_id ?? a.id)).toEqual([
      `${id.slice(-1)}-acc-1-1`,
      `${id.slice(-1)}-acc-1-2`,
    ]);
    const consent = await submitConsent(
      bank.createClient({ baseUrl: TEST_ROOT }).authorizeUrl({
        state: 's',
        codeChallenge: createPkcePair().challenge,
        redirectUri: TEST_REDIRECT_URI,
      }),
      { fetch: inProcessFetch([inProcessBank(bank.dialect)]), username: 'user_good_7' },
    );
    expect(consent.status).toBe(401); // the fixture data source only has users 0 and 1
  });

  it('publishes its authorization server metadata', async () => {
    const { server } = setup();
    const res = await server.request('GET', '.well-known/oauth-authorization-server');
    const meta = JSON.parse(res.body) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: `${TEST_ROOT}/${id}`,
      token_endpoint: `${TEST_ROOT}/${id}/token`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: [bank.protocol.clientAuth],
    });
  });
});

describe('client authentication differs per bank', () => {
  async function codeFor(bank: typeof bank_a) {
    const server = inProcessBank(bank.dialect);
    const fetchImpl = inProcessFetch([server]);
    const client = bank.createClient({ baseUrl: TEST_ROOT, fetch: fetchImpl });
    const pkce = createPkcePair();
    const { code } = await submitConsent(
      client.authorizeUrl({ state: 's', codeChallenge: pkce.challenge, redirectUri: TEST_REDIRECT_URI }),
      { fetch: fetchImpl },
    );
    const form = {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: pkce.verifier,
    };
    return { server, form };
  }
  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
  });

  it('bank_a wants client_secret_basic', async () => {
    const { server, form } = await codeFor(bank_a);
    const post = await server.request('POST', 'token', {
      form: { ...form, client_id: 'finagg-sandbox-a', client_secret: 'sandbox-secret-a-7f3c1e' },
    });
    expect(post.status).toBe(401);
    expect(JSON.parse(post.body)).toMatchObject({ error: 'invalid_client' });
    expect(post.headers['www-authenticate']).toMatch(/^Basic/);
    const wrong = await server.request('POST', 'token', {
      form,
      headers: basic('finagg-sandbox-a', 'wrong'),
    });
    expect(wrong.status).toBe(401);
    const ok = await server.request('POST', 'token', {
      form,
      headers: basic('finagg-sandbox-a', 'sandbox-secret-a-7f3c1e'),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(ok.body)).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
  });

  it('bank_b wants client_secret_post', async () => {
    const { server, form } = await codeFor(bank_b);
    const basicOnly = await server.request('POST', 'token', {
      form,
      headers: basic('finagg-sandbox-b', 'sandbox-secret-b-2d9a4b'),
    });
    expect(basicOnly.status).toBe(401);
    const ok = await server.request('POST', 'token', {
      form: { ...form, client_id: 'finagg-sandbox-b', client_secret: 'sandbox-secret-b-2d9a4b' },
    });
    expect(ok.status).toBe(200);
  });

  it('bank_c is a public client: client_id and PKCE, no secret; its tokens are of type Token', async () => {
    const { server, form } = await codeFor(bank_c);
    const noId = await server.request('POST', 'token', { form });
    expect(noId.status).toBe(401);
    const ok = await server.request('POST', 'token', { form: { ...form, client_id: 'finagg-sandbox-c' } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ token_type: 'Token' });
  });

  it('token requests must be forms without repeated parameters, with a known grant type', async () => {
    const { server, form } = await codeFor(bank_c);
    const json = await server.request('POST', 'token', { json: { ...form, client_id: 'finagg-sandbox-c' } });
    expect(JSON.parse(json.body)).toMatchObject({ error: 'invalid_request' });
    const repeated = await server.request('POST', 'token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${new URLSearchParams({ ...form, client_id: 'finagg-sandbox-c' })}&code=again`,
    });
    expect(repeated.status).toBe(400);
    expect(JSON.parse(repeated.body)).toMatchObject({ error: 'invalid_request' });
    const grant = await server.request('POST', 'token', {
      form: { grant_type: 'password', client_id: 'finagg-sandbox-c' },
    });
    expect(JSON.parse(grant.body)).toMatchObject({ error: 'unsupported_grant_type' });
  });
});
