import { createHash } from 'node:crypto';
import { fingerprint, normalizeDescription, providerValues } from './fingerprint';
import { formatDecimal } from './money';
import type { BankTransaction, ProviderValues, StoredTransaction, TxnEvent, TxnEventKind } from './models';

/**
 * Reconciliation of one connection's bank feed with what we have stored: pure, deterministic, idempotent.
 *
 * Given the stored transactions and the bank's current records, it decides, per record, which stored transaction
 * it is (the same bank id; the bank's own pending→posted link; the same fingerprint, i.e. a re-send or a posting
 * under a new id with nothing else changed; or a posting under a new id with a changed amount, matched by
 * merchant, date and amount), what changed (each change an event with before/after), what is new, and what the
 * bank no longer shows (tombstoned). Reconciling the result with the same feed again changes nothing.
 */

export interface ReconcileInput {
  userId: string;
  connectionId: string;
  provider: string;
  /** Our account id for a bank account id. Records whose account is unknown must be filtered out before. */
  accountIdFor: (providerAccountId: string) => string;
  /**
   * The stored transactions of the connection the feed can match, removed ones included: all of them for a full
   * feed; for a window or a change feed at least those dated within it and those known by one of its bank ids.
   */
  stored: readonly StoredTransaction[];
  incoming: readonly BankTransaction[];
  /** The dates the feed covers (inclusive): a stored transaction outside it is not judged removed. */
  window: { from: string; to: string } | null;
  /**
   * A change feed: `incoming` holds only what changed, so a transaction missing from it is unchanged; these bank
   * ids left the listing (removed, or replaced by a posting). Absent for a listing of everything (or a window).
   */
  removedIds?: readonly string[] | null;
  now: string;
  /** Who makes these changes: `sync:<run id>`. */
  actor: string;
}

export interface TxnChange {
  txn: StoredTransaction;
  /** The version the stored item must still have (optimistic lock); null when the transaction is new. */
  expectedVersion: number | null;
  events: TxnEvent[];
}

export interface ReconcileResult {
  changes: TxnChange[];
  added: number;
  modified: number;
  removed: number;
  /** Bank records recognised as a transaction we already had under another id. */
  merged: number;
}

/** Our transaction id: deterministic from the connection and the first bank id, so reruns write the same items. */
export function transactionId(connectionId: string, providerTxnId: string): string {
  return `txn_${createHash('sha256').update(`${connectionId}\u001f${providerTxnId}`).digest('hex').slice(0, 24)}`;
}

/** How far after its pending date a transaction may post under a new id. */
const POSTING_WINDOW_DAYS = 7;
/** Merchant-token similarity needed to call a new posted record the posting of a vanished pending one. */
const POSTING_MIN_SIMILARITY = 0.5;

interface Working {
  txn: StoredTransaction;
  expectedVersion: number | null;
  events: TxnEvent[];
  seen: boolean;
  /** Which record set the provider values in this run, to let a posted record win over a pending one. */
  setBy: BankTransaction | null;
}

export function reconcile(input: ReconcileInput): ReconcileResult {
  const removedIds = input.removedIds ? new Set(input.removedIds) : null;
  /** A stored transaction the feed does not show: is that because it left the bank's listing? */
  const vanished = (t: StoredTransaction): boolean => {
    if (removedIds) return t.providerTxnIds.some((id) => removedIds.has(id));
    const d = t.original.date;
    return !input.window || (d >= input.window.from && d <= input.window.to);
  };
  const work = new Map<string, Working>();
  const byBankId = new Map<string, Working>();
  const byFingerprint = new Map<string, Working>();
  for (const s of input.stored) {
    const w: Working = { txn: s, expectedVersion: s.version, events: [], seen: false, setBy: null };
    work.set(s.id, w);
    for (const id of s.providerTxnIds) byBankId.set(id, w);
    if (!s.removed) byFingerprint.set(s.fingerprint, w);
  }
  let merged = 0;

  const record = (
    w: Working,
    kind: TxnEventKind,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
  ) => {
    w.txn = { ...w.txn, version: w.txn.version + 1, updatedAt: input.now };
    w.events.push({
      txnId: w.txn.id,
      seq: w.txn.version,
      at: input.now,
      actor: input.actor,
      kind,
      before,
      after,
    });
  };

  const alias = (w: Working, r: BankTransaction) => {
    if (w.txn.providerTxnIds.includes(r.providerTxnId)) return;
    w.txn = { ...w.txn, providerTxnIds: [...w.txn.providerTxnIds, r.providerTxnId] };
    byBankId.set(r.providerTxnId, w);
    merged += 1;
    record(w, 'merged', null, { provider_txn_id: r.providerTxnId });
  };

  /** Applies a record's provider values to a transaction, one event per changed aspect. */
  const apply = (w: Working, r: BankTransaction) => {
    if (w.setBy && !(w.setBy.status === 'pending' && r.status === 'posted')) return;
    w.setBy = r;
    w.seen = true;
    const before = w.txn.original;
    const after = providerValues(r);
    if (w.txn.removed) {
      w.txn = { ...w.txn, removed: false };
      record(w, 'restored', { removed: true }, { removed: false });
    }
    for (const change of diff(before, after)) {
      w.txn = { ...w.txn, original: { ...w.txn.original, ...change.patch } };
      record(w, change.kind, change.before, change.after);
    }
    // The bank's reference identifies the transaction; it is kept current without an event of its own.
    if ((before.reference ?? null) !== (after.reference ?? null)) {
      w.txn = { ...w.txn, original: { ...w.txn.original, reference: after.reference ?? null } };
    }
    const fp = fingerprint(w.txn.accountId, w.txn.original);
    if (fp !== w.txn.fingerprint) {
      if (byFingerprint.get(w.txn.fingerprint) === w) byFingerprint.delete(w.txn.fingerprint);
      w.txn = { ...w.txn, fingerprint: fp };
    }
    byFingerprint.set(fp, w);
  };

  // Deterministic order, whatever order the bank paginated in.
  const incoming = [...input.incoming].sort((a, b) => cmp(a.providerTxnId, b.providerTxnId));
  const seenBankIds = new Set<string>();
  const pendingRecords: BankTransaction[] = [];
  for (const r of incoming) {
    if (seenBankIds.has(r.providerTxnId)) continue; // the same record twice in one feed
    seenBankIds.add(r.providerTxnId);
    pendingRecords.push(r);
  }

  // 1. The same bank id. When several ids of one transaction are present (a re-send beside its original), a
  //    posted record speaks before a pending one, then the transaction's earliest id.
  let unresolved: BankTransaction[] = [];
  const known = new Map<Working, BankTransaction[]>();
  for (const r of pendingRecords) {
    const w = byBankId.get(r.providerTxnId);
    if (!w) unresolved.push(r);
    else known.set(w, [...(known.get(w) ?? []), r]);
  }
  for (const [w, records] of known) {
    const rank = (r: BankTransaction) =>
      (r.status === 'posted' ? 0 : 1e6) + w.txn.providerTxnIds.indexOf(r.providerTxnId);
    apply(
      w,
      records.reduce((best, r) => (rank(r) < rank(best) ? r : best)),
    );
  }

  // 2. The bank's own link from a posted record to the pending one it replaces.
  unresolved = unresolved.filter((r) => {
    const w = r.pendingTxnId ? byBankId.get(r.pendingTxnId) : undefined;
    if (!w) return true;
    alias(w, r);
    apply(w, r);
    return false;
  });

  // 3. The same fingerprint: a re-send under a new id, or a posting under a new id with nothing else changed.
  unresolved = unresolved.filter((r) => {
    const w = byFingerprint.get(fingerprint(input.accountIdFor(r.providerAccountId), providerValues(r)));
    if (!w) return true;
    alias(w, r);
    if (!w.seen) apply(w, r);
    return false;
  });

  // 4. A posted record under a new id, for a pending transaction that vanished: same account and direction,
  //    posted within a week, amount changed by a tip or a pre-authorisation. Where the bank identifies the
  //    real-world payment (its authorization instant, or its reference), that decides; otherwise the merchant
  //    words must agree.
  const vanishedPending = [...work.values()].filter(
    (w) => !w.seen && !w.txn.removed && w.txn.original.status === 'pending' && vanished(w.txn),
  );
  if (vanishedPending.length) {
    const pairs: { r: BankTransaction; w: Working; score: number[] }[] = [];
    for (const r of unresolved) {
      if (r.status !== 'posted') continue;
      const account = input.accountIdFor(r.providerAccountId);
      for (const w of vanishedPending) {
        const p = w.txn.original;
        if (w.txn.accountId !== account || Math.sign(p.amountMinor) !== Math.sign(r.amountMinor)) continue;
        const days = daysBetween(p.date, r.date);
        if (days < 0 || days > POSTING_WINDOW_DAYS) continue;
        const identity = sameIdentity(p, r);
        if (identity === 'different') continue;
        const sim = similarity(p.merchantName ?? p.description, r.merchantName ?? r.description);
        if (identity === 'unknown' && sim < POSTING_MIN_SIMILARITY) continue;
        const ratio = Math.abs(Math.log(Math.abs(r.amountMinor) / Math.max(1, Math.abs(p.amountMinor))));
        pairs.push({ r, w, score: [identity === 'same' ? 0 : 1, -sim, ratio, days] });
      }
    }
    pairs.sort(
      (a, b) =>
        cmpScore(a.score, b.score) ||
        cmp(a.r.providerTxnId, b.r.providerTxnId) ||
        cmp(a.w.txn.id, b.w.txn.id),
    );
    const used = new Set<string>();
    for (const { r, w } of pairs) {
      if (used.has(r.providerTxnId) || w.seen) continue;
      used.add(r.providerTxnId);
      alias(w, r);
      apply(w, r);
    }
    unresolved = unresolved.filter((r) => !used.has(r.providerTxnId));
  }

  // 5. New transactions; records of one transaction sent twice in this same feed become one.
  let added = 0;
  for (const r of unresolved) {
    const accountId = input.accountIdFor(r.providerAccountId);
    const values = providerValues(r);
    const fp = fingerprint(accountId, values);
    const twin = byFingerprint.get(fp);
    if (twin) {
      alias(twin, r);
      continue;
    }
    const txn: StoredTransaction = {
      id: transactionId(input.connectionId, r.providerTxnId),
      userId: input.userId,
      connectionId: input.connectionId,
      accountId,
      provider: input.provider,
      providerTxnIds: [r.providerTxnId],
      original: values,
      fingerprint: fp,
      removed: false,
      version: 1,
      createdAt: input.now,
      updatedAt: input.now,
    };
    const w: Working = {
      txn,
      expectedVersion: null,
      events: [
        {
          txnId: txn.id,
          seq: 1,
          at: input.now,
          actor: input.actor,
          kind: 'created',
          before: null,
          after: view(values),
        },
      ],
      seen: true,
      setBy: r,
    };
    work.set(txn.id, w);
    byBankId.set(r.providerTxnId, w);
    byFingerprint.set(fp, w);
    added += 1;
  }

  // 6. What the bank no longer shows (within the window it showed, or as its change feed says) is tombstoned.
  let removed = 0;
  for (const w of work.values()) {
    if (w.seen || w.txn.removed) continue;
    if (!vanished(w.txn)) continue;
    w.txn = { ...w.txn, removed: true };
    record(w, 'removed', { removed: false }, { removed: true });
    removed += 1;
  }

  const changes = [...work.values()]
    .filter((w) => w.events.length > 0)
    .map((w) => ({ txn: w.txn, expectedVersion: w.expectedVersion, events: w.events }));
  const modified = changes.filter((c) => c.expectedVersion !== null && !c.txn.removed).length;
  return { changes, added, modified, removed, merged };
}

interface FieldChange {
  kind: TxnEventKind;
  patch: Partial<ProviderValues>;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

function diff(a: ProviderValues, b: ProviderValues): FieldChange[] {
  const out: FieldChange[] = [];
  if (a.amountMinor !== b.amountMinor || a.currency !== b.currency) {
    out.push({
      kind: 'amount_changed',
      patch: { amountMinor: b.amountMinor, currency: b.currency },
      before: { amount: formatDecimal({ minor: a.amountMinor, currency: a.currency }), currency: a.currency },
      after: { amount: formatDecimal({ minor: b.amountMinor, currency: b.currency }), currency: b.currency },
    });
  }
  if (a.description !== b.description) {
    out.push({
      kind: 'description_changed',
      patch: { description: b.description },
      before: { description: a.description },
      after: { description: b.description },
    });
  }
  if (a.merchantName !== b.merchantName) {
    out.push({
      kind: 'merchant_changed',
      patch: { merchantName: b.merchantName },
      before: { merchant_name: a.merchantName },
      after: { merchant_name: b.merchantName },
    });
  }
  if (a.status !== b.status) {
    out.push({
      kind: 'status_changed',
      patch: { status: b.status },
      before: { status: a.status },
      after: { status: b.status },
    });
  }
  if (a.date !== b.date || a.occurredAt !== b.occurredAt) {
    out.push({
      kind: 'date_changed',
      patch: { date: b.date, occurredAt: b.occurredAt },
      before: { date: a.date, occurred_at: a.occurredAt },
      after: { date: b.date, occurred_at: b.occurredAt },
    });
  }
  return out;
}

/** Provider values as events show them. */
export function view(v: ProviderValues): Record<string, unknown> {
  return {
    status: v.status,
    date: v.date,
    occurred_at: v.occurredAt,
    amount: formatDecimal({ minor: v.amountMinor, currency: v.currency }),
    currency: v.currency,
    description: v.description,
    merchant_name: v.merchantName,
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function cmpScore(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * Whether two versions are the same real-world payment by what the bank says of it: the authorization instant,
 * or the bank's reference. `unknown` when the bank gives neither on both.
 */
function sameIdentity(p: ProviderValues, r: BankTransaction): 'same' | 'different' | 'unknown' {
  if (p.reference && r.reference) return p.reference === r.reference ? 'same' : 'different';
  if (p.occurredAt && r.occurredAt) return p.occurredAt === r.occurredAt ? 'same' : 'different';
  return 'unknown';
}

/** Words every card description carries, which say nothing about the merchant. */
const GENERIC = new Set([
  'POS',
  'DEBIT',
  'CREDIT',
  'CARD',
  'PURCHASE',
  'PAYMENT',
  'UPI',
  'DR',
  'CR',
  'VISA',
  'MC',
  'TXN',
  'REF',
]);

/** Jaccard similarity of the merchant words of two descriptions (digits, references and generic words ignored). */
export function similarity(a: string, b: string): number {
  const tokens = (s: string) =>
    new Set(
      normalizeDescription(s)
        .split(/[^A-Z]+/)
        .filter((t) => t.length > 1 && !GENERIC.has(t)),
    );
  const ta = tokens(a);
  const tb = tokens(b);
  if (!ta.size || !tb.size) return 0;
  let inter = 0;
  for (const t of ta) if (tb.has(t)) inter += 1;
  return inter / (ta.size + tb.size - inter);
}
