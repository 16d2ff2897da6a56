import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoMockBankState } from '../../shared/adapters/dynamodb/mock-bank-state';
import { bank_a } from '../../shared/banks/bank_a';
import { bank_b } from '../../shared/banks/bank_b';
import { bank_c } from '../../shared/banks/bank_c';
import { createPkcePair } from '../../shared/banks/kit/crypto';
import { defaultDataSource } from '../../shared/banks/kit/data-source';
import { visibleTransactions } from '../../shared/banks/kit/replay';
import { BankServer } from '../../shared/banks/kit/server';
import { consentForm, submitConsent } from '../../shared/banks/kit/testing';
import { startBankHttp, type BankHttp } from '../support/bank-http';
import { allTransactionPages, rejection } from '../support/bank-wiring';
import { bankAdmin } from '../support/sync-helpers';

/**
 * The provider clients against the real bank Lambda handlers (functions/banks/*.ts) over real HTTP: the local
 * API Gateway (lib/local/gateway.ts) serving the three catalogue entries, state in DynamoDB Local.
 */
const CLOCK = '2026-03-07T12:00:00.000Z';
let gateway: BankHttp;
let table: BankHttp['table'];
let url: string;

beforeAll(async () => {
  gateway = await startBankHttp('banks-http');
  ({ table, url } = gateway);
});

afterAll(async () => {
  await gateway?.close();
});

const REDIRECT = 'http://127.0.0.1:9/link/callback';

describe.each([bank_a, bank_b, bank_c])('$protocol.id over HTTP', (bank) => {
  const id = bank.protocol.id;
  const client = () => bank.createClient({ baseUrl: `${url}/mock-banks`, pageSize: 10 });

  async function link(username = 'user_good') {
    const pkce = createPkcePair();
    const c = client();
    const consent = await submitConsent(
      c.authorizeUrl({ state: `state-${id}`, codeChallenge: pkce.challenge, redirectUri: REDIRECT }),
      { username },
    );
    expect(consent.status).toBe(302);
    const tokens = await c.exchangeCode({
      code: consent.code!,
      codeVerifier: pkce.verifier,
      redirectUri: REDIRECT,
    });
    return { client: c, tokens };
  }

  beforeAll(async () => {
    await bankAdmin(url, id, 'reset', {});
    await bankAdmin(url, id, 'clock', { set: CLOCK, freeze: true });
  });

  it('serves the consent form, refuses a wrong password with 401, redirects a denial and an approval', async () => {
    const authorize = client().authorizeUrl({
      state: 'xyz',
      codeChallenge: createPkcePair().challenge,
      redirectUri: REDIRECT,
    });
    const page = await fetch(authorize);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const form = consentForm(await page.text());
    expect(form.action).toBe(`/mock-banks/${id}/authorize`);
    expect(form.fields.state).toBe('xyz');

    const wrong = await submitConsent(authorize, { password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Incorrect username or password.');
    const denied = await submitConsent(authorize, { decision: 'deny' });
    expect(denied).toMatchObject({ status: 302, error: 'access_denied', state: 'xyz' });
    const allowed = await submitConsent(authorize);
    expect(allowed).toMatchObject({ status: 302, state: 'xyz' });
    expect(new URL(allowed.location!).origin + new URL(allowed.location!).pathname).toBe(REDIRECT);
  });

  it('exchanges the code, lists accounts and pages transactions to the end, each record once', async () => {
    const { client: c, tokens } = await link();
    expect(tokens.scope).toHaveLength(2);
    const accounts = await c.fetchAccounts(tokens.accessToken);
    const user = (await defaultDataSource().user(0))!;
    expect(accounts).toHaveLength(user.accounts.filter((a) => a.bank === id).length);
    for (const a of accounts) expect(bank.wire.account.safeParse(a).success).toBe(true);
    const { records, pages } = await allTransactionPages(c, tokens.accessToken);
    const expected = visibleTransactions(user, id, new Date(CLOCK));
    expect(records).toHaveLength(expected.length);
    expect(pages).toBe(Math.ceil(expected.length / 10));
    for (const r of records) expect(bank.wire.transaction.safeParse(r).success).toBe(true);
    const idOf = (r: unknown) => {
      const rec = r as Record<string, unknown>;
      return String(rec.transactionId ?? rec.txn_ref ?? rec.id);
    };
    expect(records.map(idOf).sort()).toEqual(expected.map((t) => t.bankTxnId).sort());
  });

  it('429 carries Retry-After into the error; 503 is a retryable server error', async () => {
    const { client: c, tokens } = await link();
    await bankAdmin(url, id, 'faults', { rate_limit: 1, retry_after_seconds: 2 });
    try {
      const err = await rejection(c.fetchTransactionsPage(tokens.accessToken));
      expect(err).toMatchObject({ kind: 'rate_limited', status: 429 });
      expect(err.retryAfterMs).toBeGreaterThan(500);
      expect(err.retryAfterMs).toBeLessThanOrEqual(3000);
      await bankAdmin(url, id, 'faults', { server_error: 1, server_error_status: 503 });
      expect(await rejection(c.fetchAccounts(tokens.accessToken))).toMatchObject({
        kind: 'server',
        status: 503,
      });
    } finally {
      await bankAdmin(url, id, 'faults', {});
    }
    expect((await c.fetchAccounts(tokens.accessToken)).length).toBeGreaterThan(0);
  });

  it('refreshes (rotating) after the access token expires on the bank clock, and revokes', async () => {
    const { client: c, tokens } = await link('user_good_2');
    await bankAdmin(url, id, 'clock', { advance_ms: 2 * 3600_000 });
    try {
      expect((await rejection(c.fetchAccounts(tokens.accessToken))).kind).toBe('token_expired');
      const next = await c.refresh(tokens.refreshToken);
      const accounts = await c.fetchAccounts(next.accessToken);
      const user2 = (await defaultDataSource().user(2))!;
      for (const a of user2.accounts.filter((x) => x.bank === id))
        expect(JSON.stringify(accounts)).toContain(a.id);
      expect((await rejection(c.refresh(tokens.refreshToken))).kind).toBe('invalid_grant');

      const again = await link();
      await again.client.revoke(again.tokens.refreshToken);
      expect((await rejection(again.client.refresh(again.tokens.refreshToken))).kind).toBe('invalid_grant');
      expect((await rejection(again.client.fetchAccounts(again.tokens.accessToken))).kind).toBe(
        'invalid_token',
      );
    } finally {
      await bankAdmin(url, id, 'clock', { set: CLOCK, freeze: true });
    }
  });

  it('keeps its state in the table: another instance of the bank accepts the same tokens', async () => {
    const { tokens } = await link();
    const other = new BankServer({
      dialect: bank.dialect,
      state: new DynamoMockBankState(table.doc, table.tableName, id),
      data: defaultDataSource(),
    });
    const headers: Record<string, string> =
      id === 'bank_b'
        ? { 'x-access-token': tokens.accessToken }
        : { authorization: `${id === 'bank_a' ? 'Bearer' : 'Token'} ${tokens.accessToken}` };
    const res = await other.handle({
      method: 'GET',
      path: 'accounts',
      query: {},
      headers,
      body: '',
      rootUrl: `${url}/mock-banks/${id}`,
    });
    expect(res.status).toBe(200);
  });
});
