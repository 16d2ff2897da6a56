import { describe, expect, it } from 'vitest';
import { applyClockChange, bankNow, REAL_TIME } from '../../../shared/banks/kit/clock';
import {
  createPkcePair,
  pkceS256,
  PKCE_S256_CHALLENGE,
  PKCE_VERIFIER,
} from '../../../shared/banks/kit/crypto';
import {
  FaultConfigSchema,
  FaultPlan,
  faultsFromEnv,
  needsRequestNumber,
} from '../../../shared/banks/kit/faults';
import { fixtureUser, FIXTURE_END } from '../../../shared/banks/kit/fixtures';
import {
  ddmmyyyy,
  groupedAmount,
  localIsoDate,
  majorFloat,
  parseDdmmyyyy,
  zonedMidnightEpochMs,
} from '../../../shared/banks/kit/formats';
import { accountViews, visibleTransactions } from '../../../shared/banks/kit/replay';
import { parseRetryAfter } from '../../../shared/banks/kit/client';
import { toBankRequest } from '../../../shared/banks/kit/lambda';
import type { HttpEvent } from '../../../shared/http/handler';

const user = fixtureUser(0, { fillers: 0 });
const asOf = (iso: string) => new Date(iso);
const ids = (bank: string, iso: string) => visibleTransactions(user, bank, asOf(iso)).map((t) => t.bankTxnId);

describe('life-cycle replay as of the bank clock', () => {
  it('shows nothing before anything happened', () => {
    expect(visibleTransactions(user, 'bank_a', asOf('2026-02-28T00:00:00Z'))).toEqual([]);
  });

  it('a pending transaction posts two days later under a new id with a tip, linked to the pending id', () => {
    const before = visibleTransactions(user, 'bank_a', asOf('2026-03-03T00:00:00Z'));
    expect(before.map((t) => [t.bankTxnId, t.status, t.amountMinor])).toEqual([
      ['A0-1001P', 'pending', -450],
    ]);
    const after = visibleTransactions(user, 'bank_a', asOf('2026-03-04T09:00:00Z'));
    const coffee = after.find((t) => t.sourceId === 'u0-A-coffee')!;
    expect(coffee).toMatchObject({
      bankTxnId: 'A0-1001',
      status: 'posted',
      amountMinor: -540,
      pendingBankTxnId: 'A0-1001P',
    });
    expect(coffee.firstAt).toBe('2026-03-02T18:00:00Z');
    expect(after.some((t) => t.bankTxnId === 'A0-1001P')).toBe(false);
  });

  it('a description correction replaces the text under the same id', () => {
    const at = (iso: string) =>
      visibleTransactions(user, 'bank_b', asOf(iso)).find((t) => t.bankTxnId === 'B0-1003')!.description;
    expect(at('2026-03-06T07:59:59Z')).toBe('DD SPOTIFI UK');
    expect(at('2026-03-06T08:00:00Z')).toBe('DD SPOTIFY UK');
  });

  it('a re-send adds a second record under a new id; both stay visible', () => {
    expect(ids('bank_c', '2026-03-07T09:00:00Z')).not.toContain('C0-9004');
    const after = visibleTransactions(user, 'bank_c', asOf('2026-03-07T10:00:00Z'));
    const dup = after.filter((t) => t.sourceId === 'u0-C-restaurant');
    expect(dup.map((t) => [t.bankTxnId, t.resent])).toEqual([
      ['C0-1004', false],
      ['C0-9004', true],
    ]);
  });

  it('posting in place keeps the id, then a removal takes every version away', () => {
    const at = (iso: string) =>
      visibleTransactions(user, 'bank_a', asOf(iso)).filter((t) => t.sourceId === 'u0-A-shopping');
    expect(at('2026-03-07T00:00:00Z').map((t) => [t.bankTxnId, t.status, t.amountMinor])).toEqual([
      ['A0-1005', 'pending', -7000],
    ]);
    expect(
      at('2026-03-09T00:00:00Z').map((t) => [t.bankTxnId, t.status, t.amountMinor, t.pendingBankTxnId]),
    ).toEqual([['A0-1005', 'posted', -6999, null]]);
    expect(at('2026-03-10T11:00:00Z')).toEqual([]);
  });

  it('is deterministic and ordered by time then id', () => {
    const a = visibleTransactions(fixtureUser(3), 'bank_a', asOf(FIXTURE_END));
    const b = visibleTransactions(fixtureUser(3), 'bank_a', asOf(FIXTURE_END));
    expect(a).toEqual(b);
    const keys = a.map((t) => `${t.at}|${t.bankTxnId}`);
    expect([...keys].sort()).toEqual(keys);
  });

  it('only serves a bank its own accounts', () => {
    for (const bank of ['bank_a', 'bank_b', 'bank_c']) {
      const own = new Set(user.accounts.filter((a) => a.bank === bank).map((a) => a.id));
      for (const t of visibleTransactions(user, bank, asOf(FIXTURE_END)))
        expect(own.has(t.accountId)).toBe(true);
    }
  });
});

describe('balances from the visible transactions', () => {
  it('current = opening + posted (re-sends counted once); available subtracts pending debits; credit adds the limit', () => {
    const visible = visibleTransactions(user, 'bank_a', asOf(FIXTURE_END));
    const [checking, card] = accountViews(user, 'bank_a', visible);
    // 250000 - 540 + 1234567 - 1299 - 2500 (removed shopping not counted)
    expect(checking!.currentMinor).toBe(250_000 - 540 + 1_234_567 - 1_299 - 2_500);
    expect(checking!.availableMinor).toBe(checking!.currentMinor);
    expect(card!.currentMinor).toBe(-20_000);
    expect(card!.availableMinor).toBe(500_000 - 20_000 - 4_210);
    expect(card!.limitMinor).toBe(500_000);
  });

  it('a pending debit lowers available but not current', () => {
    const visible = visibleTransactions(user, 'bank_a', asOf('2026-03-07T00:00:00Z'));
    const [checking] = accountViews(user, 'bank_a', visible);
    expect(checking!.availableMinor).toBe(checking!.currentMinor - 7_000);
  });
});

describe('the bank clock', () => {
  const real = new Date('2026-05-01T00:00:00Z');
  it('follows real time by default and moves by offset', () => {
    expect(bankNow(REAL_TIME, real)).toEqual(real);
    const c = applyClockChange(REAL_TIME, { advance_days: 2 }, real);
    expect(bankNow(c, real).toISOString()).toBe('2026-05-03T00:00:00.000Z');
    expect(bankNow(c, new Date(real.getTime() + 1000)).toISOString()).toBe('2026-05-03T00:00:01.000Z');
  });
  it('can be set, frozen, advanced and reset', () => {
    let c = applyClockChange(REAL_TIME, { set: '2026-03-02T00:00:00Z', freeze: true }, real);
    expect(c.frozenAt).toBe('2026-03-02T00:00:00.000Z');
    expect(bankNow(c, new Date(real.getTime() + 60_000)).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    c = applyClockChange(c, { advance_ms: 3_600_000 }, real);
    expect(bankNow(c, real).toISOString()).toBe('2026-03-02T01:00:00.000Z');
    c = applyClockChange(c, { freeze: false }, real);
    expect(bankNow(c, new Date(real.getTime() + 1000)).toISOString()).toBe('2026-03-02T01:00:01.000Z');
    expect(applyClockChange(c, { reset: true }, real)).toEqual(REAL_TIME);
  });
});

describe('faults', () => {
  it('are off by default and validated', () => {
    const cfg = FaultConfigSchema.parse({});
    const plan = new FaultPlan(cfg, 'bank_a', 1);
    expect([
      plan.rateLimited(),
      plan.serverError(),
      plan.delayMs(),
      plan.expireToken(),
      plan.malformed('x'),
    ]).toEqual([false, null, 0, false, null]);
    expect(FaultConfigSchema.safeParse({ rate_limit: 2 }).success).toBe(false);
    expect(FaultConfigSchema.safeParse({ typo: 1 }).success).toBe(false);
  });

  it('are deterministic for a seed and request number, and close to their rate', () => {
    const cfg = FaultConfigSchema.parse({ seed: 7, rate_limit: 0.3 });
    expect(needsRequestNumber(cfg)).toBe(true);
    const run = () =>
      Array.from({ length: 1000 }, (_, i) => new FaultPlan(cfg, 'bank_a', i + 1).rateLimited());
    const first = run();
    expect(run()).toEqual(first);
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    const other = Array.from({ length: 1000 }, (_, i) =>
      new FaultPlan({ ...cfg, seed: 8 }, 'bank_a', i + 1).rateLimited(),
    );
    expect(other).not.toEqual(first);
  });

  it('mixed 5xx are 500 or 503; a fixed status is that status', () => {
    const mixed = new Set(
      Array.from({ length: 50 }, (_, i) =>
        new FaultPlan(FaultConfigSchema.parse({ server_error: 1 }), 'bank_b', i).serverError(),
      ),
    );
    expect(mixed).toEqual(new Set([500, 503]));
    expect(
      new FaultPlan(
        FaultConfigSchema.parse({ server_error: 1, server_error_status: 502 }),
        'b',
        1,
      ).serverError(),
    ).toBe(502);
  });

  it('reads MOCK_BANK_FAULTS per bank with a "*" fallback, and rejects nonsense loudly', () => {
    const env = JSON.stringify({ '*': { rate_limit: 1 }, bank_b: { server_error: 0.5 } });
    expect(faultsFromEnv('bank_a', env)?.rate_limit).toBe(1);
    expect(faultsFromEnv('bank_b', env)).toMatchObject({ rate_limit: 0, server_error: 0.5 });
    expect(faultsFromEnv('bank_a', undefined)).toBeNull();
    expect(faultsFromEnv('bank_c', JSON.stringify({ bank_a: {} }))).toBeNull();
    expect(() => faultsFromEnv('bank_a', '{')).toThrow(/MOCK_BANK_FAULTS/);
    expect(() => faultsFromEnv('bank_a', JSON.stringify({ bank_a: { rate_limit: 'x' } }))).toThrow(/bank_a/);
  });
});

describe('formats', () => {
  it('groups thousands exactly, per currency exponent', () => {
    expect(groupedAmount(123_456_789, 'GBP')).toBe('1,234,567.89');
    expect(groupedAmount(-50, 'GBP')).toBe('0.50');
    expect(groupedAmount(1_234_567, 'JPY')).toBe('1,234,567');
    expect(groupedAmount(999, 'USD')).toBe('9.99');
  });
  it('converts minor units to a major float through the decimal text', () => {
    expect(majorFloat(-45_050, 'INR')).toBe(-450.5);
    expect(majorFloat(1, 'INR')).toBe(0.01);
    expect(majorFloat(0, 'INR')).toBe(0);
  });
  it('writes and checks dd/mm/yyyy', () => {
    expect(ddmmyyyy('2026-03-04')).toBe('04/03/2026');
    expect(parseDdmmyyyy('04/03/2026')).toBe('2026-03-04');
    expect(parseDdmmyyyy('31/02/2026')).toBeNull();
    expect(parseDdmmyyyy('2026-03-04')).toBeNull();
  });
  it('puts a date at local midnight of its time zone', () => {
    const ms = zonedMidnightEpochMs('2026-03-04', 'Asia/Kolkata');
    expect(new Date(ms).toISOString()).toBe('2026-03-03T18:30:00.000Z');
    expect(localIsoDate(ms, 'Asia/Kolkata')).toBe('2026-03-04');
    const ny = zonedMidnightEpochMs('2026-03-08', 'America/New_York'); // DST starts that day at 02:00
    expect(new Date(ny).toISOString()).toBe('2026-03-08T05:00:00.000Z');
  });
});

describe('PKCE and Retry-After', () => {
  it('makes RFC 7636 pairs', () => {
    const { verifier, challenge } = createPkcePair();
    expect(verifier).toMatch(PKCE_VERIFIER);
    expect(challenge).toMatch(PKCE_S256_CHALLENGE);
    expect(pkceS256(verifier)).toBe(challenge);
    // RFC 7636 appendix B
    expect(pkceS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
  it('reads Retry-After as seconds or an HTTP-date', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sat, 28 Feb 2026 00:00:05 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('the Lambda adapter', () => {
  const event = (over: Partial<HttpEvent>): HttpEvent =>
    ({
      version: '2.0',
      routeKey: 'POST /mock-banks/bank_b/{proxy+}',
      rawPath: '/mock-banks/bank_b/token',
      rawQueryString: 'a=1&a=2&b=x%20y',
      headers: {
        host: 'abc.execute-api.eu-west-1.amazonaws.com',
        'x-forwarded-proto': 'https',
        'content-type': 'application/x-www-form-urlencoded',
      },
      requestContext: { http: { method: 'POST' }, domainName: 'abc.execute-api.eu-west-1.amazonaws.com' },
      body: Buffer.from('grant_type=refresh_token').toString('base64'),
      isBase64Encoded: true,
      ...over,
    }) as HttpEvent;

  it('turns an API Gateway v2 event into a bank request below the bank root', () => {
    const req = toBankRequest(event({}), 'bank_b');
    expect(req).toMatchObject({
      method: 'POST',
      path: 'token',
      query: { a: '1', b: 'x y' },
      body: 'grant_type=refresh_token',
      rootUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/mock-banks/bank_b',
    });
  });

  it('uses http for a local host without X-Forwarded-Proto', () => {
    const req = toBankRequest(
      event({
        rawPath: '/mock-banks/bank_b/admin/clock',
        headers: { host: '127.0.0.1:3000' },
        body: '{}',
        isBase64Encoded: false,
      }),
      'bank_b',
    );
    expect(req).toMatchObject({
      path: 'admin/clock',
      body: '{}',
      rootUrl: 'http://127.0.0.1:3000/mock-banks/bank_b',
    });
  });
});
