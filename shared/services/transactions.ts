import { HttpProblem, notFound } from '../http/problem';
import type { StoredTransaction, TxnEvent } from '../domain/models';
import { view as providerView } from '../domain/reconcile';
import { transactionView } from '../domain/transactions';
import type { Store } from '../ports/store';

export async function getTransactionOr404(
  store: Store,
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
export async function transactionDetail(store: Store, userId: string, id: string) {
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

const FEED_POSITION = /^[A-Za-z0-9:._#-]{1,200}$/;

/**
 * The Plaid-style change feed: what was added, modified and removed since the client's cursor. A client that
 * replays it from an empty cursor, applying each page, ends with exactly the current set.
 */
export async function transactionChanges(
  store: Store,
  userId: string,
  cursor: string | undefined,
  limit: number,
) {
  let after: string | null = null;
  if (cursor) {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!FEED_POSITION.test(decoded)) throw new HttpProblem(400, 'The cursor is not valid.');
    after = decoded;
  }
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
    next_cursor: position ? Buffer.from(position, 'utf8').toString('base64url') : '',
    has_more: hasMore,
  };
}
