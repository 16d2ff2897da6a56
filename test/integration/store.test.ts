import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import type { Connection } from '../../shared/domain/models';
import { InvalidCursorError } from '../../shared/ports/store';
import { freshTable } from '../support/dynamodb';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;

beforeAll(async () => {
  table = await freshTable('store');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

function connection(userId: string, id: string): Connection {
  return {
    id,
    userId,
    provider: 'bank_a',
    status: 'active',
    tokens: 'local:v1:x',
    accessTokenExpiresAt: '2026-01-01T01:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

// DynamoDB specifics only: what every store does with connections and link sessions is the contract suites'
// (test/contract/connections.contract.test.ts, link-sessions.contract.test.ts), DynamoDB included.
describe('DynamoStore against DynamoDB Local', () => {
  it('refuses a cursor of another list, or crafted with the right partition and another shape', async () => {
    for (let i = 0; i < 5; i++) await store.putConnection(connection('carol', `p${i}`));
    const page = await store.listConnections('carol', { limit: 2 });
    const syncs = { limit: 2, cursor: page.nextCursor };
    await expect(store.listSyncRuns('p0', syncs)).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.listTransactions('carol', {}, syncs)).rejects.toBeInstanceOf(InvalidCursorError);
    const envelope = JSON.parse(Buffer.from(page.nextCursor!, 'base64url').toString('utf8')) as { s: string };
    for (const p of [
      { pk: 'USER#carol' },
      { pk: 'USER#carol', sk: 'CONN#p1', gsi1pk: 'x' },
      { pk: 'USER#carol', sk: 5 },
    ]) {
      const crafted = Buffer.from(JSON.stringify({ s: envelope.s, p }), 'utf8').toString('base64url');
      await expect(store.listConnections('carol', { limit: 2, cursor: crafted })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    }
  });

  it('finds a sync by id under its own connection only, written with or without its index key', async () => {
    const run = {
      id: 's-1',
      userId: 'alice',
      connectionId: 'c1',
      reason: 'manual' as const,
      status: 'succeeded' as const,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      pages: 1,
      added: 0,
      modified: 0,
      removed: 0,
      merged: 0,
      quarantined: 0,
      errors: [],
    };
    await store.putSyncRun(run);
    expect(await store.getSyncRun('c1', 's-1')).toEqual(run);
    expect(await store.getSyncRun('c2', 's-1')).toBeNull();
    expect(await store.getSyncRun('c1', 's-2')).toBeNull();
    // A run written before runs carried gsi1 keys is found among the connection's newest.
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          pk: 'CONN#c1',
          sk: 'SYNC#2026-01-02T00:00:00.000Z#s-old',
          entity: 'sync_run',
          ...run,
          id: 's-old',
        },
      }),
    );
    expect((await store.getSyncRun('c1', 's-old'))?.id).toBe('s-old');
  });
});
