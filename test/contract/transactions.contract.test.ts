import { expect, it } from 'vitest';
import { applyCorrection } from '../../shared/domain/corrections';
import { applyRule, correctionRule } from '../../shared/domain/correction-rules';
import type { BankTransaction, StoredTransaction, TxnEvent } from '../../shared/domain/models';
import { reconcile, type TxnChange } from '../../shared/domain/reconcile';
import { effective } from '../../shared/domain/transactions';
import { ConflictError, InvalidCursorError, type Store } from '../../shared/ports/store';
import { forEachBackend, uid, type Backend } from './backends';
import { bankTxn } from '../support/bank-txn';

const rec = (id: string, over: Partial<BankTransaction> = {}): BankTransaction =>
  bankTxn(id, { description: `BLUE BOTTLE COFFEE ${id}`, ...over });

function changesOf(
  stored: StoredTransaction[],
  userId: string,
  conn: string,
  feed: BankTransaction[],
  now: string,
) {
  return reconcile({
    userId,
    connectionId: conn,
    provider: 'bank_a',
    accountIdFor: (a) => `acct_${a}`,
    stored,
    incoming: feed,
    window: null,
    now,
    actor: 'sync:t',
  });
}

async function sync(store: Store, userId: string, conn: string, feed: BankTransaction[], now: string) {
  const result = changesOf(await store.listConnectionTransactions(userId, conn), userId, conn, feed, now);
  return { result, write: await store.applyTransactionChanges(result.changes) };
}

async function listAll(store: Store, userId: string, limit: number, filter = {}) {
  const pages: StoredTransaction[][] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<Store['listTransactions']>> = await store.listTransactions(
      userId,
      filter,
      {
        limit,
        cursor,
      },
    );
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 500);
  return pages;
}

const ctx = (userId: string, now = '2026-02-11T00:00:00.000Z') => ({ actor: `user:${userId}`, now });

/** Events as the store reads them back: with their owner's id (as DynamoDB's event items have always had). */
const asStored = (userId: string, events: readonly TxnEvent[]) => events.map((e) => ({ userId, ...e }));

/** The transaction as the change feed shows it. */
const image = (t: StoredTransaction, extra: Record<string, unknown> = {}) => ({
  entity: 'transaction',
  ...t,
  ...extra,
});

forEachBackend('TransactionStore', (b) => {
  const store = () => b().store;

  it('writes reconciled state with its events, idempotently, and keeps history immutable', async () => {
    const [u, c] = [uid(), uid('c')];
    const feed = [
      rec('1'),
      rec('2', { date: '2026-02-11' }),
      rec('3', { date: '2026-02-12', status: 'pending' }),
    ];
    const first = await sync(store(), u, c, feed, '2026-02-13T00:00:00.000Z');
    expect(first.write).toEqual({ applied: 3, conflicts: [] });
    // The same changes again: every one is a conflict (they were written), nothing is written twice.
    expect(await store().applyTransactionChanges(first.result.changes)).toEqual({
      applied: 0,
      conflicts: first.result.changes.map((x) => x.txn.id),
    });
    expect((await sync(store(), u, c, feed, '2026-02-13T00:05:00.000Z')).result.changes).toEqual([]);

    // The bank corrects one, posts another with a tip under a new id, and drops the first.
    const feed2 = [
      rec('2', { date: '2026-02-11', description: 'SHOP 2 CORRECTED' }),
      rec('9', {
        date: '2026-02-13',
        amountMinor: -1200,
        description: 'BLUE BOTTLE COFFEE 3',
        occurredAt: rec('3').occurredAt,
      }),
    ];
    const second = await sync(store(), u, c, feed2, '2026-02-14T00:00:00.000Z');
    expect(second.write.conflicts).toEqual([]);
    expect(second.result).toMatchObject({ added: 0, removed: 1 });

    const page = await store().listTransactions(u, {}, { limit: 10 });
    expect(page.items.map((t) => t.original.date)).toEqual(['2026-02-13', '2026-02-11']);
    const posted = page.items[0]!;
    expect(await store().getTransaction(u, posted.id)).toEqual(posted);
    const events = await store().listTransactionEvents(posted.id);
    expect(events.map((e) => e.kind)).toEqual([
      'created',
      'merged',
      'amount_changed',
      'status_changed',
      'date_changed',
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);

    // A writer holding an old version loses, and nothing of its change is written.
    const stale = second.result.changes.find((x) => x.txn.id === posted.id)!;
    expect(await store().applyTransactionChanges([stale])).toEqual({ applied: 0, conflicts: [posted.id] });
    expect(await store().listTransactionEvents(posted.id)).toHaveLength(5);
    expect(await store().getTransaction(u, posted.id)).toEqual(posted);

    // Every transaction of the connection, removed ones included.
    const all = await store().listConnectionTransactions(u, c);
    expect(all.map((t) => t.id).sort()).toEqual(first.result.changes.map((x) => x.txn.id).sort());
    expect(all.filter((t) => t.removed)).toHaveLength(1);
  });

  it('two writers with the same expected version: one applied, one conflict, whole', async () => {
    const [u, c] = [uid(), uid('c')];
    await sync(store(), u, c, [rec('1'), rec('2')], '2026-02-13T00:00:00.000Z');
    const stored = await store().listConnectionTransactions(u, c);
    const a = changesOf(
      stored,
      u,
      c,
      [rec('1', { amountMinor: -1 }), rec('2')],
      '2026-02-14T00:00:00.000Z',
    ).changes;
    const z = changesOf(
      stored,
      u,
      c,
      [rec('1', { amountMinor: -2 }), rec('2')],
      '2026-02-14T00:00:01.000Z',
    ).changes;
    expect(a).toHaveLength(1);
    expect(z).toHaveLength(1);
    const id = a[0]!.txn.id;
    const [ra, rz] = await Promise.all([
      store().applyTransactionChanges(a),
      store().applyTransactionChanges(z),
    ]);
    expect(ra.applied + rz.applied).toBe(1);
    expect([...ra.conflicts, ...rz.conflicts]).toEqual([id]);
    const winner = ra.applied ? a[0]! : z[0]!;
    expect(await store().getTransaction(u, id)).toEqual(winner.txn);
    expect(await store().listTransactionEvents(id)).toEqual([
      ...(await eventsBefore(stored, id)),
      ...asStored(u, winner.events),
    ]);

    // Two writers creating the same new transaction: one applied, one conflict.
    const fresh = changesOf(stored, u, c, [rec('1'), rec('2'), rec('3')], '2026-02-15T00:00:00.000Z').changes;
    expect(fresh.map((x) => x.expectedVersion)).toEqual([null]);
    const results = await Promise.all([
      store().applyTransactionChanges(fresh),
      store().applyTransactionChanges(fresh),
    ]);
    expect(results.map((r) => r.applied).sort()).toEqual([0, 1]);
    expect(results.flatMap((r) => r.conflicts)).toEqual([fresh[0]!.txn.id]);
    expect(await store().listTransactionEvents(fresh[0]!.txn.id)).toEqual(asStored(u, fresh[0]!.events));

    async function eventsBefore(all: StoredTransaction[], txnId: string) {
      const t = all.find((x) => x.id === txnId)!;
      return (await store().listTransactionEvents(txnId)).filter((e) => e.seq <= t.version);
    }
  });

  it('a batch applies what it can and reports the stale changes only', async () => {
    const [u, c] = [uid(), uid('c')];
    const feed = Array.from({ length: 130 }, (_, i) => rec(String(i)));
    await sync(store(), u, c, feed, '2026-02-10T12:00:00.000Z');
    const stored = await store().listConnectionTransactions(u, c);
    const changes = changesOf(
      stored,
      u,
      c,
      feed.map((r) => ({ ...r, amountMinor: r.amountMinor - 1 })),
      '2026-02-11T00:00:00.000Z',
    ).changes;
    expect(changes).toHaveLength(130);
    // One moves on before the batch lands.
    const moved = changes[7]!;
    expect(await store().applyTransactionChanges([moved])).toEqual({ applied: 1, conflicts: [] });
    const out = await store().applyTransactionChanges(changes);
    expect(out).toEqual({ applied: 129, conflicts: [moved.txn.id] });
    expect(await store().listTransactionEvents(changes[0]!.txn.id)).toHaveLength(2);
  });

  it('serves a change feed that replays to exactly the current set', async () => {
    const [u, c] = [uid(), uid('c')];
    await sync(store(), u, c, [rec('1'), rec('2'), rec('3')], '2026-02-13T00:00:00.000Z');
    await sync(
      store(),
      u,
      c,
      [rec('2'), rec('3', { amountMinor: -5 }), rec('4')],
      '2026-02-14T00:00:00.000Z',
    );
    for (const limit of [1, 2, 4, 5]) {
      const have = new Map<string, StoredTransaction>();
      const seen: string[] = [];
      let position: string | null = null;
      for (;;) {
        const out: Awaited<ReturnType<Store['transactionFeed']>> = await store().transactionFeed(
          u,
          position,
          limit,
        );
        expect(out.items.length).toBeLessThanOrEqual(limit);
        if (!out.items.length) {
          expect(out.position).toBe(position);
          break;
        }
        for (const t of out.items) {
          seen.push(t.id);
          if (t.removed) have.delete(t.id);
          else have.set(t.id, t);
        }
        position = out.position;
      }
      expect(new Set(seen).size).toBe(4);
      const current = await store().listTransactions(u, {}, { limit: 100 });
      expect([...have.keys()].sort()).toEqual(current.items.map((t) => t.id).sort());
    }
    // A position `<updatedAt>#<id>` as the service builds it (services/transactions.ts).
    const first = (await store().transactionFeed(u, null, 1)).items[0]!;
    const after = await store().transactionFeed(u, `${first.updatedAt}#${first.id}`, 10);
    expect(after.items.map((t) => t.id)).not.toContain(first.id);
    expect(after.items).toHaveLength(3);
    expect((await store().transactionFeed(uid(), null, 10)).items).toEqual([]);
  });

  it('pages the live listing at page boundaries without gaps or repeats, newest first', async () => {
    const [u, c] = [uid(), uid('c')];
    const feed = Array.from({ length: 12 }, (_, i) =>
      rec(String(i), { date: `2026-03-${String((i % 5) + 1).padStart(2, '0')}` }),
    );
    await sync(store(), u, c, feed, '2026-04-01T00:00:00.000Z');
    const expected = (await store().listTransactions(u, {}, { limit: 100 })).items;
    expect(expected).toHaveLength(12);
    const keys = expected.map((t) => `${effective(t).date}#${t.id}`);
    expect([...keys].sort().reverse()).toEqual(keys);
    for (const limit of [1, 5, 11, 12, 13]) {
      const pages = await listAll(store(), u, limit);
      expect(pages.flat().map((t) => t.id)).toEqual(expected.map((t) => t.id));
      expect(pages.filter((p) => p.length).length).toBe(Math.ceil(12 / limit));
      expect(pages.length - pages.filter((p) => p.length).length).toBeLessThanOrEqual(1);
    }
    // A date range: whole days, both ends included, and its cursors stay inside it.
    const ranged = await listAll(store(), u, 2, { from: '2026-03-02', to: '2026-03-03' });
    expect(
      ranged
        .flat()
        .map((t) => t.original.date)
        .sort(),
    ).toEqual(
      feed
        .filter((r) => r.date === '2026-03-02' || r.date === '2026-03-03')
        .map((r) => r.date)
        .sort(),
    );
    const inRange = await store().listTransactions(u, { from: '2026-03-02', to: '2026-03-03' }, { limit: 1 });
    await expect(
      store().listTransactions(u, { from: '2026-03-04' }, { limit: 1, cursor: inRange.nextCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('pages filtered results without gaps or repeats', async () => {
    const [u, c] = [uid(), uid('c')];
    const feed = Array.from({ length: 57 }, (_, i) =>
      rec(String(i), {
        date: `2026-03-${String((i % 28) + 1).padStart(2, '0')}`,
        amountMinor: i % 3 === 0 ? 2500 : -(100 + i),
        description: i % 2 ? `COFFEE ${i}` : `GROCER ${i}`,
        occurredAt: `2026-03-01T00:00:${String(i).padStart(2, '0')}.000Z`,
      }),
    );
    await sync(store(), u, c, feed, '2026-04-01T00:00:00.000Z');
    const filter = { q: 'coffee', maxAmountMinor: -1 };
    const expected = (await store().listTransactions(u, filter, { limit: 500 })).items.map((t) => t.id);
    expect(expected.length).toBeGreaterThan(10);
    for (const limit of [4, expected.length, expected.length + 1]) {
      expect((await listAll(store(), u, limit, filter)).flat().map((t) => t.id)).toEqual(expected);
    }
  });

  it('scopes every read and write by user', async () => {
    const [u, mallory, c] = [uid(), uid(), uid('c')];
    await sync(store(), u, c, [rec('1')], '2026-02-13T00:00:00.000Z');
    const [t] = (await store().listTransactions(u, {}, { limit: 10 })).items;
    expect(await store().getTransaction(mallory, t!.id)).toBeNull();
    expect((await store().listTransactions(mallory, {}, { limit: 10 })).items).toEqual([]);
    expect(await store().listConnectionTransactions(mallory, c)).toEqual([]);
    expect(
      await store().listConnectionTransactionsWhere(mallory, c, { from: '2000-01-01', bankIds: ['1'] }),
    ).toEqual([]);
    expect((await store().transactionFeed(mallory, null, 10)).items).toEqual([]);
    expect(await store().replayTransactions(mallory, '2026-02-14T00:00:00.000Z')).toBe(0);
    const change = applyCorrection(t!, { description: 'mine now' }, ctx(mallory))!;
    await expect(
      store().applyUserChange({ ...change, txn: { ...change.txn, userId: mallory } }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await store().getTransaction(u, t!.id)).toEqual(t);
    const first = await store().listTransactions(u, {}, { limit: 1 });
    await sync(store(), u, c, [rec('1'), rec('2')], '2026-02-14T00:00:00.000Z');
    const page = await store().listTransactions(u, {}, { limit: 1 });
    await expect(
      store().listTransactions(mallory, {}, { limit: 1, cursor: page.nextCursor ?? first.nextCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('finds what a windowed sync reads: a date range, single days, and bank ids (merged ones too)', async () => {
    const [u, c] = [uid(), uid('c')];
    await sync(
      store(),
      u,
      c,
      [
        rec('1', { date: '2026-01-05' }),
        rec('2', { date: '2026-01-10' }),
        rec('3', { date: '2026-01-20', status: 'pending' }),
        rec('4', { date: '2026-01-25' }),
      ],
      '2026-02-01T00:00:00.000Z',
    );
    // '9' is the posting of pending '3' under a new id: merged into it.
    const merged = await sync(
      store(),
      u,
      c,
      [
        rec('1', { date: '2026-01-05' }),
        rec('2', { date: '2026-01-10' }),
        rec('9', {
          date: '2026-01-21',
          description: 'BLUE BOTTLE COFFEE 3',
          occurredAt: rec('3').occurredAt,
        }),
        rec('4', { date: '2026-01-25' }),
      ],
      '2026-02-02T00:00:00.000Z',
    );
    expect(merged.result.merged).toBe(1);
    const where = async (q: Parameters<Store['listConnectionTransactionsWhere']>[2]) =>
      (await store().listConnectionTransactionsWhere(u, c, q)).map((t) => t.providerTxnIds[0]).sort();
    expect(await where({ from: '2026-01-21' })).toEqual(['3', '4']);
    expect(await where({ from: '2026-01-25', dates: ['2026-01-05', '2026-01-06', '2026-01-25'] })).toEqual([
      '1',
      '4',
    ]);
    expect(await where({ bankIds: ['9'] })).toEqual(['3']);
    expect(await where({ bankIds: ['2', 'nope'], dates: ['2026-01-05'] })).toEqual(['1', '2']);
    expect(await where({})).toEqual([]);
    // The index is whole already: repairing writes nothing the second time (and finds merged ids the same).
    await store().repairConnectionIndex(u, c);
    expect(await store().repairConnectionIndex(u, c)).toBe(0);
    expect(await where({ bankIds: ['9', '3'] })).toEqual(['3']);
  });

  it('replays every live transaction through the change feed, changing nothing else', async () => {
    const [u, c] = [uid(), uid('c')];
    await sync(store(), u, c, [rec('1'), rec('2'), rec('3')], '2026-02-13T00:00:00.000Z');
    await sync(store(), u, c, [rec('1'), rec('2')], '2026-02-14T00:00:00.000Z');
    const before = await store().listConnectionTransactions(u, c);
    const feedBefore = await store().transactionFeed(u, null, 10);
    expect(await store().replayTransactions(u, '2026-02-15T00:00:00.000Z')).toBe(2);
    expect(await store().listConnectionTransactions(u, c)).toEqual(before);
    expect(await store().transactionFeed(u, null, 10)).toEqual(feedBefore);
    expect(await store().replayTransactions(u, '2026-02-15T00:00:00.000Z')).toBe(2);
  });

  it('keeps the user-owned fields through syncs', async () => {
    const [u, c] = [uid(), uid('c')];
    await sync(store(), u, c, [rec('1')], '2026-02-10T12:00:00.000Z');
    const [t] = (await store().listTransactions(u, {}, { limit: 10 })).items;
    await store().applyUserChange(applyCorrection(t!, { description: 'mine', note: 'n' }, ctx(u))!);
    await sync(store(), u, c, [rec('1', { amountMinor: -1234 })], '2026-02-12T00:00:00.000Z');
    const after = (await store().getTransaction(u, t!.id))!;
    expect(after.overlay).toMatchObject({ description: 'mine', note: 'n' });
    expect(after.original.amountMinor).toBe(-1234);
    expect(after.version).toBe(3);
  });
});

forEachBackend('UserChangeStore', (b) => {
  const store = () => b().store;
  async function one(u: string, c: string): Promise<StoredTransaction> {
    await sync(store(), u, c, [rec('1')], '2026-02-10T12:00:00.000Z');
    const page = await store().listTransactions(u, {}, { limit: 10 });
    expect(page.items).toHaveLength(1);
    return page.items[0]!;
  }

  it('writes the overlay with its event, moves the date index, and keeps the original', async () => {
    const [u, c] = [uid(), uid('c')];
    const t = await one(u, c);
    await store().applyUserChange(
      applyCorrection(t, { date: '2026-01-31', amountMinor: -900, note: 'n' }, ctx(u))!,
    );
    const stored = (await store().getTransaction(u, t.id))!;
    expect(stored.original).toEqual(t.original);
    expect(stored.version).toBe(t.version + 1);
    expect(effective(stored)).toMatchObject({ date: '2026-01-31', amountMinor: -900 });
    const jan = await store().listTransactions(u, { from: '2026-01-31', to: '2026-01-31' }, { limit: 10 });
    expect(jan.items.map((x) => x.id)).toEqual([t.id]);
    expect(
      (await store().listTransactions(u, { from: '2026-02-10', to: '2026-02-10' }, { limit: 10 })).items,
    ).toEqual([]);
    expect((await store().listTransactionEvents(t.id)).map((e) => [e.seq, e.kind, e.actor])).toEqual([
      [1, 'created', 'sync:t'],
      [2, 'corrected', `user:${u}`],
    ]);
    // The change feed shows it as modified after the correction.
    const feed = await store().transactionFeed(u, `${t.updatedAt}#${t.id}`, 10);
    expect(feed.items.map((x) => x.id)).toEqual([t.id]);
  });

  it('refuses a stale version (ConflictError) and writes nothing of it; two racing writers: one wins', async () => {
    const [u, c] = [uid(), uid('c')];
    const t = await one(u, c);
    const a = applyCorrection(t, { description: 'a' }, ctx(u))!;
    const z = applyCorrection(t, { description: 'z' }, ctx(u, '2026-02-11T00:00:01.000Z'))!;
    const results = await Promise.allSettled([store().applyUserChange(a), store().applyUserChange(z)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      ConflictError,
    );
    const events = await store().listTransactionEvents(t.id);
    expect(events).toHaveLength(2);
    const winner = results[0]!.status === 'fulfilled' ? 'a' : 'z';
    expect((await store().getTransaction(u, t.id))!.overlay?.description).toBe(winner);
    await expect(store().applyUserChange(a)).rejects.toBeInstanceOf(ConflictError);
  });

  it('never overwrites an event: a change whose event slot is taken fails whole', async () => {
    const [u, c] = [uid(), uid('c')];
    const t = await one(u, c);
    await b().forgeEvent(u, {
      txnId: t.id,
      seq: 2,
      kind: 'corrected',
      actor: 'user:x',
      at: 'then',
      before: null,
      after: null,
    });
    await expect(
      store().applyUserChange(applyCorrection(t, { description: 'new' }, ctx(u))!),
    ).rejects.toBeInstanceOf(ConflictError);
    const stored = (await store().getTransaction(u, t.id))!;
    expect(stored.version).toBe(t.version);
    expect(stored.overlay ?? null).toBeNull();
    expect((await store().listTransactionEvents(t.id))[1]).toMatchObject({ actor: 'user:x', at: 'then' });
  });

  it('writes many rule changes in batches, reporting the stale ones', async () => {
    const [u, c] = [uid(), uid('c')];
    await sync(
      store(),
      u,
      c,
      Array.from({ length: 130 }, (_, i) => rec(String(i))),
      '2026-02-10T12:00:00.000Z',
    );
    const all = (await store().listTransactions(u, {}, { limit: 500 })).items;
    expect(all).toHaveLength(130);
    const rule = correctionRule(
      u,
      'Blue Bottle Coffee',
      { primary: 'FOOD_AND_DRINK', detailed: null },
      'now',
    )!;
    const moved = all[7]!;
    await store().applyUserChange(applyCorrection(moved, { description: 'x' }, ctx(u))!);
    const changes = all.map((t) => applyRule(t, rule, '2026-02-12T00:00:00.000Z')!);
    expect(await store().applyUserChanges(changes)).toEqual({ applied: 129, conflicts: [moved.id] });
    expect((await store().listTransactionEvents(all[0]!.id)).at(-1)).toMatchObject({
      kind: 'categorized',
      actor: `rule:${rule.id}`,
    });
    expect((await store().getTransaction(u, all[0]!.id))!.category).toMatchObject({
      primary: 'FOOD_AND_DRINK',
    });
    expect(await store().applyUserChanges([])).toEqual({ applied: 0, conflicts: [] });
  });
});

/** The change feed's outbox (PostgreSQL backends): every change committed with its row, and only those. */
forEachBackend('TransactionStore outbox', (b) => {
  const store = () => b().store;
  const pgOnly =
    (fn: (backend: Backend & { outbox: NonNullable<Backend['outbox']> }) => Promise<void>) => async () => {
      const backend = b();
      if (!backend.outbox) return; // DynamoDB: its stream is the feed (test/integration/stream-*.test.ts).
      await fn(backend as Backend & { outbox: NonNullable<Backend['outbox']> });
    };

  it(
    'writes an INSERT row with each new transaction and a MODIFY row (before, after) with each change',
    pgOnly(async (backend) => {
      const [u, c] = [uid(), uid('c')];
      await sync(store(), u, c, [rec('1'), rec('2')], '2026-02-13T00:00:00.000Z');
      const created = await store().listConnectionTransactions(u, c);
      let rows = await backend.outbox(u);
      expect(rows.map((r) => [r.entity, r.eventName, r.before])).toEqual([
        ['transaction', 'INSERT', null],
        ['transaction', 'INSERT', null],
      ]);
      expect(rows.map((r) => r.after).sort((x, y) => String(x!.id).localeCompare(String(y!.id)))).toEqual(
        created.map((t) => image(t)).sort((x, y) => x.id.localeCompare(y.id)),
      );

      // A sync change and a user change: MODIFY rows, in order, with the images before and after.
      const { write } = await sync(
        store(),
        u,
        c,
        [rec('1', { amountMinor: -7 }), rec('2')],
        '2026-02-14T00:00:00.000Z',
      );
      expect(write.applied).toBe(1);
      const changed = (await store().listConnectionTransactions(u, c)).find(
        (t) => t.original.amountMinor === -7,
      )!;
      const old = created.find((t) => t.id === changed.id)!;
      await store().applyUserChange(
        applyCorrection(changed, { description: 'n' }, ctx(u, '2026-02-15T00:00:00.000Z'))!,
      );
      const corrected = (await store().getTransaction(u, changed.id))!;
      rows = await backend.outbox(u);
      expect(rows.slice(2).map((r) => [r.eventName, r.before, r.after])).toEqual([
        ['MODIFY', image(old), image(changed)],
        ['MODIFY', image(changed), image(corrected)],
      ]);
      expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((x, y) => x - y));

      // A lost race or a stale change writes no row.
      const stale: TxnChange = {
        txn: { ...changed, version: changed.version + 1 },
        expectedVersion: old.version,
        events: [],
      };
      expect((await store().applyTransactionChanges([stale])).conflicts).toEqual([changed.id]);
      await expect(
        store().applyUserChange(applyCorrection(changed, { description: 'late' }, ctx(u))!),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await backend.outbox(u)).toHaveLength(4);
    }),
  );

  it(
    'a replay is a MODIFY row per live transaction whose after differs by its replay marker only',
    pgOnly(async (backend) => {
      const [u, c] = [uid(), uid('c')];
      await sync(store(), u, c, [rec('1'), rec('2'), rec('3')], '2026-02-13T00:00:00.000Z');
      await sync(store(), u, c, [rec('1'), rec('2')], '2026-02-14T00:00:00.000Z');
      const live = (await store().listTransactions(u, {}, { limit: 10 })).items;
      const already = (await backend.outbox(u)).length;
      expect(await store().replayTransactions(u, '2026-02-15T00:00:00.000Z')).toBe(2);
      const rows = (await backend.outbox(u)).slice(already);
      expect(rows.map((r) => r.eventName)).toEqual(['MODIFY', 'MODIFY']);
      expect(rows.map((r) => r.before).sort((x, y) => String(x!.id).localeCompare(String(y!.id)))).toEqual(
        live.map((t) => image(t)).sort((x, y) => x.id.localeCompare(y.id)),
      );
      for (const r of rows) expect(r.after).toEqual({ ...r.before, replay_at: '2026-02-15T00:00:00.000Z' });
      // The same marker again changes nothing, so no row; a new one is a new replay.
      await store().replayTransactions(u, '2026-02-15T00:00:00.000Z');
      expect((await backend.outbox(u)).length).toBe(already + 2);
      await store().replayTransactions(u, '2026-02-16T00:00:00.000Z');
      const again = (await backend.outbox(u)).slice(already + 2);
      expect(again.map((r) => [r.before!.replay_at, r.after!.replay_at])).toEqual([
        ['2026-02-15T00:00:00.000Z', '2026-02-16T00:00:00.000Z'],
        ['2026-02-15T00:00:00.000Z', '2026-02-16T00:00:00.000Z'],
      ]);
      // A later sync's image carries the marker too (as DynamoDB's item does).
      await sync(store(), u, c, [rec('1', { amountMinor: -3 }), rec('2')], '2026-02-17T00:00:00.000Z');
      const last = (await backend.outbox(u)).at(-1)!;
      expect(last.after).toMatchObject({
        replay_at: '2026-02-16T00:00:00.000Z',
        original: { amountMinor: -3 },
      });
    }),
  );
});
