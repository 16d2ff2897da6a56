import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { INDEX_VERSION } from '../../shared/domain/sync-window';
import type { StoredTransaction } from '../../shared/domain/models';
import type { BankId, BankRecordVersion, GeneratedTransaction } from '../../shared/generator/types';
import { freshTable } from '../support/dynamodb';
import { DAY, HOUR, KIND, iso, windowedConnection } from '../support/windowed-connection';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
beforeAll(async () => {
  table = await freshTable('repair');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

/** A windowed connection (test/support/windowed-connection.ts) with what a repair test looks at in the table. */
async function upgraded(bank: BankId) {
  const w = await windowedConnection(bank, store);
  const { f } = w;
  const connTxnItems = async () => {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.connTxns(f.connection.id) },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  };
  const aliasItems = async () =>
    (
      await table.doc.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
          ExpressionAttributeValues: { ':pk': keys.connection(f.connection.id), ':a': 'ALIAS#' },
        }),
      )
    ).Items ?? [];
  return {
    ...w,
    connTxnItems,
    aliasItems,
    state: async () => (await store.getConnection(f.userId, f.connection.id))!.syncState,
    stored: () => store.listConnectionTransactions(f.userId, f.connection.id),
    /** The table as a deployment from before windowed syncs left it: id-only index keys, no aliases, no version. */
    async makeLegacy() {
      for (const item of await connTxnItems()) {
        await table.doc.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET gsi3sk = :id',
            ExpressionAttributeValues: { ':id': item.id },
          }),
        );
      }
      for (const a of await aliasItems()) {
        await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: a.pk, sk: a.sk } }));
      }
      const conn = (await store.getConnection(f.userId, f.connection.id))!;
      const { indexVersion: _, ...legacyState } = conn.syncState!;
      await store.updateConnection(f.userId, conn.id, { syncState: legacyState });
    },
  };
}

/** No bank id is stored on two transactions. */
function expectNoCopies(stored: StoredTransaction[]) {
  const ids = stored.flatMap((t) => t.providerTxnIds);
  expect(ids.length).toBeGreaterThan(0);
  expect(new Set(ids).size).toBe(ids.length);
}

describe.each(['bank_a', 'bank_c'] as const)('upgrading a connection stored before windows (%s)', (bank) => {
  it(
    'lists everything and repairs the index once, then windows find the old rows by date and by merged bank id',
    { timeout: 180_000 },
    async () => {
      const w = await upgraded(bank);
      // A card payment 50 days old (before any window's start), pending under one bank id at the first sync and
      // posted under another at the second: merged into one transaction.
      const now = w.f.bank.clock.now().getTime();
      const { t: old, current: oldVersion } = w.posted(50);
      const holdVersion = {
        ...oldVersion,
        bankTxnId: `${oldVersion.bankTxnId}-HOLD`,
        status: 'pending' as const,
        amountMinor: oldVersion.amountMinor - 500,
      };
      const mergedId = `${oldVersion.bankTxnId}-POST`;
      const postVersion: BankRecordVersion = {
        ...oldVersion,
        bankTxnId: mergedId,
        amountMinor: oldVersion.amountMinor - 700,
      };
      const generated: GeneratedTransaction = {
        ...old,
        id: `${old.id}-hold`,
        events: [
          { kind: 'appear', at: iso(now - 2 * HOUR), version: holdVersion },
          {
            kind: 'post',
            at: iso(now + 4 * HOUR),
            version: postVersion,
            replacesBankTxnId: holdVersion.bankTxnId,
          },
        ],
      };
      w.user.transactions.push(generated);

      // A new connection: its first sync starts from nothing stored, so there is nothing to repair.
      await w.sync();
      expect(w.listings).toEqual(['all']);
      expect(w.repairs).toEqual([]);
      expect((await w.state())?.indexVersion).toBe(INDEX_VERSION);
      w.advance(8 * HOUR);
      await w.sync();
      expect(w.listings).toEqual(['all', KIND[bank]]);
      const merged = (await w.stored()).find((t) => t.providerTxnIds.includes(mergedId))!;
      expect(merged.providerTxnIds).toEqual([holdVersion.bankTxnId, mergedId]);

      await w.makeLegacy();
      // The gap: the per-date read and the merged id's alias do not find a legacy row.
      const where = (q: { dates?: string[]; bankIds?: string[] }) =>
        store.listConnectionTransactionsWhere(w.f.userId, w.f.connection.id, q);
      expect(await where({ dates: [merged.original.date] })).toEqual([]);
      expect(await where({ bankIds: [mergedId] })).toEqual([]);

      // The first sync after the upgrade lists everything, and repairs under the lock.
      w.advance(8 * HOUR);
      await w.sync();
      expect(w.listings).toEqual(['all', KIND[bank], 'all']);
      expect(w.repairs).toHaveLength(1);
      expect(w.repairs[0]).toBeGreaterThan(0);
      // A long repair renews the lock as it goes (every 400 items it writes or finds written), not only before.
      expect(w.repairProgress[0]).toBeGreaterThanOrEqual(Math.floor(w.repairs[0]! / 400));
      expect((await w.state())?.indexVersion).toBe(INDEX_VERSION);
      for (const item of await w.connTxnItems()) {
        const original = item.original as { date: string };
        expect(item.gsi3sk).toBe(`${original.date}#${String(item.id)}`);
      }
      expect((await w.aliasItems()).map((a) => a.sk)).toContain(keys.alias(mergedId));
      expect((await where({ dates: [merged.original.date] })).map((t) => t.id)).toContain(merged.id);
      expect((await where({ bankIds: [mergedId] })).map((t) => t.id)).toEqual([merged.id]);
      expect(await w.f.stored()).toEqual(w.truth());

      // The bank corrects the old merged transaction: a windowed sync sees it under the merged id, dated before
      // the window, and updates the one stored copy.
      w.advance(8 * HOUR);
      generated.events.push({
        kind: 'correct',
        at: iso(w.f.bank.clock.now().getTime() - HOUR),
        field: 'amount',
        version: { ...postVersion, amountMinor: postVersion.amountMinor - 123 },
      });
      const { run } = await w.sync();
      expect(w.listings).toEqual(['all', KIND[bank], 'all', KIND[bank]]);
      expect(w.repairs).toHaveLength(1); // the index is current: no repair again
      expect(run.modified).toBeGreaterThan(0);
      expect(await w.f.stored()).toEqual(w.truth());
      const after = await w.stored();
      expectNoCopies(after);
      const corrected = after.find((t) => t.id === merged.id)!;
      expect(Math.abs(corrected.original.amountMinor - merged.original.amountMinor)).toBe(123);

      // The bank re-sends an old transaction (stored before the upgrade) under a new id: the window finds the
      // stored one by its date, before the window's start, and merges the re-send into it.
      const { t: resent, current: resentFrom } = w.posted(60);
      const storedResent = (await w.stored()).find((t) => t.providerTxnIds.includes(resentFrom.bankTxnId))!;
      expect(storedResent.original.date < iso(now - 40 * DAY)).toBe(true);
      w.advance(8 * HOUR);
      resent.events.push({
        kind: 'resend',
        at: iso(w.f.bank.clock.now().getTime() - HOUR),
        version: { ...resentFrom, bankTxnId: `${resentFrom.bankTxnId}-RESENT` },
      });
      await w.sync();
      expect(w.listings.at(-1)).toBe(KIND[bank]);
      expect(await w.f.stored()).toEqual(w.truth());
      const afterResend = await w.stored();
      expectNoCopies(afterResend);
      expect(afterResend.find((t) => t.id === storedResent.id)?.providerTxnIds).toEqual([
        resentFrom.bankTxnId,
        `${resentFrom.bankTxnId}-RESENT`,
      ]);

      // Repaired once: a second repair finds nothing to write.
      expect(await store.repairConnectionIndex(w.f.userId, w.f.connection.id)).toBe(0);
    },
  );
});

describe('repairConnectionIndex', () => {
  it('leaves alone a transaction written between its read and its update (the writer set the key)', async () => {
    const w = await upgraded('bank_c');
    await w.sync();
    await w.makeLegacy();
    const legacy = await w.connTxnItems();
    const versionOf = async (key: unknown) =>
      (await w.connTxnItems()).find((i) => JSON.stringify({ pk: i.pk, sk: i.sk }) === JSON.stringify(key))!
        .version;
    // A writer that gets in just before the repair's first update: a new version, with the key it writes itself.
    let raced: Record<string, unknown> | null = null;
    const doc = new Proxy(table.doc, {
      get(target, prop) {
        if (prop !== 'send') {
          const v = Reflect.get(target, prop) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        }
        return async (cmd: Parameters<typeof target.send>[0]) => {
          if (cmd instanceof UpdateCommand && !raced) {
            raced = cmd.input.Key!;
            await target.send(
              new UpdateCommand({
                TableName: table.tableName,
                Key: raced,
                UpdateExpression: 'SET version = version + :one, gsi3sk = :sk',
                ExpressionAttributeValues: { ':one': 1, ':sk': cmd.input.ExpressionAttributeValues![':sk'] },
              }),
            );
          }
          return target.send(cmd as never);
        };
      },
    });
    const racing = new DynamoStore(doc, table.tableName);
    const aliasesBefore = (await w.aliasItems()).length;
    const written = await racing.repairConnectionIndex(w.f.userId, w.f.connection.id);
    expect(raced).not.toBeNull();
    const aliases = (await w.aliasItems()).length - aliasesBefore;
    // Every legacy row but the raced one was updated by the repair; the raced one kept the writer's version.
    expect(written).toBe(legacy.length - 1 + aliases);
    const racedBefore = legacy.find((i) => JSON.stringify({ pk: i.pk, sk: i.sk }) === JSON.stringify(raced));
    expect(await versionOf(raced)).toBe(Number(racedBefore!.version) + 1);
    for (const item of await w.connTxnItems()) {
      expect(item.gsi3sk).toBe(`${(item.original as { date: string }).date}#${String(item.id)}`);
    }
    expect(await store.repairConnectionIndex(w.f.userId, w.f.connection.id)).toBe(0);
  });
});
