import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeKeyCursor, encodeKeyCursor, type KeyCursorQuery } from '../../shared/adapters/dynamodb/cursor';
import { openCursor, sealCursor } from '../../shared/cursor';
import { InvalidCursorError } from '../../shared/ports/store';

const connections: KeyCursorQuery = {
  list: 'connections',
  pkAttr: 'pk',
  pk: 'USER#alice',
  skAttr: 'sk',
  skWithin: (sk) => sk.startsWith('CONN#'),
};
const transactions: KeyCursorQuery = {
  list: 'transactions',
  pkAttr: 'gsi1pk',
  pk: 'TXNS#alice',
  skAttr: 'gsi1sk',
  skWithin: (sk) => sk >= '2024-01-01' && sk <= '2024-12-31~',
  tableKey: { pk: 'USER#alice', skPrefix: 'TXN#' },
};
const txnKey = { gsi1pk: 'TXNS#alice', gsi1sk: '2024-05-01#txn_1', pk: 'USER#alice', sk: 'TXN#txn_1' };

/** A cursor of any JSON payload under the caller's own scope tag: what a client can forge. */
const forged = (query: KeyCursorQuery, payload: unknown) =>
  sealCursor({ list: query.list, owner: `${query.pkAttr}=${query.pk}` }, payload);

describe('key cursors (shared/adapters/dynamodb/cursor.ts)', () => {
  it('round-trip a start key of the query', () => {
    const c = encodeKeyCursor(transactions, txnKey)!;
    expect(decodeKeyCursor(transactions, c)).toEqual(txnKey);
    expect(encodeKeyCursor(transactions, undefined)).toBeNull();
  });

  it("refuse another user's, another list's or another partition's cursor", () => {
    const c = encodeKeyCursor(connections, { pk: 'USER#alice', sk: 'CONN#1' })!;
    expect(() => decodeKeyCursor({ ...connections, pk: 'USER#bob' }, c)).toThrow(InvalidCursorError);
    expect(() => decodeKeyCursor({ ...connections, list: 'syncs' }, c)).toThrow(InvalidCursorError);
    expect(() => decodeKeyCursor(transactions, c)).toThrow(InvalidCursorError);
  });

  it("refuse a cursor with the caller's own tag but a key of another shape", () => {
    const bad: unknown[] = [
      null,
      'USER#alice',
      [],
      {},
      { pk: 'USER#alice' },
      { pk: 'USER#alice', sk: 'CONN#1', extra: 'x' },
      { pk: 'USER#alice', sk: 7 },
      { pk: 'USER#alice', sk: '' },
      { pk: 'USER#bob', sk: 'CONN#1' },
      { pk: 'USER#alice', sk: 'TXN#1' }, // outside the query's sort key prefix
      { pk: 'USER#alice', sk: `CONN#${'x'.repeat(1100)}` }, // over DynamoDB's sort key limit
      { pk: 'USER#alice', sk: `CONN#${'é'.repeat(600)}` }, // 1,205 bytes of UTF-8
      { pk: 'USER#alice', sk: 'CONN#\ud800' }, // a lone surrogate
      { pk: 'USER#alice', sk: { S: 'CONN#1' } },
    ];
    for (const key of bad) {
      expect(() => decodeKeyCursor(connections, forged(connections, key)), JSON.stringify(key)).toThrow(
        InvalidCursorError,
      );
    }
    // An index cursor needs the table's key too, and its sort key within the query's range.
    const { pk: _pk, ...noTableKey } = txnKey;
    expect(() => decodeKeyCursor(transactions, forged(transactions, noTableKey))).toThrow(InvalidCursorError);
    expect(() =>
      decodeKeyCursor(transactions, forged(transactions, { ...txnKey, gsi1sk: '2023-05-01#txn_1' })),
    ).toThrow(InvalidCursorError);
    // Every part of an index start key is the caller's: the table key too (found by the e2e fuzz suite).
    for (const tableKey of [{ pk: 'USER#bob' }, { sk: 'ACCT#1' }]) {
      expect(() => decodeKeyCursor(transactions, forged(transactions, { ...txnKey, ...tableKey }))).toThrow(
        InvalidCursorError,
      );
    }
  });

  it('refuse garbage, truncated and oversized cursors', () => {
    const good = encodeKeyCursor(connections, { pk: 'USER#alice', sk: 'CONN#1' })!;
    for (const c of ['%%%', 'e30', good.slice(0, -3), `${good}=`, 'A'.repeat(3000), '', '!!', 'bnVsbA']) {
      expect(() => decodeKeyCursor(connections, c), c).toThrow(InvalidCursorError);
    }
  });

  it('answer any mutation of a cursor with its key or InvalidCursorError, never anything else', () => {
    const good = encodeKeyCursor(transactions, txnKey)!;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.base64String({ maxLength: 400 }),
          fc
            .tuple(fc.nat(good.length), fc.string({ maxLength: 4 }))
            .map(([i, s]) => good.slice(0, i) + s + good.slice(i + 1)),
          fc.jsonValue().map((v) => forged(transactions, v)),
          fc
            .dictionary(fc.constantFrom('gsi1pk', 'gsi1sk', 'pk', 'sk', 'x'), fc.jsonValue())
            .map((v) => forged(transactions, v)),
        ),
        (cursor) => {
          try {
            const key = decodeKeyCursor(transactions, cursor);
            expect(key.gsi1pk).toBe('TXNS#alice');
            expect(Object.keys(key).sort()).toEqual(['gsi1pk', 'gsi1sk', 'pk', 'sk']);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidCursorError);
          }
        },
      ),
      { seed: 4242, numRuns: 500 },
    );
  });
});

describe('list cursors (shared/cursor.ts)', () => {
  const Offset = z.strictObject({ o: z.int().min(0) });

  it('bind a position to its list and owner, and check its shape', () => {
    const scope = { list: 'budgets', owner: 'alice' };
    const c = sealCursor(scope, { o: 3 });
    expect(openCursor(c, scope, Offset)).toEqual({ o: 3 });
    expect(() => openCursor(c, { ...scope, owner: 'bob' }, Offset)).toThrow(InvalidCursorError);
    expect(() => openCursor(c, { ...scope, list: 'rules' }, Offset)).toThrow(InvalidCursorError);
    for (const p of [{ o: -1 }, { o: 1.5 }, { o: '3' }, { o: 3, x: 1 }, null]) {
      expect(() => openCursor(sealCursor(scope, p), scope, Offset)).toThrow(InvalidCursorError);
    }
  });
});
