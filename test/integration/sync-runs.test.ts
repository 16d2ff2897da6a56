import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { MemoryLocks } from '../../shared/adapters/memory/locks';
import type { SyncRun } from '../../shared/domain/models';
import { WORKER_LOST } from '../../shared/domain/sync-runs';
import { ManualClock } from '../../shared/ports/clock';
import { ConflictError } from '../../shared/ports/store';
import { failLostSyncRuns } from '../../shared/services/sync-runs';
import { freshTable } from '../support/dynamodb';
import { syncFixture } from '../support/sync-fixture';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
beforeAll(async () => {
  table = await freshTable('runs');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

const NOW = '2026-05-01T00:00:00.000Z';
const MINUTE = 60_000;

/** What a worker that died mid-sync leaves behind: its run, `running`, with the lease it last renewed. */
function deadRun(
  connectionId: string,
  userId: string,
  id: string,
  startedAt: string,
  leaseMs: number,
): SyncRun {
  return {
    id,
    userId,
    connectionId,
    reason: 'link',
    status: 'running',
    startedAt,
    finishedAt: null,
    pages: 3,
    added: 0,
    modified: 0,
    removed: 0,
    merged: 0,
    quarantined: 0,
    errors: [],
    leaseExpiresAt: new Date(Date.parse(startedAt) + leaseMs).toISOString(),
  };
}

const runsOf = async (connectionId: string) => (await store.listSyncRuns(connectionId, { limit: 50 })).items;

describe('sync runs whose worker died', () => {
  it('the next sync of the connection ends a run past its lease as failed (worker lost), and not one still within it', async () => {
    const f = await syncFixture('bank_a', { store, now: NOW });
    const clock = f.bank.clock;
    await store.putSyncRun(deadRun(f.connection.id, f.userId, 'killed', NOW, 5 * MINUTE));

    // Within the lease (say the lock store lost the lock): the run may still have a live worker; it is left alone.
    clock.advance(2 * MINUTE);
    expect((await f.sync('second', { locks: new MemoryLocks({ clock }) })).status).toBe('succeeded');
    expect((await runsOf(f.connection.id)).find((r) => r.id === 'killed')!.status).toBe('running');

    // Past it: the next sync ends it, with the reason, finished when its lease ran out.
    clock.advance(10 * MINUTE);
    const third = await f.sync('third');
    expect(third.status).toBe('succeeded');
    const killed = (await runsOf(f.connection.id)).find((r) => r.id === 'killed')!;
    expect(killed.status).toBe('failed');
    expect(killed.errors.some((e) => e.startsWith(WORKER_LOST))).toBe(true);
    expect(killed.finishedAt).toBe(new Date(Date.parse(NOW) + 5 * MINUTE).toISOString());
    expect(killed.leaseExpiresAt).toBeNull();
    // Every run the syncs wrote ended, without a lease; none is left running.
    expect((await runsOf(f.connection.id)).filter((r) => r.status === 'running')).toEqual([]);
    expect(await store.listRunningSyncRuns({ connectionId: f.connection.id })).toEqual([]);
  });

  it('the fan-out (every connection) ends only runs past their lease; a run that renewed its lease meanwhile is kept', async () => {
    const f = await syncFixture('bank_b', { store, now: NOW });
    const g = await syncFixture('bank_c', { store, now: NOW });
    const clock = new ManualClock(NOW);
    await store.putSyncRun(deadRun(f.connection.id, f.userId, 'lost-f', NOW, 5 * MINUTE));
    await store.putSyncRun(deadRun(g.connection.id, g.userId, 'alive-g', NOW, 30 * MINUTE));
    clock.advance(6 * MINUTE);
    const ended = await failLostSyncRuns({ store, clock });
    expect(ended.map((r) => r.id)).toContain('lost-f');
    expect(ended.map((r) => r.id)).not.toContain('alive-g');
    expect((await runsOf(f.connection.id))[0]!.status).toBe('failed');
    expect((await runsOf(g.connection.id))[0]!.status).toBe('running');
    // The connection's last sync says it failed.
    const c = await store.getConnection(f.userId, f.connection.id);
    expect(c!.lastSyncStatus).toBe('failed');
    // Twice changes nothing more.
    expect((await failLostSyncRuns({ store, clock })).map((r) => r.id)).not.toContain('lost-f');

    // Ending a run is conditioned on the lease it was seen with: a heartbeat in between wins.
    const seen = (await runsOf(g.connection.id))[0]!;
    await store.putSyncRun({
      ...seen,
      leaseExpiresAt: new Date(Date.parse(NOW) + 60 * MINUTE).toISOString(),
    });
    await expect(
      store.putSyncRun(
        { ...seen, status: 'failed', leaseExpiresAt: null },
        { leaseExpiresAt: seen.leaseExpiresAt! },
      ),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('ends every running run when no worker can have survived (the twin restarting), whatever their lease', async () => {
    const f = await syncFixture('bank_a', { store, now: NOW });
    await store.putSyncRun(deadRun(f.connection.id, f.userId, 'restart', NOW, 60 * MINUTE));
    const clock = new ManualClock(Date.parse(NOW) + MINUTE);
    const ended = await failLostSyncRuns({ store, clock }, { workersGone: 'the process restarted' });
    expect(ended.map((r) => r.id)).toContain('restart');
    const run = (await runsOf(f.connection.id))[0]!;
    expect(run.status).toBe('failed');
    expect(run.errors).toEqual([`${WORKER_LOST}: the process restarted`]);
    expect(run.finishedAt).toBe(clock.now().toISOString());
  });

  it('a running sync renews its lease as it checkpoints (its heartbeat)', async () => {
    const f = await syncFixture('bank_a', { store, now: NOW });
    const leases: string[] = [];
    const watching = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'putSyncRun') {
          return async (run: SyncRun, onlyIf?: { leaseExpiresAt: string }) => {
            if (run.status === 'running') {
              leases.push(run.leaseExpiresAt!);
              f.bank.clock.advance(MINUTE);
            }
            return target.putSyncRun(run, onlyIf);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const run = await f.sync('beating', { store: watching, lockTtlMs: 5 * MINUTE });
    expect(run.status).toBe('succeeded');
    expect(leases.length).toBeGreaterThan(2);
    expect([...leases].sort()).toEqual(leases);
    expect(new Set(leases).size).toBe(leases.length);
    expect(run.leaseExpiresAt).toBeNull();
  });
});
