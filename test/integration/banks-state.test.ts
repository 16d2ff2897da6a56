import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoMockBankState } from '../../shared/adapters/dynamodb/mock-bank-state';
import { FaultConfigSchema } from '../../shared/banks/kit/faults';
import {
  InMemoryMockBankState,
  type MockBankState,
  type StoredCode,
  type StoredToken,
} from '../../shared/banks/kit/state';
import { freshTable } from '../support/dynamodb';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable('banks-state');
});
afterAll(async () => {
  await table?.drop();
});

const code = (hash: string): StoredCode => ({
  hash,
  grantId: `g-${hash}`,
  clientId: 'client',
  redirectUri: 'https://app.test/cb',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  scope: ['accounts', 'transactions'],
  userIndex: 3,
  expiresAt: '2026-03-01T00:05:00.000Z',
  purgeAt: 1_900_000_000,
});
const token = (hash: string, kind: 'access' | 'refresh'): StoredToken => ({
  hash,
  kind,
  grantId: 'g1',
  clientId: 'client',
  createdAt: '2026-03-01T00:00:00.000Z',
  expiresAt: '2026-03-01T01:00:00.000Z',
  purgeAt: 1_900_000_000,
});

const implementations: [string, (bank: string) => MockBankState][] = [
  ['in-memory', () => new InMemoryMockBankState()],
  ['DynamoDB', (bank) => new DynamoMockBankState(table.doc, table.tableName, bank)],
];

describe.each(implementations)('MockBankState contract: %s', (name, make) => {
  const bank = `bank_${name === 'DynamoDB' ? 'x' : 'm'}${Math.random().toString(36).slice(2, 6)}`;

  it('codes: saved, then used once; of concurrent users exactly one sees it unused', async () => {
    const s = make(bank);
    await s.saveCode(code('c1'));
    const results = await Promise.all(
      Array.from({ length: 8 }, () => s.useCode('c1', '2026-03-01T00:01:00.000Z')),
    );
    expect(results.every((r) => r !== null)).toBe(true);
    expect(results.filter((r) => r!.usedAt === undefined)).toHaveLength(1);
    const { usedAt: _u, ...firstSeen } = results.find((r) => r!.usedAt === undefined)!;
    expect(firstSeen).toEqual(code('c1'));
    expect((await s.useCode('c1', '2026-03-01T00:02:00.000Z'))!.usedAt).toBe('2026-03-01T00:01:00.000Z');
    expect(await s.useCode('missing', '2026-03-01T00:01:00.000Z')).toBeNull();
  });

  it('grants: saved, read, revoked once', async () => {
    const s = make(bank);
    const grant = {
      id: 'g1',
      clientId: 'client',
      userIndex: 0,
      scope: ['a'],
      createdAt: '2026-03-01T00:00:00.000Z',
      purgeAt: 1_900_000_000,
    };
    await s.saveGrant(grant);
    expect(await s.getGrant('g1')).toEqual(grant);
    await s.revokeGrant('g1', '2026-03-02T00:00:00.000Z');
    await s.revokeGrant('g1', '2026-03-03T00:00:00.000Z');
    expect((await s.getGrant('g1'))!.revokedAt).toBe('2026-03-02T00:00:00.000Z');
    await s.revokeGrant('nope', '2026-03-02T00:00:00.000Z');
    expect(await s.getGrant('nope')).toBeNull();
  });

  it('tokens: rotation marks once, expiry and revocation stick, unknown tokens are no-ops', async () => {
    const s = make(bank);
    await s.saveToken(token('a1', 'access'));
    await s.saveToken(token('r1', 'refresh'));
    expect(await s.getToken('a1')).toEqual(token('a1', 'access'));
    const [x, y] = await Promise.all([s.useToken('r1', 't1'), s.useToken('r1', 't2')]);
    expect([x!.usedAt, y!.usedAt].filter((u) => u === undefined)).toHaveLength(1);
    await s.expireToken('a1', '2026-03-01T00:10:00.000Z');
    expect((await s.getToken('a1'))!.expiresAt).toBe('2026-03-01T00:10:00.000Z');
    await s.revokeToken('a1', '2026-03-01T00:11:00.000Z');
    expect((await s.getToken('a1'))!.revokedAt).toBe('2026-03-01T00:11:00.000Z');
    await s.expireToken('ghost', 'x');
    await s.revokeToken('ghost', 'x');
    expect(await s.getToken('ghost')).toBeNull();
    expect(await s.useToken('ghost', 'x')).toBeNull();
  });

  it('settings: clock and faults saved and cleared independently', async () => {
    const s = make(bank);
    expect(await s.getSettings()).toEqual({ clock: null, faults: null });
    const faults = FaultConfigSchema.parse({ rate_limit: 0.5, seed: 9 });
    await s.saveFaults(faults);
    await s.saveClock({ offsetMs: 0, frozenAt: '2026-03-04T00:00:00.000Z' });
    expect(await s.getSettings()).toEqual({
      clock: { offsetMs: 0, frozenAt: '2026-03-04T00:00:00.000Z' },
      faults,
    });
    await s.saveFaults(null);
    expect(await s.getSettings()).toEqual({
      clock: { offsetMs: 0, frozenAt: '2026-03-04T00:00:00.000Z' },
      faults: null,
    });
    await s.saveClock(null);
    expect(await s.getSettings()).toEqual({ clock: null, faults: null });
  });

  it('the request counter is shared and never repeats', async () => {
    const a = make(bank);
    const b = name === 'DynamoDB' ? make(bank) : a;
    const numbers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).nextRequestNumber()),
    );
    expect(new Set(numbers).size).toBe(20);
    expect(Math.min(...numbers)).toBe(1);
    expect(Math.max(...numbers)).toBe(20);
  });
});

describe('DynamoMockBankState items', () => {
  it('keep their key shapes to the adapter, carry the TTL attribute and are scoped per bank', async () => {
    const a = new DynamoMockBankState(table.doc, table.tableName, 'bank_a');
    const b = new DynamoMockBankState(table.doc, table.tableName, 'bank_b');
    await a.saveToken(token('shared-hash', 'access'));
    expect(await b.getToken('shared-hash')).toBeNull();
    const raw = await table.doc.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { pk: 'MOCKBANK#bank_a#TOKEN#shared-hash', sk: 'TOKEN' },
      }),
    );
    expect(raw.Item).toMatchObject({ entity: 'mock_bank_token', expires_at: 1_900_000_000, kind: 'access' });
    expect(raw.Item).not.toHaveProperty('purgeAt');
  });
});
