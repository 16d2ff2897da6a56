import {
  categorize,
  cleanMerchant,
  type CategorizeContext,
  type CategorizeInput,
  type CategoryResult,
  type UserRule,
} from './index';
import { categoryView, type UserTxnChange } from '../corrections';
import type { Account, StoredTransaction, TxnCategory } from '../models';
import { effective } from '../transactions';

/**
 * Categorization of stored transactions: the engine (`categorize/`) applied to a transaction's effective
 * values, and the rule that decides whether its result is written. Pure; the categorizer stream function
 * (services/categorizer-processor.ts) and the rules API (services/user-rules.ts) write what it returns.
 *
 * The decision (`nextCategory`):
 * - a category the user set by hand (`source: 'user'`) is never replaced: only the user changes it (a
 *   correction, an undo);
 * - otherwise the transaction's category is the engine's result on its current effective values with the
 *   user's current rules: a user rule that matches wins (`user_rule`), else the built-in rules (`rules`);
 * - when the engine abstains (below its confidence threshold), a category it gave before (`rules`,
 *   `user_rule`: the rule was deleted or no longer matches, the description was corrected) is cleared, and a
 *   `provider` category is kept;
 * - the same category (primary, detailed, source, confidence, rule id) is no change: no write, no event. This
 *   is what makes the categorizer idempotent and keeps its own writes (which come back on the stream) from
 *   looping.
 */

/** Actor of the `categorized` events of built-in rules (user rules: `rule:<id>`). */
export const BUILTIN_ACTOR = 'rules:builtin';

/**
 * The merchant name the bank or the user GAVE, for the engine: the user's correction, or the bank's value
 * when it is not the one the sync derived from the description itself (`cleanMerchant`, which the engine
 * redoes better from the description: feeding it back costs precision).
 */
export function givenMerchant(t: StoredTransaction): string | null {
  if (t.overlay && t.overlay.merchantName !== undefined) return t.overlay.merchantName;
  const { merchantName, description } = t.original;
  if (!merchantName || merchantName === cleanMerchant(description)) return null;
  return merchantName;
}

/** What the engine looks at in a stored transaction: its effective values. */
export function engineInput(t: StoredTransaction): CategorizeInput {
  const e = effective(t);
  return {
    description: e.description,
    merchantName: givenMerchant(t),
    amountMinor: e.amountMinor,
    currency: e.currency,
    accountId: t.accountId,
    mcc: t.original.mcc ?? null,
  };
}

/**
 * The engine's context for a transaction of `accountId`: the user's own account ids, and the masks of their
 * other accounts (a transfer naming one is between own accounts). With no `accountId` (enrich), every mask.
 */
export function categoryContext(
  accounts: readonly Pick<Account, 'id' | 'mask'>[],
  accountId: string | null,
): CategorizeContext {
  return {
    ownAccountIds: accounts.map((a) => a.id),
    ownAccountMasks: accounts
      .filter((a) => a.id !== accountId && a.mask)
      .map((a) => a.mask!)
      .filter((m, i, all) => all.indexOf(m) === i),
  };
}

export function txnCategoryOf(r: CategoryResult): TxnCategory {
  return {
    primary: r.primary,
    detailed: r.detailed,
    source: r.source,
    confidence: r.confidence,
    ruleId: r.rule_id,
  };
}

export function sameCategory(a: TxnCategory | null | undefined, b: TxnCategory | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.primary === b.primary &&
    a.detailed === b.detailed &&
    a.source === b.source &&
    a.confidence === b.confidence &&
    a.ruleId === b.ruleId
  );
}

/**
 * The category a transaction should have now, given the engine's result on it: a new category, null (clear
 * it), or undefined (leave it as it is). See the module comment for the rule.
 */
export function nextCategory(
  current: TxnCategory | null | undefined,
  computed: CategoryResult | null,
): TxnCategory | null | undefined {
  if (current?.source === 'user') return undefined;
  if (computed) {
    const next = txnCategoryOf(computed);
    return sameCategory(current, next) ? undefined : next;
  }
  if (!current || current.source === 'provider') return undefined;
  return null;
}

/** The actor of a categorization to `next`. */
export function categorizationActor(next: TxnCategory | null): string {
  return next?.source === 'user_rule' && next.ruleId ? `rule:${next.ruleId}` : BUILTIN_ACTOR;
}

function noteOf(next: TxnCategory | null, computed: CategoryResult | null): string {
  if (!next) return 'no rule categorizes it any more (the engine abstains)';
  if (next.source === 'user_rule') return `user rule ${next.ruleId}`;
  const merchant = computed?.merchant_name ? ` (merchant: ${computed.merchant_name})` : '';
  return `built-in rule ${next.ruleId}, confidence ${next.confidence}${merchant}`;
}

export interface Categorization {
  /** The engine's result on the transaction (null: it abstains). */
  computed: CategoryResult | null;
  /** The write to make (the category with a `categorized` event), or null when nothing changes. */
  change: UserTxnChange | null;
}

/**
 * Categorizes one stored transaction: the engine's result with the user's rules and context, and the change
 * to write (one `categorized` event, numbered from the stored version, before → after), or no change: a
 * removed transaction, a category the user set, the same category again.
 */
export function categorizeStored(
  t: StoredTransaction,
  rules: readonly UserRule[],
  context: CategorizeContext,
  now: string,
): Categorization {
  if (t.removed) return { computed: null, change: null };
  const computed = categorize(engineInput(t), rules, context);
  const next = nextCategory(t.category, computed);
  if (next === undefined) return { computed, change: null };
  const seq = t.version + 1;
  return {
    computed,
    change: {
      txn: { ...t, category: next, version: seq, updatedAt: now },
      expectedVersion: t.version,
      events: [
        {
          txnId: t.id,
          seq,
          at: now,
          actor: categorizationActor(next),
          kind: 'categorized',
          before: { category: categoryView(t.category) },
          after: { category: categoryView(next) },
          note: noteOf(next, computed),
        },
      ],
    },
  };
}

/** True when a change sets or replaces a user rule's category (the categorizer re-reads the rules first). */
export function touchesUserRule(t: StoredTransaction, change: UserTxnChange | null): boolean {
  return Boolean(
    change && (t.category?.source === 'user_rule' || change.txn.category?.source === 'user_rule'),
  );
}
