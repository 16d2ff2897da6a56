import { expect } from 'vitest';
import { bankEnv } from '../../shared/banks/kit/config';
import { GeneratingDataSource, generatorOptions } from '../../shared/banks/kit/data-source';
import type { ListingRequest } from '../../shared/banks/kit/provider';
import { generateUser } from '../../shared/generator';
import type {
  BankId,
  BankRecordVersion,
  GeneratedTransaction,
  GeneratedUser,
} from '../../shared/generator/types';
import type { Store } from '../../shared/ports/store';
import { runSync } from '../../shared/services/sync';
import { syncFixture } from './sync-fixture';
import { expectedFromTruth } from './sync-helpers';

/**
 * The setup the windowed-sync tests share (test/integration/sync-windows.test.ts, index-repair.test.ts): a
 * connection to a bank serving a user of the test's own, so that a test can change the bank's history.
 */

export const NOW = '2026-05-01T00:00:00.000Z';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const iso = (ms: number) => new Date(ms).toISOString();

/** The listing each bank's sync asks for between two full reconciliations. */
export const KIND: Record<BankId, ListingRequest['kind']> = {
  bank_a: 'changes',
  bank_b: 'all',
  bank_c: 'dates',
};

/**
 * A connection to `bank` (the real bank in process, generated user 0 of its own, our real client and sync on
 * `store`), with what each sync did: the listing it asked for (`listings`), the stored transactions it read
 * (`sync()` answers them) and the index repairs it ran (`repairs`, the items each repaired; `repairProgress`, how often each renewed the lock).
 */
export async function windowedConnection(bank: BankId, store: Store) {
  const user: GeneratedUser = generateUser(generatorOptions(bankEnv()), 0);
  const data = new GeneratingDataSource(() => user);
  let read = 0;
  const repairs: number[] = [];
  /** How often each repair reported progress (its caller renewing the lock). */
  const repairProgress: number[] = [];
  const counting: Store = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listConnectionTransactions' || prop === 'listConnectionTransactionsWhere') {
        return async (...args: unknown[]) => {
          const fn = Reflect.get(target, prop, receiver) as (...a: unknown[]) => Promise<unknown[]>;
          const out = await fn.apply(target, args);
          read += out.length;
          return out;
        };
      }
      if (prop === 'repairConnectionIndex') {
        return async (
          userId: string,
          connectionId: string,
          opts: { progress?: () => Promise<void> } = {},
        ) => {
          let calls = 0;
          const progress = opts.progress && (() => ((calls += 1), opts.progress!()));
          const n = await target.repairConnectionIndex(userId, connectionId, { progress });
          repairs.push(n);
          repairProgress.push(calls);
          return n;
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  const f = await syncFixture(bank, { store: counting, now: NOW, pageSize: 200, data });
  const client = f.deps.providers[0]!.client;
  const listings: ListingRequest['kind'][] = [];
  const fetchPage = client.fetchTransactionsPage.bind(client);
  client.fetchTransactionsPage = (token, cursor, request) => {
    if (!cursor) listings.push(request?.kind ?? 'all');
    return fetchPage(token, cursor, request);
  };
  const at = () => f.bank.clock.now().getTime();
  const used = new Set<string>();
  return {
    f,
    user,
    listings,
    repairs,
    repairProgress,
    truth: () => expectedFromTruth(bank, at(), 0, user),
    advance: (ms: number) => f.bank.clock.advance(ms),
    /** One sync (full on demand), which must succeed; the stored transactions it read. */
    async sync(opts: { full?: boolean } = {}) {
      read = 0;
      const run = await runSync(f.deps, { ...f.job(), full: opts.full });
      expect(run.status, run.errors.join('; ')).toBe('succeeded');
      return { run, read };
    },
    /**
     * A transaction of this bank not used before, posted, never removed or re-sent, whose last change is past,
     * dated `daysAgo` days before the clock or up to 20 days earlier (the newest such); and its current version.
     */
    posted(daysAgo: number): { t: GeneratedTransaction; current: BankRecordVersion } {
      const latest = iso(at() - daysAgo * DAY).slice(0, 10);
      const earliest = iso(at() - (daysAgo + 20) * DAY).slice(0, 10);
      const found = user.transactions
        .filter((x) => x.bank === bank && !used.has(x.id) && x.events.every((e) => Date.parse(e.at) < at()))
        .map((t) => {
          const withVersion = t.events.filter((e) => e.kind !== 'remove');
          const last = withVersion.at(-1)!;
          const removed = t.events.some((e) => e.kind === 'remove' || e.kind === 'resend');
          return { t, current: last.version, removed };
        })
        .filter(
          (c) =>
            !c.removed &&
            c.current.status === 'posted' &&
            c.current.date <= latest &&
            c.current.date >= earliest,
        )
        .sort((a, b) => (b.current.date < a.current.date ? -1 : 1))[0];
      if (!found) throw new Error(`no posted ${bank} transaction about ${daysAgo} days old`);
      used.add(found.t.id);
      return { t: found.t, current: found.current };
    },
  };
}
