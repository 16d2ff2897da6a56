import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import type { SyncRun } from '../../shared/domain/models';
import type { SyncObserver } from '../../shared/ports/sync-observer';
import { FixtureDataSource } from '../../shared/banks/kit/data-source';
import { FIXTURE_END, fixtureUser } from '../../shared/banks/kit/fixtures';
import { freshTable } from '../support/dynamodb';
import { syncFixture } from '../support/sync-fixture';

/** The sync service tells its observer (the Plaid webhooks' port) of each finished run, once its results are stored. */
let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
beforeAll(async () => {
  table = await freshTable('sync-observer');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

describe('SyncObserver', () => {
  it('hears every finished run: the first, a quiet one, a login_required one; a failing observer fails nothing', async () => {
    // The kit's small hand-made user (a few transactions), so five syncs stay quick on a loaded machine.
    const f = await syncFixture('bank_a', {
      store,
      now: FIXTURE_END,
      data: new FixtureDataSource([fixtureUser(0)]),
      pageSize: 100,
    });
    const heard: { run: SyncRun; firstSync: boolean; lastSyncAt: string | undefined }[] = [];
    const observer: SyncObserver = {
      async syncFinished(run, { firstSync }) {
        const c = await store.getConnection(f.userId, f.connection.id);
        heard.push({ run, firstSync, lastSyncAt: c?.lastSyncAt });
      },
    };
    await f.sync('s1', { observer });
    await f.sync('s2', { observer });
    expect(heard.map((h) => [h.run.id, h.run.status, h.firstSync])).toEqual([
      ['s1', 'succeeded', true],
      ['s2', 'succeeded', false],
    ]);
    expect(heard[0]!.run.added).toBeGreaterThan(0);
    expect(heard[1]!.run.added + heard[1]!.run.modified + heard[1]!.run.removed).toBe(0);
    // The results are stored before the observer hears of them.
    expect(heard[0]!.lastSyncAt).toBe(heard[0]!.run.finishedAt);

    const failing: SyncObserver = {
      syncFinished: async () => {
        throw new Error('queue down');
      },
    };
    f.bank.clock.advance(86_400_000);
    expect((await f.sync('s3', { observer: failing })).status).toBe('succeeded');

    await f.revokeGrant();
    await f.sync('s4', { observer });
    expect(heard.at(-1)).toMatchObject({ run: { id: 's4', status: 'login_required' }, firstSync: false });
    // A connection that is not active any more: the run ends at once, and nobody is told again.
    await f.sync('s5', { observer });
    expect(heard.map((h) => h.run.id)).toEqual(['s1', 's2', 's4']);
  });
});
