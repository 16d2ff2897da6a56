import { describe, expect, it } from 'vitest';
import { fromMajorFloat, parseDecimal } from '../../../shared/domain/money';
import { bank_a } from '../../../shared/banks/bank_a';
import { bank_b } from '../../../shared/banks/bank_b';
import { bank_c } from '../../../shared/banks/bank_c';
import { BankAAccountSchema, BankATransactionSchema } from '../../../shared/banks/bank_a/wire';
import { BankBAccountSchema, BankBTransactionSchema } from '../../../shared/banks/bank_b/wire';
import { BankCAccountSchema, BankCTransactionSchema } from '../../../shared/banks/bank_c/wire';
import type { BankModule } from '../../../shared/banks/kit/bank-module';
import { fixtureUser, FIXTURE_END } from '../../../shared/banks/kit/fixtures';
import { localIsoDate, parseDdmmyyyy } from '../../../shared/banks/kit/formats';
import { allTransactionPages, rejection } from '../../support/bank-wiring';
import type { ProviderError } from '../../../shared/banks/kit/provider';
import { accountViews, visibleTransactions } from '../../../shared/banks/kit/replay';
import { linkInProcess } from '../../../shared/banks/kit/testing';

const ADMIN = { 'x-admin-token': 'local-admin' };
const AUTH: Record<string, (token: string) => Record<string, string>> = {
  bank_a: (t) => ({ authorization: `Bearer ${t}` }),
  bank_b: (t) => ({ 'x-access-token': t }),
  bank_c: (t) => ({ authorization: `Token ${t}` }),
};

/** What the tests compare: a bank record read back into one common shape (a test-only mini normalizer). */
interface Row {
  id: string;
  accountId: string;
  amountMinor: number;
  status: 'pending' | 'posted';
  date: string;
  description: string;
  pendingId: string | null;
}
interface Balance {
  id: string;
  current: number;
  available: number;
}

const bPlain = (text: string, dc: 'DR' | 'CR', currency: string) => {
  const m = parseDecimal(text.replaceAll(',', ''), currency).minor;
  return dc === 'DR' && m !== 0 ? -m : m;
};

const READERS: Record<string, { txn(r: unknown): Row; account(r: unknown): Balance }> = {
  bank_a: {
    txn(r) {
      const t = BankATransactionSchema.parse(r);
      return {
        id: t.transactionId,
        accountId: t.accountId,
        amountMinor: t.amountMinor,
        status: t.status,
        date: t.date,
        description: t.description,
        pendingId: t.pendingTransactionId,
      };
    },
    account(r) {
      const a = BankAAccountSchema.parse(r);
      return { id: a.accountId, current: a.balances.currentMinor, available: a.balances.availableMinor };
    },
  },
  bank_b: {
    txn(r) {
      const t = BankBTransactionSchema.parse(r);
      return {
        id: t.txn_ref,
        accountId: t.account_id,
        amountMinor: bPlain(t.amount, t.dr_cr, t.currency_code),
        status: t.status === 'BOOKED' ? 'posted' : 'pending',
        date: parseDdmmyyyy(t.booking_date)!,
        description: t.narrative,
        pendingId: null,
      };
    },
    account(r) {
      const a = BankBAccountSchema.parse(r);
      return {
        id: a.account_id,
        current: bPlain(a.current_balance, a.current_balance_dr_cr, a.currency_code),
        available: bPlain(a.available_balance, a.available_balance_dr_cr, a.currency_code),
      };
    },
  },
  bank_c: {
    txn(r) {
      const t = BankCTransactionSchema.parse(r);
      const m = fromMajorFloat(t.attributes.amount, t.attributes.currency).minor;
      return {
        id: t.id,
        accountId: t.relationships.account.id,
        amountMinor: m === 0 ? 0 : -m,
        status: t.attributes.state === 'SETTLED' ? 'posted' : 'pending',
        date: localIsoDate(t.attributes['value-date'], 'Asia/Kolkata'),
        description: t.attributes.narration,
        pendingId: t.relationships.authorization?.id ?? null,
      };
    },
    account(r) {
      const a = BankCAccountSchema.parse(r);
      const c = a.attributes.currency;
      return {
        id: a.id,
        current: fromMajorFloat(a.attributes.balance.ledger, c).minor,
        available: fromMajorFloat(a.attributes.balance.available, c).minor,
      };
    },
  },
};

const WIRE: Record<string, BankModule['wire']> = {
  bank_a: bank_a.wire,
  bank_b: bank_b.wire,
  bank_c: bank_c.wire,
};

describe.each([bank_a, bank_b, bank_c])('$protocol.id data API', (bank) => {
  const id = bank.protocol.id;
  const read = READERS[id]!;
  const user = fixtureUser(0);
  const scale = id === 'bank_c' ? 100 : 1;
  const p = `${id.slice(-1).toUpperCase()}0`;

  async function linked(now = FIXTURE_END, pageSize?: number) {
    const l = await linkInProcess(bank, { now });
    const client = pageSize ? bank.createClient({ ...clientOpts(l), pageSize }) : l.client;
    const admin = (path: string, json: unknown) =>
      l.server.request('POST', `admin/${path}`, { headers: ADMIN, json });
    const at = async (iso: string) => {
      const res = await admin('clock', { set: iso, freeze: true });
      expect(res.status).toBe(200);
      return (await allTransactionPages(client, l.tokens.accessToken)).records.map((r) => read.txn(r));
    };
    return { ...l, client, admin, at };
  }
  const clientOpts = (l: Awaited<ReturnType<typeof linkInProcess>>) => ({
    baseUrl: 'http://bank.test/mock-banks',
    fetch: l.fetch,
    clock: l.server.clock,
  });

  it('accounts validate against the wire schema, with balances computed from the visible transactions', async () => {
    const { client, tokens } = await linked();
    const raw = await client.fetchAccounts(tokens.accessToken);
    for (const r of raw) expect(WIRE[id]!.account.safeParse(r).success).toBe(true);
    const views = accountViews(user, id, visibleTransactions(user, id, new Date(FIXTURE_END)));
    expect(raw.map((r) => read.account(r))).toEqual(
      views.map((v) => ({ id: v.account.id, current: v.currentMinor, available: v.availableMinor })),
    );
  });

  it('every transaction validates, and pagination returns each record exactly once at any page size', async () => {
    const expected = visibleTransactions(user, id, new Date(FIXTURE_END))
      .map((t) => t.bankTxnId)
      .sort();
    expect(expected.length).toBeGreaterThan(25);
    for (const size of [1, 7, 25, undefined]) {
      const { client, tokens } = await linked(FIXTURE_END, size);
      const { records, pages } = await allTransactionPages(client, tokens.accessToken);
      for (const r of records) expect(WIRE[id]!.transaction.safeParse(r).success).toBe(true);
      const got = records.map((r) => read.txn(r).id);
      expect([...got].sort()).toEqual(expected);
      if (size) expect(pages).toBe(Math.ceil(expected.length / size));
    }
  });

  it('serves amounts, signs, statuses and dates that read back exactly', async () => {
    const { client, tokens } = await linked();
    const rows = (await allTransactionPages(client, tokens.accessToken)).records.map((r) => read.txn(r));
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const t of visibleTransactions(user, id, new Date(FIXTURE_END))) {
      expect(byId.get(t.bankTxnId)).toEqual({
        id: t.bankTxnId,
        accountId: t.accountId,
        amountMinor: t.amountMinor,
        status: t.status,
        date: t.date,
        description: t.description,
        pendingId: id === 'bank_b' ? null : t.pendingBankTxnId,
      });
    }
    expect(byId.get(`${p}-1002`)!.amountMinor).toBe(1_234_567 * scale);
  });

  it('mutates as its clock moves: pending posts under a new id with a tip, corrections, re-sends, removals', async () => {
    const { at } = await linked();
    const find = (rows: Row[], txnId: string) => rows.find((r) => r.id === txnId);

    let rows = await at('2026-03-03T00:00:00Z');
    expect(find(rows, `${p}-1001P`)).toMatchObject({ status: 'pending', amountMinor: -450 * scale });
    expect(find(rows, `${p}-1001`)).toBeUndefined();

    rows = await at('2026-03-04T10:00:00Z');
    expect(find(rows, `${p}-1001P`)).toBeUndefined();
    expect(find(rows, `${p}-1001`)).toMatchObject({
      status: 'posted',
      amountMinor: -540 * scale,
      pendingId: id === 'bank_b' ? null : `${p}-1001P`,
    });

    rows = await at('2026-03-05T12:00:00Z');
    const typo = find(rows, `${p}-1003`)!.description;
    rows = await at('2026-03-06T12:00:00Z');
    expect(find(rows, `${p}-1003`)!.description).not.toBe(typo);
    expect(find(rows, `${p}-9004`)).toBeUndefined();
    const pending = find(rows, `${p}-1005`)!;
    expect(pending).toMatchObject({ status: 'pending', amountMinor: -7000 * scale });

    rows = await at('2026-03-08T12:00:00Z');
    expect(find(rows, `${p}-9004`)).toMatchObject({
      amountMinor: -2500 * scale,
      description: find(rows, `${p}-1004`)!.description,
    });
    expect(find(rows, `${p}-1005`)).toMatchObject({ status: 'posted', amountMinor: -6999 * scale });

    rows = await at('2026-03-10T12:00:00Z');
    expect(find(rows, `${p}-1005`)).toBeUndefined();

    // Stable for a given clock.
    expect(await at('2026-03-08T12:00:00Z')).toEqual(await at('2026-03-08T12:00:00Z'));
  });

  it('rejects bad paging parameters in its own error format', async () => {
    const { server, tokens } = await linked();
    const q = { bank_a: 'limit=0', bank_b: 'size=1000', bank_c: 'offset=-1' }[id];
    const res = await server.request('GET', `transactions?${q}`, { headers: AUTH[id]!(tokens.accessToken) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(JSON.parse(res.body))).toMatch(/INVALID_REQUEST|BAD_REQUEST|bad_request/);
    const err = await rejection(bank.createClient({}).fetchTransactionsPage('t', 'not-a-cursor'));
    expect(err.kind).toBe('bad_request');
  });

  it('answers unknown paths 404 and wrong methods 405, in its own format', async () => {
    const { server } = await linked();
    const missing = await server.request('GET', 'nope');
    expect(missing.status).toBe(404);
    const wrong = await server.request('POST', 'accounts');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
  });

  describe('faults', () => {
    it('429 with Retry-After, honoured as data in the client error', async () => {
      const { server, client, tokens, admin } = await linked();
      expect((await admin('faults', { rate_limit: 1, retry_after_seconds: 3 })).status).toBe(200);
      const raw = await server.request('GET', 'accounts', { headers: AUTH[id]!(tokens.accessToken) });
      expect(raw.status).toBe(429);
      expect(raw.headers['retry-after']).toBeDefined();
      const err = await rejection(client.fetchTransactionsPage(tokens.accessToken));
      expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true });
      expect(err.retryAfterMs).toBeGreaterThanOrEqual(2000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(4000);
      await admin('faults', {});
      expect((await client.fetchTransactionsPage(tokens.accessToken)).records.length).toBeGreaterThan(0);
    });

    it('500 and 503 (with Retry-After) become retryable server errors', async () => {
      const { client, tokens, admin } = await linked();
      await admin('faults', { server_error: 1, server_error_status: 500 });
      expect(await rejection(client.fetchAccounts(tokens.accessToken))).toMatchObject({
        kind: 'server',
        status: 500,
      });
      await admin('faults', { server_error: 1, server_error_status: 503, retry_after_seconds: 2 });
      const err = await rejection(client.fetchAccounts(tokens.accessToken));
      expect(err).toMatchObject({ kind: 'server', status: 503, retryable: true });
      expect(err.retryAfterMs).toBeGreaterThan(0);
    });

    it('a seeded rate gives the same sequence of outcomes every time', async () => {
      const outcomes = async () => {
        const { client, tokens, admin } = await linked();
        await admin('faults', { seed: 11, rate_limit: 0.3, server_error: 0.2 });
        const out: string[] = [];
        for (let i = 0; i < 30; i++) {
          out.push(
            await client.fetchAccounts(tokens.accessToken).then(
              () => 'ok',
              (e: ProviderError) => e.kind,
            ),
          );
        }
        return out;
      };
      const first = await outcomes();
      expect(await outcomes()).toEqual(first);
      expect(new Set(first)).toEqual(new Set(['ok', 'rate_limited', 'server']));
    });

    it('slow responses wait the configured delay', async () => {
      const { server, client, tokens, admin } = await linked();
      await admin('faults', { slow_ms: 1500 });
      await client.fetchAccounts(tokens.accessToken);
      await client.fetchTransactionsPage(tokens.accessToken);
      expect(server.sleeps).toEqual([1500, 1500]);
    });

    it('expires a valid access token early; the token stays expired and a refresh recovers', async () => {
      const { client, tokens, admin } = await linked();
      await admin('faults', { expire_token: 1 });
      expect((await rejection(client.fetchAccounts(tokens.accessToken))).kind).toBe('token_expired');
      await admin('faults', {});
      expect((await rejection(client.fetchAccounts(tokens.accessToken))).kind).toBe('token_expired');
      const next = await client.refresh(tokens.refreshToken);
      expect((await client.fetchAccounts(next.accessToken)).length).toBe(2);
    });

    it('mixes malformed records into pages: extra broken copies next to every good record', async () => {
      const { client, tokens, admin } = await linked();
      const clean = (await allTransactionPages(client, tokens.accessToken)).records;
      await admin('faults', { malformed: 0.3, seed: 3 });
      const { records } = await allTransactionPages(client, tokens.accessToken);
      const good = records.filter((r) => WIRE[id]!.transaction.safeParse(r).success);
      const bad = records.filter((r) => !WIRE[id]!.transaction.safeParse(r).success);
      expect(good).toEqual(clean);
      expect(bad.length).toBeGreaterThan(3);
      expect(bad.length).toBeLessThan(clean.length * 0.6);
      // The same records are malformed on every read.
      expect((await allTransactionPages(client, tokens.accessToken)).records).toEqual(records);
    });

    it('corrupt mode breaks the records themselves: missing fields, garbage amounts, bad dates', async () => {
      const { client, tokens, admin } = await linked();
      const clean = (await allTransactionPages(client, tokens.accessToken)).records;
      await admin('faults', { malformed: 1, malformed_mode: 'corrupt' });
      const { records } = await allTransactionPages(client, tokens.accessToken);
      expect(records.length).toBe(clean.length);
      const issues = new Set<string>();
      for (const r of records) {
        const parsed = WIRE[id]!.transaction.safeParse(r);
        expect(parsed.success).toBe(false);
        if (!parsed.success) for (const i of parsed.error.issues) issues.add(i.path.join('.'));
      }
      expect(issues.size).toBeGreaterThanOrEqual(3);
    });

    it('faults can come from MOCK_BANK_FAULTS, and the clock from MOCK_BANK_CLOCK', async () => {
      const l = await linkInProcess(bank, {
        env: {
          MOCK_BANK_FAULTS: JSON.stringify({ [id]: { rate_limit: 1 } }),
          MOCK_BANK_CLOCK: '2026-03-03T00:00:00Z',
        },
      });
      expect((await rejection(l.client.fetchAccounts(l.tokens.accessToken))).kind).toBe('rate_limited');
      const faults = await l.server.request('GET', 'admin/faults', { headers: ADMIN });
      expect(JSON.parse(faults.body)).toMatchObject({ source: 'env', faults: { rate_limit: 1 } });
      const clock = await l.server.request('GET', 'admin/clock', { headers: ADMIN });
      expect(JSON.parse(clock.body)).toMatchObject({
        now: '2026-03-03T00:00:00.000Z',
        frozen: true,
        source: 'env',
      });
      await l.server.request('POST', 'admin/faults', { headers: ADMIN, json: {} });
      const rows = (await allTransactionPages(l.client, l.tokens.accessToken)).records.map((r) =>
        read.txn(r),
      );
      expect(rows.find((r) => r.id === `${p}-1001P`)?.status).toBe('pending');
      const reset = await l.server.request('POST', 'admin/reset', { headers: ADMIN });
      expect(JSON.parse(reset.body)).toMatchObject({ fault_source: 'env', clock: { source: 'env' } });
    });

    it('token endpoint faults only with scope "all"', async () => {
      const { client, tokens, admin } = await linked();
      await admin('faults', { rate_limit: 1 });
      const next = await client.refresh(tokens.refreshToken);
      await admin('faults', { rate_limit: 1, scope: 'all' });
      expect((await rejection(client.refresh(next.refreshToken))).kind).toBe('rate_limited');
    });
  });

  describe('admin routes', () => {
    it('require the admin token and validate their bodies', async () => {
      const { server } = await linked();
      expect((await server.request('GET', 'admin/clock')).status).toBe(401);
      expect(
        (await server.request('GET', 'admin/clock', { headers: { 'x-admin-token': 'wrong-token' } })).status,
      ).toBe(401);
      const bad = await server.request('POST', 'admin/faults', { headers: ADMIN, json: { rate_limit: 5 } });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toMatchObject({ issues: [{ path: 'rate_limit' }] });
      const notJson = await server.request('POST', 'admin/clock', { headers: ADMIN, body: '{' });
      expect(notJson.status).toBe(400);
    });

    it('are disabled outside STAGE=local unless MOCK_BANK_ADMIN_TOKEN is set', async () => {
      const prod = await linkInProcess(bank, { env: { STAGE: 'prod' } });
      expect((await prod.server.request('GET', 'admin/faults', { headers: ADMIN })).status).toBe(404);
      const configured = await linkInProcess(bank, {
        env: { STAGE: 'prod', MOCK_BANK_ADMIN_TOKEN: 'cloud-admin-1' },
      });
      const res = await configured.server.request('GET', 'admin/faults', {
        headers: { 'x-admin-token': 'cloud-admin-1' },
      });
      expect(res.status).toBe(200);
    });
  });
});
