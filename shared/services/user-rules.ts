import { randomUUID } from 'node:crypto';
import type { CategorizeContext, RuleBody, UserRule } from '../domain/categorizer/index';
import { MAX_USER_REGEX_SIZE, regexesSize } from '../domain/categorizer/safe-regex';
import type { UserTxnChange } from '../domain/corrections';
import type { Account, StoredTransaction } from '../domain/models';
import { conflict, notFound } from '../http/problem';
import { pageOfList } from '../http/schemas';
import type { Clock } from '../ports/clock';
import type { AccountStore, RuleStore, TransactionStore, UserChangeStore } from '../ports/store';
import { ruleView } from './corrections';

/**
 * User categorization rules (`GET/POST/PUT/DELETE /rules`), the re-categorization a rule change causes, and
 * enrichment (`POST /transactions/enrich`). The rule model and its validation are the engine's
 * (domain/categorizer/user-rules.ts `RuleBodySchema`, `UserRule`); rules made by corrections (`create_rule`)
 * are the same rules, listed and editable here.
 *
 * After a rule is created, changed or deleted, the user's transactions are categorized again with the user's
 * new rules (domain/categorizer/stored-transactions.ts: user-set categories are never touched; each change is a `categorized`
 * event). Inline, in the request, for the user's `INLINE_SCAN` most recent transactions and at most
 * `INLINE_WRITES` changes; when there are more, the rest is left to the Categorizer stream function through a
 * re-categorization request (`store.requestRecategorization`), which goes over every transaction again (what
 * the request did is a no-op for it). The response says which: `recategorization: "done" | "queued"`.
 */
export interface RuleDeps {
  store: RuleStore & AccountStore & TransactionStore & UserChangeStore;
  clock: Clock;
}

/** A user keeps at most this many rules. */
export const MAX_RULES = 500;
/** Transactions (newest first) a rule change re-categorizes within the request. */
export const INLINE_SCAN = 2_000;
/** Writes a rule change makes within the request. */
export const INLINE_WRITES = 500;
/** Rounds of re-reading transactions whose version moved while they were being re-categorized. */
const MAX_ATTEMPTS = 3;

export interface Recategorized {
  /** Transactions whose category changed. */
  changed: number;
  /** Live transactions looked at. */
  scanned: number;
  /** True when transactions were left (limits, or versions that kept moving) for a later pass. */
  pending: boolean;
}

/** Rules in precedence order (priority, then age), as the engine breaks ties among equally specific rules. */
function byPrecedence(a: UserRule, b: UserRule): number {
  return (
    b.priority - a.priority ||
    (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export async function listRules(store: RuleStore, userId: string, page: { limit: number; cursor?: string }) {
  const rules = await store.listUserRules(userId);
  const one = pageOfList(rules.sort(byPrecedence), page, { list: 'rules', owner: userId });
  return { rules: one.items.map(ruleView), next_cursor: one.nextCursor };
}

async function ruleOr404(
  store: RuleStore,
  userId: string,
  id: string,
): Promise<{ rule: UserRule; all: UserRule[] }> {
  const all = await store.listUserRules(userId);
  const rule = all.find((r) => r.id === id);
  if (!rule) throw notFound('No such rule.');
  return { rule, all };
}

async function afterRuleChange(deps: RuleDeps, userId: string, rules: UserRule[], reason: string) {
  const out = await recategorizeUser(deps, userId, {
    rules,
    maxScan: INLINE_SCAN,
    maxWrites: INLINE_WRITES,
  });
  if (out.pending) await deps.store.requestRecategorization(userId, deps.clock.now().toISOString(), reason);
  return { recategorized: out.changed, recategorization: out.pending ? 'queued' : 'done' };
}

/**
 * Refuses a rule change after which the user's regex rules would compile to more than `MAX_USER_REGEX_SIZE` RE2
 * instructions together (a change that does not add to them always passes).
 */
function checkRegexBudget(before: readonly UserRule[], after: readonly UserRule[]): void {
  const size = (rules: readonly UserRule[]) => regexesSize(rules.map((r) => r.match.description_regex));
  const total = size(after);
  if (total > MAX_USER_REGEX_SIZE && total > size(before)) {
    throw conflict(
      `A user's description_regex rules may compile to at most ${MAX_USER_REGEX_SIZE} RE2 instructions together; with this one they would take ${total}. Simplify or delete some.`,
    );
  }
}

export async function createRule(deps: RuleDeps, userId: string, body: RuleBody) {
  const rules = await deps.store.listUserRules(userId);
  if (rules.length >= MAX_RULES) throw conflict(`A user can keep at most ${MAX_RULES} rules.`);
  const now = deps.clock.now().toISOString();
  const rule: UserRule = {
    id: `rule_${randomUUID().replaceAll('-', '')}`,
    user_id: userId,
    match: body.match,
    category: body.category,
    priority: body.priority,
    created_at: now,
    updated_at: now,
  };
  checkRegexBudget(rules, [...rules, rule]);
  await deps.store.putUserRule(rule);
  return {
    ...ruleView(rule),
    ...(await afterRuleChange(deps, userId, [...rules, rule], `rule ${rule.id} created`)),
  };
}

/** PUT replaces the rule's match, category and priority; its id and creation time stay. */
export async function updateRule(deps: RuleDeps, userId: string, id: string, body: RuleBody) {
  const { rule: old, all } = await ruleOr404(deps.store, userId, id);
  const rule: UserRule = {
    ...old,
    match: body.match,
    category: body.category,
    priority: body.priority,
    updated_at: deps.clock.now().toISOString(),
  };
  const rules = all.map((r) => (r.id === id ? rule : r));
  checkRegexBudget(all, rules);
  await deps.store.putUserRule(rule);
  return { ...ruleView(rule), ...(await afterRuleChange(deps, userId, rules, `rule ${id} changed`)) };
}

export async function deleteRule(deps: RuleDeps, userId: string, id: string) {
  if (!(await deps.store.deleteUserRule(userId, id))) throw notFound('No such rule.');
  const rules = await deps.store.listUserRules(userId);
  return afterRuleChange(deps, userId, rules, `rule ${id} deleted`);
}

/**
 * Categorizes the user's live transactions (newest first) again with their rules, writing what changes. A
 * write that loses its version condition is recomputed from the fresh transaction (up to `MAX_ATTEMPTS`
 * rounds). `maxScan` / `maxWrites` bound the work; what is left is reported as `pending`.
 */
export async function recategorizeUser(
  deps: RuleDeps,
  userId: string,
  opts: { rules?: UserRule[]; accounts?: Account[]; maxScan?: number; maxWrites?: number } = {},
): Promise<Recategorized> {
  const { store, clock } = deps;
  const [rules, accounts, { categorizeStored, categoryContext }] = await Promise.all([
    opts.rules ?? store.listUserRules(userId),
    opts.accounts ?? store.listAccounts(userId),
    engine(),
  ]);
  const maxScan = opts.maxScan ?? Number.POSITIVE_INFINITY;
  const maxWrites = opts.maxWrites ?? Number.POSITIVE_INFINITY;
  const contexts = new Map<string, CategorizeContext>();
  const contextOf = (accountId: string) => {
    let c = contexts.get(accountId);
    if (!c) contexts.set(accountId, (c = categoryContext(accounts, accountId)));
    return c;
  };
  const compute = (txns: readonly StoredTransaction[], now: string) =>
    txns
      .map((t) => categorizeStored(t, rules, contextOf(t.accountId), now).change)
      .filter((c): c is UserTxnChange => c !== null);

  const out: Recategorized = { changed: 0, scanned: 0, pending: false };
  let cursor: string | null = null;
  do {
    const page = await store.listTransactions(userId, {}, { limit: 500, cursor });
    out.scanned += page.items.length;
    let changes = compute(page.items, clock.now().toISOString());
    const room = maxWrites - out.changed;
    if (changes.length > room) {
      changes = changes.slice(0, Math.max(0, room));
      out.pending = true;
    }
    for (let attempt = 1; changes.length; attempt++) {
      const written = await store.applyUserChanges(changes);
      out.changed += written.applied;
      if (!written.conflicts.length) break;
      if (attempt >= MAX_ATTEMPTS) {
        out.pending = true;
        break;
      }
      const fresh = await Promise.all(written.conflicts.map((id) => store.getTransaction(userId, id)));
      changes = compute(
        fresh.filter((t): t is StoredTransaction => t !== null),
        clock.now().toISOString(),
      );
    }
    cursor = page.nextCursor;
    if (cursor && (out.pending || out.scanned >= maxScan)) {
      out.pending = true;
      break;
    }
  } while (cursor);
  return out;
}

/**
 * The categorization engine, loaded by the calls that categorize: reading or validating rules does not, and a cold
 * start of those requests should not evaluate the engine and its merchant directory.
 */
async function engine() {
  const [index, stored] = await Promise.all([
    import('../domain/categorizer/index'),
    import('../domain/categorizer/stored-transactions'),
  ]);
  return {
    categorize: index.categorize,
    cleanMerchant: index.cleanMerchant,
    confidenceLevel: index.confidenceLevel,
    categorizeStored: stored.categorizeStored,
    categoryContext: stored.categoryContext,
  };
}

/** One `POST /transactions/enrich` item, validated, its amount in minor units of its currency. */
export interface EnrichItem {
  id: string;
  description: string;
  amountMinor: number;
  currency: string;
}

/**
 * `POST /transactions/enrich`: the engine (built-in rules and the caller's rules, with the caller's accounts
 * as own-transfer context) on arbitrary items; nothing is stored. `merchant_name` is what a synced
 * transaction with that description shows (`cleanMerchant`); `category` is null where the engine abstains.
 */
export async function enrichTransactions(deps: RuleDeps, userId: string, items: readonly EnrichItem[]) {
  const [rules, accounts, { categorize, categoryContext, cleanMerchant, confidenceLevel }] =
    await Promise.all([deps.store.listUserRules(userId), deps.store.listAccounts(userId), engine()]);
  const context = categoryContext(accounts, null);
  return {
    enriched: items.map((item) => {
      const r = categorize(
        {
          description: item.description,
          merchantName: null,
          amountMinor: item.amountMinor,
          currency: item.currency,
          accountId: '',
        },
        rules,
        context,
      );
      return {
        id: item.id,
        merchant_name: cleanMerchant(item.description),
        category: r
          ? {
              primary: r.primary,
              detailed: r.detailed,
              source: r.source,
              confidence: r.confidence,
              confidence_level: confidenceLevel(r.confidence),
              rule_id: r.rule_id,
            }
          : null,
      };
    }),
  };
}
