import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import type { BankId, GeneratedTransaction } from '../../shared/generator/types';
import { freshTable } from '../support/dynamodb';
import { HOUR, KIND, iso, windowedConnection } from '../support/windowed-connection';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
beforeAll(async () => {
  table = await freshTable('windows');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

const windowed = (bank: BankId) => windowedConnection(bank, store);

describe.each(['bank_a', 'bank_b', 'bank_c'] as const)(
  'windowed syncs against %s (real bank, DynamoDB)',
  (bank) => {
    it(
      'stay exactly the bank truth sync after sync (postings, corrections, re-sends), reading only the window',
      {
        timeout: 180_000,
      },
      async () => {
        const w = await windowed(bank);
        await w.sync();
        expect(await w.f.stored()).toEqual(w.truth());
        const state = (await store.getConnection(w.f.userId, w.f.connection.id))!.syncState;
        expect(state?.fullAt).toBeDefined();
        // Every 8 hours for 8 days: a full reconciliation once a day, the bank's narrowest listing in between.
        const reads: number[] = [];
        const fullReads: number[] = [];
        for (let step = 1; step <= 24; step++) {
          w.advance(8 * HOUR);
          const { read } = await w.sync();
          expect(await w.f.stored(), `after step ${step}`).toEqual(w.truth());
          (w.listings.at(-1) === 'all' ? fullReads : reads).push(read);
        }
        expect(new Set(w.listings.slice(1))).toEqual(
          new Set(KIND[bank] === 'all' ? ['all'] : ['all', KIND[bank]]),
        );
        if (KIND[bank] !== 'all') {
          expect(reads.length).toBeGreaterThan(10);
          // A window reads a part of the history: far less than the full listing did.
          expect(Math.max(...reads)).toBeLessThan(Math.min(...fullReads) / 2);
        }
      },
    );

    it('sees a bank correction inside the horizon at the next sync', async () => {
      const w = await windowed(bank);
      await w.sync();
      w.advance(8 * HOUR);
      const { t, current: v } = w.posted(10);
      const truthBefore = w.truth();
      t.events.push({
        kind: 'correct',
        at: iso(w.f.bank.clock.now().getTime() - HOUR),
        field: 'amount',
        version: { ...v, amountMinor: v.amountMinor - 123 },
      });
      const before = w.listings.length;
      await w.sync();
      expect(w.listings.slice(before)).toEqual([KIND[bank]]);
      expect(await w.f.stored()).toEqual(w.truth());
      expect(w.truth()).not.toEqual(truthBefore);
    });

    it('sees a removal at the next sync (bank_a: in its change feed), and a pending that posts across the window edge', async () => {
      const w = await windowed(bank);
      await w.sync();
      w.advance(8 * HOUR);
      const now = w.f.bank.clock.now().getTime();
      const removed = w.posted(3);
      removed.t.events.push({ kind: 'remove', at: iso(now - 2 * HOUR) });
      // A card payment authorised 40 days ago (before the date window's horizon) that is still pending, and posts
      // under a new id between two incremental syncs.
      const { t: old, current: oldVersion } = w.posted(40);
      const pendingVersion = {
        ...oldVersion,
        bankTxnId: `${oldVersion.bankTxnId}-HOLD`,
        status: 'pending' as const,
        amountMinor: oldVersion.amountMinor - 500,
      };
      const hold: GeneratedTransaction = {
        ...old,
        id: `${old.id}-hold`,
        events: [
          { kind: 'appear', at: iso(now - 2 * HOUR), version: pendingVersion },
          {
            kind: 'post',
            at: iso(now + 4 * HOUR),
            version: {
              ...oldVersion,
              bankTxnId: `${oldVersion.bankTxnId}-POST`,
              amountMinor: oldVersion.amountMinor - 700,
            },
            replacesBankTxnId: pendingVersion.bankTxnId,
          },
        ],
      };
      w.user.transactions.push(hold);
      await w.sync();
      expect(await w.f.stored()).toEqual(w.truth());
      w.advance(8 * HOUR);
      await w.sync();
      expect(w.listings.slice(1)).toEqual([KIND[bank], KIND[bank]]);
      expect(await w.f.stored()).toEqual(w.truth());
      const stored = await store.listConnectionTransactions(w.f.userId, w.f.connection.id);
      const posted = stored.find((s) => s.providerTxnIds.includes(`${oldVersion.bankTxnId}-POST`));
      expect(posted?.providerTxnIds).toEqual([pendingVersion.bankTxnId, `${oldVersion.bankTxnId}-POST`]);
      expect(posted?.original.status).toBe('posted');
      const gone = stored.find((s) => s.providerTxnIds.includes(removed.current.bankTxnId));
      expect(gone?.removed).toBe(true);
    });
  },
);

describe('the periodic full reconciliation', () => {
  it('catches a removal older than the date window, which the window cannot see', async () => {
    const w = await windowed('bank_c');
    await w.sync();
    w.advance(8 * HOUR);
    const old = w.posted(90);
    old.t.events.push({ kind: 'remove', at: iso(w.f.bank.clock.now().getTime() - HOUR) });
    const id = old.current.bankTxnId;
    const isRemoved = async () =>
      (await store.listConnectionTransactions(w.f.userId, w.f.connection.id)).find((s) =>
        s.providerTxnIds.includes(id),
      )?.removed;
    await w.sync();
    expect(w.listings.at(-1)).toBe('dates');
    expect(await isRemoved()).toBe(false); // outside the window: not judged
    await w.sync({ full: true }); // on demand
    expect(w.listings.at(-1)).toBe('all');
    expect(await isRemoved()).toBe(true);
    expect(await w.f.stored()).toEqual(w.truth());
  });

  it('runs at least daily without being asked', async () => {
    const w = await windowed('bank_a');
    await w.sync();
    w.advance(12 * HOUR);
    await w.sync();
    w.advance(12 * HOUR);
    await w.sync();
    expect(w.listings).toEqual(['all', 'changes', 'all']);
  });

  it('lists everything when the bank refuses a change token', async () => {
    const w = await windowed('bank_a');
    await w.sync();
    const conn = (await store.getConnection(w.f.userId, w.f.connection.id))!;
    await store.updateConnection(w.f.userId, conn.id, {
      syncState: { ...conn.syncState!, changeToken: 'not-a-token' },
    });
    w.advance(HOUR);
    const { run } = await w.sync();
    expect(run.added + run.modified + run.removed).toBe(0);
    const after = (await store.getConnection(w.f.userId, w.f.connection.id))!.syncState!;
    expect(after.changeToken).not.toBe('not-a-token');
    expect(await w.f.stored()).toEqual(w.truth());
  });
});
