import type { BankTransaction, StoredTransaction } from './models';
import type { TxnChange } from './reconcile';

/**
 * Which part of a bank's history a sync lists, and which stored transactions that listing can match. Pure: the
 * sync service asks, the provider client and the store do what it says.
 *
 * A window guarantees: every record the bank adds, changes or removes is seen by the next sync whose listing
 * covers it. A change listing covers everything after the bank's change token. A date window covers the records
 * dated, or last changed, within it; it starts at the earliest date a change could still touch (the oldest
 * pending transaction, which may still post, and the bank's correction horizon), less a safety margin. What a
 * window cannot see (a removal older than the horizon; a bank that breaks its own horizon) the full
 * reconciliation, at least every FULL_SYNC_EVERY_MS and on demand, lists everything and catches. A connection
 * whose stored index predates windows (indexCurrent) lists everything until a sync has repaired that index.
 */

/** What a listing asks the bank for (the provider clients' ListingRequest). */
export type Listing =
  { kind: 'all' } | { kind: 'changes'; since: string } | { kind: 'dates'; from: string; to: string };

/** How a bank can narrow a listing. */
export interface ListingCapabilities {
  changes: boolean;
  dates: boolean;
  correctionHorizonDays: number;
}

/** What a connection remembers between syncs to list only what changed. */
export interface SyncState {
  /** The bank's change token from the last listing's last page, where the bank gives one. */
  changeToken: string | null;
  /** When the last full listing finished (RFC 3339). */
  fullAt: string;
  /** The earliest bank date of a live pending transaction (it may still post), or null. */
  pendingFrom: string | null;
  /**
   * The newest bank date listed so far: a window's horizon counts back from it when it is older than our today (a
   * bank whose clock is behind ours, like the twin's moved mock-bank clocks).
   */
  newestDate?: string | null;
  /**
   * The version of the connection's stored index a window's reads rely on (INDEX_VERSION once repaired, or once a
   * first sync began with nothing stored); absent for connections stored before windowed syncs.
   */
  indexVersion?: number;
}

/**
 * The stored index a windowed sync reads: transactions sorted by bank date within their connection, and an alias
 * for every merged bank id. Until a connection's index is at this version its syncs list everything (and repair).
 */
export const INDEX_VERSION = 2;

/** True when the connection's stored index is the one a window's reads rely on. */
export const indexCurrent = (state: SyncState | undefined): boolean =>
  (state?.indexVersion ?? 0) >= INDEX_VERSION;

/** A full reconciliation at least this often, whatever the bank offers. */
export const FULL_SYNC_EVERY_MS = 24 * 3_600_000;
/** Days added on each side of a date window: bank dates are local to the account's time zone. */
export const WINDOW_MARGIN_DAYS = 3;

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** The smallest listing the bank supports that still sees every change since the last sync. */
export function chooseListing(
  bank: ListingCapabilities,
  state: SyncState | undefined,
  now: Date,
  full: boolean,
): Listing {
  if (
    full ||
    !state ||
    !indexCurrent(state) ||
    now.getTime() - Date.parse(state.fullAt) >= FULL_SYNC_EVERY_MS
  )
    return { kind: 'all' };
  if (bank.changes && state.changeToken) return { kind: 'changes', since: state.changeToken };
  if (bank.dates) {
    const today = dayMs(isoDay(now.getTime()));
    const anchor = state.newestDate ? Math.min(today, dayMs(state.newestDate)) : today;
    let from = anchor - bank.correctionHorizonDays * DAY_MS;
    if (state.pendingFrom) from = Math.min(from, dayMs(state.pendingFrom));
    return {
      kind: 'dates',
      from: isoDay(from - WINDOW_MARGIN_DAYS * DAY_MS),
      to: isoDay(today + WINDOW_MARGIN_DAYS * DAY_MS),
    };
  }
  return { kind: 'all' };
}

/** Which stored transactions a listing's records can match; null: all of them (a full listing). */
export function storedScope(
  listing: Listing,
  records: readonly BankTransaction[],
  removedIds: readonly string[],
): { from: string | null; dates: string[]; bankIds: string[] } | null {
  if (listing.kind === 'all') return null;
  const bankIds = new Set<string>(removedIds);
  const dates = new Set<string>();
  for (const r of records) {
    bankIds.add(r.providerTxnId);
    if (r.pendingTxnId) bankIds.add(r.pendingTxnId);
    // Same date: a re-send under a new id, or a posting with nothing else changed (same fingerprint).
    dates.add(r.date);
  }
  return {
    // A window also judges what it no longer shows: everything stored within it is read.
    from: listing.kind === 'dates' ? listing.from : null,
    dates: [...dates].sort(),
    bankIds: [...bankIds].sort(),
  };
}

/** The window reconcile judges removals in (a date window), or null. */
export function reconcileWindow(listing: Listing): { from: string; to: string } | null {
  return listing.kind === 'dates' ? { from: listing.from, to: listing.to } : null;
}

/**
 * The earliest bank date of a live pending transaction after the changes are written, from what was read (for a
 * full listing or a date window, that holds every live pending transaction) and what changed.
 */
export function earliestPending(
  stored: readonly StoredTransaction[],
  changes: readonly TxnChange[],
): string | null {
  const latest = new Map<string, StoredTransaction>(stored.map((t) => [t.id, t]));
  for (const c of changes) latest.set(c.txn.id, c.txn);
  let min: string | null = null;
  for (const t of latest.values()) {
    if (t.removed || t.original.status !== 'pending') continue;
    if (min === null || t.original.date < min) min = t.original.date;
  }
  return min;
}

/** The newest bank date among the records, or `previous` when none is newer. */
export function newestDate(previous: string | null, records: readonly BankTransaction[]): string | null {
  let max = previous;
  for (const r of records) if (max === null || r.date > max) max = r.date;
  return max;
}
