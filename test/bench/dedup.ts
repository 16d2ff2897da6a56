import { visibleTransactions } from '../../shared/banks/kit/replay';
import type { RenderContext } from '../../shared/banks/kit/dialect';
import { generateUser } from '../../shared/generator';
import { Rng } from '../../shared/generator/prng';
import { bankIds } from '../../shared/generator/lifecycle';
import type { BankId, GeneratedUser } from '../../shared/generator/types';
import type { BankTransaction, StoredTransaction } from '../../shared/domain/models';
import { reconcile } from '../../shared/domain/reconcile';
import type { Benchmark, Figure } from './types';
import { bankWiring } from '../support/bank-wiring';

const BANKS: BankId[] = ['bank_a', 'bank_b', 'bank_c'];
const TARGET_TRANSACTIONS = 100_000;
const SYNC_EVERY_DAYS = 3;
const MALFORMED_RATE = 0.02;

/**
 * Dedup accuracy against the generator's ground truth: every connection of enough generated users to make
 * 100,000 transactions is synced every few days through a year, through the banks' real wire formats and our real
 * normalizers and reconciliation, with malformed records mixed in. At the end, each real transaction must be
 * exactly one stored transaction (re-sends and postings under new ids merged) and no stored transaction may hold
 * two real ones.
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
  const rng = new Rng(99);
  const random = () => rng.next();
  for (let index = 0; total < TARGET_TRANSACTIONS; index++) {
    const user: GeneratedUser = generateUser(options, index);
    total += user.transactions.length;
    for (const bankId of BANKS) {
      const { module, provider, accounts, bankAccounts } = bankWiring(bankId, user);
      const cache = new Map<string, BankTransaction>();
      let stored: StoredTransaction[] = [];
      const endMs = Date.parse(options.start) + (options.days + 10) * 86_400_000;
      for (let at = Date.parse(options.start) + 86_400_000; ; at += SYNC_EVERY_DAYS * 86_400_000) {
        const now = new Date(Math.min(at, endMs));
        const ctx: RenderContext = { rootUrl: 'http://bench/mock-banks', accounts, now };
        const incoming: BankTransaction[] = [];
        for (const v of visibleTransactions(user, bankId, now)) {
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
        const result = reconcile({
          userId: user.key,
          connectionId: `${user.key}-${bankId}`,
          provider: bankId,
          accountIdFor: (id) => id,
          stored,
          incoming,
          window: null,
          now: now.toISOString(),
          actor: 'sync:bench',
        });
        const byId = new Map(stored.map((s) => [s.id, s]));
        for (const c of result.changes) byId.set(c.txn.id, c.txn);
        stored = [...byId.values()];
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
