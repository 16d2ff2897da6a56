import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FaultConfigSchema } from '../../shared/banks/kit/faults';
import type { MockBankState, StoredCode, StoredGrant, StoredToken } from '../../shared/banks/kit/state';

/**
 * The contract of the mock banks' state (shared/banks/kit/state.ts), written once and run on every backend:
 * DynamoDB Local, PostgreSQL and PGlite. `state(bank)` is a new instance over the same storage each call (as two
 * Lambda instances of one bank are). `withNow`, where the backend decides TTLs by comparing times (PostgreSQL),
 * gives an instance whose real time is `seconds`.
 */
export interface MockBankBackend {
  state(bank: string): MockBankState;
  withNow?: (bank: string, seconds: number) => MockBankState;
}

const PURGE_AT = 1_900_000_000;

const code = (hash: string, over: Partial<StoredCode> = {}): StoredCode => ({
  hash,
  grantId: `g-${hash}`,
  clientId: 'client',
  redirectUri: 'https://app.test/cb',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  scope: ['accounts', 'transactions'],
  userIndex: 3,
  expiresAt: '2026-03-01T00:05:00.000Z',
  purgeAt: PURGE_AT,
  ...over,
});

const token = (hash: string, kind: 'access' | 'refresh', over: Partial<StoredToken> = {}): StoredToken => ({
  hash,
  kind,
  grantId: 'g1',
  clientId: 'client',
  createdAt: '2026-03-01T00:00:00.000Z',
  expiresAt: '2026-03-01T01:00:00.000Z',
  purgeAt: PURGE_AT,
  ...over,
});

const grant = (id: string, over: Partial<StoredGrant> = {}): StoredGrant => ({
  id,
  clientId: 'client',
  userIndex: 0,
  scope: ['a'],
  createdAt: '2026-03-01T00:00:00.000Z',
  purgeAt: PURGE_AT,
  ...over,
});

/** A bank of its own per test: backends are shared by the tests of a file. */
const freshBank = () => `bank_${randomUUID().slice(0, 8)}`;

export function describeMockBankStateContract(name: string, backend: () => MockBankBackend): void {
  describe(`MockBankState contract: ${name}`, () => {
    it('codes: saved, then used once; of concurrent users (instances) exactly one sees it unused', async () => {
      const bank = freshBank();
      const s = backend().state(bank);
      await s.saveCode(code('c1'));
      const results = await Promise.all(
        Array.from({ length: 8 }, () => backend().state(bank).useCode('c1', '2026-03-01T00:01:00.000Z')),
      );
      expect(results.every((r) => r !== null)).toBe(true);
      expect(results.filter((r) => r!.usedAt === undefined)).toHaveLength(1);
      expect(results.find((r) => r!.usedAt === undefined)).toEqual(code('c1'));
      for (const r of results.filter((x) => x!.usedAt !== undefined)) {
        expect(r).toEqual(code('c1', { usedAt: '2026-03-01T00:01:00.000Z' }));
      }
      // A replay: the first use's time stays.
      expect(await s.useCode('c1', '2026-03-01T00:02:00.000Z')).toEqual(
        code('c1', { usedAt: '2026-03-01T00:01:00.000Z' }),
      );
      expect(await s.useCode('missing', '2026-03-01T00:01:00.000Z')).toBeNull();
    });

    it('grants: saved, read, revoked once; unknown ones are no-ops', async () => {
      const s = backend().state(freshBank());
      await s.saveGrant(grant('g1'));
      expect(await s.getGrant('g1')).toEqual(grant('g1'));
      await s.revokeGrant('g1', '2026-03-02T00:00:00.000Z');
      await s.revokeGrant('g1', '2026-03-03T00:00:00.000Z');
      expect(await s.getGrant('g1')).toEqual(grant('g1', { revokedAt: '2026-03-02T00:00:00.000Z' }));
      await s.revokeGrant('nope', '2026-03-02T00:00:00.000Z');
      expect(await s.getGrant('nope')).toBeNull();
      // A save replaces the record whole.
      await s.saveGrant(grant('g1', { scope: ['b', 'c'], userIndex: 4 }));
      expect(await s.getGrant('g1')).toEqual(grant('g1', { scope: ['b', 'c'], userIndex: 4 }));
    });

    it("a scripted user's login rides on its code and its grant (user_custom)", async () => {
      const bank = freshBank();
      const s = backend().state(bank);
      const scripted = { document: '{"override_accounts":[]}', anchor: '2026-03-01' };
      await s.saveCode(code('sc1', { userIndex: -1, scripted }));
      // The code as it was when taken (unused), as the other codes' test reads it.
      expect(await s.useCode('sc1', '2026-03-01T00:01:00.000Z')).toEqual(
        code('sc1', { userIndex: -1, scripted }),
      );
      await s.saveGrant(grant('sg1', { userIndex: -1, scripted }));
      expect(await backend().state(bank).getGrant('sg1')).toEqual(grant('sg1', { userIndex: -1, scripted }));
      await s.saveGrant(grant('sg2'));
      expect(await s.getGrant('sg2')).not.toHaveProperty('scripted');
    });

    it('tokens: rotation marks once, expiry and revocation stick, unknown tokens are no-ops', async () => {
      const bank = freshBank();
      const s = backend().state(bank);
      await s.saveToken(token('a1', 'access'));
      await s.saveToken(token('r1', 'refresh'));
      await s.saveToken(token('n1', 'access', { expiresAt: null }));
      expect(await s.getToken('a1')).toEqual(token('a1', 'access'));
      expect(await s.getToken('n1')).toEqual(token('n1', 'access', { expiresAt: null }));
      const [x, y] = await Promise.all([s.useToken('r1', 't1'), backend().state(bank).useToken('r1', 't2')]);
      expect([x!.usedAt, y!.usedAt].filter((u) => u === undefined)).toHaveLength(1);
      const usedAt = (await s.getToken('r1'))!.usedAt;
      expect(['t1', 't2']).toContain(usedAt);
      expect((await s.useToken('r1', 't3'))!.usedAt).toBe(usedAt);
      await s.expireToken('a1', '2026-03-01T00:10:00.000Z');
      expect((await s.getToken('a1'))!.expiresAt).toBe('2026-03-01T00:10:00.000Z');
      await s.revokeToken('a1', '2026-03-01T00:11:00.000Z');
      await s.revokeToken('a1', '2026-03-01T00:12:00.000Z');
      expect(await s.getToken('a1')).toEqual(
        token('a1', 'access', {
          expiresAt: '2026-03-01T00:10:00.000Z',
          revokedAt: '2026-03-01T00:11:00.000Z',
        }),
      );
      await s.expireToken('ghost', 'x');
      await s.revokeToken('ghost', 'x');
      expect(await s.getToken('ghost')).toBeNull();
      expect(await s.useToken('ghost', 'x')).toBeNull();
    });

    it('settings: clock and faults saved and cleared independently', async () => {
      const bank = freshBank();
      const s = backend().state(bank);
      expect(await s.getSettings()).toEqual({ clock: null, faults: null });
      const faults = FaultConfigSchema.parse({ rate_limit: 0.5, seed: 9 });
      await s.saveFaults(faults);
      await s.saveClock({ offsetMs: 0, frozenAt: '2026-03-04T00:00:00.000Z' });
      // Another instance of the bank sees them.
      expect(await backend().state(bank).getSettings()).toEqual({
        clock: { offsetMs: 0, frozenAt: '2026-03-04T00:00:00.000Z' },
        faults,
      });
      await s.saveFaults(null);
      expect(await s.getSettings()).toEqual({
        clock: { offsetMs: 0, frozenAt: '2026-03-04T00:00:00.000Z' },
        faults: null,
      });
      await s.saveClock({ offsetMs: -3_600_000, frozenAt: null });
      await s.nextRequestNumber();
      expect(await s.getSettings()).toEqual({
        clock: { offsetMs: -3_600_000, frozenAt: null },
        faults: null,
      });
      await s.saveClock(null);
      expect(await s.getSettings()).toEqual({ clock: null, faults: null });
    });

    it('the request counter is shared by instances and never repeats', async () => {
      const bank = freshBank();
      const numbers = await Promise.all(
        Array.from({ length: 20 }, () => backend().state(bank).nextRequestNumber()),
      );
      expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await backend().state(freshBank()).nextRequestNumber()).toBe(1);
    });

    it('each bank keeps its own state', async () => {
      const [a, b] = [backend().state(freshBank()), backend().state(freshBank())];
      await a.saveToken(token('shared-hash', 'access'));
      await a.saveCode(code('shared-code'));
      await a.saveGrant(grant('shared-grant'));
      await a.saveClock({ offsetMs: 1, frozenAt: null });
      expect(await b.getToken('shared-hash')).toBeNull();
      expect(await b.useCode('shared-code', 'x')).toBeNull();
      expect(await b.getGrant('shared-grant')).toBeNull();
      await b.revokeGrant('shared-grant', 'x');
      expect(await b.getSettings()).toEqual({ clock: null, faults: null });
      expect((await a.getGrant('shared-grant'))!.revokedAt).toBeUndefined();
      expect((await a.useCode('shared-code', 'y'))!.usedAt).toBeUndefined();
    });

    it('a record past its purge time is gone, where TTLs are decided by comparing times', async (ctx) => {
      const { withNow } = backend();
      if (!withNow) return ctx.skip();
      const bank = freshBank();
      const before = withNow(bank, 1_000);
      await before.saveCode(code('c', { purgeAt: 2_000 }));
      await before.saveGrant(grant('g', { purgeAt: 2_000 }));
      await before.saveToken(token('t', 'refresh', { purgeAt: 2_000 }));
      await before.saveToken(token('keep', 'access', { purgeAt: 5_000 }));
      expect(await before.getGrant('g')).not.toBeNull();
      const after = withNow(bank, 2_000);
      expect(await after.getGrant('g')).toBeNull();
      expect(await after.getToken('t')).toBeNull();
      expect(await after.useToken('t', 'x')).toBeNull();
      expect(await after.useCode('c', 'x')).toBeNull();
      await after.revokeGrant('g', 'x');
      await after.expireToken('t', 'x');
      expect(await after.getToken('keep')).toEqual(token('keep', 'access', { purgeAt: 5_000 }));
      // A new save of a purged record's key starts afresh (its old row was deleted).
      await after.saveCode(code('c', { purgeAt: 9_000 }));
      expect(await after.useCode('c', 'y')).toEqual(code('c', { purgeAt: 9_000 }));
      // A save deletes its kind's purged rows for good.
      expect(await withNow(bank, 1_500).getGrant('g')).not.toBeNull();
      await after.saveGrant(grant('other', { purgeAt: 9_000 }));
      expect(await withNow(bank, 1_500).getGrant('g')).toBeNull();
    });
  });
}
