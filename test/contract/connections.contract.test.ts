import { expect, it } from 'vitest';
import type { Account, Connection } from '../../shared/domain/models';
import { ConflictError, InvalidCursorError, type Page, type PageRequest } from '../../shared/ports/store';
import { forEachBackend, uid } from './backends';

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

function account(userId: string, id: string, over: Partial<Account> = {}): Account {
  return {
    id,
    userId,
    connectionId: 'c1',
    provider: 'bank_a',
    providerAccountId: 'chk',
    name: 'Checking',
    mask: '1234',
    type: 'depository',
    subtype: 'checking',
    currency: 'USD',
    timeZone: 'America/New_York',
    balanceCurrentMinor: 1000,
    balanceAvailableMinor: 900,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

/** Every item of a list, following cursors; fails on a repeat. */
async function drain<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const page: Page<T> = await list({ limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    pages.push(page.items);
    cursor = page.nextCursor;
    if (!cursor) return pages;
  }
  throw new Error('the list never ended');
}

forEachBackend('ConnectionStore', (b) => {
  it('stores, replaces and reads connections, scoped by user', async () => {
    const [alice, bob] = [uid(), uid()];
    await b().store.putConnection(connection(alice, 'c1'));
    expect(await b().store.getConnection(alice, 'c1')).toEqual(connection(alice, 'c1'));
    expect(await b().store.getConnection(bob, 'c1')).toBeNull();
    expect((await b().store.listConnections(bob, { limit: 10 })).items).toEqual([]);
    // A put replaces (idempotent repeats).
    const renamed = { ...connection(alice, 'c1'), statusReason: 'because' };
    await b().store.putConnection(renamed);
    await b().store.putConnection(renamed);
    expect(await b().store.getConnection(alice, 'c1')).toEqual(renamed);
    expect((await b().store.listConnections(alice, { limit: 10 })).items).toEqual([renamed]);
  });

  for (const limit of [1, 2, 4, 5, 6]) {
    it(`pages 5 connections by ${limit} without gaps or repeats, in id order`, async () => {
      const carol = uid();
      const ids = ['p0', 'p1', 'p2', 'p3', 'p4'];
      for (const id of [...ids].reverse()) await b().store.putConnection(connection(carol, id));
      await b().store.putConnection(connection(uid(), 'p9'));
      const pages = await drain((p) => b().store.listConnections(carol, p), limit);
      expect(pages.flat().map((c) => c.id)).toEqual(ids);
      // Full pages until the last; an extra empty page only where the backend could not tell the end.
      const nonEmpty = pages.filter((p) => p.length);
      expect(nonEmpty.length).toBe(Math.ceil(ids.length / limit));
      expect(pages.length - nonEmpty.length).toBeLessThanOrEqual(1);
    });
  }

  it('refuses a cursor of another user or another list, and garbage', async () => {
    const [carol, dave] = [uid(), uid()];
    for (let i = 0; i < 3; i++) await b().store.putConnection(connection(carol, `p${i}`));
    const first = await b().store.listConnections(carol, { limit: 2 });
    expect(first.nextCursor).not.toBeNull();
    await expect(
      b().store.listConnections(dave, { limit: 2, cursor: first.nextCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(b().store.listSyncRuns('p0', { limit: 2, cursor: first.nextCursor })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(
      b().store.listTransactions(carol, {}, { limit: 2, cursor: first.nextCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(b().store.listConnections(carol, { limit: 2, cursor: 'garbage!' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    const envelope = JSON.parse(Buffer.from(first.nextCursor!, 'base64url').toString('utf8')) as {
      s: string;
    };
    for (const p of [{ pk: 'x' }, 5, null, ['a', 'b', 'c'], { pk: `USER#${carol}`, sk: 5 }]) {
      const crafted = Buffer.from(JSON.stringify({ s: envelope.s, p }), 'utf8').toString('base64url');
      await expect(b().store.listConnections(carol, { limit: 2, cursor: crafted })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    }
  });

  it('updates fields of an existing connection and moves it between statuses', async () => {
    const erin = uid();
    const id = uid('c');
    await b().store.putConnection(connection(erin, id));
    const updated = await b().store.updateConnection(erin, id, {
      status: 'login_required',
      statusReason: 'x',
    });
    expect(updated).toEqual({ ...connection(erin, id), status: 'login_required', statusReason: 'x' });
    expect(await b().store.getConnection(erin, id)).toEqual(updated);
    const byStatus = async (s: Connection['status']) =>
      (await drain((p) => b().store.listConnectionsByStatus(s, p), 100)).flat().map((c) => c.id);
    expect(await byStatus('active')).not.toContain(id);
    expect(await byStatus('login_required')).toContain(id);
    // Nothing to change: the connection as it is.
    expect(await b().store.updateConnection(erin, id, { lastSyncAt: undefined })).toEqual(updated);
  });

  it('an update of a connection that does not exist (or is another user’s) is a ConflictError', async () => {
    const [erin, mallory] = [uid(), uid()];
    const id = uid('c');
    await b().store.putConnection(connection(erin, id));
    await expect(b().store.updateConnection(erin, 'nope', { status: 'active' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(b().store.updateConnection(mallory, id, { status: 'revoked' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(b().store.updateConnection(mallory, id, {})).rejects.toBeInstanceOf(ConflictError);
    expect((await b().store.getConnection(erin, id))?.status).toBe('active');
  });

  it('an update conditioned on a status: a revocation is never overwritten, even racing', async () => {
    const erin = uid();
    const id = uid('c');
    await b().store.putConnection(connection(erin, id));
    const results = await Promise.allSettled([
      b().store.updateConnection(erin, id, { status: 'revoked' }, { status: 'active' }),
      b().store.updateConnection(erin, id, { status: 'login_required' }, { status: 'active' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    await b().store.updateConnection(erin, id, { status: 'revoked' });
    await expect(
      b().store.updateConnection(erin, id, { status: 'active' }, { status: 'login_required' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await b().store.getConnection(erin, id))?.status).toBe('revoked');
  });

  it('lists connections by status across users, paging without gaps or repeats', async () => {
    const users = [uid(), uid(), uid()];
    const mine = new Set<string>();
    for (const u of users)
      for (let i = 0; i < 3; i++) {
        const id = uid('s');
        mine.add(`${u}/${id}`);
        await b().store.putConnection(connection(u, id, 'login_required'));
      }
    for (const limit of [1, 4, 100]) {
      const all = (await drain((p) => b().store.listConnectionsByStatus('login_required', p), limit)).flat();
      const keys = all.map((c) => `${c.userId}/${c.id}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const k of mine) expect(keys).toContain(k);
      expect(all.every((c) => c.status === 'login_required')).toBe(true);
    }
  });
});

forEachBackend('AccountStore', (b) => {
  it('upserts accounts only when they change, keeping createdAt', async () => {
    const u = uid();
    const a = account(u, 'a1');
    expect(await b().store.upsertAccounts([a])).toBe(1);
    expect(await b().store.upsertAccounts([a])).toBe(0);
    expect(await b().store.upsertAccounts([{ ...a, updatedAt: '2026-01-02T00:00:00.000Z' }])).toBe(0);
    expect(
      await b().store.upsertAccounts([
        {
          ...a,
          balanceCurrentMinor: 5,
          createdAt: '2026-03-01T00:00:00.000Z',
          updatedAt: '2026-03-01T00:00:00.000Z',
        },
        account(u, 'a2'),
      ]),
    ).toBe(2);
    expect(await b().store.getAccount(u, 'a1')).toEqual({
      ...a,
      balanceCurrentMinor: 5,
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    expect((await b().store.listAccounts(u)).map((x) => [x.id, x.balanceCurrentMinor])).toEqual([
      ['a1', 5],
      ['a2', 1000],
    ]);
    expect(await b().store.upsertAccounts([])).toBe(0);
  });

  it('scopes accounts by user', async () => {
    const [u, other] = [uid(), uid()];
    await b().store.upsertAccounts([account(u, 'a1')]);
    expect(await b().store.getAccount(other, 'a1')).toBeNull();
    expect(await b().store.listAccounts(other)).toEqual([]);
  });
});
