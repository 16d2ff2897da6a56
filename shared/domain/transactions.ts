import { confidenceLevel } from './categorizer/confidence';
import { conflictsOf, isReconciled } from './corrections';
import { formatDecimal } from './money';
import type { StoredTransaction, TxnStatus } from './models';

/** What a transaction is for the user: the provider's values with the user's corrections laid over them. */
export interface EffectiveValues {
  status: TxnStatus;
  date: string;
  amountMinor: number;
  currency: string;
  description: string;
  merchantName: string | null;
}

export function effective(t: StoredTransaction): EffectiveValues {
  const o = t.overlay ?? {};
  return {
    status: t.original.status,
    date: o.date ?? t.original.date,
    amountMinor: o.amountMinor ?? t.original.amountMinor,
    currency: t.original.currency,
    description: o.description ?? t.original.description,
    merchantName: o.merchantName !== undefined ? o.merchantName : t.original.merchantName,
  };
}

export interface TxnFilter {
  accountId?: string;
  from?: string;
  to?: string;
  /** A primary (FOOD_AND_DRINK) or detailed (FOOD_AND_DRINK_GROCERIES) category. */
  category?: string;
  /** Bounds on the signed effective amount, in minor units (inclusive). */
  minAmountMinor?: number;
  maxAmountMinor?: number;
  /** Case-insensitive text in the description or merchant name. */
  q?: string;
  status?: TxnStatus;
}

export function matchesFilter(t: StoredTransaction, f: TxnFilter): boolean {
  if (t.removed) return false;
  const e = effective(t);
  if (f.accountId && t.accountId !== f.accountId) return false;
  if (f.from && e.date < f.from) return false;
  if (f.to && e.date > f.to) return false;
  if (f.status && e.status !== f.status) return false;
  if (f.minAmountMinor !== undefined && e.amountMinor < f.minAmountMinor) return false;
  if (f.maxAmountMinor !== undefined && e.amountMinor > f.maxAmountMinor) return false;
  if (f.category && t.category?.primary !== f.category && t.category?.detailed !== f.category) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    if (!e.description.toLowerCase().includes(q) && !(e.merchantName ?? '').toLowerCase().includes(q))
      return false;
  }
  return true;
}

/** The API's transaction object (T in API.md). */
export function transactionView(t: StoredTransaction) {
  const e = effective(t);
  return {
    id: t.id,
    account_id: t.accountId,
    date: e.date,
    amount: formatDecimal({ minor: e.amountMinor, currency: e.currency }),
    currency: e.currency,
    description: e.description,
    merchant_name: e.merchantName,
    /** The card network's merchant category code, where the bank sent one. */
    mcc: t.original.mcc ?? null,
    category: t.category
      ? {
          primary: t.category.primary,
          detailed: t.category.detailed,
          source: t.category.source,
          confidence: t.category.confidence,
          confidence_level: confidenceLevel(t.category.confidence),
          rule_id: t.category.ruleId,
        }
      : null,
    status: e.status,
    /** The user corrected a field or set the category (domain/corrections.ts). */
    reconciled: isReconciled(t),
    /** Bank changes to fields the user corrected, awaiting the user's resolution. */
    conflicts: conflictsOf(t),
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

export type TransactionView = ReturnType<typeof transactionView>;
