import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { allTransactions, waitForCategorized, type CategorizedT } from '../support/categorize';
import { key, linkBank, waitForSync } from '../support/sync-helpers';
import { devToken, startTwinProcess, type TwinProcess } from '../support/twin-process';

/**
 * The probe that found it: the twin (`npm start -- --persist`) killed while a first sync writes, started again,
 * synced again. Every transaction must then be categorized, and the analytics must add up, exactly as for a user
 * whose first sync ran undisturbed; the killed run must end as failed (worker lost), not stay `running`.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'finagg-crash-'));
const twins: TwinProcess[] = [];
afterAll(async () => {
  for (const t of twins) await t.stop().catch(() => null);
  rmSync(dir, { recursive: true, force: true });
});

const start = async () => {
  const t = await startTwinProcess({
    args: ['--persist', '--data-dir', dir],
    crashable: true,
    timeoutMs: 120_000,
  });
  twins.push(t);
  return t;
};

interface Run {
  id: string;
  status: string;
  errors: string[];
}

/** Polls `read` until `done(value)` or the deadline (generous: a busy 2-core machine), and returns the last value. */
async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const categorized = (txns: CategorizedT[]) =>
  txns
    .map(
      (t) =>
        `${key(t.currency, t.date, t.amount, t.description, t.status)} => ${t.category ? `${t.category.primary}/${t.category.detailed}` : '-'}`,
    )
    .sort();

const analytics = async (api: Api) => ({
  spending: (await api.get('/analytics/spending?granularity=month')).body,
  categories: (await api.get('/analytics/categories')).body,
});

describe('the twin killed during a first sync (--persist)', () => {
  it('after a restart and another sync, categories and analytics are those of an undisturbed run, and the killed run failed', async () => {
    // 1. Link a bank; kill the whole twin (SIGKILL, no shutdown) as soon as the first sync has written anything.
    const first = await start();
    const token = await devToken(first.url, 'crashed-user', 86_400);
    const crashed = new Api(first.url).withToken(token);
    const connectionId = await linkBank(crashed, 'bank_a');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const page = await crashed.get<{ transactions: unknown[] }>('/transactions?limit=1');
      if (page.body.transactions.length) break;
      if (Date.now() > deadline) throw new Error('the first sync wrote nothing in time');
      await new Promise((r) => setTimeout(r, 20));
    }
    await first.crash();

    // 2. Start again on the same data: the killed run is over (its worker died with the process).
    const second = await start();
    const api = new Api(second.url).withToken(token);
    const runs = (await api.get<{ syncs: Run[] }>(`/connections/${connectionId}/syncs`)).body.syncs;
    expect(runs.map((r) => r.status)).toEqual(['failed']);
    expect(runs[0]!.errors.some((e) => e.startsWith('worker lost'))).toBe(true);

    // 3. Sync again; and, for comparison, a second user's undisturbed first sync of the same bank login.
    expect((await api.post(`/connections/${connectionId}/sync`)).status).toBe(202);
    const resync = await poll(
      async () => (await api.get<{ syncs: Run[] }>(`/connections/${connectionId}/syncs`)).body.syncs,
      (list) => list.some((r) => r.id !== runs[0]!.id && r.status !== 'running'),
      180_000,
    );
    expect(resync.filter((r) => r.id !== runs[0]!.id).map((r) => [r.status, r.errors])).toEqual([
      ['succeeded', []],
    ]);
    const before = new Date(Date.now() - 1000).toISOString();
    const clean = new Api(second.url).withToken(await devToken(second.url, 'clean-user', 86_400));
    const cleanId = await linkBank(clean, 'bank_a');
    expect(await waitForSync(clean, cleanId, before, 180_000)).toBe('succeeded');

    // 4. Every transaction, once, categorized as the engine says (the Categorizer saw every write) ...
    const mine = await waitForCategorized(api, { timeoutMs: 240_000 });
    const theirs = await waitForCategorized(clean, { timeoutMs: 240_000 });
    expect(mine.length).toBeGreaterThan(100);
    expect(new Set(mine.map((t) => t.id)).size).toBe(mine.length);
    expect(categorized(mine)).toEqual(categorized(theirs));
    expect(mine.filter((t) => t.category).length).toBe(theirs.filter((t) => t.category).length);

    // ... and the analytics (the insights processor saw every change) equal the undisturbed run's.
    const got = await poll(
      async () => ({ mine: await analytics(api), theirs: await analytics(clean) }),
      (v) => JSON.stringify(v.mine) === JSON.stringify(v.theirs),
      180_000,
    );
    expect(got.mine).toEqual(got.theirs);
    expect((got.mine.categories as { categories: unknown[] }).categories.length).toBeGreaterThan(0);
    const spent = (got.mine.categories as { categories: { spent: string }[] }).categories.reduce(
      (sum, c) => sum + Number(c.spent),
      0,
    );
    console.log(
      `crash-resume: ${mine.length} transactions, ${mine.filter((t) => t.category).length} categorized; ` +
        `spent over the analytics range ${spent.toFixed(2)} (undisturbed run: the same)`,
    );

    // 5. Still right after one more restart (nothing is re-applied twice or lost on the way).
    await second.stop();
    const third = await start();
    const again = new Api(third.url).withToken(token);
    expect(categorized(await allTransactions(again))).toEqual(categorized(mine));
    expect(await analytics(again)).toEqual(got.mine);
    await third.stop();
  }, 900_000);
});
