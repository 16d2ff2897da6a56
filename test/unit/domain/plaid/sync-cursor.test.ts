import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredTransaction, TxnEvent } from '../../../../shared/domain/models';
import {
  classifySyncPage,
  feedPosition,
  needsHistory,
  openSyncCursor,
  planSyncPage,
  sealSyncCursor,
  START,
  SyncCursorError,
  type SyncCursorState,
} from '../../../../shared/domain/plaid/sync-cursor';
import {
  knownPendingHistory,
  pendingHistory,
  pendingPlaidId,
  plaidTransactionId,
  type PlaidTransaction,
} from '../../../../shared/domain/plaid/transactions';

const KEY = 'test-key-0123456789';
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const instant = (k: number) => new Date(T0 + k * 1000).toISOString();

describe('sync cursor', () => {
  const state: SyncCursorState = {
    after: '2026-03-01T00:00:05.000Z#txn_abc',
    base: '2026-03-01T00:00:05.000Z',
    runStart: null,
  };

  it('round-trips; an empty cursor is the start', () => {
    expect(openSyncCursor(KEY, 'item_1', sealSyncCursor(KEY, 'item_1', state))).toEqual(state);
    expect(openSyncCursor(KEY, 'item_1', '')).toEqual(START);
    expect(openSyncCursor(KEY, 'item_1', undefined)).toEqual(START);
  });

  it("is bound to its item and to the server's key", () => {
    const c = sealSyncCursor(KEY, 'item_1', state);
    expect(() => openSyncCursor(KEY, 'item_2', c)).toThrow(SyncCursorError);
    expect(() => openSyncCursor('another-key', 'item_1', c)).toThrow(SyncCursorError);
  });

  it('any change to a cursor is refused (property)', () => {
    const c = sealSyncCursor(KEY, 'item_1', state);
    fc.assert(
      fc.property(fc.nat({ max: c.length - 1 }), fc.constantFrom(...'ABCabc012_-.xyz'), (i, ch) => {
        fc.pre(c[i] !== ch);
        const t = c.slice(0, i) + ch + c.slice(i + 1);
        expect(() => openSyncCursor(KEY, 'item_1', t)).toThrow(SyncCursorError);
      }),
    );
    expect(() => openSyncCursor(KEY, 'item_1', 'garbage')).toThrow(SyncCursorError);
    expect(() => openSyncCursor(KEY, 'item_1', 'x'.repeat(5000))).toThrow(SyncCursorError);
  });
});

/** An in-memory model of finagg's store: transactions, their events and the change feed. */
class Model {
  txns = new Map<string, StoredTransaction>();
  events = new Map<string, TxnEvent[]>();
  clock = 1;
  private n = 0;

  private write(t: StoredTransaction, kind: TxnEvent['kind'], before: object | null, after: object | null) {
    const now = instant(this.clock);
    const next = { ...t, version: t.version + 1, updatedAt: now };
    if (kind === 'created') Object.assign(next, { version: 1, createdAt: now });
    this.txns.set(t.id, next);
    const list = this.events.get(t.id) ?? [];
    list.push({
      txnId: t.id,
      seq: next.version,
      at: now,
      actor: 'sync:x',
      kind,
      before: before as Record<string, unknown> | null,
      after: after as Record<string, unknown> | null,
    });
    this.events.set(t.id, list);
  }

  create(connectionId: string, pending: boolean, amount: number) {
    const id = `txn_${String(this.n++).padStart(4, '0')}`;
    const t: StoredTransaction = {
      id,
      userId: 'u1',
      connectionId,
      accountId: `acct_${connectionId}`,
      provider: 'bank_a',
      providerTxnIds: [id],
      original: {
        status: pending ? 'pending' : 'posted',
        date: '2026-03-01',
        occurredAt: null,
        amountMinor: amount,
        currency: 'USD',
        description: 'SHOP',
        merchantName: 'Shop',
      },
      fingerprint: id,
      removed: false,
      version: 0,
      createdAt: '',
      updatedAt: '',
    };
    this.write(t, 'created', null, { status: t.original.status });
  }

  live(): StoredTransaction[] {
    return [...this.txns.values()].filter((t) => !t.removed);
  }

  amend(i: number, amount: number) {
    const t = this.pick(i);
    if (!t) return;
    this.write({ ...t, original: { ...t.original, amountMinor: amount } }, 'amount_changed', {}, {});
  }

  post(i: number) {
    const pending = this.live().filter((x) => x.original.status === 'pending');
    const t = pending[i % Math.max(1, pending.length)];
    if (!t) return;
    this.write(
      { ...t, original: { ...t.original, status: 'posted' } },
      'status_changed',
      { status: 'pending' },
      { status: 'posted' },
    );
  }

  remove(i: number) {
    const t = this.pick(i);
    if (t) this.write({ ...t, removed: true }, 'removed', {}, {});
  }

  private pick(i: number): StoredTransaction | undefined {
    const l = this.live();
    return l.length ? l[i % l.length] : undefined;
  }

  feed(after: string | null, limit: number): StoredTransaction[] {
    return [...this.txns.values()]
      .sort((a, b) => (feedPosition(a) < feedPosition(b) ? -1 : 1))
      .filter((t) => after === null || feedPosition(t) > after)
      .slice(0, limit);
  }

  /** One /transactions/sync request, as the service answers it (chunked feed reads, the cap at now). */
  sync(cursor: string, count: number, chunk: number) {
    const state = openSyncCursor(KEY, 'item', cursor);
    const now = instant(this.clock);
    const read: StoredTransaction[] = [];
    let plan;
    for (let reads = 0; ; reads++) {
      const got = this.feed(read.at(-1) ? feedPosition(read.at(-1)!) : state.after, chunk);
      read.push(...got);
      plan = planSyncPage({
        state,
        read,
        exhausted: got.length < chunk,
        count,
        connectionId: 'A',
        cap: now,
        now,
      });
      if (plan.complete || reads >= 3) break;
    }
    const changes = classifySyncPage(plan.page, { base: state.base, runStart: state.runStart ?? now }, (t) =>
      needsHistory(t) ? pendingHistory(this.events.get(t.id) ?? []) : knownPendingHistory(t),
    );
    return { ...changes, has_more: plan.hasMore, next_cursor: sealSyncCursor(KEY, 'item', plan.next) };
  }
}

const op = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('create' as const),
      conn: fc.constantFrom('A', 'A', 'B'),
      pending: fc.boolean(),
      amount: fc.integer({ min: -9999, max: 9999 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('amend' as const),
      i: fc.nat(50),
      amount: fc.integer({ min: -9999, max: 9999 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('post' as const), i: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('remove' as const), i: fc.nat(50) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('tick' as const) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('sync' as const),
      count: fc.integer({ min: 1, max: 4 }),
      chunk: fc.integer({ min: 1, max: 6 }),
    }),
  },
);

describe('/transactions/sync over the change feed (model-based)', () => {
  it('an app that applies every page ends with exactly the connection’s transactions, whatever changes during pagination', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
        const m = new Model();
        const app = new Map<string, PlaidTransaction>();
        let cursor = '';
        const apply = (page: ReturnType<Model['sync']>) => {
          for (const r of page.removed) app.delete(r.transaction_id);
          for (const a of page.added) app.set(a.transaction_id, a);
          for (const mod of page.modified) {
            // Modified is only ever a transaction the app holds.
            expect(app.has(mod.transaction_id)).toBe(true);
            app.set(mod.transaction_id, mod);
          }
          // Pages are the item's connection only.
          for (const a of [...page.added, ...page.modified]) expect(a.account_id).toBe('acct_A');
          cursor = page.next_cursor;
        };
        for (const o of ops) {
          if (o.k === 'create') m.create(o.conn, o.pending, o.amount);
          else if (o.k === 'amend') m.amend(o.i, o.amount);
          else if (o.k === 'post') m.post(o.i);
          else if (o.k === 'remove') m.remove(o.i);
          else if (o.k === 'tick') m.clock += 1;
          else apply(m.sync(cursor, o.count, o.chunk));
        }
        // Quiet: the clock moves past every write; the app pages until a page reads the feed to its end.
        m.clock += 1;
        for (let i = 0; i < 500; i++) {
          const page = m.sync(cursor, 3, 4);
          apply(page);
          if (!page.has_more && !page.added.length && !page.modified.length && !page.removed.length) break;
        }
        const expected = new Map(
          m
            .live()
            .filter((t) => t.connectionId === 'A')
            .map((t) => [plaidTransactionId(t), -t.original.amountMinor / 100]),
        );
        expect(new Map([...app].map(([id, t]) => [id, t.amount]))).toEqual(
          new Map([...expected].map(([id, a]) => [id, a === 0 ? 0 : a])),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('pending → posted after the cursor: the pending id removed, the posting added naming it; a change is modified', () => {
    const m = new Model();
    m.create('A', true, -500);
    m.create('A', false, -700);
    m.clock += 1;
    let page = m.sync('', 100, 100);
    expect(page.added.map((a) => a.transaction_id)).toEqual([pendingPlaidId('txn_0000'), 'txn_0001']);
    m.clock += 1;
    page = m.sync(page.next_cursor, 100, 100); // reads to the end: the view is complete
    const cursor = page.next_cursor;
    m.clock += 1;
    m.post(0);
    m.amend(1, -750);
    m.clock += 1;
    page = m.sync(cursor, 100, 100);
    expect(page.removed).toEqual([{ transaction_id: pendingPlaidId('txn_0000'), account_id: 'acct_A' }]);
    expect(page.added).toEqual([
      expect.objectContaining({
        transaction_id: 'txn_0000',
        pending: false,
        pending_transaction_id: pendingPlaidId('txn_0000'),
      }),
    ]);
    expect(page.modified).toEqual([expect.objectContaining({ transaction_id: 'txn_0001', amount: 7.5 })]);
  });

  it('a pending transaction delivered earlier in a run, posted before the run ends: its pending id is removed', () => {
    const m = new Model();
    m.create('A', true, -500);
    m.create('A', false, -700);
    m.clock += 1;
    let page = m.sync('', 1, 1);
    expect(page.added.map((a) => a.transaction_id)).toEqual([pendingPlaidId('txn_0000')]);
    expect(page.has_more).toBe(true);
    m.post(0);
    m.clock += 1;
    const ids = new Set(page.added.map((a) => a.transaction_id));
    for (;;) {
      page = m.sync(page.next_cursor, 1, 1);
      for (const r of page.removed) ids.delete(r.transaction_id);
      for (const a of page.added) ids.add(a.transaction_id);
      if (!page.has_more) break;
    }
    expect([...ids].sort()).toEqual(['txn_0000', 'txn_0001']);
  });

  it('has_more pages with a small count; other connections never appear', () => {
    const m = new Model();
    for (let i = 0; i < 10; i++) m.create(i % 2 ? 'A' : 'B', false, -100 - i);
    m.clock += 1;
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    for (;;) {
      const page = m.sync(cursor, 2, 50);
      pages += 1;
      seen.push(...page.added.map((a) => a.transaction_id));
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['txn_0001', 'txn_0003', 'txn_0005', 'txn_0007', 'txn_0009']);
  });
});
