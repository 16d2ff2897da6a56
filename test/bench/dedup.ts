import { bankListing, visibleTransactions } from '../../shared/banks/kit/replay';
import type { RenderContext } from '../../shared/banks/kit/dialect';
import { generateUser } from '../../shared/generator';
import { Rng } from '../../shared/generator/prng';
import { bankIds } from '../../shared/generator/lifecycle';
import type { BankId, GeneratedUser } from '../../shared/generator/types';
import type { BankTransaction, StoredTransaction } from '../../shared/domain/models';
import { reconcile } from '../../shared/domain/reconcile';
import {
  chooseListing,
  INDEX_VERSION,
  earliestPending,
  newestDate,
  reconcileWindow,
  storedScope,
  type Listing,
  type SyncState,
} from '../../shared/domain/sync-window';
import { localIsoDate } from '../../shared/banks/kit/formats';
import type { Benchmark, Figure } from './types';
import { bankWiring } from '../support/bank-wiring';

const BANKS: BankId[] = ['bank_a', 'bank_b', 'bank_c'];
const TARGET_TRANSACTIONS = 100_000;
const SYNC_EVERY_DAYS = 3;
const MALFORMED_RATE = 0.02;
/** A full reconciliation every this many syncs; the others list the bank's narrowest window. */
const FULL_EVERY_SYNCS = 10;

/**
 * Dedup accuracy against the generator's ground truth: every connection of enough generated users to make
 * 100,000 transactions is synced every few days through a year, through the banks' real wire formats and our real
 * normalizers and reconciliation, with malformed records mixed in. At the end, each real transaction must be
 * exactly one stored transaction (re-sends and postings under new ids merged) and no stored transaction may hold
 * two real ones. Syncs list what the sync engine lists (domain/sync-window.ts): bank_a only what changed since the
 * last listing, with its removals; bank_c a date window; bank_b everything; a full reconciliation every
 * FULL_EVERY_SYNCS syncs. Each reads of the stored transactions only what its listing can match (storedScope).
 */
async function run(): Promise<Figure[]> {
  const options = { seed: 4242, start: '2026-01-01', days: 365 };
  const started = performance.now();
  let total = 0;
  let resentTxns = 0;
  let resentCaught = 0;
  let falseMerges = 0;
  let missing = 0;
  let split = 0;
  let quarantined = 0;
  let syncs = 0;
  let windowed = 0;
  const rng = new Rng(99);
  const random = () => rng.next();
  for (let index = 0; total < TARGET_TRANSACTIONS; index++) {
    const user: GeneratedUser = generateUser(options, index);
    total += user.transactions.length;
    for (const bankId of BANKS) {
      const { module, provider, accounts, bankAccounts } = bankWiring(bankId, user);
      const cache = new Map<string, BankTransaction>();
      let stored: StoredTransaction[] = [];
      let state: SyncState | undefined;
      let lastListedAt = 0;
      let n = 0;
      const endMs = Date.parse(options.start) + (options.days + 10) * 86_400_000;
      for (let at = Date.parse(options.start) + 86_400_000; ; at += SYNC_EVERY_DAYS * 86_400_000) {
        const now = new Date(Math.min(at, endMs));
        const ctx: RenderContext = { rootUrl: 'http://bench/mock-banks', accounts, now };
        const incoming: BankTransaction[] = [];
        // What the bank lists for the engine's choice (the same filters as bank_a's `since` and bank_c's from/to).
        const listing: Listing = chooseListing(
          provider.client.listing,
          state && { ...state, fullAt: now.toISOString() },
          now,
          n++ % FULL_EVERY_SYNCS === 0,
        );
        const { visible, gone } = bankListing(user, bankId, now);
        const zone = (id: string) => accounts.get(id)?.timeZone ?? 'UTC';
        const listed = visible.filter((v) => {
          if (listing.kind === 'changes') return Date.parse(v.changedAt) > lastListedAt;
          if (listing.kind === 'dates') {
            const inWindow = (d: string) => d >= listing.from && d <= listing.to;
            return inWindow(v.date) || inWindow(localIsoDate(Date.parse(v.changedAt), zone(v.accountId)));
          }
          return true;
        });
        const removedIds =
          listing.kind === 'changes'
            ? gone.filter((g) => Date.parse(g.goneAt) > lastListedAt).map((g) => g.bankTxnId)
            : [];
        if (listing.kind !== 'all') windowed += 1;
        lastListedAt = now.getTime();
        for (const v of listed) {
          const k = `${v.bankTxnId}|${v.status}|${v.amountMinor}|${v.description}|${v.date}|${v.pendingBankTxnId}`;
          let t = cache.get(k);
          if (!t) {
            t = provider.normalizeTransaction(module.dialect.transaction(v, ctx), bankAccounts);
            cache.set(k, t);
          }
          incoming.push(t);
          if (random() < MALFORMED_RATE) {
            // A broken copy next to the good record, as the bank's `malformed` fault sends it.
            const broken = module.dialect.withId(
              module.dialect.malform(module.dialect.transaction(v, ctx), 'garbage_amount', (o) => o[0]!),
              `${v.bankTxnId}-x`,
            );
            try {
              incoming.push(provider.normalizeTransaction(broken, bankAccounts));
            } catch {
              quarantined += 1;
            }
          }
        }
        // The stored transactions the listing can match, as the store's windowed read returns them.
        const scope = storedScope(listing, incoming, removedIds);
        const ids = new Set(scope?.bankIds);
        const days = new Set(scope?.dates);
        const read = scope
          ? stored.filter(
              (s) =>
                (scope.from !== null && s.original.date >= scope.from) ||
                days.has(s.original.date) ||
                s.providerTxnIds.some((id) => ids.has(id)),
            )
          : stored;
        const result = reconcile({
          userId: user.key,
          connectionId: `${user.key}-${bankId}`,
          provider: bankId,
          accountIdFor: (id) => id,
          stored: read,
          incoming,
          window: reconcileWindow(listing),
          removedIds: listing.kind === 'changes' ? removedIds : null,
          now: now.toISOString(),
          actor: 'sync:bench',
        });
        const byId = new Map(stored.map((s) => [s.id, s]));
        for (const c of result.changes) byId.set(c.txn.id, c.txn);
        stored = [...byId.values()];
        state = {
          changeToken: 'listed',
          fullAt: now.toISOString(),
          pendingFrom:
            listing.kind === 'changes' ? (state?.pendingFrom ?? null) : earliestPending(read, result.changes),
          newestDate: newestDate(listing.kind === 'all' ? null : (state?.newestDate ?? null), incoming),
          indexVersion: INDEX_VERSION,
        };
        syncs += 1;
        if (now.getTime() >= endMs) break;
      }

      // Score against the truth as the bank shows it at the end.
      const live = stored.filter((s) => !s.removed);
      const owner = new Map<string, string>();
      for (const t of user.transactions.filter((x) => x.bank === bankId))
        for (const id of bankIds(t)) owner.set(id, t.id);
      const storedByTruth = new Map<string, number>();
      for (const s of live) {
        const truths = new Set(
          s.providerTxnIds.map((id) => owner.get(id)).filter((x): x is string => Boolean(x)),
        );
        if (truths.size > 1) falseMerges += 1;
        for (const t of truths) storedByTruth.set(t, (storedByTruth.get(t) ?? 0) + 1);
      }
      const endNow = new Date(endMs);
      const visibleTruth = new Set(visibleTransactions(user, bankId, endNow).map((v) => v.sourceId));
      for (const t of user.transactions.filter((x) => x.bank === bankId)) {
        if (!visibleTruth.has(t.id)) continue;
        const n = storedByTruth.get(t.id) ?? 0;
        if (n === 0) missing += 1;
        if (n > 1) split += 1;
        if (t.truth.resent_as.length) {
          resentTxns += 1;
          if (n === 1) resentCaught += 1;
        }
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return [
    { name: 'dedup: generated transactions', value: total, unit: 'txn' },
    { name: 'dedup: syncs replayed', value: syncs, unit: 'syncs' },
    { name: 'dedup: syncs that listed a window (change cursor or dates)', value: windowed, unit: 'syncs' },
    { name: 'dedup: re-sent transactions caught', value: resentCaught, unit: `of ${resentTxns}` },
    {
      name: 'dedup: duplicates caught',
      value: resentTxns ? Math.round((resentCaught / resentTxns) * 10000) / 100 : 100,
      unit: '%',
    },
    { name: 'dedup: real transactions stored twice or more', value: split, unit: 'txn' },
    { name: 'dedup: false merges', value: falseMerges, unit: 'txn' },
    { name: 'dedup: real transactions missing', value: missing, unit: 'txn' },
    { name: 'dedup: malformed records quarantined', value: quarantined, unit: 'records' },
    { name: 'dedup: bench wall time', value: Math.round(seconds * 10) / 10, unit: 's' },
  ];
}

export const benchmarks: Benchmark[] = [{ name: 'dedup', run }];
