/**
 * A finagg transaction as Plaid's `Transaction` object (the shape of the official `plaid` client's types): the
 * effective values (the user's corrections laid over the bank's, as finagg's own API shows them), Plaid's sign
 * (positive = money out), Plaid's legacy category and personal-finance category, and Plaid's pending model.
 *
 * Pending → posted. finagg keeps one transaction from its pending record to its posting (reconcile.ts merges a
 * posting under a new bank id into the pending transaction it replaces, and a posting under the same id changes
 * its status; either way a `status_changed` event records it). Plaid shows two: the pending one, which is removed
 * when it posts, and the posted one, a new transaction naming it in `pending_transaction_id`. So a finagg
 * transaction has two Plaid ids: its own id once posted (what it is for most of its life, and always for one that
 * arrived posted), and `pendingPlaidId(id)` while pending. Whether it was ever pending, and when it posted, are read
 * from its events (`pendingHistory`). Pure.
 */
import { createHash } from 'node:crypto';
import { confidenceLevel } from '../categorizer/confidence';
import type { StoredTransaction, TxnCategory, TxnEvent } from '../models';
import { listDetailed, primaryOf } from '../taxonomy';
import { effective } from '../transactions';
import { plaidTransactionAmount } from './accounts';
import { legacyCategory } from './categories';

export type PaymentChannel = 'online' | 'in store' | 'other';
export type TransactionCode =
  | 'adjustment'
  | 'atm'
  | 'bank charge'
  | 'bill payment'
  | 'cash'
  | 'cashback'
  | 'cheque'
  | 'direct debit'
  | 'interest'
  | 'purchase'
  | 'refund'
  | 'standing order'
  | 'transfer';
export type CounterpartyType =
  'merchant' | 'financial_institution' | 'payment_app' | 'marketplace' | 'payment_terminal' | 'income_source';

export interface PlaidLocation {
  address: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  lat: number | null;
  lon: number | null;
  store_number: string | null;
}

export interface PlaidPaymentMeta {
  reference_number: string | null;
  ppd_id: string | null;
  payee: string | null;
  by_order_of: string | null;
  payer: string | null;
  payment_method: string | null;
  payment_processor: string | null;
  reason: string | null;
}

export interface PlaidPersonalFinanceCategory {
  primary: string;
  detailed: string;
  confidence_level: string | null;
  version: 'v1';
}

export interface PlaidCounterparty {
  name: string;
  entity_id: string | null;
  type: CounterpartyType;
  website: string | null;
  logo_url: string | null;
  confidence_level: string | null;
}

/** Plaid's `Transaction` (api.d.ts of the `plaid` package), the fields finagg can fill. */
export interface PlaidTransaction {
  transaction_id: string;
  account_id: string;
  amount: number;
  iso_currency_code: string | null;
  unofficial_currency_code: string | null;
  category: string[] | null;
  category_id: string | null;
  check_number: string | null;
  date: string;
  datetime: string | null;
  authorized_date: string | null;
  authorized_datetime: string | null;
  location: PlaidLocation;
  name: string;
  merchant_name: string | null;
  original_description: string | null;
  payment_meta: PlaidPaymentMeta;
  pending: boolean;
  pending_transaction_id: string | null;
  account_owner: string | null;
  transaction_type: 'digital' | 'place' | 'special' | 'unresolved';
  logo_url: string | null;
  website: string | null;
  payment_channel: PaymentChannel;
  personal_finance_category: PlaidPersonalFinanceCategory | null;
  transaction_code: TransactionCode | null;
  counterparties: PlaidCounterparty[];
  merchant_entity_id: string | null;
  merchant_category_code: string | null;
}

/** Plaid's `RemovedTransaction`. */
export interface PlaidRemovedTransaction {
  transaction_id: string;
  account_id: string;
}

/** The Plaid id of a transaction while it is pending: derived from finagg's id, stable. */
export function pendingPlaidId(id: string): string {
  return `txn_${createHash('sha256').update(`${id}\u001fpending`).digest('hex').slice(0, 24)}`;
}

/** A transaction's Plaid id in its current status. */
export function plaidTransactionId(t: Pick<StoredTransaction, 'id' | 'original'>): string {
  return t.original.status === 'pending' ? pendingPlaidId(t.id) : t.id;
}

/** What a transaction's events say of its pending life. */
export interface PendingHistory {
  /** It was pending once (it arrived pending, or a status change took it from pending). */
  wasPending: boolean;
  /** When it last became posted (the event's instant), null if it never changed status to posted. */
  postedAt: string | null;
}

/** What the transaction itself tells without its events: enough for a pending one, or one never changed. */
export function knownPendingHistory(t: StoredTransaction): PendingHistory | null {
  if (t.original.status === 'pending') return { wasPending: true, postedAt: null };
  // Version 1 is the created event alone: it arrived posted, and nothing changed since.
  if (t.version <= 1) return { wasPending: false, postedAt: null };
  return null;
}

/** Reads a transaction's pending life from its events (any order). */
export function pendingHistory(events: readonly TxnEvent[]): PendingHistory {
  let wasPending = false;
  let postedAt: string | null = null;
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    if (e.kind === 'created' && e.after?.status === 'pending') wasPending = true;
    if (e.kind === 'status_changed') {
      if (e.before?.status === 'pending') wasPending = true;
      if (e.after?.status === 'posted') postedAt = e.at;
    }
  }
  return { wasPending, postedAt };
}

/**
 * Whether the transaction was pending at an instant (a sync cursor's horizon), given its history: it was created
 * by then and had not posted yet.
 */
export function pendingAt(t: StoredTransaction, history: PendingHistory, at: string): boolean {
  if (t.createdAt > at || !history.wasPending) return false;
  if (t.original.status === 'pending') return true;
  return history.postedAt === null || history.postedAt > at;
}

/** A location with nothing known (copy it: `{ ...NULL_LOCATION }`). */
export const NULL_LOCATION: PlaidLocation = {
  address: null,
  city: null,
  region: null,
  postal_code: null,
  country: null,
  lat: null,
  lon: null,
  store_number: null,
};

/** Descriptions of payments made online or by an app. */
const ONLINE =
  /\b(ONLINE|WWW|INTERNET|WEB|AMZN|AMAZON|PAYPAL|PYPL|APPLE\.COM|ITUNES|GOOGLE|NETFLIX|SPOTIFY|HULU|DISNEY|PATREON|UBER|LYFT|DOORDASH|GRUBHUB|DELIVEROO|SWIGGY|ZOMATO|UPI|PAYTM|VENMO|ZELLE|CASH APP|RECURRING|SUBSCRIPTION)\b|\.(COM|NET|IO|CO\.UK|IN)\b/;
/** Descriptions of card payments at a till. */
const IN_STORE = /\b(POS|CHECKCARD|PURCHASE AUTHORIZED|CARD PURCHASE|CONTACTLESS)\b|^(SQ \*|TST\*)/;
/** Categories whose payments are at a place when nothing else says so. */
const PLACE_PRIMARIES = new Set([
  'FOOD_AND_DRINK',
  'GENERAL_MERCHANDISE',
  'HOME_IMPROVEMENT',
  'PERSONAL_CARE',
  'MEDICAL',
]);
const NON_PURCHASE_PRIMARIES = new Set([
  'INCOME',
  'TRANSFER_IN',
  'TRANSFER_OUT',
  'LOAN_PAYMENTS',
  'BANK_FEES',
  'RENT_AND_UTILITIES',
]);

/** Where the payment happened, as Plaid's `payment_channel`: from the description's words and the category. */
export function paymentChannel(
  description: string,
  category: TxnCategory | null | undefined,
): PaymentChannel {
  const d = description.toUpperCase();
  const primary = category?.primary ?? null;
  if (primary && NON_PURCHASE_PRIMARIES.has(primary)) return ONLINE.test(d) ? 'online' : 'other';
  if (/\bATM\b|CASH WITHDRAWAL/.test(d)) return 'in store';
  if (IN_STORE.test(d)) return 'in store';
  if (ONLINE.test(d)) return 'online';
  if (primary && PLACE_PRIMARIES.has(primary)) return 'in store';
  return 'other';
}

/** Plaid's `transaction_code` where the description or category says it plainly; null otherwise (as Plaid). */
export function transactionCode(
  description: string,
  amountMinor: number,
  category: TxnCategory | null | undefined,
): TransactionCode | null {
  const d = description.toUpperCase();
  const primary = category?.primary ?? null;
  const detailed = category?.detailed ?? null;
  if (/\bATM\b|CASH WITHDRAWAL/.test(d)) return detailed === 'BANK_FEES_ATM_FEES' ? 'bank charge' : 'atm';
  if (detailed === 'INCOME_INTEREST_EARNED' || /\bINTEREST\b/.test(d)) return 'interest';
  if (primary === 'BANK_FEES') return 'bank charge';
  if (/^DD\b|DIRECT DEBIT|\bACH D-/.test(d)) return 'direct debit';
  if (/^SO\b|STANDING ORDER/.test(d)) return 'standing order';
  if (/\bCHEQUE\b|\bCHECK #?\d/.test(d)) return 'cheque';
  if (primary === 'TRANSFER_IN' || primary === 'TRANSFER_OUT') return 'transfer';
  if (primary === 'RENT_AND_UTILITIES' || primary === 'LOAN_PAYMENTS') return 'bill payment';
  if (primary && PLACE_PRIMARIES.has(primary)) return amountMinor > 0 ? 'refund' : 'purchase';
  return null;
}

const PAYMENT_APPS = /\b(PAYPAL|PYPL|VENMO|ZELLE|CASH APP|PAYTM|GPAY|PHONEPE|REVOLUT|WISE)\b/;

/** Who is on the other side, as Plaid's `counterparties`: the merchant (or app, employer, bank) where known. */
export function counterparties(
  description: string,
  merchantName: string | null,
  category: TxnCategory | null | undefined,
): PlaidCounterparty[] {
  if (!merchantName) return [];
  const primary = category?.primary ?? null;
  const type: CounterpartyType =
    primary === 'INCOME'
      ? 'income_source'
      : primary === 'BANK_FEES' || primary === 'LOAN_PAYMENTS'
        ? 'financial_institution'
        : PAYMENT_APPS.test(description.toUpperCase()) || PAYMENT_APPS.test(merchantName.toUpperCase())
          ? 'payment_app'
          : 'merchant';
  return [
    {
      name: merchantName,
      entity_id: null,
      type,
      website: null,
      logo_url: null,
      confidence_level: category ? confidenceLevel(category.confidence) : 'LOW',
    },
  ];
}

export interface PlaidTransactionOptions {
  /** Its pending life (pendingHistory / knownPendingHistory); unknown: no `pending_transaction_id`. */
  history?: PendingHistory | null;
  /** `options.include_original_description`: the bank's description as it was sent. */
  includeOriginalDescription?: boolean;
}

/** The Plaid `Transaction` of a finagg transaction. */
export function toPlaidTransaction(
  t: StoredTransaction,
  opts: PlaidTransactionOptions = {},
): PlaidTransaction {
  const e = effective(t);
  const category = t.category ?? null;
  const legacy = legacyCategory(category);
  const pending = e.status === 'pending';
  const channel = paymentChannel(e.description, category);
  const history = opts.history ?? null;
  return {
    transaction_id: plaidTransactionId(t),
    account_id: t.accountId,
    amount: plaidTransactionAmount(e.amountMinor, e.currency),
    iso_currency_code: e.currency,
    unofficial_currency_code: null,
    category: legacy ? [...legacy.hierarchy] : null,
    category_id: legacy ? legacy.category_id : null,
    check_number: null,
    date: e.date,
    datetime: pending ? null : t.original.occurredAt,
    authorized_date: e.date,
    authorized_datetime: t.original.occurredAt,
    location: { ...NULL_LOCATION },
    name: e.description,
    merchant_name: e.merchantName,
    original_description: opts.includeOriginalDescription ? t.original.description : null,
    payment_meta: {
      reference_number: t.original.reference ?? null,
      ppd_id: ppdId(t.original.description),
      payee: null,
      by_order_of: null,
      payer: null,
      payment_method: null,
      payment_processor: null,
      reason: null,
    },
    pending,
    pending_transaction_id: !pending && history?.wasPending ? pendingPlaidId(t.id) : null,
    account_owner: null,
    transaction_type: channel === 'online' ? 'digital' : channel === 'in store' ? 'place' : 'special',
    logo_url: null,
    website: null,
    payment_channel: channel,
    personal_finance_category: personalFinanceCategory(category),
    transaction_code: transactionCode(e.description, e.amountMinor, category),
    counterparties: counterparties(e.description, e.merchantName, category),
    merchant_entity_id: null,
    merchant_category_code: t.original.mcc ?? null,
  };
}

/**
 * Plaid's `personal_finance_category`: finagg's category (the engine's or the user's), whose codes are Plaid's. A
 * category with only a primary (a user rule may set only that) gets its primary's "other" detailed code.
 */
export function personalFinanceCategory(
  category: TxnCategory | null | undefined,
): PlaidPersonalFinanceCategory | null {
  if (!category) return null;
  const detailed =
    category.detailed && primaryOf(category.detailed) === category.primary
      ? category.detailed
      : (listDetailed(category.primary).find((d) => d.detailed.includes('_OTHER'))?.detailed ??
        listDetailed(category.primary).at(-1)?.detailed ??
        null);
  if (!detailed) return null;
  return {
    primary: category.primary,
    detailed,
    confidence_level: confidenceLevel(category.confidence),
    version: 'v1',
  };
}

/** The ACH `PPD ID:` of a US statement line, where it has one. */
function ppdId(description: string): string | null {
  return /\bPPD ID:\s*([A-Z0-9]+)/i.exec(description)?.[1] ?? null;
}

/** What the app may hold of a transaction being removed: each Plaid id it can have had. */
export function removedEntries(
  t: StoredTransaction,
  history: PendingHistory | null,
): PlaidRemovedTransaction[] {
  const ids = new Set<string>([plaidTransactionId(t)]);
  if (history?.wasPending || history === null) ids.add(pendingPlaidId(t.id));
  return [...ids].map((transaction_id) => ({ transaction_id, account_id: t.accountId }));
}
