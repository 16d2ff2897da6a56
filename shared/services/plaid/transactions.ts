import { createHash, randomUUID } from 'node:crypto';
import type { SyncJob } from '../../domain/jobs';
import type { StoredTransaction } from '../../domain/models';
import { fromMajorFloat, MoneyError } from '../../domain/money';
import { legacyCategory, plaidCategories } from '../../domain/plaid/categories';
import { invalidField, PlaidError } from '../../domain/plaid/errors';
import { plaidUserId } from '../../domain/plaid/ids';
import type { PlaidApplication } from '../../domain/plaid/models';
import { detectRecurring, type RecurringInput } from '../../domain/plaid/recurring';
import {
  classifySyncPage,
  DEFAULT_SYNC_COUNT,
  needsHistory,
  openSyncCursor,
  planSyncPage,
  sealSyncCursor,
  SyncCursorError,
  type SyncPlan,
} from '../../domain/plaid/sync-cursor';
import {
  counterparties,
  knownPendingHistory,
  NULL_LOCATION,
  paymentChannel,
  pendingHistory,
  personalFinanceCategory,
  plaidTransactionId,
  toPlaidTransaction,
  type PendingHistory,
} from '../../domain/plaid/transactions';
import { effective } from '../../domain/transactions';
import type { Clock } from '../../ports/clock';
import type { JobQueue } from '../../ports/queue';
import type { Store } from '../../ports/store';
import { enrichTransactions, type EnrichItem } from '../user-rules';
import type { ResolvedItem } from './items';

/**
 * The transactions product of the Plaid surface (`/transactions/*`, `/categories/get`) over finagg's store: the
 * same transactions finagg's own API shows (with the user's corrections), in Plaid's shapes (domain/plaid/).
 */
export interface PlaidTransactionsDeps {
  store: Store;
  clock: Clock;
  syncQueue: JobQueue<SyncJob>;
  /** The server's key for sync cursors (their HMAC): see `cursorKeyFrom`. */
  cursorKey: string;
}

/** The sync cursors' key, derived (with its own label) from the server's secret key material. */
export function cursorKeyFrom(secretMaterial: string): string {
  return createHash('sha256').update(`finagg plaid sync cursor v1\n${secretMaterial}`).digest('base64url');
}

/** How long a write must have landed before a sync page serves it (a write stamped earlier may still land). */
export const SETTLE_MS = 2_000;
/** Feed items read per store call, and store calls per sync request at most. */
const FEED_CHUNK = 250;
const MAX_FEED_READS = 8;
/** Events read at once (one store query each) for the pending histories of a page. */
const HISTORY_CONCURRENCY = 16;

function notReady(): PlaidError {
  return new PlaidError(
    'PRODUCT_NOT_READY',
    'the requested product is not yet ready. please provide a webhook or try the request again later',
  );
}

/** The item's first sync has completed (successfully or not: a sync that ran records the time). */
function ready(item: ResolvedItem): boolean {
  return Boolean(item.connection.lastSyncAt);
}

/** Each transaction's pending life: from the transaction where it tells, else from its events (bounded fan-out). */
export async function pendingHistories(
  store: Pick<Store, 'listTransactionEvents'>,
  txns: readonly StoredTransaction[],
): Promise<Map<string, PendingHistory>> {
  const out = new Map<string, PendingHistory>();
  const todo: StoredTransaction[] = [];
  for (const t of txns) {
    const known = knownPendingHistory(t);
    if (known && !needsHistory(t)) out.set(t.id, known);
    else todo.push(t);
  }
  for (let i = 0; i < todo.length; i += HISTORY_CONCURRENCY) {
    const batch = todo.slice(i, i + HISTORY_CONCURRENCY);
    const events = await Promise.all(batch.map((t) => store.listTransactionEvents(t.id)));
    batch.forEach((t, j) => out.set(t.id, pendingHistory(events[j] ?? [])));
  }
  return out;
}

export interface SyncRequest {
  cursor?: string | null;
  count?: number;
  accountId?: string | null;
  includeOriginalDescription?: boolean;
}

/** `/transactions/sync`: the item's changes after the cursor (domain/plaid/sync-cursor.ts). */
export async function syncTransactions(
  deps: PlaidTransactionsDeps,
  resolved: ResolvedItem,
  req: SyncRequest,
) {
  const { store, clock } = deps;
  const { item, connection } = resolved;
  let state;
  try {
    state = openSyncCursor(deps.cursorKey, item.itemId, req.cursor);
  } catch (err) {
    if (err instanceof SyncCursorError) throw invalidField(`cursor: ${err.message}`);
    throw err;
  }
  if (req.accountId) await requireAccounts(store, resolved, [req.accountId]);
  if (!ready(resolved)) {
    // Plaid answers an item whose first update has not finished with an empty page that says so.
    return {
      added: [],
      modified: [],
      removed: [],
      next_cursor: req.cursor ?? '',
      has_more: false,
      transactions_update_status: 'NOT_READY',
    };
  }
  const now = clock.now();
  // A sync of the connection writing now: its writes share one instant and land over a while, so the page
  // stops before its start (they come once it has ended); anything else waits SETTLE_MS.
  const running = await store.listRunningSyncRuns({ connectionId: connection.id });
  const settled = new Date(now.getTime() - SETTLE_MS).toISOString();
  const cap = running.reduce((c, r) => (r.startedAt < c ? r.startedAt : c), settled);
  const count = req.count ?? DEFAULT_SYNC_COUNT;
  const read: StoredTransaction[] = [];
  let after = state.after;
  let plan: SyncPlan | undefined;
  for (let reads = 0; reads < MAX_FEED_READS; reads++) {
    const got = await store.transactionFeed(item.userId, after, FEED_CHUNK);
    read.push(...got.items);
    plan = planSyncPage({
      state,
      read,
      exhausted: got.items.length < FEED_CHUNK,
      count,
      connectionId: connection.id,
      accountIds: req.accountId ? new Set([req.accountId]) : null,
      cap,
      now: now.toISOString(),
    });
    if (plan.complete || !got.position) break;
    after = got.position;
  }
  const page = plan!;
  const histories = await pendingHistories(store, page.page);
  const changes = classifySyncPage(
    page.page,
    { base: state.base, runStart: state.runStart ?? now.toISOString() },
    (t) => histories.get(t.id) ?? null,
    { includeOriginalDescription: req.includeOriginalDescription ?? false },
  );
  return {
    ...changes,
    next_cursor: sealSyncCursor(deps.cursorKey, item.itemId, page.next),
    has_more: page.hasMore,
    transactions_update_status: 'HISTORICAL_UPDATE_COMPLETE',
  };
}

/** INVALID_ACCOUNT_ID unless every id is an account of the item's connection. */
async function requireAccounts(store: Store, resolved: ResolvedItem, ids: readonly string[]): Promise<void> {
  const accounts = await store.listAccounts(resolved.item.userId);
  const mine = new Set(accounts.filter((a) => a.connectionId === resolved.connection.id).map((a) => a.id));
  const unknown = ids.filter((id) => !mine.has(id));
  if (unknown.length) {
    throw new PlaidError(
      'INVALID_ACCOUNT_ID',
      `one or more of the account IDs is invalid: ${unknown.join(', ')}`,
    );
  }
}

export interface GetRequest {
  startDate: string;
  endDate: string;
  count?: number;
  offset?: number;
  accountIds?: readonly string[] | null;
  includeOriginalDescription?: boolean;
}

/** `/transactions/get`: the item's transactions dated in the range, newest first, a page of them. */
export async function getTransactions(deps: PlaidTransactionsDeps, resolved: ResolvedItem, req: GetRequest) {
  if (req.startDate > req.endDate) throw invalidField('start_date must be on or before end_date');
  if (req.accountIds?.length) await requireAccounts(deps.store, resolved, req.accountIds);
  if (!ready(resolved)) throw notReady();
  const accounts = req.accountIds?.length ? new Set(req.accountIds) : null;
  const all = (await deps.store.listConnectionTransactions(resolved.item.userId, resolved.connection.id))
    .filter((t) => !t.removed && (!accounts || accounts.has(t.accountId)))
    .map((t) => ({ t, date: effective(t).date }))
    .filter(({ date }) => date >= req.startDate && date <= req.endDate)
    .sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.t.id < b.t.id ? -1 : 1))
    .map(({ t }) => t);
  const offset = req.offset ?? 0;
  const page = all.slice(offset, offset + (req.count ?? 100));
  const histories = await pendingHistories(deps.store, page);
  return {
    transactions: page.map((t) =>
      toPlaidTransaction(t, {
        history: histories.get(t.id) ?? null,
        includeOriginalDescription: req.includeOriginalDescription ?? false,
      }),
    ),
    total_transactions: all.length,
  };
}

/** `/transactions/refresh`: queues a sync of the item's connection now (as `POST /connections/{id}/sync` does). */
export async function refreshTransactions(deps: PlaidTransactionsDeps, resolved: ResolvedItem) {
  const { connection } = resolved;
  if (connection.status !== 'active') throw notReady();
  await deps.syncQueue.send({
    type: 'sync',
    sync_id: randomUUID(),
    user_id: connection.userId,
    connection_id: connection.id,
    reason: 'manual',
    requested_at: deps.clock.now().toISOString(),
  });
  return {};
}

/** `/transactions/recurring/get`: the item's recurring inflow and outflow streams. */
export async function recurringTransactions(
  deps: PlaidTransactionsDeps,
  resolved: ResolvedItem,
  req: { accountIds?: readonly string[] | null },
) {
  if (req.accountIds?.length) await requireAccounts(deps.store, resolved, req.accountIds);
  if (!ready(resolved)) throw notReady();
  const txns = await deps.store.listConnectionTransactions(resolved.item.userId, resolved.connection.id);
  const items: RecurringInput[] = txns
    .filter((t) => !t.removed)
    .map((t) => {
      const e = effective(t);
      return {
        id: plaidTransactionId(t),
        accountId: t.accountId,
        date: e.date,
        amountMinor: e.amountMinor,
        currency: e.currency,
        description: e.description,
        merchantName: e.merchantName,
        category: t.category ?? null,
        pending: e.status === 'pending',
      };
    });
  const now = deps.clock.now();
  // "Today" for whether a stream is still active: the item's newest transaction date (never after the clock's
  // day). A bank's data ends where its clock is (a sandbox bank's may stand still): measured against the calendar
  // instead, every stream of a quiet account would look ended.
  const today = now.toISOString().slice(0, 10);
  const newest = items.reduce((d, t) => (t.date > d ? t.date : d), '');
  const streams = detectRecurring(items, {
    asOf: newest && newest < today ? newest : today,
    accountIds: req.accountIds?.length ? new Set(req.accountIds) : null,
  });
  return {
    ...streams,
    updated_datetime: resolved.connection.lastSyncAt ?? now.toISOString(),
    personal_finance_category_version: 'v1',
  };
}

/** `/categories/get`: Plaid's legacy hierarchy, from finagg's taxonomy. */
export function categories() {
  return { categories: plaidCategories() };
}

/** One transaction of a `/transactions/enrich` request (Plaid's ClientProvidedTransaction). */
export interface EnrichRequestItem {
  id: string;
  description: string;
  /** Positive, in major units; `direction` says which way. */
  amount: number;
  direction: 'INFLOW' | 'OUTFLOW';
  iso_currency_code: string;
  client_user_id?: string | undefined;
  client_account_id?: string | undefined;
  account_type?: string | undefined;
  account_subtype?: string | undefined;
  mcc?: string | undefined;
}

/**
 * `/transactions/enrich`: finagg's categorization engine (services/user-rules.ts `enrichTransactions`) on the app's
 * own transactions; nothing is stored. A transaction with a `client_user_id` gets that user's rules too.
 */
export async function enrichPlaidTransactions(
  deps: Pick<PlaidTransactionsDeps, 'store' | 'clock'>,
  app: Pick<PlaidApplication, 'clientId'>,
  req: { accountType: string; transactions: readonly EnrichRequestItem[] },
) {
  const byUser = new Map<string, { index: number; item: EnrichItem }[]>();
  req.transactions.forEach((t, index) => {
    let minor: number;
    try {
      minor = Math.abs(fromMajorFloat(t.amount, t.iso_currency_code).minor);
    } catch (err) {
      throw invalidField(
        `transactions.${index}.amount: ${err instanceof MoneyError ? err.message : 'invalid'}`,
      );
    }
    const userId = plaidUserId(app.clientId, t.client_user_id ?? '');
    const list = byUser.get(userId) ?? [];
    list.push({
      index,
      item: {
        id: t.id,
        description: t.description,
        amountMinor: t.direction === 'OUTFLOW' ? -minor : minor,
        currency: t.iso_currency_code,
      },
    });
    byUser.set(userId, list);
  });
  const results = new Array<ReturnType<typeof enrichedOf>>(req.transactions.length);
  for (const [userId, list] of byUser) {
    const { enriched } = await enrichTransactions(
      deps,
      userId,
      list.map((l) => l.item),
    );
    enriched.forEach((e, j) => {
      const { index } = list[j]!;
      results[index] = enrichedOf(req.transactions[index]!, e);
    });
  }
  return { enriched_transactions: results };
}

type Enriched = Awaited<ReturnType<typeof enrichTransactions>>['enriched'][number];

function enrichedOf(t: EnrichRequestItem, e: Enriched) {
  const category = e.category
    ? {
        primary: e.category.primary,
        detailed: e.category.detailed,
        source: e.category.source,
        confidence: e.category.confidence,
        ruleId: e.category.rule_id,
      }
    : null;
  const legacy = legacyCategory(category);
  const pfc = personalFinanceCategory(category);
  return {
    id: t.id,
    ...(t.client_user_id !== undefined ? { client_user_id: t.client_user_id } : {}),
    ...(t.client_account_id !== undefined ? { client_account_id: t.client_account_id } : {}),
    ...(t.account_type !== undefined ? { account_type: t.account_type } : {}),
    ...(t.account_subtype !== undefined ? { account_subtype: t.account_subtype } : {}),
    description: t.description,
    amount: t.amount,
    direction: t.direction,
    iso_currency_code: t.iso_currency_code,
    enrichments: {
      check_number: null,
      counterparties: counterparties(t.description, e.merchant_name, category).map((c) => ({
        name: c.name,
        entity_id: null,
        type: c.type,
        website: null,
        logo_url: null,
        confidence_level: c.confidence_level,
        phone_number: null,
      })),
      entity_id: null,
      legacy_category_id: legacy?.category_id ?? null,
      legacy_category: legacy ? [...legacy.hierarchy] : null,
      location: { ...NULL_LOCATION },
      logo_url: null,
      merchant_name: e.merchant_name,
      payment_channel: paymentChannel(t.description, category),
      phone_number: null,
      personal_finance_category: pfc,
      personal_finance_category_icon_url: pfc
        ? `https://plaid-category-icons.plaid.com/PFC_${pfc.primary}.png`
        : '',
      website: null,
    },
  };
}
