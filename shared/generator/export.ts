/**
 * Ground truth as JSONL (one line per transaction) and a summary of a universe. Used by the CLI (bin/generate.ts)
 * and by benchmarks that measure dedup, categorization and anomaly detection against the labels.
 */
import { formatDecimal } from '../domain/money';
import { bankIds, finalVersion } from './lifecycle';
import type { GeneratedTransaction, GeneratedUser } from './types';

/**
 * One JSONL line: ids, user, bank, account, every bank id, the final version, every life-cycle event and the truth
 * labels. Key order is fixed, so the same universe gives the same bytes.
 */
export function transactionLine(user: GeneratedUser, txn: GeneratedTransaction): string {
  const v = finalVersion(txn);
  return JSON.stringify({
    id: txn.id,
    user: user.key,
    persona: user.persona,
    bank: txn.bank,
    account_id: txn.accountId,
    currency: txn.currency,
    bank_txn_ids: bankIds(txn),
    final: {
      bank_txn_id: v.bankTxnId,
      status: v.status,
      date: v.date,
      at: v.at,
      amount: formatDecimal({ minor: v.amountMinor, currency: txn.currency }),
      amount_minor: v.amountMinor,
      description: v.description,
    },
    events: txn.events,
    truth: txn.truth,
  });
}

export interface Summary {
  users: number;
  transactions: number;
  byBank: Record<string, number>;
  byPrimary: Record<string, number>;
  anomalies: Record<string, number>;
  resends: number;
  resentTransactions: number;
  corrections: Record<string, number>;
  removals: number;
  pending: number;
  transferPairs: number;
}

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

export function emptySummary(): Summary {
  return {
    users: 0,
    transactions: 0,
    byBank: {},
    byPrimary: {},
    anomalies: {},
    resends: 0,
    resentTransactions: 0,
    corrections: {},
    removals: 0,
    pending: 0,
    transferPairs: 0,
  };
}

/** Adds one user's transactions to a summary (so a CLI need not keep every user in memory). */
export function addToSummary(s: Summary, user: GeneratedUser): Summary {
  s.users++;
  for (const t of user.transactions) {
    s.transactions++;
    bump(s.byBank, t.bank);
    bump(s.byPrimary, t.truth.category.primary);
    if (t.truth.is_anomaly) bump(s.anomalies, t.truth.anomaly_kind ?? 'unknown');
    if (t.truth.resent_as.length) {
      s.resentTransactions++;
      s.resends += t.truth.resent_as.length;
    }
    for (const c of t.truth.corrections) bump(s.corrections, c.field);
    if (t.truth.removed) s.removals++;
    if (t.events[0]?.kind === 'appear' && t.events[0].version.status === 'pending') s.pending++;
    if (t.truth.transfer_pair_of !== undefined && t.truth.transfer_pair_of > t.id) s.transferPairs++;
  }
  return s;
}

export function summarize(users: readonly GeneratedUser[]): Summary {
  const s = emptySummary();
  for (const u of users) addToSummary(s, u);
  return s;
}

const sorted = (m: Record<string, number>) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** The summary as one line of text. */
export function formatSummary(s: Summary): string {
  return [
    `users=${s.users} transactions=${s.transactions}`,
    `banks: ${sorted(s.byBank)}`,
    `primaries: ${sorted(s.byPrimary)}`,
    `anomalies: ${sorted(s.anomalies) || 'none'}`,
    `resends=${s.resends} (of ${s.resentTransactions} transactions) corrections: ${sorted(s.corrections) || 'none'}`,
    `removals=${s.removals} pending_first=${s.pending} transfer_pairs=${s.transferPairs}`,
  ].join(' | ');
}
