import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PgChangeFeed } from '../../shared/adapters/postgres/change-feed';
import { rows } from '../../shared/adapters/postgres/db';
import { appendOutbox, outboxTransaction } from '../../shared/adapters/postgres/outbox';
import { relayNudger } from '../../shared/runtime-postgres';
import { PostgresStore } from '../../shared/adapters/postgres/store';
import type { Budget } from '../../shared/domain/budgets';
import { reconcile } from '../../shared/domain/reconcile';
import type { ChangeNudge, ChangeSink, StoreChange } from '../../shared/ports/change-feed';
import { ManualClock } from '../../shared/ports/clock';
import { relayOutbox } from '../../shared/services/outbox-relay';
import { bankTxn } from '../support/bank-txn';
import { freshPglite, freshPostgres, type TestDatabase } from '../support/postgres';

/**
 * The outbox relay against the real outbox (migrations 0001 + 0020) on PGlite and the machine's PostgreSQL: rows
 * are inserted straight into the table (what the adapter's writers append in their transactions).
 */
const backends: [string, () => Promise<TestDatabase>][] = [
  ['PGlite', freshPglite],
  ['PostgreSQL', () => freshPostgres()],
];

describe.each(backends)('the outbox relay on %s', (_name, open) => {
  let db: TestDatabase;
  let feed: PgChangeFeed;
  const clock = new ManualClock('2026-12-01T10:00:00Z');

  beforeAll(async () => {
    db = await open();
    feed = new PgChangeFeed(db.conn);
  });
  afterAll(() => db?.drop());

  async function append(userId: string, n: number, entity = 'transaction'): Promise<void> {
    for (let i = 0; i < n; i++) {
      await db.conn.db.execute(sql`
        INSERT INTO outbox (user_id, entity, event_name, before, after)
        VALUES (${userId}, ${entity}, 'INSERT', NULL, ${JSON.stringify({ entity, userId, n: i })}::jsonb)`);
    }
  }
  async function reset(): Promise<void> {
    await db.conn.db.execute(sql`DELETE FROM outbox`);
    await db.conn.db.execute(sql`UPDATE outbox_relay SET owner = NULL, lease_until = NULL, again = false`);
  }
  const unrelayed = async () =>
    (
      await rows<{ n: number }>(
        db.conn.db,
        sql`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL AND dead_at IS NULL`,
      )
    )[0]!.n;

  /** A sink that records what it got, failing the changes `fail` says. */
  function recorder(fail: (c: StoreChange) => string | null = () => null) {
    const got: StoreChange[] = [];
    const sink: ChangeSink = {
      async deliver(changes) {
        const failed = new Map<string, string | null>();
        const blocked = new Set<string>();
        for (const c of changes) {
          if (blocked.has(c.userId)) {
            failed.set(c.id, null);
            continue;
          }
          const error = fail(c);
          if (error) {
            failed.set(c.id, error);
            blocked.add(c.userId);
          } else got.push(c);
        }
        return { failed };
      },
    };
    return { got, sink };
  }

  it('delivers every change once, in seq order, and marks it delivered', async () => {
    await reset();
    await append('a', 3);
    await append('b', 2);
    await append('a', 2);
    const { got, sink } = recorder();
    const result = await relayOutbox({ feed, sink, clock }, { owner: 'r1', batchSize: 3 });
    expect(result).toMatchObject({ ran: true, delivered: 7, failed: 0, batches: 3 });
    const ids = got.map((c) => Number(c.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(got.filter((c) => c.userId === 'a').map((c) => c.after!.n)).toEqual([0, 1, 2, 0, 1]);
    expect(got[0]).toMatchObject({ entity: 'transaction', eventName: 'INSERT', before: null });
    expect(await unrelayed()).toBe(0);
    const again = recorder();
    expect((await relayOutbox({ feed, sink: again.sink, clock }, { owner: 'r1' })).delivered).toBe(0);
    expect(again.got).toEqual([]);
  });

  it('holds back a failed change and its user’s later ones, retries after the backoff, then dead-letters', async () => {
    await reset();
    await append('a', 2);
    await append('b', 1);
    let failing = true;
    const { got, sink } = recorder((c) => (failing && c.userId === 'a' && c.after!.n === 0 ? 'boom' : null));
    const first = await relayOutbox({ feed, sink, clock }, { owner: 'r1', maxAttempts: 3 });
    expect(first).toMatchObject({ delivered: 1, failed: 2 });
    expect(got.map((c) => c.userId)).toEqual(['b']);
    // Within the backoff, user a's changes wait.
    expect((await relayOutbox({ feed, sink, clock }, { owner: 'r1', maxAttempts: 3 })).batches).toBe(0);
    clock.advance(1_000);
    await relayOutbox({ feed, sink, clock }, { owner: 'r1', maxAttempts: 3 }); // attempt 2 fails
    clock.advance(2_000);
    const third = await relayOutbox({ feed, sink, clock }, { owner: 'r1', maxAttempts: 3 }); // attempt 3: dead
    expect(third.dead).toEqual([
      expect.objectContaining({ userId: 'a', entity: 'transaction', attempts: 3, error: 'boom' }),
    ]);
    // The dead letter stays in the outbox with its error; the user's later change goes on.
    expect(got.map((c) => `${c.userId}${String(c.after!.n)}`)).toEqual(['b0', 'a1']);
    const dead = await feed.dead();
    expect(dead).toEqual([expect.objectContaining({ userId: 'a', attempts: 3, error: 'boom' })]);
    expect(await unrelayed()).toBe(0);
    failing = false;
  });

  it('lets one relay work at a time; the other asks for a pass, so nothing waits and nothing is sent twice', async () => {
    await reset();
    await append('a', 5);
    await append('b', 5);
    const { got, sink } = recorder();
    const slow: ChangeSink = {
      async deliver(changes) {
        await new Promise((r) => setTimeout(r, 20));
        return sink.deliver(changes);
      },
    };
    const results = await Promise.all(
      ['r1', 'r2', 'r3'].map((owner) => relayOutbox({ feed, sink: slow, clock }, { owner, batchSize: 2 })),
    );
    expect(results.filter((r) => r.ran).length).toBeGreaterThanOrEqual(1);
    expect(got).toHaveLength(10);
    expect(new Set(got.map((c) => c.id)).size).toBe(10);
    for (const user of ['a', 'b']) {
      expect(got.filter((c) => c.userId === user).map((c) => c.after!.n)).toEqual([0, 1, 2, 3, 4]);
    }
    // A change written while the holder works is not left behind by the relay that was turned away.
    await append('c', 1);
    const holder = recorder();
    await feed.acquire('holder', clock.now(), new Date(clock.now().getTime() + 60_000));
    expect((await relayOutbox({ feed, sink: holder.sink, clock }, { owner: 'late' })).ran).toBe(false);
    expect(await feed.release('holder')).toBe(false); // asked for another pass: keeps the lease
    await relayOutbox({ feed, sink: holder.sink, clock }, { owner: 'holder' });
    expect(holder.got.map((c) => c.userId)).toEqual(['c']);
  });

  it('sends again what a relay that died between send and mark had sent (at least once)', async () => {
    await reset();
    await append('a', 2);
    const { got, sink } = recorder();
    const dying = Object.create(feed) as PgChangeFeed;
    dying.delivered = () => Promise.reject(new Error('killed'));
    await expect(relayOutbox({ feed: dying, sink, clock }, { owner: 'r1', leaseMs: 30_000 })).rejects.toThrow(
      'killed',
    );
    expect(got).toHaveLength(2);
    // Its lease still runs: another relay waits for it to run out.
    expect((await relayOutbox({ feed, sink, clock }, { owner: 'r2' })).ran).toBe(false);
    clock.advance(30_001);
    const result = await relayOutbox({ feed, sink, clock }, { owner: 'r2' });
    expect(result.delivered).toBe(2);
    expect(got.map((c) => c.id)).toEqual([got[0]!.id, got[1]!.id, got[0]!.id, got[1]!.id]);
    expect(await unrelayed()).toBe(0);
  });
});

describe('the relay nudge: only after a commit of outbox rows (outbox.ts outboxTransaction)', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  let commits = 0;
  const budget = (id: string): Budget => ({
    id,
    userId: 'u-nudge',
    category: 'FOOD_AND_DRINK',
    period: 'monthly',
    limitMinor: 10_000,
    currency: 'USD',
    thresholds: [0.8, 1],
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
  });

  beforeAll(async () => {
    db = await freshPglite();
    db.conn.onOutboxCommit = () => void commits++;
    store = new PostgresStore(db.conn);
  });
  afterAll(() => db?.drop());

  it('fires once per committed transaction that appended outbox rows, never for one that did not', async () => {
    await store.putNewBudget(budget('b1'));
    expect(commits).toBe(1);
    // Rolled back (the budget exists): nothing committed, nothing to relay.
    await expect(store.putNewBudget(budget('b1'))).rejects.toThrow();
    expect(commits).toBe(1);
    // Unchanged: the transaction commits, but appends no row.
    await store.replaceBudget(budget('b1'));
    expect(commits).toBe(1);
    await store.replaceBudget({ ...budget('b1'), limitMinor: 20_000 });
    expect(commits).toBe(2);
    // A transaction that writes no outbox row (nothing to delete) and a plain read.
    expect(await store.deleteBudget('u-nudge', 'absent')).toBe(false);
    await store.listBudgets('u-nudge');
    expect(commits).toBe(2);
    await outboxTransaction(db.conn, async (tx) => {
      await tx.execute(sql`SELECT 1`);
    });
    expect(commits).toBe(2);
    await store.requestRecategorization('u-nudge', '2026-12-01T10:00:00.000Z', 'test');
    expect(commits).toBe(3);
    // Nothing to replay: the statement appends no row.
    expect(await store.replayTransactions('u-nudge', '2026-12-01T11:00:00.000Z')).toBe(0);
    expect(commits).toBe(3);
    // Rows appended in SQL: a sync's write (one chunk, one transaction), then the replay's single statement.
    const { changes } = reconcile({
      userId: 'u-nudge',
      connectionId: 'c1',
      provider: 'bank_a',
      accountIdFor: (a) => `acct_${a}`,
      stored: [],
      incoming: [bankTxn('r1'), bankTxn('r2')],
      window: null,
      now: '2026-12-01T10:00:00.000Z',
      actor: 'sync:t',
    });
    expect(await store.applyTransactionChanges(changes)).toEqual({ applied: 2, conflicts: [] });
    expect(commits).toBe(4);
    // The same writes again: their expected versions fail, nothing is written.
    expect((await store.applyTransactionChanges(changes)).applied).toBe(0);
    expect(commits).toBe(4);
    expect(await store.replayTransactions('u-nudge', '2026-12-01T11:00:00.000Z')).toBe(2);
    expect(commits).toBe(5);
  });

  it('refuses outbox rows appended outside outboxTransaction (they would not nudge)', async () => {
    await expect(
      db.conn.db.transaction((tx) =>
        appendOutbox(tx, [{ userId: 'u', entity: 'budget', eventName: 'INSERT', before: null, after: {} }]),
      ),
    ).rejects.toThrow(/outboxTransaction/);
  });

  it('keeps one nudge in flight, and covers the commits meanwhile with one more', async () => {
    const pending: (() => void)[] = [];
    const nudge: ChangeNudge = {
      nudge: () => new Promise<void>((resolve) => pending.push(resolve)),
    };
    const fire = relayNudger(() => nudge);
    fire();
    fire();
    fire();
    expect(pending).toHaveLength(1);
    pending.shift()!();
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    pending.shift()!();
    await new Promise((r) => setTimeout(r, 10));
    expect(pending).toHaveLength(0);
  });
});
