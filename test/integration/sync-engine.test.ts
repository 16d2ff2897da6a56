import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import type { Lease, Locks } from '../../shared/ports/locks';
import type { Store } from '../../shared/ports/store';
import type { BankId } from '../../shared/generator/types';
import { freshTable } from '../support/dynamodb';
import { syncFixture } from '../support/sync-fixture';
import { expectedFromTruth } from '../support/sync-helpers';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
beforeAll(async () => {
  table = await freshTable('sync');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

const NOW = '2026-05-01T00:00:00.000Z';
const BANKS: BankId[] = ['bank_a', 'bank_b', 'bank_c'];
const truth = (bank: BankId, at = NOW) => expectedFromTruth(bank, Date.parse(at));

describe.each(BANKS)('the sync engine against %s (in process, real DynamoDB)', (bank) => {
  it('ends with exactly the bank truth through 429s, 5xx, slow pages, expired tokens and malformed records', async () => {
    const f = await syncFixture(bank, {
      store,
      now: NOW,
      faults: {
        seed: 7,
        rate_limit: 0.5,
        retry_after_seconds: 3,
        server_error: 0.15,
        slow_ms: 300,
        slow_rate: 0.3,
        expire_token: 0.1,
        malformed: 0.03,
        malformed_mode: 'extra',
      },
    });
    const run = await f.sync();
    expect(run.status, run.errors.join('; ')).toBe('succeeded');
    expect(run.pages).toBeGreaterThan(1);
    expect(run.quarantined).toBeGreaterThan(0);
    // Retry-After honoured (bank_b sends it as an HTTP date, to the second).
    expect(
      f.sleeps.some((ms) => ms >= 2000 && ms <= 3000),
      String(f.sleeps),
    ).toBe(true);
    expect(await f.stored()).toEqual(truth(bank));
    const quarantined = await store.listQuarantined(f.connection.id, run.id);
    expect(quarantined).toHaveLength(run.quarantined);
    expect(quarantined.every((q) => q.reason.length > 0 && q.raw !== undefined)).toBe(true);
    // The refreshed (rotated) tokens were saved: a second sync still works.
    const again = await f.sync();
    expect(again.status).toBe('succeeded');
    expect(again.added + again.modified + again.removed).toBe(0);
  });

  it('resumes a sync killed between pages from its checkpoint, losing and doubling nothing', async () => {
    const f = await syncFixture(bank, { store, now: NOW });
    let saves = 0;
    const crashing: Store = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'saveSyncProgress') {
          return async (...args: Parameters<Store['saveSyncProgress']>) => {
            saves += 1;
            if (saves === 3) throw new Error('killed');
            return target.saveSyncProgress(...args);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const syncId = 'crash-between-pages';
    await expect(f.sync(syncId, { store: crashing })).rejects.toThrow('killed');
    const checkpoint = await store.loadSyncProgress(f.connection.id, syncId);
    expect(checkpoint?.pages).toBe(2);
    const resumed = await f.sync(syncId);
    expect(resumed.status).toBe('succeeded');
    expect(await f.stored()).toEqual(truth(bank));
    expect(await store.loadSyncProgress(f.connection.id, syncId)).toBeNull();
  });

  it('recovers from a sync killed half-way through its writes', async () => {
    const f = await syncFixture(bank, { store, now: NOW });
    const crashing: Store = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'applyTransactionChanges') {
          return async (changes: Parameters<Store['applyTransactionChanges']>[0]) => {
            await target.applyTransactionChanges(changes.slice(0, Math.floor(changes.length / 2)));
            throw new Error('killed while writing');
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    await expect(f.sync('crash-writing', { store: crashing })).rejects.toThrow('killed while writing');
    expect((await f.stored()).length).toBeLessThan(truth(bank).length);
    expect((await f.sync('crash-writing')).status).toBe('succeeded');
    expect(await f.stored()).toEqual(truth(bank));
  });

  // Four full syncs, two of them racing on every write (conditional writes, retries): minutes on a loaded machine.
  it(
    'never lets two syncs of one connection both write, and stays right when a lock expires mid-sync',
    { timeout: 240_000 },
    async () => {
      const f = await syncFixture(bank, { store, now: NOW });
      const [a, b] = await Promise.all([f.sync(), f.sync()]);
      expect([a.status, b.status].sort()).toEqual(['skipped_locked', 'succeeded']);
      expect(await f.stored()).toEqual(truth(bank));

      // A lock that is always granted: what happens when a lease expires while its holder still works. Two first
      // syncs of a new connection then race on every write; conditional writes and retries keep one copy each.
      const expired: Locks = {
        acquire: async (key): Promise<Lease> => ({
          key,
          token: 'x',
          release: async () => true,
          extend: async () => true,
          isHeld: async () => true,
        }),
      };
      const g = await syncFixture(bank, { store, now: NOW });
      const runs = await Promise.all([
        g.sync(undefined, { locks: expired }),
        g.sync(undefined, { locks: expired }),
      ]);
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      expect(await g.stored()).toEqual(truth(bank));
    },
  );
});

describe('login required', () => {
  it('marks the connection login_required when the bank refuses the refresh', async () => {
    const f = await syncFixture('bank_a', { store, now: NOW });
    await f.revokeGrant();
    const run = await f.sync();
    expect(run.status).toBe('login_required');
    expect((await store.getConnection(f.userId, f.connection.id))?.status).toBe('login_required');
  });
});
