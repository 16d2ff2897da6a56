import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { reconcile } from '../../shared/domain/reconcile';
import type { BankTransaction } from '../../shared/domain/models';
import { freshTable } from '../support/dynamodb';
import { bankTxn } from '../support/bank-txn';

/**
 * DynamoDB only: the read cap of one list request (2,000 items in service; 200 here, so that the test writes 260
 * transactions instead of 2,600: the logic is the same, DynamoDB Local's transactional writes are slow). What every store does with transactions (writes,
 * events, the change feed, paging, filters) is the TransactionStore contract (test/contract/transactions.contract.test.ts);
 * accounts and quarantine are in connections.contract.test.ts and sync-runs.contract.test.ts.
 */
let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;

beforeAll(async () => {
  table = await freshTable('txns');
  store = new DynamoStore(table.doc, table.tableName, { maxScanned: 200 });
});
afterAll(async () => table?.drop());

const rec = bankTxn;

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

describe('listing transactions with filters', () => {
  // More than the 200 a request reads here: 260 transactions go through the sync's transactional writes.
  it(
    'reads at most its cap of transactions per list request: a selective filter pages on with short pages',
    { timeout: 240_000 },
    async () => {
      // 260 transactions; the only match is the oldest.
      const feed = Array.from({ length: 260 }, (_, i) =>
        rec(`s${i}`, {
          date: `2025-${String(1 + Math.floor(i / 25)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
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
      expect((await store.listTransactions('u6', {}, { limit: 150 })).items).toHaveLength(150);
    },
  );
});
