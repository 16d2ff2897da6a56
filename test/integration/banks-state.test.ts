import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoMockBankState } from '../../shared/adapters/dynamodb/mock-bank-state';
import type { StoredToken } from '../../shared/banks/kit/state';
import { freshTable } from '../support/dynamodb';

/** DynamoDB-only: the item shapes. The MockBankState contract (all backends, in memory too) is in
 * test/contract/mock-bank-state.contract.test.ts. */
let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable('banks-state');
});
afterAll(async () => {
  await table?.drop();
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
