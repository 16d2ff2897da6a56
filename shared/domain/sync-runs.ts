import type { SyncRun } from './models';

/**
 * A sync run's lease: a running run says until when its worker is known to be alive (`leaseExpiresAt`, the same
 * lifetime as the connection's lock, renewed by a heartbeat while it works). A worker can die without a word
 * (a Lambda timeout, a crashed process, a killed twin); a run still `running` past its lease is then lost, and
 * whoever observes it next (the next sync of the connection, the schedule's fan-out, the twin's start) ends it
 * as `failed` with the reason below. The next sync resumes from the checkpoint as usual.
 */
export const WORKER_LOST = 'worker lost';

/** When a lease of `ttlMs` taken or renewed at `now` runs out. */
export function leaseExpiry(now: Date, ttlMs: number): string {
  return new Date(now.getTime() + ttlMs).toISOString();
}

/** Whether the run's worker must be presumed dead at `now`: still running, and its lease ran out. */
export function isLost(run: SyncRun, now: Date): boolean {
  if (run.status !== 'running' || !run.leaseExpiresAt) return false;
  return Date.parse(run.leaseExpiresAt) <= now.getTime();
}

/**
 * The run ended as lost, observed at `now`: failed, finished when its lease ran out (or now, when the worker is
 * known dead sooner, as after a restart of the twin), with the reason among its errors.
 */
export function lostRun(run: SyncRun, now: Date, why = 'its lease expired without a heartbeat'): SyncRun {
  const lease = run.leaseExpiresAt ? Date.parse(run.leaseExpiresAt) : now.getTime();
  return {
    ...run,
    status: 'failed',
    finishedAt: new Date(Math.min(lease, now.getTime())).toISOString(),
    leaseExpiresAt: null,
    errors: [...run.errors, `${WORKER_LOST}: ${why}`],
  };
}
