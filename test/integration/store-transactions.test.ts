import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { reconcile } from '../../shared/domain/reconcile';
import type { Account, BankTransaction, StoredTransaction } from '../../shared/domain/models';
import { freshTable } from '../support/dynamodb';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;

beforeAll(async () => {
  table = await freshTable('txns');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

const rec = (id: string, over: Partial<BankTransaction> = {}): BankTransaction => ({
  providerTxnId: id,
  providerAccountId: 'chk',
  status: 'posted',
  date: '2026-02-10',
  occurredAt: `2026-02-10T10:00:${id.padStart(2, '0').slice(-2)}.000Z`,
  amountMinor: -1000,
  currency: 'USD',
  description: `SHOP ${id}`,
  merchantName: null,
  pendingTxnId: null,
  ...over,
});

async function sync(userId: string, conn: string, feed: BankTransaction[], now: string) {
  const stored = await store.listConnectionTransactions(userId, conn);
  const result = reconcile({
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
  return { result, write: await store.applyTransactionChanges(result.changes) };
}

describe('transactions in DynamoDB', () => {
  it('writes reconciled state with its events, idempotently, and keeps history immutable', async () => {
    const feed = [
      rec('1'),
      rec('2', { date: '2026-02-11' }),
      rec('3', { date: '2026-02-12', status: 'pending' }),
    ];
    const first = await sync('u1', 'c1', feed, '2026-02-13T00:00:00.000Z');
    expect(first.write).toEqual({ applied: 3, conflicts: [] });
    const again = await sync('u1', 'c1', feed, '2026-02-13T00:05:00.000Z');
    expect(again.result.changes).toEqual([]);

    // The bank corrects one, posts another with a tip under a new id, and drops the first.
    const feed2 = [
      rec('2', { date: '2026-02-11', description: 'SHOP 2 CORRECTED' }),
      // Posted under a new id with a tip: the same authorization instant as the pending one.
      rec('9', {
        date: '2026-02-13',
        amountMinor: -1200,
        description: 'SHOP 3',
        occurredAt: rec('3').occurredAt,
      }),
    ];
    const second = await sync('u1', 'c1', feed2, '2026-02-14T00:00:00.000Z');
    expect(second.write.conflicts).toEqual([]);
    expect(second.result).toMatchObject({ added: 0, removed: 1 });

    const page = await store.listTransactions('u1', {}, { limit: 10 });
    expect(page.items.map((t) => t.original.date)).toEqual(['2026-02-13', '2026-02-11']);
    const ranged = await store.listTransactions(
      'u1',
      { from: '2026-02-11', to: '2026-02-11' },
      { limit: 10 },
    );
    expect(ranged.items).toHaveLength(1);

    const posted = page.items[0]!;
    const events = await store.listTransactionEvents(posted.id);
    expect(events.map((e) => e.kind)).toEqual([
      'created',
      'merged',
      'amount_changed',
      'status_changed',
      'date_changed',
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);

    // A writer holding an old version loses, and nothing of its change is written.
    const stale = { ...second.result.changes.find((c) => c.txn.id === posted.id)! };
    const replay = await store.applyTransactionChanges([stale]);
    expect(replay.conflicts).toEqual([posted.id]);
    expect(await store.listTransactionEvents(posted.id)).toHaveLength(5);
  });

  it('serves a change feed that replays to exactly the current set', async () => {
    await sync('u2', 'c2', [rec('1'), rec('2'), rec('3')], '2026-02-13T00:00:00.000Z');
    await sync('u2', 'c2', [rec('2'), rec('3', { amountMinor: -5 }), rec('4')], '2026-02-14T00:00:00.000Z');
    const have = new Map<string, StoredTransaction>();
    let position: string | null = null;
    for (;;) {
      const out: { items: StoredTransaction[]; position: string | null } = await store.transactionFeed(
        'u2',
        position,
        2,
      );
      if (!out.items.length) break;
      for (const t of out.items) {
        if (t.removed) have.delete(t.id);
        else have.set(t.id, t);
      }
      position = out.position;
    }
    const current = await store.listTransactions('u2', {}, { limit: 100 });
    expect([...have.keys()].sort()).toEqual(current.items.map((t) => t.id).sort());
  });

  it('upserts accounts only when they change, and keeps quarantined records with their reason', async () => {
    const account: Account = {
      id: 'a1',
      userId: 'u3',
      connectionId: 'c3',
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
    };
    expect(await store.upsertAccounts([account])).toBe(1);
    expect(await store.upsertAccounts([{ ...account, updatedAt: '2026-01-02T00:00:00.000Z' }])).toBe(0);
    expect(await store.upsertAccounts([{ ...account, balanceCurrentMinor: 5 }])).toBe(1);
    expect((await store.listAccounts('u3')).map((a) => a.balanceCurrentMinor)).toEqual([5]);
    expect((await store.getAccount('u3', 'a1'))?.createdAt).toBe('2026-01-01T00:00:00.000Z');

    await store.putQuarantined([
      {
        connectionId: 'c3',
        syncId: 's1',
        kind: 'transaction',
        reason: 'amount: not a number',
        raw: { amt: 'x' },
        at: '2026-01-01T00:00:00.000Z',
      },
    ]);
    expect(await store.listQuarantined('c3', 's1')).toMatchObject([
      { reason: 'amount: not a number', raw: { amt: 'x' } },
    ]);
  });
});

describe('listing transactions with filters', () => {
  it('pages filtered results without gaps or repeats', async () => {
    const feed = Array.from({ length: 57 }, (_, i) =>
      rec(String(i), {
        date: `2026-03-${String((i % 28) + 1).padStart(2, '0')}`,
        amountMinor: i % 3 === 0 ? 2500 : -(100 + i),
        description: i % 2 ? `COFFEE ${i}` : `GROCER ${i}`,
        occurredAt: `2026-03-01T00:00:${String(i).padStart(2, '0')}.000Z`,
      }),
    );
    await sync('u4', 'c4', feed, '2026-04-01T00:00:00.000Z');
    const filter = { q: 'coffee', maxAmountMinor: -1 };
    const expected = (await store.listTransactions('u4', filter, { limit: 500 })).items.map((t) => t.id);
    expect(expected.length).toBeGreaterThan(10);
    const got: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof store.listTransactions>> = await store.listTransactions(
        'u4',
        filter,
        {
          limit: 4,
          cursor,
        },
      );
      got.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(got).toEqual(expected);
    const dates = (
      await store.listTransactions('u4', { from: '2026-03-05', to: '2026-03-06' }, { limit: 500 })
    ).items;
    expect(new Set(dates.map((t) => t.original.date))).toEqual(new Set(['2026-03-05', '2026-03-06']));
  });

  // More than the 2,000 a request reads: 2,600 transactions go through the sync's transactional writes, which takes
  // a minute or more on a loaded 2-core machine (DynamoDB Local is CPU-bound).
  it(
    'reads at most 2,000 transactions per list request: a selective filter pages on with short pages',
    { timeout: 240_000 },
    async () => {
      // 2,600 transactions; the only match is the oldest.
      const feed = Array.from({ length: 2600 }, (_, i) =>
        rec(`s${i}`, {
          date: `2025-${String(1 + Math.floor(i / 250)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
          description: i === 0 ? 'RARE FIND BOOKSHOP' : `STORE ${i}`,
          occurredAt: `2025-01-01T00:00:00.000Z`,
        }),
      );
      await sync('u6', 'c6', feed, '2026-04-01T00:00:00.000Z');
      const first = await store.listTransactions('u6', { q: 'rare find' }, { limit: 100 });
      expect(first.items).toEqual([]);
      expect(first.nextCursor).not.toBeNull();
      const pages = [first];
      while (pages.at(-1)!.nextCursor)
        pages.push(
          await store.listTransactions(
            'u6',
            { q: 'rare find' },
            { limit: 100, cursor: pages.at(-1)!.nextCursor },
          ),
        );
      expect(pages.flatMap((p) => p.items.map((t) => t.original.description))).toEqual([
        'RARE FIND BOOKSHOP',
      ]);
      expect(pages.length).toBe(2);
      // Unfiltered pages stay full.
      expect((await store.listTransactions('u6', {}, { limit: 500 })).items).toHaveLength(500);
    },
  );
});
