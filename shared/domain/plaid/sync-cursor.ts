/**
 * Plaid's `/transactions/sync` over finagg's change feed (`Store.transactionFeed`: a user's transactions in the
 * order they last changed, `<updatedAt>#<id>`, removed ones included). Pure.
 *
 * The cursor holds two things: `after`, the feed position the next page starts after, and `base`, the instant up
 * to which the app has a complete view: every transaction created at or before it reached the app in an earlier,
 * completed run of pages (one that ended with `has_more: false` on a feed read to its end). Relative to `base`:
 * a transaction created after it is `added` (the app cannot hold it), one created before it and changed is
 * `modified`, unless its Plaid id changed since (it posted: the pending id is `removed` and the posted transaction
 * `added` with `pending_transaction_id`); a tombstone is `removed` under every id the app may hold. `base` moves
 * only when a page reads the feed to its end, so a transaction that moves ahead in the feed while the app pages
 * (a change during pagination) is still `added` when it comes round again: the app sees it twice rather than
 * never, and a client that upserts `added` and `modified` (as Plaid's own examples do) ends with the exact set.
 *
 * Only the item's connection's transactions appear (one finagg user may hold several items' connections). The
 * cursor is opaque, bound to the item and tamper-evident (an HMAC under a server key).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { StoredTransaction } from '../models';
import {
  pendingAt,
  plaidTransactionId,
  removedEntries,
  toPlaidTransaction,
  type PendingHistory,
  type PlaidRemovedTransaction,
  type PlaidTransaction,
} from './transactions';

export const DEFAULT_SYNC_COUNT = 100;
export const MAX_SYNC_COUNT = 500;

/** Where an app is in the feed. */
export interface SyncCursorState {
  /** The feed position (`<updatedAt>#<id>`) the next page starts after; null: the beginning. */
  after: string | null;
  /** The app has every transaction created at or before this instant; null: nothing yet. */
  base: string | null;
  /**
   * When the current run of pages began (null between runs): a transaction created after `base` that posted since
   * may have reached the app as pending earlier in this run, so its pending id is removed with its posting.
   */
  runStart: string | null;
}

export const START: SyncCursorState = { after: null, base: null, runStart: null };

/** A cursor the server did not issue for this item (tampered, another item's, garbage). */
export class SyncCursorError extends Error {
  override name = 'SyncCursorError';
}

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const POSITION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z#[A-Za-z0-9:._-]{1,160}$/;

const State = z.strictObject({
  v: z.literal(1),
  a: z.string().max(200).regex(POSITION).nullable(),
  b: z.string().max(40).regex(INSTANT).nullable(),
  r: z.string().max(40).regex(INSTANT).nullable(),
});

/** The longest cursor accepted (Plaid's are a few hundred characters). */
export const MAX_SYNC_CURSOR_LENGTH = 1024;

function tag(key: string | Uint8Array, itemId: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`plaid-sync\n${itemId}\n${payload}`).digest().subarray(0, 18);
}

/** The cursor of a state, for an item: `<payload>.<tag>`, both base64url. */
export function sealSyncCursor(key: string | Uint8Array, itemId: string, state: SyncCursorState): string {
  const payload = Buffer.from(
    JSON.stringify({ v: 1, a: state.after, b: state.base, r: state.runStart }),
    'utf8',
  ).toString('base64url');
  return `${payload}.${tag(key, itemId, payload).toString('base64url')}`;
}

/** The state a cursor holds; an empty cursor is the start. SyncCursorError for anything the server did not seal. */
export function openSyncCursor(
  key: string | Uint8Array,
  itemId: string,
  cursor: string | null | undefined,
): SyncCursorState {
  if (cursor === undefined || cursor === null || cursor === '') return START;
  if (cursor.length > MAX_SYNC_CURSOR_LENGTH) throw new SyncCursorError('cursor is too long');
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{24})$/.exec(cursor);
  if (!m) throw new SyncCursorError('cursor is not a cursor this API issued');
  const [, payload = '', sig = ''] = m;
  const expected = tag(key, itemId, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SyncCursorError('cursor was not issued for this item');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new SyncCursorError('cursor is not a cursor this API issued');
  }
  const state = State.safeParse(parsed);
  if (!state.success) throw new SyncCursorError('cursor is not a cursor this API issued');
  return { after: state.data.a, base: state.data.b, runStart: state.data.r };
}

/** A transaction's place in the feed (the feed index's sort key). */
export function feedPosition(t: Pick<StoredTransaction, 'updatedAt' | 'id'>): string {
  return `${t.updatedAt}#${t.id}`;
}

/** The instant of a feed position. */
export function positionTime(position: string): string {
  return position.slice(0, position.indexOf('#'));
}

export interface PlanInput {
  state: SyncCursorState;
  /** The feed after `state.after`, in feed order, as read so far (every connection of the user). */
  read: readonly StoredTransaction[];
  /** The feed has nothing after the last item of `read`. */
  exhausted: boolean;
  count: number;
  connectionId: string;
  /** Only these accounts (Plaid's `options.account_id`). */
  accountIds?: ReadonlySet<string> | null;
  /**
   * Changes at or after this instant are not served yet (a sync of the connection is writing them, or they are
   * too fresh to be sure no earlier-stamped write is still landing): the page stops before them.
   */
  cap?: string | null;
  /** The clock's instant: a run that begins with this page begins now. */
  now: string;
}

export interface SyncPlan {
  /** The item's transactions of this page, in feed order (at most `count`). */
  page: StoredTransaction[];
  hasMore: boolean;
  next: SyncCursorState;
  /** The read went far enough: no further feed read can change this plan. */
  complete: boolean;
}

/**
 * The page a sync request answers, from what the service read of the feed so far. `complete` false means: read
 * more of the feed (if the service's read budget allows) and plan again; a plan that is not complete can still
 * be answered, as a page with `has_more: true`.
 */
export function planSyncPage(input: PlanInput): SyncPlan {
  const { state, count } = input;
  const runStart = state.runStart ?? input.now;
  const page: StoredTransaction[] = [];
  let last = state.after;
  const mine = (t: StoredTransaction) =>
    t.connectionId === input.connectionId && (!input.accountIds || input.accountIds.has(t.accountId));
  for (const t of input.read) {
    if (input.cap && t.updatedAt >= input.cap) {
      // Stopped short of the feed's end: the app's view is not complete, so base stays.
      return { page, hasMore: false, next: { after: last, base: state.base, runStart }, complete: true };
    }
    if (mine(t)) {
      if (page.length === count) {
        return { page, hasMore: true, next: { after: last, base: state.base, runStart }, complete: true };
      }
      page.push(t);
    }
    last = feedPosition(t);
  }
  if (input.exhausted) {
    const end = last ? positionTime(last) : null;
    const base = end && (!state.base || end > state.base) ? end : state.base;
    return { page, hasMore: false, next: { after: last, base, runStart: null }, complete: true };
  }
  return { page, hasMore: true, next: { after: last, base: state.base, runStart }, complete: false };
}

/** Whether classifying this transaction needs its pending history (its events). */
export function needsHistory(t: StoredTransaction): boolean {
  return t.original.status === 'posted' && t.version > 1;
}

export interface SyncChanges {
  added: PlaidTransaction[];
  modified: PlaidTransaction[];
  removed: PlaidRemovedTransaction[];
}

/**
 * Plaid's `added` / `modified` / `removed` of a page, relative to the app's `base` (and the run's start: the
 * incoming state's `runStart`, or now for a run this page begins). `historyOf` gives each transaction's pending
 * life (knownPendingHistory, or its events' pendingHistory); null where unknown.
 */
export function classifySyncPage(
  page: readonly StoredTransaction[],
  window: { base: string | null; runStart: string },
  historyOf: (t: StoredTransaction) => PendingHistory | null,
  opts: { includeOriginalDescription?: boolean } = {},
): SyncChanges {
  const out: SyncChanges = { added: [], modified: [], removed: [] };
  const removedSeen = new Set<string>();
  const remove = (entries: PlaidRemovedTransaction[]) => {
    for (const e of entries) {
      if (removedSeen.has(e.transaction_id)) continue;
      removedSeen.add(e.transaction_id);
      out.removed.push(e);
    }
  };
  for (const t of page) {
    const history = historyOf(t);
    if (t.removed) {
      remove(removedEntries(t, history));
      continue;
    }
    const view = toPlaidTransaction(t, { history, ...opts });
    const { base, runStart } = window;
    if (base === null || t.createdAt > base) {
      // Posted during this run: its pending version may have reached the app in an earlier page.
      if (view.pending_transaction_id && history?.postedAt && history.postedAt >= runStart) {
        remove([{ transaction_id: view.pending_transaction_id, account_id: t.accountId }]);
      }
      out.added.push(view);
      continue;
    }
    const held = history && pendingAt(t, history, base) ? view.pending_transaction_id : plaidTransactionId(t);
    if (held && held !== view.transaction_id) {
      remove([{ transaction_id: held, account_id: t.accountId }]);
      out.added.push(view);
    } else {
      out.modified.push(view);
    }
  }
  return out;
}
