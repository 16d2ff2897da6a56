import { expect, it } from 'vitest';
import type { BankTransaction, QuarantinedRecord, SyncRun } from '../../shared/domain/models';
import { ConflictError, InvalidCursorError, type Page, type PageRequest } from '../../shared/ports/store';
import { forEachBackend, uid } from './backends';

const MINUTE = 60_000;
const T0 = Date.parse('2026-05-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * MINUTE).toISOString();

function run(connectionId: string, id: string, over: Partial<SyncRun> = {}): SyncRun {
  return {
    id,
    userId: 'alice',
    connectionId,
    reason: 'schedule',
    status: 'running',
    startedAt: at(0),
    finishedAt: null,
    pages: 0,
    added: 0,
    modified: 0,
    removed: 0,
    merged: 0,
    quarantined: 0,
    errors: [],
    leaseExpiresAt: at(5),
    ...over,
  };
}

const record = (id: string): BankTransaction => ({
  providerTxnId: id,
  providerAccountId: 'chk',
  status: 'posted',
  date: '2026-02-10',
  occurredAt: null,
  amountMinor: -1000,
  currency: 'USD',
  description: `SHOP ${id}`,
  merchantName: null,
  pendingTxnId: null,
});

async function drain<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 100);
  return pages;
}

forEachBackend('SyncRunStore', (b) => {
  const store = () => b().store;

  it('puts, replaces and reads runs by id under their own connection only', async () => {
    const c = uid('c');
    const r = run(c, 's-1');
    await store().putSyncRun(r);
    await store().putSyncRun(r);
    expect(await store().getSyncRun(c, 's-1')).toEqual(r);
    expect(await store().getSyncRun(uid('c'), 's-1')).toBeNull();
    expect(await store().getSyncRun(c, 's-2')).toBeNull();
    const done = { ...r, status: 'succeeded' as const, finishedAt: at(1), leaseExpiresAt: null, pages: 3 };
    await store().putSyncRun(done);
    expect(await store().getSyncRun(c, 's-1')).toEqual(done);
    expect((await store().listSyncRuns(c, { limit: 10 })).items).toEqual([done]);
  });

  for (const limit of [1, 2, 4, 5]) {
    it(`lists a connection's runs newest first, by ${limit}, without gaps or repeats`, async () => {
      const c = uid('c');
      const runs = [0, 3, 1, 4, 2].map((m) => run(c, `s-${m}`, { startedAt: at(m), status: 'succeeded' }));
      for (const r of runs) await store().putSyncRun(r);
      await store().putSyncRun(run(uid('c'), 's-9'));
      const pages = await drain((p) => store().listSyncRuns(c, p), limit);
      expect(pages.flat().map((r) => r.id)).toEqual(['s-4', 's-3', 's-2', 's-1', 's-0']);
      const nonEmpty = pages.filter((p) => p.length);
      expect(nonEmpty.length).toBe(Math.ceil(5 / limit));
      expect(pages.length - nonEmpty.length).toBeLessThanOrEqual(1);
    });
  }

  it("refuses another connection's cursor", async () => {
    const [c, d] = [uid('c'), uid('c')];
    for (const m of [0, 1, 2]) await store().putSyncRun(run(c, `s-${m}`, { startedAt: at(m) }));
    const first = await store().listSyncRuns(c, { limit: 1 });
    await expect(store().listSyncRuns(d, { limit: 1, cursor: first.nextCursor })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(store().listSyncRuns(c, { limit: 1, cursor: 'nope!' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('lists running runs by lease: those past it by a time, of one connection or all; never an ended one', async () => {
    const [c, d] = [uid('c'), uid('c')];
    await store().putSyncRun(run(c, 'early', { leaseExpiresAt: at(5) }));
    await store().putSyncRun(run(c, 'late', { leaseExpiresAt: at(30) }));
    await store().putSyncRun(run(d, 'other', { leaseExpiresAt: at(5) }));
    await store().putSyncRun(run(c, 'ended', { status: 'failed', leaseExpiresAt: null, finishedAt: at(1) }));
    const ids = (runs: SyncRun[]) => runs.map((r) => r.id);
    expect(ids(await store().listRunningSyncRuns({ connectionId: c })).sort()).toEqual(['early', 'late']);
    expect(ids(await store().listRunningSyncRuns({ connectionId: c, leaseExpiredBy: at(6) }))).toEqual([
      'early',
    ]);
    // The lease running out exactly then counts as run out.
    expect(ids(await store().listRunningSyncRuns({ connectionId: c, leaseExpiredBy: at(5) }))).toEqual([
      'early',
    ]);
    expect(ids(await store().listRunningSyncRuns({ connectionId: c, leaseExpiredBy: at(4) }))).toEqual([]);
    const everywhere = ids(await store().listRunningSyncRuns({ leaseExpiredBy: at(6) }));
    expect(everywhere).toContain('early');
    expect(everywhere).toContain('other');
    expect(everywhere).not.toContain('late');
    expect(everywhere).not.toContain('ended');
    // Ending a run takes it out.
    await store().putSyncRun(
      run(c, 'early', { status: 'succeeded', leaseExpiresAt: null, finishedAt: at(2) }),
    );
    expect(ids(await store().listRunningSyncRuns({ connectionId: c }))).toEqual(['late']);
  });

  it('replaces a run on condition of its lease: a heartbeat or an end written meanwhile wins, even racing', async () => {
    const c = uid('c');
    const r = run(c, 's', { leaseExpiresAt: at(5) });
    await store().putSyncRun(r);
    // Two enders seeing the same lease: one wins.
    const ended = (n: number) => ({
      ...r,
      status: 'failed' as const,
      leaseExpiresAt: null,
      finishedAt: at(n),
    });
    const results = await Promise.allSettled([
      store().putSyncRun(ended(6), { leaseExpiresAt: at(5) }),
      store().putSyncRun({ ...r, leaseExpiresAt: at(10) }, { leaseExpiresAt: at(5) }),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      ConflictError,
    );
    // A run that ended is never replaced conditionally; nor one that does not exist.
    await store().putSyncRun(ended(7));
    await expect(store().putSyncRun(r, { leaseExpiresAt: at(5) })).rejects.toBeInstanceOf(ConflictError);
    await expect(store().putSyncRun(run(c, 'ghost'), { leaseExpiresAt: at(5) })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await store().getSyncRun(c, 'ghost')).toBeNull();
    expect(await store().getSyncRun(c, 's')).toEqual(ended(7));
  });

  it('checkpoints a sync page by page, atomically with its position, and clears it', async () => {
    const c = uid('c');
    expect(await store().loadSyncProgress(c, 's')).toBeNull();
    await store().saveSyncProgress(c, 's', { cursor: 'p1', pages: 1, done: false }, [
      record('1'),
      record('2'),
    ]);
    await store().saveSyncProgress(
      c,
      's',
      { cursor: null, pages: 2, done: true, listing: { kind: 'all' }, removedIds: ['x'] },
      [record('3')],
    );
    expect(await store().loadSyncProgress(c, 's')).toEqual({
      cursor: null,
      pages: 2,
      done: true,
      listing: { kind: 'all' },
      removedIds: ['x'],
      records: [record('1'), record('2'), record('3')],
    });
    // Saving a page again (a retried step) replaces it: nothing doubled.
    await store().saveSyncProgress(c, 's', { cursor: null, pages: 2, done: true }, [record('3')]);
    expect((await store().loadSyncProgress(c, 's'))!.records.map((r) => r.providerTxnId)).toEqual([
      '1',
      '2',
      '3',
    ]);
    // Only the pages the head counts belong to the checkpoint (a page saved past a crash's head is not read).
    await store().saveSyncProgress(c, 's', { cursor: 'p1', pages: 1, done: false }, []);
    expect(await store().loadSyncProgress(c, 's')).toEqual({
      cursor: 'p1',
      pages: 1,
      done: false,
      records: [record('1'), record('2')],
    });
    expect(await store().loadSyncProgress(c, 'other')).toBeNull();
    expect(await store().loadSyncProgress(uid('c'), 's')).toBeNull();
    await store().clearSyncProgress(c, 's');
    expect(await store().loadSyncProgress(c, 's')).toBeNull();
    await store().clearSyncProgress(c, 's');
  });

  it('keeps quarantined records with their reason and raw payload, per sync', async () => {
    const c = uid('c');
    const q = (n: number, syncId = 's1'): QuarantinedRecord => ({
      connectionId: c,
      syncId,
      kind: 'transaction',
      reason: `amount: not a number ${n}`,
      raw: { amt: 'x', n, nested: [1, 'two', null] },
      at: '2026-01-01T00:00:00.000Z',
    });
    await store().putQuarantined([q(0), q(1), q(2, 's2')]);
    expect(await store().listQuarantined(c, 's1')).toEqual([q(0), q(1)]);
    expect(await store().listQuarantined(c, 's2')).toEqual([q(2, 's2')]);
    // The same sync's records again: replaced, not doubled.
    await store().putQuarantined([q(0), q(1)]);
    expect(await store().listQuarantined(c, 's1')).toHaveLength(2);
    expect(await store().listQuarantined(uid('c'), 's1')).toEqual([]);
    await store().putQuarantined([]);
  });
});
