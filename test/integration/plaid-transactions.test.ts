import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import type { SyncJob } from '../../shared/domain/jobs';
import type { BankTransaction, Connection } from '../../shared/domain/models';
import { PlaidError } from '../../shared/domain/plaid/errors';
import { pendingPlaidId } from '../../shared/domain/plaid/transactions';
import { reconcile, transactionId } from '../../shared/domain/reconcile';
import { ManualClock } from '../../shared/ports/clock';
import type { ResolvedItem } from '../../shared/services/plaid/items';
import {
  getTransactions,
  recurringTransactions,
  refreshTransactions,
  syncTransactions,
  type PlaidTransactionsDeps,
} from '../../shared/services/plaid/transactions';
import { freshTable } from '../support/dynamodb';
import { bankTxn } from '../support/bank-txn';

/**
 * The Plaid transactions service over the DynamoDB adapter: the change feed of one user holding two items'
 * connections, the running-sync cap, pending histories read from the events, /transactions/get's range and pages.
 */

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
const queued: SyncJob[] = [];
let deps: PlaidTransactionsDeps;

const USER = 'plaid.app.u1';
const rec = bankTxn;

async function bankSync(conn: string, feed: BankTransaction[], now: string) {
  const stored = await store.listConnectionTransactions(USER, conn);
  const result = reconcile({
    userId: USER,
    connectionId: conn,
    provider: 'bank_a',
    accountIdFor: (a) => `acct_${conn}_${a}`,
    stored,
    incoming: feed,
    window: null,
    now,
    actor: 'sync:t',
  });
  await store.applyTransactionChanges(result.changes);
}

function connection(id: string, over: Partial<Connection> = {}): Connection {
  return {
    id,
    userId: USER,
    provider: 'bank_a',
    status: 'active',
    tokens: 'x',
    accessTokenExpiresAt: '2026-03-01T01:00:00.000Z',
    createdAt: '2026-02-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
    lastSyncAt: '2026-02-13T00:00:00.000Z',
    ...over,
  };
}

function item(conn: Connection): ResolvedItem {
  return {
    connection: conn,
    item: {
      itemId: `item_${conn.id}`,
      clientId: 'app',
      clientUserId: 'u1',
      userId: USER,
      connectionId: conn.id,
      institutionId: 'ins_bank_a',
      products: ['transactions'],
      webhook: null,
      status: 'active',
      errorCode: null,
      accessTokenHash: 'h',
      createdAt: conn.createdAt,
      updatedAt: conn.updatedAt,
    },
  } as ResolvedItem;
}

beforeAll(async () => {
  table = await freshTable('plaidtxn');
  store = new DynamoStore(table.doc, table.tableName);
  deps = { store, clock, cursorKey: 'k', syncQueue: { send: async (m) => void queued.push(m) } };
  await store.upsertAccounts(
    ['c1', 'c2'].map((c) => ({
      id: `acct_${c}_chk`,
      userId: USER,
      connectionId: c,
      provider: 'bank_a',
      providerAccountId: 'chk',
      name: 'Checking',
      mask: '0001',
      type: 'depository' as const,
      subtype: 'checking',
      currency: 'USD',
      timeZone: null,
      balanceCurrentMinor: 0,
      balanceAvailableMinor: 0,
      createdAt: '2026-02-01T00:00:00.000Z',
      updatedAt: '2026-02-01T00:00:00.000Z',
    })),
  );
});
afterAll(async () => table?.drop());

describe('Plaid transactions over DynamoDB', () => {
  const c1 = connection('c1');
  const c2 = connection('c2');
  let cursor = '';

  it("pages the item's connection only, with has_more, and a pending one under its pending id", async () => {
    await bankSync(
      'c1',
      [rec('1'), rec('2', { date: '2026-02-11' }), rec('3', { status: 'pending', date: '2026-02-12' })],
      '2026-02-13T00:00:00.000Z',
    );
    await bankSync('c2', [rec('8'), rec('9')], '2026-02-13T00:00:00.000Z');
    const ids: string[] = [];
    for (let pages = 1; ; pages++) {
      const page = await syncTransactions(deps, item(c1), { cursor, count: 2 });
      expect(page.modified).toEqual([]);
      ids.push(...page.added.map((t) => t.transaction_id));
      cursor = page.next_cursor;
      if (!page.has_more) {
        expect(pages).toBe(2);
        break;
      }
    }
    expect(ids.sort()).toEqual(
      [transactionId('c1', '1'), transactionId('c1', '2'), pendingPlaidId(transactionId('c1', '3'))].sort(),
    );
    // Nothing more, and the cursor belongs to this item only.
    expect((await syncTransactions(deps, item(c1), { cursor })).added).toEqual([]);
    await expect(syncTransactions(deps, item(c2), { cursor })).rejects.toMatchObject({
      code: 'INVALID_FIELD',
    });
  });

  it('holds back what a running sync writes; then the posting is removed + added and the correction modified', async () => {
    const startedAt = '2026-02-14T00:00:00.000Z';
    await store.putSyncRun({
      id: 'run2',
      userId: USER,
      connectionId: 'c1',
      reason: 'manual',
      status: 'running',
      startedAt,
      finishedAt: null,
      pages: 0,
      added: 0,
      modified: 0,
      removed: 0,
      merged: 0,
      quarantined: 0,
      errors: [],
      leaseExpiresAt: '2026-03-01T00:05:00.000Z',
    });
    await bankSync(
      'c1',
      [
        rec('1', { amountMinor: -1250 }),
        rec('2', { date: '2026-02-11' }),
        rec('3b', { pendingTxnId: '3', date: '2026-02-13', amountMinor: -1100 }),
      ],
      '2026-02-14T00:00:01.000Z',
    );
    const held = await syncTransactions(deps, item(c1), { cursor });
    expect(held).toMatchObject({ added: [], modified: [], removed: [], has_more: false });
    await store.putSyncRun({
      id: 'run2',
      userId: USER,
      connectionId: 'c1',
      reason: 'manual',
      status: 'succeeded',
      startedAt,
      finishedAt: '2026-02-14T00:00:02.000Z',
      pages: 1,
      added: 0,
      modified: 2,
      removed: 0,
      merged: 1,
      quarantined: 0,
      errors: [],
      leaseExpiresAt: null,
    });
    const page = await syncTransactions(deps, item(c1), { cursor: held.next_cursor });
    const posted = transactionId('c1', '3');
    expect(page.removed).toEqual([{ transaction_id: pendingPlaidId(posted), account_id: 'acct_c1_chk' }]);
    expect(page.added).toEqual([
      expect.objectContaining({
        transaction_id: posted,
        pending: false,
        pending_transaction_id: pendingPlaidId(posted),
        amount: 11,
      }),
    ]);
    expect(page.modified).toEqual([
      expect.objectContaining({ transaction_id: transactionId('c1', '1'), amount: 12.5 }),
    ]);
  });

  it('/transactions/get: the range, newest first, count and offset, total; the posting names its pending', async () => {
    const all = await getTransactions(deps, item(c1), { startDate: '2026-02-01', endDate: '2026-02-28' });
    expect(all.total_transactions).toBe(3);
    expect(all.transactions.map((t) => t.date)).toEqual(['2026-02-13', '2026-02-11', '2026-02-10']);
    expect(all.transactions[0]!.pending_transaction_id).toBe(pendingPlaidId(transactionId('c1', '3')));
    expect(all.transactions[2]!.pending_transaction_id).toBeNull();
    const page = await getTransactions(deps, item(c1), {
      startDate: '2026-02-11',
      endDate: '2026-02-28',
      count: 1,
      offset: 1,
    });
    expect(page).toMatchObject({ total_transactions: 2, transactions: [{ date: '2026-02-11' }] });
    await expect(
      getTransactions(deps, item(c1), {
        startDate: '2026-02-01',
        endDate: '2026-02-28',
        accountIds: ['acct_c2_chk'],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ACCOUNT_ID' });
    await expect(
      getTransactions(deps, item(c1), { startDate: '2026-03-01', endDate: '2026-02-01' }),
    ).rejects.toBeInstanceOf(PlaidError);
  });

  it('PRODUCT_NOT_READY before the first sync; /transactions/sync says NOT_READY; refresh queues a sync', async () => {
    const fresh = connection('c1', { lastSyncAt: undefined });
    await expect(
      getTransactions(deps, item(fresh), { startDate: '2026-02-01', endDate: '2026-02-28' }),
    ).rejects.toMatchObject({
      code: 'PRODUCT_NOT_READY',
    });
    await expect(recurringTransactions(deps, item(fresh), {})).rejects.toMatchObject({
      code: 'PRODUCT_NOT_READY',
    });
    expect(await syncTransactions(deps, item(fresh), {})).toMatchObject({
      transactions_update_status: 'NOT_READY',
      added: [],
    });
    await refreshTransactions(deps, item(c1));
    expect(queued).toEqual([
      expect.objectContaining({ type: 'sync', connection_id: 'c1', user_id: USER, reason: 'manual' }),
    ]);
  });
});
