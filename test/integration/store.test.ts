import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import type { Connection } from '../../shared/domain/models';
import { ConflictError, InvalidCursorError } from '../../shared/ports/store';
import { freshTable } from '../support/dynamodb';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;

beforeAll(async () => {
  table = await freshTable('store');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

function connection(userId: string, id: string, status: Connection['status'] = 'active'): Connection {
  return {
    id,
    userId,
    provider: 'bank_a',
    status,
    tokens: 'local:v1:x',
    accessTokenExpiresAt: '2026-01-01T01:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('DynamoStore against DynamoDB Local', () => {
  it('stores, reads and scopes connections by user', async () => {
    await store.putConnection(connection('alice', 'c1'));
    expect(await store.getConnection('alice', 'c1')).toEqual(connection('alice', 'c1'));
    expect(await store.getConnection('bob', 'c1')).toBeNull();
  });

  it('pages connections with an opaque cursor that cannot cross users', async () => {
    for (let i = 0; i < 5; i++) await store.putConnection(connection('carol', `p${i}`));
    await store.putConnection(connection('dave', 'd1'));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof store.listConnections>> = await store.listConnections('carol', {
        limit: 2,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    const first = await store.listConnections('carol', { limit: 2 });
    await expect(
      store.listConnections('dave', { limit: 2, cursor: first.nextCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.listConnections('dave', { limit: 2, cursor: 'garbage!' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('refuses a cursor of another list, or crafted with the right partition and another shape', async () => {
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

  it('updates a connection and moves it between status indexes', async () => {
    await store.putConnection(connection('erin', 'e1'));
    const updated = await store.updateConnection('erin', 'e1', {
      status: 'login_required',
      statusReason: 'x',
    });
    expect(updated.status).toBe('login_required');
    const active = await store.listConnectionsByStatus('active', { limit: 100 });
    expect(active.items.map((c) => c.id)).not.toContain('e1');
    const needs = await store.listConnectionsByStatus('login_required', { limit: 100 });
    expect(needs.items.map((c) => c.id)).toContain('e1');
    await expect(store.updateConnection('erin', 'nope', { status: 'active' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    // Conditional on the status: a revoked connection is not turned back by a late writer.
    await store.updateConnection('erin', 'e1', { status: 'revoked' });
    await expect(
      store.updateConnection('erin', 'e1', { status: 'login_required' }, { status: 'active' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await store.getConnection('erin', 'e1'))?.status).toBe('revoked');
  });

  it('consumes a link session exactly once, and never an expired one', async () => {
    const session = {
      state: 's1',
      userId: 'alice',
      provider: 'bank_a',
      redirectUri: 'http://127.0.0.1/cb',
      codeVerifier: 'enc',
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:10:00.000Z',
    };
    await store.putLinkSession(session);
    await expect(store.putLinkSession(session)).rejects.toBeInstanceOf(ConflictError);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.consumeLinkSession('s1', new Date('2026-01-01T00:05:00Z'))),
    );
    expect(results.filter(Boolean)).toEqual([session]);
    await store.putLinkSession({ ...session, state: 's2' });
    expect(await store.consumeLinkSession('s2', new Date('2026-01-01T00:10:00Z'))).toBeNull();
    expect(await store.consumeLinkSession('s2', new Date('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('another user cannot use up a link session: it stays for its owner, who takes it once, even under races', async () => {
    const at = new Date('2026-01-01T00:05:00Z');
    const session = {
      state: 's-owned',
      userId: 'alice',
      provider: 'bank_a',
      redirectUri: 'http://127.0.0.1/cb',
      codeVerifier: 'enc',
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:10:00.000Z',
    };
    await store.putLinkSession(session);
    expect(await store.consumeLinkSession('s-owned', at, 'mallory')).toBeNull();
    expect(await store.getLinkSession('s-owned', at)).toEqual(session);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.consumeLinkSession('s-owned', at, i % 2 ? 'mallory' : 'alice'),
      ),
    );
    expect(results.filter(Boolean)).toEqual([session]);
    expect(await store.getLinkSession('s-owned', at)).toBeNull();
    expect(await store.consumeLinkSession('s-owned', at, 'alice')).toBeNull();
    // Read without taking: unknown and expired states are null.
    expect(await store.getLinkSession('s-unknown', at)).toBeNull();
    await store.putLinkSession({ ...session, state: 's-late' });
    expect(await store.getLinkSession('s-late', new Date('2026-01-01T00:10:00Z'))).toBeNull();
    expect(await store.getLinkSession('s-late', at)).toEqual({ ...session, state: 's-late' });
  });
});
