/**
 * Reading generated life cycles: the final (effective) version of a transaction, and what a bank shows at an
 * instant. Pure helpers over the contract in types.ts; the mock banks have their own replay (shared/banks/kit).
 */
import type { BankRecordVersion, GeneratedTransaction } from './types';

/**
 * The transaction as it finally stands at its bank, ignoring re-sends (which are copies): the version after the
 * last `appear`/`post`/`correct`. A removed transaction still has one (what it was before it went away).
 */
export function finalVersion(txn: GeneratedTransaction): BankRecordVersion {
  let v: BankRecordVersion | null = null;
  for (const e of txn.events) {
    if (e.kind === 'appear' || e.kind === 'post' || e.kind === 'correct') v = e.version;
  }
  if (!v) throw new Error(`transaction ${txn.id} has no version`);
  return v;
}

/** The records of `txn` a bank shows at `atMs` (the original, or its posted form, plus re-sends). */
export function visibleVersions(txn: GeneratedTransaction, atMs: number): BankRecordVersion[] {
  let out: BankRecordVersion[] = [];
  for (const e of txn.events) {
    if (Date.parse(e.at) > atMs) break;
    switch (e.kind) {
      case 'appear':
        out = [e.version];
        break;
      case 'post':
        out = out.map((v) => (v.bankTxnId === e.replacesBankTxnId ? e.version : v));
        break;
      case 'correct':
        out = out.map((v) => (v.bankTxnId === e.version.bankTxnId ? e.version : v));
        break;
      case 'resend':
        out.push(e.version);
        break;
      case 'remove':
        out = [];
        break;
    }
  }
  return out;
}

/** Every bank id a transaction ever had (pending, posted, re-sent). */
export function bankIds(txn: GeneratedTransaction): string[] {
  const ids: string[] = [];
  for (const e of txn.events) {
    if (e.kind === 'remove') continue;
    if (!ids.includes(e.version.bankTxnId)) ids.push(e.version.bankTxnId);
  }
  return ids;
}
