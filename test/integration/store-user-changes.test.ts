import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { applyCorrection, conflictsOf, revertCorrections } from '../../shared/domain/corrections';
import type { BankTransaction, StoredTransaction } from '../../shared/domain/models';
import { reconcile } from '../../shared/domain/reconcile';
import { effective } from '../../shared/domain/transactions';
import { HttpProblem } from '../../shared/http/problem';
import { ManualClock } from '../../shared/ports/clock';
import type { Store } from '../../shared/ports/store';
import { correctTransaction, recategorize, undoCorrection } from '../../shared/services/corrections';
import { freshTable } from '../support/dynamodb';
import { bankTxn } from '../support/bank-txn';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;

beforeAll(async () => {
  table = await freshTable('corrections');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

const rec = (id: string, over: Partial<BankTransaction> = {}): BankTransaction =>
  bankTxn(id, { description: `BLUE BOTTLE COFFEE ${id}`, ...over });

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
    actor: 'sync:run1',
  });
  return store.applyTransactionChanges(result.changes);
}

async function only(userId: string): Promise<StoredTransaction> {
  const page = await store.listTransactions(userId, {}, { limit: 10 });
  expect(page.items).toHaveLength(1);
  return page.items[0]!;
}

const ctx = (userId: string, now = '2026-02-11T00:00:00.000Z') => ({ actor: `user:${userId}`, now });

// The UserChangeStore's write path (overlay, stale versions, events never overwritten, batches) and user rules are
// the contract suites' (test/contract/transactions.contract.test.ts, insights.contract.test.ts), on every backend.
describe('the user-change write path', () => {
  it('keeps the overlay and category through syncs, which show bank changes as conflicts', async () => {
    await sync('u4', 'c4', [rec('1')], '2026-02-10T12:00:00.000Z');
    const t = await only('u4');
    const change = applyCorrection(
      t,
      { amountMinor: -800, category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' } },
      ctx('u4'),
    )!;
    await store.applyUserChange(change);
    // The bank corrects the amount and the description.
    expect(
      await sync(
        'u4',
        'c4',
        [rec('1', { amountMinor: -1100, description: 'BLUE BOTTLE' })],
        '2026-02-12T00:00:00.000Z',
      ),
    ).toEqual({ applied: 1, conflicts: [] });
    const stored = (await store.getTransaction('u4', t.id))!;
    expect(effective(stored)).toMatchObject({ amountMinor: -800, description: 'BLUE BOTTLE' });
    expect(stored.category).toMatchObject({ source: 'user', detailed: 'FOOD_AND_DRINK_COFFEE' });
    expect(conflictsOf(stored)).toEqual([
      { field: 'amount', user_value: '-8.00', bank_value: '-11.00', bank_value_at_correction: '-10.00' },
    ]);
    // Undo removes the overlay attribute and restores the category.
    const undo = revertCorrections(stored, undefined, ctx('u4', '2026-02-13T00:00:00.000Z'))!;
    await store.applyUserChange(undo);
    const back = (await store.getTransaction('u4', t.id))!;
    expect(back.overlay).toBeUndefined();
    expect(back.category ?? null).toBeNull();
    expect(effective(back).amountMinor).toBe(-1100);
    expect((await store.listTransactionEvents(t.id)).map((e) => e.kind)).toEqual([
      'created',
      'corrected',
      'amount_changed',
      'description_changed',
      'correction_reverted',
    ]);
  });
});

describe('the correction service on DynamoDB', () => {
  const clock = new ManualClock('2026-02-11T00:00:00.000Z');

  it('re-reads and recomputes when the sync writes in between, and changes nothing on bad input', async () => {
    await sync('s1', 'cs1', [rec('1')], '2026-02-10T12:00:00.000Z');
    const t = await only('s1');
    let raced = false;
    // The bank's change lands between the service's read and its write, once.
    const racing: Store = Object.assign(Object.create(store) as DynamoStore, {
      applyUserChange: async (change: Parameters<Store['applyUserChange']>[0]) => {
        if (!raced) {
          raced = true;
          await sync('s1', 'cs1', [rec('1', { amountMinor: -1300 })], '2026-02-10T13:00:00.000Z');
        }
        return store.applyUserChange(change);
      },
    });
    const view = await correctTransaction({ store: racing, clock }, 's1', t.id, {
      description: 'Coffee',
      note: 'why',
    });
    expect(view).toMatchObject({ description: 'Coffee', amount: '-13.00', reconciled: true, conflicts: [] });
    expect((await store.listTransactionEvents(t.id)).map((e) => [e.seq, e.kind])).toEqual([
      [1, 'created'],
      [2, 'amount_changed'],
      [3, 'corrected'],
    ]);

    const before = (await store.getTransaction('s1', t.id))!;
    const bad = correctTransaction({ store, clock }, 's1', t.id, { amount: '1.234' });
    await expect(bad).rejects.toBeInstanceOf(HttpProblem);
    await expect(bad).rejects.toMatchObject({ status: 400, errors: [{ path: 'body.amount' }] });
    await expect(
      correctTransaction({ store, clock }, 'other', t.id, { description: 'x' }),
    ).rejects.toMatchObject({
      status: 404,
    });
    await expect(undoCorrection({ store, clock }, 'other', t.id)).rejects.toMatchObject({ status: 404 });
    expect(await store.getTransaction('s1', t.id)).toEqual(before);
  });

  it('creates a rule from a category correction and re-categorizes past transactions, sparing user overrides', async () => {
    await sync(
      's2',
      'cs2',
      [rec('1'), rec('2'), rec('3'), rec('4', { description: 'PEETS COFFEE 4' })],
      'now',
    );
    const all = (await store.listTransactions('s2', {}, { limit: 10 })).items;
    const [a, b, c] = all.filter((t) => t.original.description.startsWith('BLUE'));
    // The user set b's category by hand before.
    await correctTransaction({ store, clock }, 's2', b!.id, {
      category: { primary: 'TRAVEL', detailed: null },
    });
    const out = await correctTransaction({ store, clock }, 's2', a!.id, {
      category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
      create_rule: true,
      note: 'always coffee',
    });
    expect(out).toMatchObject({
      category: { source: 'user', detailed: 'FOOD_AND_DRINK_COFFEE' },
      rule: { match: { merchant: 'Blue Bottle Coffee' } },
      recategorized: 1,
    });
    const rules = await store.listUserRules('s2');
    expect(rules).toHaveLength(1);
    expect((await store.getTransaction('s2', c!.id))!.category).toMatchObject({
      source: 'user_rule',
      ruleId: rules[0]!.id,
    });
    expect((await store.getTransaction('s2', b!.id))!.category).toMatchObject({
      source: 'user',
      primary: 'TRAVEL',
    });
    const peets = all.find((t) => t.original.description.startsWith('PEETS'))!;
    expect((await store.getTransaction('s2', peets.id))!.category ?? null).toBeNull();
    // Again: nothing changes, no event.
    const versions = await Promise.all(
      all.map(async (t) => (await store.getTransaction('s2', t.id))!.version),
    );
    expect(await recategorize(store, 's2', rules[0]!, 'later')).toBe(0);
    const again = await correctTransaction({ store, clock }, 's2', a!.id, {
      category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
      create_rule: true,
      note: 'always coffee',
    });
    expect(again).toMatchObject({ recategorized: 0 });
    expect(
      await Promise.all(all.map(async (t) => (await store.getTransaction('s2', t.id))!.version)),
    ).toEqual(versions);
    expect(await store.listUserRules('s2')).toEqual(rules);
  });
});
