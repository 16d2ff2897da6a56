/**
 * User categorization rules: persistent overrides that always win over built-in rules.
 *
 * Body of `POST /rules` and `PUT /rules/{id}` (API.md):
 *   `{"match":{"merchant"?|"description_contains"?|"description_regex"?, "min_amount"?, "max_amount"?,
 *     "account_id"?}, "category":{"primary","detailed"?}, "priority"?}`
 *
 * Matching conventions (all given matchers must hold):
 * - `merchant`: equal to the transaction's merchant after normalization (tokens without spaces or punctuation,
 *   case-insensitive: `Blue Bottle` = `BLUEBOTTLE` = `blue-bottle`), where the merchant is any of: the merchant
 *   name the bank or user gave, the directory merchant the engine recognised, the cleaned description.
 * - `description_contains`: a case-insensitive, whitespace-insensitive substring of the description.
 * - `description_regex`: a case-insensitive RE2 regex (linear-time: no backreferences or lookaround) on the raw
 *   description (first 512 characters), checked when the rule is saved (`safe-regex.ts`) and compiled once per
 *   rule object.
 * - `min_amount` / `max_amount`: decimal strings (`"12.50"`, up to 3 decimals) compared, inclusive, with the
 *   ABSOLUTE amount in the transaction's own currency: `max_amount: "5"` matches a $4.50 purchase and a $4.50
 *   refund alike. No currency conversion.
 * - `account_id`: our account id, exact.
 * At least one of `merchant`, `description_contains`, `description_regex` is required (amount and account are
 * filters on top of them).
 *
 * Precedence among matching rules: highest `priority` (default 0), then the most specific (most matchers given),
 * then the oldest (`created_at`), then the smallest id — deterministic.
 */
import * as z from 'zod';
import { normalizeDescription } from '../fingerprint';
import { exponent } from '../money';
import { isPrimary, isValidCategory, lookupDetailed } from '../taxonomy';
import { regexProblem, tryCompileSafeRegex, type UserRegex } from './safe-regex';
import { compactKey, MAX_DESCRIPTION_LENGTH } from './text';

/** Priority given to a rule made from a category correction (`create_rule`), as `shared/domain/correction-rules.ts` does. */
export const CORRECTION_RULE_PRIORITY = 100;
export const MIN_PRIORITY = -1000;
export const MAX_PRIORITY = 1000;

const AMOUNT = /^\d{1,12}(?:\.\d{1,3})?$/;
const AmountSchema = z
  .string({ error: 'must be a decimal string such as "12.50"' })
  .trim()
  .regex(AMOUNT, 'must be a non-negative decimal string such as "12.50" (compared with the absolute amount)');

const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export const RuleMatchSchema = z
  .strictObject({
    merchant: Text(200).optional(),
    description_contains: Text(200).optional(),
    description_regex: z
      .string()
      .superRefine((p, ctx) => {
        const problem = regexProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    min_amount: AmountSchema.optional(),
    max_amount: AmountSchema.optional(),
    account_id: Text(128).optional(),
  })
  .superRefine((m, ctx) => {
    if (
      m.merchant === undefined &&
      m.description_contains === undefined &&
      m.description_regex === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'give at least one of merchant, description_contains, description_regex',
      });
    }
    if (m.min_amount !== undefined && m.max_amount !== undefined) {
      if (thousandths(m.min_amount) > thousandths(m.max_amount)) {
        ctx.addIssue({
          code: 'custom',
          path: ['min_amount'],
          message: 'must not be greater than max_amount',
        });
      }
    }
  });

export const RuleCategorySchema = z
  .strictObject({
    primary: z.string().max(100),
    detailed: z.string().max(100).nullable().optional(),
  })
  .superRefine((c, ctx) => {
    if (!isPrimary(c.primary)) {
      ctx.addIssue({
        code: 'custom',
        path: ['primary'],
        message: 'must be a primary category of the taxonomy, such as FOOD_AND_DRINK',
      });
      return;
    }
    if (c.detailed !== undefined && c.detailed !== null && !isValidCategory(c)) {
      const known = lookupDetailed(c.detailed);
      ctx.addIssue({
        code: 'custom',
        path: ['detailed'],
        message: known
          ? `${c.detailed} belongs to ${known.primary}, not ${c.primary}`
          : `must be a detailed category of ${c.primary}, such as ${c.primary}_OTHER`,
      });
    }
  })
  .transform((c) => ({ primary: c.primary, detailed: c.detailed ?? null }));

/** `POST /rules` and `PUT /rules/{id}` body (PUT replaces the rule's match, category and priority). */
export const RuleBodySchema = z.strictObject({
  match: RuleMatchSchema,
  category: RuleCategorySchema,
  priority: z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY).default(0),
});

export type RuleMatch = z.output<typeof RuleMatchSchema>;
export type RuleCategory = z.output<typeof RuleCategorySchema>;
export type RuleBody = z.output<typeof RuleBodySchema>;
export type RuleBodyInput = z.input<typeof RuleBodySchema>;

/** A stored user rule. `shared/domain/correction-rules.ts`'s narrower `UserRule` (merchant only) is assignable to it. */
export interface UserRule {
  id: string;
  user_id: string;
  match: RuleMatch;
  category: RuleCategory;
  priority: number;
  /** RFC 3339 UTC. */
  created_at: string;
  updated_at: string;
}

/**
 * The rule body a category correction with `create_rule: true` makes: "transactions from this merchant are this
 * category", with `CORRECTION_RULE_PRIORITY`. Null when there is no merchant to key it on or the category is
 * not a valid pair of the taxonomy.
 */
export function ruleFromCorrection(
  merchantName: string | null,
  category: { primary: string; detailed?: string | null },
): RuleBody | null {
  const merchant = merchantName?.trim() ?? '';
  if (!merchant || !compactKey(merchant) || !isValidCategory(category)) return null;
  return {
    match: { merchant: merchant.slice(0, 200) },
    category: { primary: category.primary, detailed: category.detailed ?? null },
    priority: CORRECTION_RULE_PRIORITY,
  };
}

/** A decimal string as an integer number of thousandths (exact: at most 3 decimals, at most 12 digits). */
function thousandths(text: string): number {
  const [whole = '0', frac = ''] = text.trim().split('.');
  return Number(whole) * 1000 + Number(frac.padEnd(3, '0').slice(0, 3));
}

/** |amount| in thousandths of the currency's major unit. */
function absThousandths(amountMinor: number, currency: string): number {
  const exp = Math.min(3, exponent(currency));
  return Math.abs(amountMinor) * 10 ** (3 - exp);
}

export interface CompiledRule {
  rule: UserRule;
  merchantKey: string | null;
  contains: string | null;
  regex: UserRegex | null;
  min: number | null;
  max: number | null;
  /** How many matchers the rule gives: more is more specific. */
  specificity: number;
  /** False when a stored rule is not usable (a regex the engine refuses slipped in): it never matches. */
  valid: boolean;
}

const compiled = new WeakMap<UserRule, CompiledRule>();

/** Compiles a rule once (cached per rule object). Never throws: an unusable rule never matches. */
export function compileRule(rule: UserRule): CompiledRule {
  const hit = compiled.get(rule);
  if (hit) return hit;
  const m = rule.match ?? {};
  let valid = true;
  let regex: UserRegex | null = null;
  if (m.description_regex !== undefined) {
    regex = tryCompileSafeRegex(m.description_regex);
    if (!regex) valid = false;
  }
  const amount = (v: unknown): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !AMOUNT.test(v.trim())) {
      valid = false;
      return null;
    }
    return thousandths(v);
  };
  const merchantKey = typeof m.merchant === 'string' ? compactKey(m.merchant) : null;
  const contains =
    typeof m.description_contains === 'string' ? normalizeDescription(m.description_contains) : null;
  if (merchantKey === '' || contains === '') valid = false;
  if (merchantKey === null && contains === null && m.description_regex === undefined) valid = false;
  const c: CompiledRule = {
    rule,
    merchantKey,
    contains,
    regex,
    min: amount(m.min_amount),
    max: amount(m.max_amount),
    specificity: [
      m.merchant,
      m.description_contains,
      m.description_regex,
      m.min_amount,
      m.max_amount,
      m.account_id,
    ].filter((v) => v !== undefined && v !== null).length,
    valid: valid && isValidCategory(rule.category ?? { primary: '' }),
  };
  compiled.set(rule, c);
  return c;
}

/** What a user rule looks at in one transaction. */
export interface RuleSubject {
  description: string;
  /** Normalized description (`normalizeDescription`). */
  normalized: string;
  /** Compact keys of the merchant names the transaction is known by. */
  merchantKeys: readonly string[];
  amountMinor: number;
  currency: string;
  accountId: string;
}

export function ruleMatches(c: CompiledRule, s: RuleSubject): boolean {
  if (!c.valid) return false;
  const m = c.rule.match;
  if (m.account_id !== undefined && m.account_id !== s.accountId) return false;
  if (c.min !== null || c.max !== null) {
    if (!Number.isSafeInteger(s.amountMinor)) return false;
    const abs = absThousandths(s.amountMinor, s.currency);
    if (c.min !== null && abs < c.min) return false;
    if (c.max !== null && abs > c.max) return false;
  }
  if (c.merchantKey !== null && !s.merchantKeys.includes(c.merchantKey)) return false;
  if (c.contains !== null && !s.normalized.includes(c.contains)) return false;
  if (c.regex !== null && !c.regex.test(s.description.slice(0, MAX_DESCRIPTION_LENGTH))) return false;
  return true;
}

/** Orders matching rules: priority desc, specificity desc, created_at asc, id asc. */
export function compareRules(a: CompiledRule, b: CompiledRule): number {
  return (
    (b.rule.priority ?? 0) - (a.rule.priority ?? 0) ||
    b.specificity - a.specificity ||
    (a.rule.created_at < b.rule.created_at ? -1 : a.rule.created_at > b.rule.created_at ? 1 : 0) ||
    (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0)
  );
}

/** The winning rule among `rules` for a subject, or null. */
export function winningRule(rules: readonly UserRule[], s: RuleSubject): UserRule | null {
  let best: CompiledRule | null = null;
  for (const r of rules) {
    const c = compileRule(r);
    if (!ruleMatches(c, s)) continue;
    if (!best || compareRules(c, best) < 0) best = c;
  }
  return best?.rule ?? null;
}
