import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { bankEnv } from '../../shared/banks/kit/config';
import { GeneratingDataSource, generatorOptions } from '../../shared/banks/kit/data-source';
import type { ListingRequest } from '../../shared/banks/kit/provider';
import { generateUser } from '../../shared/generator';
import type {
  BankId,
  BankRecordVersion,
  GeneratedTransaction,
  GeneratedUser,
} from '../../shared/generator/types';
import type { Store } from '../../shared/ports/store';
import { runSync } from '../../shared/services/sync';
import { freshTable } from '../support/dynamodb';
import { syncFixture } from '../support/sync-fixture';
import { expectedFromTruth } from '../support/sync-helpers';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
beforeAll(async () => {
  table = await freshTable('windows');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

const NOW = '2026-05-01T00:00:00.000Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** The listing each bank's sync asks for between two full reconciliations. */
const KIND: Record<BankId, ListingRequest['kind']> = { bank_a: 'changes', bank_b: 'all', bank_c: 'dates' };

/**
 * A connection to `bank` serving a user of our own (so a test can change the bank's history), our real client and
 * sync, and a count of the stored transactions each sync reads and the listing it asked for.
 */
async function windowed(bank: BankId) {
  const user: GeneratedUser = generateUser(generatorOptions(bankEnv()), 0);
  const data = new GeneratingDataSource(() => user);
  let read = 0;
  const counting: Store = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listConnectionTransactions' || prop === 'listConnectionTransactionsWhere') {
        return async (...args: unknown[]) => {
          const fn = Reflect.get(target, prop, receiver) as (...a: unknown[]) => Promise<unknown[]>;
          const out = await fn.apply(target, args);
          read += out.length;
          return out;
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  const f = await syncFixture(bank, { store: counting, now: NOW, pageSize: 200, data });
  const client = f.deps.providers[0]!.client;
  const listings: ListingRequest['kind'][] = [];
  const fetchPage = client.fetchTransactionsPage.bind(client);
  client.fetchTransactionsPage = (token, cursor, request) => {
    if (!cursor) listings.push(request?.kind ?? 'all');
    return fetchPage(token, cursor, request);
  };
  const at = () => f.bank.clock.now().getTime();
  const used = new Set<string>();
  return {
    f,
    user,
    listings,
    truth: () => expectedFromTruth(bank, at(), 0, user),
    /** One sync (full on demand); the stored transactions it read. */
    async sync(opts: { full?: boolean } = {}) {
      read = 0;
      const run = await runSync(f.deps, { ...f.job(), full: opts.full });
      expect(run.status, run.errors.join('; ')).toBe('succeeded');
      return { run, read };
    },
    advance: (ms: number) => f.bank.clock.advance(ms),
    /**
     * A transaction of this bank, posted, not removed, whose last change is past, dated `daysAgo` days before the
     * clock or up to 20 days earlier; and its current version.
     */
    posted(daysAgo: number): { t: GeneratedTransaction; current: BankRecordVersion } {
      const latest = iso(at() - daysAgo * DAY).slice(0, 10);
      const earliest = iso(at() - (daysAgo + 20) * DAY).slice(0, 10);
      const found = user.transactions
        .filter((x) => x.bank === bank && !used.has(x.id) && x.events.every((e) => Date.parse(e.at) < at()))
        .map((t) => {
          const withVersion = t.events.filter((e) => e.kind !== 'remove');
          const last = withVersion.at(-1)!;
          const removed = t.events.some((e) => e.kind === 'remove' || e.kind === 'resend');
          return { t, current: last.version, removed };
        })
        .filter(
          (c) =>
            !c.removed &&
            c.current.status === 'posted' &&
            c.current.date <= latest &&
            c.current.date >= earliest,
        )
        .sort((a, b) => (b.current.date < a.current.date ? -1 : 1))[0];
      if (!found) throw new Error(`no posted ${bank} transaction about ${daysAgo} days old`);
      used.add(found.t.id);
      return { t: found.t, current: found.current };
    },
  };
}

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
