import { describe, expect, it } from 'vitest';
import { bank_a } from '../../../shared/banks/bank_a';
import { bank_b } from '../../../shared/banks/bank_b';
import { bank_c } from '../../../shared/banks/bank_c';
import { BankCClient } from '../../../shared/banks/bank_c/client';
import { BankBClient } from '../../../shared/banks/bank_b/client';
import { ManualClock } from '../../../shared/ports/clock';
import { pkceS256 } from '../../../shared/banks/kit/crypto';
import { linkInProcess } from '../../../shared/banks/kit/testing';
import { banks, getProvider, providers } from '../../../shared/banks/registry';
import { rejection } from '../../support/bank-wiring';

const answer =
  (status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  async () =>
    new Response(body, { status, headers });

describe('the registry', () => {
  it('lists the three banks with a client each, one module per bank', () => {
    expect(providers.map((p) => [p.id, p.name])).toEqual([
      ['bank_a', 'Acorn Bank'],
      ['bank_b', 'Birch & Co. Bank'],
      ['bank_c', 'Cedar Bank'],
    ]);
    expect(banks.map((b) => b.protocol.id)).toEqual(providers.map((p) => p.id));
    expect(getProvider('bank_b')?.client.id).toBe('bank_b');
    expect(getProvider('bank_z')).toBeUndefined();
  });

  it('builds authorize URLs against BANKS_BASE_URL / PUBLIC_BASE_URL, read at call time', () => {
    const before = { ...process.env };
    try {
      delete process.env.BANKS_BASE_URL;
      process.env.PUBLIC_BASE_URL = 'http://127.0.0.1:4321';
      const url = new URL(
        getProvider('bank_a')!.client.authorizeUrl({
          state: 's1',
          codeChallenge: pkceS256('v'.repeat(43)),
          redirectUri: 'http://x/cb',
        }),
      );
      expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:4321/mock-banks/bank_a/authorize');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        response_type: 'code',
        client_id: 'finagg-sandbox-a',
        redirect_uri: 'http://x/cb',
        state: 's1',
        code_challenge: pkceS256('v'.repeat(43)),
        code_challenge_method: 'S256',
        scope: 'accounts transactions',
      });
      process.env.BANKS_BASE_URL = 'https://banks.example/root/';
      process.env.BANK_C_CLIENT_ID = 'custom-c';
      const c = new URL(
        getProvider('bank_c')!.client.authorizeUrl({
          state: 's',
          codeChallenge: 'c',
          redirectUri: 'http://x',
        }),
      );
      expect(c.href.startsWith('https://banks.example/root/bank_c/authorize?')).toBe(true);
      expect(c.searchParams.get('client_id')).toBe('custom-c');
      expect(c.searchParams.get('scope')).toBe('accounts:read transactions:read');
    } finally {
      process.env = before;
    }
  });
});

describe.each([bank_a, bank_b, bank_c])('$protocol.id client errors', (bank) => {
  const opts = { baseUrl: 'http://bank.test/mock-banks' };

  it('network failures and timeouts are kind network', async () => {
    const refused = bank.createClient({
      ...opts,
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    expect(await rejection(refused.fetchAccounts('t'))).toMatchObject({ kind: 'network', retryable: true });
    const hanging = bank.createClient({
      ...opts,
      timeoutMs: 100,
      fetch: (_input, init) =>
        new Promise<Response>((_, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error));
        }),
    });
    const err = await rejection(hanging.fetchTransactionsPage('t'));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/within 100 ms/);
  });

  it('non-JSON and unexpected envelopes are bad_response; messages never carry tokens', async () => {
    const html = bank.createClient({
      ...opts,
      fetch: answer(200, '<html>', { 'content-type': 'text/html' }),
    });
    expect((await rejection(html.fetchAccounts('secret-token-123'))).kind).toBe('bad_response');
    const wrong = bank.createClient({ ...opts, fetch: answer(200, JSON.stringify({ items: [] })) });
    const err = await rejection(wrong.fetchTransactionsPage('secret-token-123'));
    expect(err.kind).toBe('bad_response');
    expect(err.message).not.toContain('secret-token-123');
    const token = bank.createClient({ ...opts, fetch: answer(200, JSON.stringify({ access_token: 'x' })) });
    expect((await rejection(token.refresh('r'))).kind).toBe('bad_response');
  });

  it('maps the token endpoint errors', async () => {
    const grant = bank.createClient({
      ...opts,
      fetch: answer(400, JSON.stringify({ error: 'invalid_grant' })),
    });
    expect(await rejection(grant.refresh('r'))).toMatchObject({
      kind: 'invalid_grant',
      code: 'invalid_grant',
      retryable: false,
    });
    const client = bank.createClient({
      ...opts,
      fetch: answer(401, JSON.stringify({ error: 'invalid_client' })),
    });
    expect(
      (await rejection(client.exchangeCode({ code: 'c', codeVerifier: 'v', redirectUri: 'r' }))).kind,
    ).toBe('invalid_client');
    const busy = bank.createClient({ ...opts, fetch: answer(503, '', { 'retry-after': '7' }) });
    expect(await rejection(busy.revoke('t'))).toMatchObject({ kind: 'server', retryAfterMs: 7000 });
    const other = bank.createClient({
      ...opts,
      fetch: answer(400, JSON.stringify({ error: 'invalid_request' })),
    });
    expect((await rejection(other.refresh('r'))).kind).toBe('bad_request');
  });

  it('keeps the refresh token when a refresh response omits a new one; expiresAt uses the client clock', async () => {
    const clock = new ManualClock('2026-04-01T00:00:00Z');
    const c = bank.createClient({
      ...opts,
      clock,
      fetch: answer(200, JSON.stringify({ access_token: 'a2', token_type: 'Bearer', expires_in: 60 })),
    });
    expect(await c.refresh('r1')).toEqual({
      accessToken: 'a2',
      refreshToken: 'r1',
      expiresAt: '2026-04-01T00:01:00.000Z',
      scope: [],
    });
  });
});

describe('bank-specific client details', () => {
  it('bank_b Retry-After is an HTTP-date, turned into a delay', async () => {
    const l = await linkInProcess(bank_b);
    await l.server.request('POST', 'admin/faults', {
      headers: { 'x-admin-token': 'local-admin' },
      json: { rate_limit: 1, retry_after_seconds: 5 },
    });
    const raw = await l.server.request('GET', 'accounts', {
      headers: { 'x-access-token': l.tokens.accessToken },
    });
    expect(raw.headers['retry-after']).toMatch(/GMT$/);
    const err = await rejection(l.client.fetchAccounts(l.tokens.accessToken));
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(5000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(6000);
  });

  it('bank_b cursors carry page and size', async () => {
    const l = await linkInProcess(bank_b);
    const client = new BankBClient({ baseUrl: 'http://bank.test/mock-banks', fetch: l.fetch, pageSize: 10 });
    const first = await client.fetchTransactionsPage(l.tokens.accessToken);
    expect(first.records).toHaveLength(10);
    expect(first.nextCursor).toBe('b1.2.10');
  });

  it('bank_c follows its next link but refuses one that leaves the transactions endpoint', async () => {
    const l = await linkInProcess(bank_c);
    const client = new BankCClient({ baseUrl: 'http://bank.test/mock-banks', fetch: l.fetch, pageSize: 10 });
    const first = await client.fetchTransactionsPage(l.tokens.accessToken);
    expect(first.nextCursor).toBe('c1.10.10');
    const body = {
      status: 'ok',
      data: [],
      links: { self: 'x', next: 'https://evil.example/steal?offset=10&limit=10' },
      meta: { offset: 0, limit: 10, total: 20 },
    };
    const evil = new BankCClient({
      baseUrl: 'http://bank.test/mock-banks',
      fetch: answer(200, JSON.stringify(body)),
    });
    const err = await rejection(evil.fetchTransactionsPage('t'));
    expect(err.kind).toBe('bad_response');
    expect(err.message).toMatch(/links\.next/);
  });
});
