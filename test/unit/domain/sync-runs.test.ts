import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyncRun } from '../../../shared/domain/models';
import { WORKER_LOST, isLost, leaseExpiry, lostRun } from '../../../shared/domain/sync-runs';

const START = Date.parse('2026-03-01T12:00:00.000Z');

const run = (over: Partial<SyncRun> = {}): SyncRun => ({
  id: 's1',
  userId: 'u1',
  connectionId: 'c1',
  reason: 'schedule',
  status: 'running',
  startedAt: new Date(START).toISOString(),
  finishedAt: null,
  pages: 2,
  added: 0,
  modified: 0,
  removed: 0,
  merged: 0,
  quarantined: 0,
  errors: [],
  leaseExpiresAt: new Date(START + 300_000).toISOString(),
  ...over,
});

describe('a sync run’s lease', () => {
  it('is lost exactly when it is still running and its lease has run out', () => {
    const statuses = ['running', 'succeeded', 'failed', 'skipped_locked', 'login_required'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...statuses),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.integer({ min: -3_600_000, max: 7_200_000 }),
        (status, ttl, offset) => {
          const r = run({ status, leaseExpiresAt: leaseExpiry(new Date(START), ttl) });
          const now = new Date(START + offset);
          expect(isLost(r, now)).toBe(status === 'running' && offset >= ttl);
        },
      ),
    );
  });

  it('a run without a lease (ended, or written before leases) is never lost', () => {
    expect(isLost(run({ leaseExpiresAt: null }), new Date(START + 86_400_000))).toBe(false);
    expect(isLost(run({ leaseExpiresAt: undefined }), new Date(START + 86_400_000))).toBe(false);
  });

  it('ends a lost run as failed with the reason, finished when its lease ran out (or sooner, when known dead sooner)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.integer({ min: 0, max: 7_200_000 }),
        (ttl, offset) => {
          const r = run({ leaseExpiresAt: leaseExpiry(new Date(START), ttl), errors: ['earlier'] });
          const now = new Date(START + offset);
          const lost = lostRun(r, now, 'why');
          expect(lost.status).toBe('failed');
          expect(lost.leaseExpiresAt).toBeNull();
          expect(lost.errors).toEqual(['earlier', `${WORKER_LOST}: why`]);
          expect(Date.parse(lost.finishedAt!)).toBe(Math.min(START + ttl, START + offset));
          // The rest of what it did is kept.
          expect({
            ...lost,
            status: r.status,
            leaseExpiresAt: r.leaseExpiresAt,
            errors: r.errors,
            finishedAt: null,
          }).toEqual(r);
        },
      ),
    );
  });
});
