import * as z from 'zod';
import { openCursor, sealCursor } from '../cursor';
import { notFound } from '../http/problem';
import type { StoredTransaction, TxnEvent } from '../domain/models';
import { view as providerView } from '../domain/reconcile';
import { transactionView } from '../domain/transactions';
import type { TransactionStore } from '../ports/store';

export async function getTransactionOr404(
  store: TransactionStore,
  userId: string,
  id: string,
): Promise<StoredTransaction> {
  const t = await store.getTransaction(userId, id);
  if (!t) throw notFound('No such transaction.');
  return t;
}

export function eventView(e: TxnEvent) {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    kind: e.kind,
    before: e.before,
    after: e.after,
    note: e.note ?? null,
  };
}

/** T plus the provider's values (`original`) and the immutable history. */
export async function transactionDetail(store: TransactionStore, userId: string, id: string) {
  const t = await getTransactionOr404(store, userId, id);
  const events = await store.listTransactionEvents(t.id);
  return {
    ...transactionView(t),
    provider: t.provider,
    connection_id: t.connectionId,
    original: providerView(t.original),
    history: events.map(eventView),
  };
}

/** A position in the user's change feed: `<updatedAt>#<transaction id>` (the feed index's sort key). */
const FeedPosition = z
  .string()
  .max(200)
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z#[A-Za-z0-9:._-]{1,160}$/);
const feedScope = (userId: string) => ({ list: 'transactions-feed', owner: userId });

/**
 * The Plaid-style change feed: what was added, modified and removed since the client's cursor. A client that
 * replays it from an empty cursor, applying each page, ends with exactly the current set.
 */
export async function transactionChanges(
  store: TransactionStore,
  userId: string,
  cursor: string | undefined,
  limit: number,
) {
  // A cursor of this user's feed only (another user's, or another list's, is a 400), holding a feed position.
  const after = cursor ? openCursor(cursor, feedScope(userId), FeedPosition) : null;
  const since = after ? after.slice(0, after.indexOf('#')) : '';
  const page = await store.transactionFeed(userId, after, limit + 1);
  const hasMore = page.items.length > limit;
  const items = page.items.slice(0, limit);
  const added = [];
  const modified = [];
  const removed = [];
  for (const t of items) {
    if (t.removed) removed.push({ id: t.id });
    else if (!after || t.createdAt > since) added.push(transactionView(t));
    else modified.push(transactionView(t));
  }
  const last = items.at(-1);
  const position = last ? `${last.updatedAt}#${last.id}` : after;
  return {
    added,
    modified,
    removed,
    next_cursor: position ? sealCursor(feedScope(userId), position) : '',
    has_more: hasMore,
  };
}
