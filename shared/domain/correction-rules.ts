import { createHash } from 'node:crypto';
import { categorize, cleanMerchant } from './categorizer/index';
import { compactKey } from './categorizer/text';
import { ruleFromCorrection, type UserRule } from './categorizer/user-rules';
import { engineInput } from './categorizer/stored-transactions';
import { categoryView, type UserTxnChange } from './corrections';
import type { StoredTransaction, TxnCategory } from './models';

/**
 * User rules made by corrections (`create_rule: true` on a category correction) and their application to the
 * user's past transactions. The rule model, its matching and its precedence are the categorization engine's
 * (`categorize/user-rules.ts`); this module names the merchant of a transaction, gives the rule its deterministic
 * id, and turns a rule into user changes (a `categorized` event by `rule:<id>` per transaction).
 */
export type { UserRule };

/**
 * The merchant of a transaction's effective values: the merchant name the bank or the user gave (the sync fills
 * it with `cleanMerchant`), else the engine's cleaned merchant of the description (`SQ *BLUE BOTTLE 0423` → Blue
 * Bottle Coffee): the name a rule made from a correction keys on, the one the engine matches.
 */
export function merchantOf(v: { merchantName: string | null; description: string }): string | null {
  const name = v.merchantName?.trim();
  if (name) return name;
  return cleanMerchant(v.description);
}

/** Deterministic: one correction rule per user and merchant, so a retried request finds the rule it made. */
export function correctionRuleId(userId: string, merchant: string): string {
  const digest = createHash('sha256')
    .update(`${userId}\u001f${compactKey(merchant)}`)
    .digest('hex');
  return `rule_${digest.slice(0, 24)}`;
}

/**
 * The rule a category correction with `create_rule` makes ("transactions from this merchant are this category"),
 * or the update of the one it made before (its creation time and priority kept). Null when the merchant has no
 * usable name or the category is not a pair of the taxonomy.
 */
export function correctionRule(
  userId: string,
  merchant: string,
  category: { primary: string; detailed: string | null },
  now: string,
  existing?: UserRule | null,
): UserRule | null {
  const body = ruleFromCorrection(merchant, category);
  if (!body) return null;
  return {
    id: correctionRuleId(userId, merchant),
    user_id: userId,
    ...body,
    priority: existing?.priority ?? body.priority,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
}

/**
 * Whether `rule` categorizes `t`, as the engine decides it (`categorize` with the user's rules on the transaction's
 * effective values): it matches, and, when the user's `rules` are given, it is the one that wins among them
 * (priority, specificity, age).
 */
export function ruleApplies(rule: UserRule, t: StoredTransaction, rules?: readonly UserRule[]): boolean {
  if (t.removed || t.userId !== rule.user_id) return false;
  const set = rules ? (rules.some((r) => r.id === rule.id) ? rules : [...rules, rule]) : [rule];
  return categorize(engineInput(t), set)?.rule_id === rule.id;
}

/**
 * Re-categorizes one transaction by a user rule: category `{..., source: 'user_rule', confidence: 1, ruleId}` with
 * a `categorized` event by `rule:<id>`. Null when the rule does not apply, when the category is already the
 * rule's, or when the user set the category by hand (a user's override is never undone by a rule).
 */
export function applyRule(
  t: StoredTransaction,
  rule: UserRule,
  now: string,
  rules?: readonly UserRule[],
): UserTxnChange | null {
  if (t.category?.source === 'user' || !ruleApplies(rule, t, rules)) return null;
  const next: TxnCategory = {
    primary: rule.category.primary,
    detailed: rule.category.detailed,
    source: 'user_rule',
    confidence: 1,
    ruleId: rule.id,
  };
  const c = t.category;
  if (
    c &&
    c.primary === next.primary &&
    c.detailed === next.detailed &&
    c.source === next.source &&
    c.ruleId === next.ruleId
  )
    return null;
  const seq = t.version + 1;
  const target = rule.category.detailed ?? rule.category.primary;
  const what = rule.match.merchant !== undefined ? `merchant "${rule.match.merchant}"` : 'its match';
  return {
    txn: { ...t, category: next, version: seq, updatedAt: now },
    expectedVersion: t.version,
    events: [
      {
        txnId: t.id,
        seq,
        at: now,
        actor: `rule:${rule.id}`,
        kind: 'categorized',
        before: { category: categoryView(c) },
        after: { category: categoryView(next) },
        note: `user rule: ${what} is ${target}`,
      },
    ],
  };
}
