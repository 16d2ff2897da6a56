import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconcile, type ReconcileResult } from '../../../shared/domain/reconcile';
import type { BankTransaction, StoredTransaction } from '../../../shared/domain/models';

const base = {
  userId: 'u1',
  connectionId: 'c1',
  provider: 'bank_a',
  accountIdFor: (id: string) => `acct_${id}`,
  window: null,
};

function run(stored: StoredTransaction[], incoming: BankTransaction[], now = '2026-03-01T00:00:00.000Z') {
  return reconcile({ ...base, stored, incoming, now, actor: 'sync:test' });
}

function applyChanges(stored: StoredTransaction[], result: ReconcileResult): StoredTransaction[] {
  const map = new Map(stored.map((s) => [s.id, s]));
  for (const c of result.changes) {
    const prev = map.get(c.txn.id);
    expect(prev?.version ?? null).toBe(c.expectedVersion);
    // Events are numbered from the stored version on, one by one, and end at the new version.
    c.events.forEach((e, i) => expect(e.seq).toBe((c.expectedVersion ?? 0) + i + 1));
    expect(c.txn.version).toBe(c.events.at(-1)!.seq);
    map.set(c.txn.id, c.txn);
  }
  return [...map.values()];
}

const live = (s: StoredTransaction[]) => s.filter((t) => !t.removed);

function rec(over: Partial<BankTransaction> & { providerTxnId: string }): BankTransaction {
  return {
    providerAccountId: 'chk',
    status: 'posted',
    date: '2026-02-10',
    occurredAt: '2026-02-10T15:04:05.000Z',
    amountMinor: -450,
    currency: 'USD',
    description: 'SQ *BLUE BOTTLE COFFEE',
    merchantName: 'Blue Bottle Coffee',
    pendingTxnId: null,
    ...over,
  };
}

/** A feed of distinct real purchases: distinct ids, distinct instants. */
const feedArb = fc
  .uniqueArray(
    fc.record({
      n: fc.integer({ min: 0, max: 10_000 }),
      day: fc.integer({ min: 1, max: 28 }),
      sec: fc.integer({ min: 0, max: 86_399 }),
      amount: fc.integer({ min: -500_000, max: 500_000 }).filter((a) => a !== 0),
      merchant: fc.constantFrom(
        'SQ *BLUE BOTTLE',
        'WHOLEFDS MKT 10234',
        'UBER *TRIP',
        'NETFLIX.COM',
        'SHELL OIL 5744',
      ),
      status: fc.constantFrom('pending' as const, 'posted' as const),
      account: fc.constantFrom('chk', 'card'),
    }),
    { selector: (x) => x.n, minLength: 1, maxLength: 40 },
  )
  .map((xs) =>
    xs.map((x) =>
      rec({
        providerTxnId: `b${x.n}`,
        providerAccountId: x.account,
        status: x.status,
        date: `2026-02-${String(x.day).padStart(2, '0')}`,
        occurredAt: new Date(Date.UTC(2026, 1, x.day, 0, 0, x.sec)).toISOString(),
        amountMinor: x.amount,
        description: x.merchant,
        merchantName: null,
      }),
    ),
  );

describe('reconcile (properties)', () => {
  it('is idempotent: the same feed again changes nothing and writes no event', () => {
    fc.assert(
      fc.property(feedArb, (feed) => {
        const first = applyChanges([], run([], feed));
        expect(live(first)).toHaveLength(feed.length);
        expect(run(first, feed).changes).toEqual([]);
      }),
    );
  });

  it('does not depend on the order the bank paginated in', () => {
    fc.assert(
      fc.property(
        feedArb.chain((f) => fc.tuple(fc.constant(f), fc.shuffledSubarray(f, { minLength: f.length }))),
        ([feed, shuffled]) => {
          const a = applyChanges([], run([], feed));
          const b = applyChanges([], run([], shuffled));
          const key = (s: StoredTransaction[]) => s.map((t) => JSON.stringify(t)).sort();
          expect(key(b)).toEqual(key(a));
        },
      ),
    );
  });

  it('never stores a re-send twice, in the same feed or a later one', () => {
    fc.assert(
      fc.property(feedArb, fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (feed, picks, later) => {
        const resends = picks.map((p, i) => ({ ...feed[p % feed.length]!, providerTxnId: `resend${i}` }));
        const uniqueResent = new Set(picks.map((p) => p % feed.length)).size;
        let stored = applyChanges([], run([], later ? feed : [...feed, ...resends]));
        if (later) stored = applyChanges(stored, run(stored, [...feed, ...resends]));
        expect(live(stored)).toHaveLength(feed.length);
        expect(uniqueResent).toBeLessThanOrEqual(resends.length);
        expect(run(stored, [...feed, ...resends]).changes).toEqual([]);
      }),
    );
  });

  it('tombstones what the bank removes, and only that', () => {
    fc.assert(
      fc.property(feedArb, fc.nat(), (feed, pick) => {
        const stored = applyChanges([], run([], feed));
        const gone = feed[pick % feed.length]!;
        const result = run(
          stored,
          feed.filter((r) => r !== gone),
        );
        expect(result.removed).toBe(1);
        expect(result.changes.map((c) => c.events.map((e) => e.kind))).toEqual([['removed']]);
        const after = applyChanges(stored, result);
        expect(live(after)).toHaveLength(feed.length - 1);
        // Still in history: the item is kept, flagged removed.
        expect(after).toHaveLength(feed.length);
      }),
    );
  });
});

describe('reconcile (cases)', () => {
  it('keeps two genuinely identical purchases apart (same day, amount, merchant; different instants)', () => {
    const feed = [
      rec({ providerTxnId: 'a1' }),
      rec({ providerTxnId: 'a2', occurredAt: '2026-02-10T15:09:41.000Z' }),
    ];
    const stored = applyChanges([], run([], feed));
    expect(live(stored)).toHaveLength(2);
  });

  it('follows a pending purchase that posts under a new id with a tip, recording both changes', () => {
    const pending = rec({
      providerTxnId: 'p1',
      status: 'pending',
      amountMinor: -2000,
      description: 'TST* JOES PIZZA',
    });
    const stored = applyChanges([], run([], [pending]));
    const posted = rec({
      providerTxnId: 'x9',
      status: 'posted',
      amountMinor: -2400,
      description: 'TST* JOES PIZZA BROOKLYN',
      date: '2026-02-12',
    });
    const result = run(stored, [posted]);
    expect(result.added).toBe(0);
    expect(result.removed).toBe(0);
    const after = applyChanges(stored, result);
    expect(live(after)).toHaveLength(1);
    const t = after[0]!;
    expect(t.providerTxnIds).toEqual(['p1', 'x9']);
    expect(t.original).toMatchObject({ status: 'posted', amountMinor: -2400 });
    expect(result.changes[0]!.events.map((e) => e.kind)).toEqual([
      'merged',
      'amount_changed',
      'description_changed',
      'status_changed',
      'date_changed',
    ]);
    expect(result.changes[0]!.events[1]).toMatchObject({
      before: { amount: '-20.00' },
      after: { amount: '-24.00' },
    });
    expect(run(after, [posted]).changes).toEqual([]);
  });

  it('uses the bank link from posted to pending when there is one', () => {
    const stored = applyChanges(
      [],
      run([], [rec({ providerTxnId: 'p1', status: 'pending', amountMinor: -100 })]),
    );
    const posted = rec({
      providerTxnId: 'q1',
      pendingTxnId: 'p1',
      amountMinor: -4512,
      description: 'SHELL OIL',
    });
    const after = applyChanges(stored, run(stored, [posted]));
    expect(live(after)).toHaveLength(1);
  });

  it('records a bank correction of the description under the same id', () => {
    const stored = applyChanges(
      [],
      run([], [rec({ providerTxnId: 'a1', description: 'AMZN MKTP US*2K4L' })]),
    );
    const result = run(stored, [rec({ providerTxnId: 'a1', description: 'AMAZON MARKETPLACE' })]);
    expect(result.modified).toBe(1);
    expect(result.changes[0]!.events).toMatchObject([
      {
        kind: 'description_changed',
        before: { description: 'AMZN MKTP US*2K4L' },
        after: { description: 'AMAZON MARKETPLACE' },
        actor: 'sync:test',
      },
    ]);
  });

  it('does not judge removal outside the window the bank showed', () => {
    const stored = applyChanges([], run([], [rec({ providerTxnId: 'old', date: '2025-01-01' })]));
    const r = reconcile({
      ...base,
      stored,
      incoming: [],
      window: { from: '2026-01-01', to: '2026-03-01' },
      now: 'n',
      actor: 'a',
    });
    expect(r.changes).toEqual([]);
  });

  it('restores a transaction that comes back', () => {
    const feed = [rec({ providerTxnId: 'a1' })];
    let stored = applyChanges([], run([], feed));
    stored = applyChanges(stored, run(stored, []));
    const back = run(stored, feed);
    expect(back.changes[0]!.events.map((e) => e.kind)).toEqual(['restored']);
  });
});

describe('reconcile (posting under a new id: identity)', () => {
  it('does not take a different payment for the posting of a vanished pending one', () => {
    // The bank dropped a pending payment; another one at a similar merchant posts: different authorization.
    const stored = applyChanges(
      [],
      run(
        [],
        [
          rec({
            providerTxnId: 'p1',
            status: 'pending',
            description: 'POS DEBIT E',
            occurredAt: '2026-02-10T16:21:47.000Z',
          }),
        ],
      ),
    );
    const other = rec({
      providerTxnId: 'q2',
      description: 'POS DEBIT VPZ 913 CROYDON',
      occurredAt: '2026-02-11T08:20:30.000Z',
      date: '2026-02-11',
    });
    const result = run(stored, [other]);
    expect(result.added).toBe(1);
    expect(result.removed).toBe(1);
  });

  it('matches by the bank reference where there is no time, and refuses a different reference', () => {
    const pending = rec({
      providerTxnId: 'p1',
      status: 'pending',
      occurredAt: null,
      reference: '111111',
      description: 'POS DEBIT CANTEEN',
    });
    const stored = applyChanges([], run([], [pending]));
    const same = rec({
      providerTxnId: 'x1',
      occurredAt: null,
      reference: '111111',
      amountMinor: -600,
      description: 'POS DEBIT CANTEEN BRISTOL',
    });
    expect(run(stored, [same]).added).toBe(0);
    const different = rec({
      providerTxnId: 'x2',
      occurredAt: null,
      reference: '222222',
      amountMinor: -600,
      description: 'POS DEBIT CANTEEN',
    });
    expect(run(stored, [different]).added).toBe(1);
  });
});
