import {
  categorize,
  cleanMerchant,
  confidenceLevel,
  type CategoryResult,
  type UserRule,
} from '../../shared/domain/categorizer/index';
import { categoryContext } from '../../shared/domain/categorizer/stored-transactions';
import { parseDecimal } from '../../shared/domain/money';
import type { Api } from './api';

/** T (../shared/API.md) as far as categorization goes. */
export interface CategorizedT {
  id: string;
  account_id: string;
  date: string;
  amount: string;
  currency: string;
  description: string;
  merchant_name: string | null;
  mcc?: string | null;
  category: {
    primary: string;
    detailed: string | null;
    source: string;
    confidence: number;
    confidence_level: string;
    rule_id: string | null;
  } | null;
  status: string;
  reconciled: boolean;
}

export interface RuleView {
  id: string;
  match: UserRule['match'];
  category: UserRule['category'];
  priority: number;
  created_at: string;
  updated_at: string;
}

async function all<T>(api: Api, path: string, key: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: { status: number; body: Record<string, unknown> } = await api.get(
      `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    out.push(...(res.body[key] as T[]));
    cursor = (res.body.next_cursor as string | null | undefined) ?? null;
  } while (cursor);
  return out;
}

export const allTransactions = (api: Api) => all<CategorizedT>(api, '/transactions', 'transactions');

/**
 * What the engine says about a T over the API, with the user's rules and accounts: what the Categorizer
 * should have stored (for transactions the user did not correct). The merchant name the sync derived is not
 * "given".
 */
export function expectedCategory(
  t: CategorizedT & { original?: { description: string; merchant_name: string | null } },
  rules: readonly UserRule[],
  accounts: readonly { id: string; mask: string | null }[],
): CategoryResult | null {
  // With the provider's values (GET /transactions/{id}): a merchant name the user or the bank gave.
  const o = t.original ?? { description: t.description, merchant_name: t.merchant_name };
  const given =
    t.merchant_name !== o.merchant_name
      ? t.merchant_name
      : o.merchant_name && o.merchant_name !== cleanMerchant(o.description)
        ? o.merchant_name
        : null;
  return categorize(
    {
      description: t.description,
      merchantName: given,
      amountMinor: parseDecimal(t.amount, t.currency).minor,
      currency: t.currency,
      accountId: t.account_id,
      mcc: t.mcc ?? null,
    },
    rules,
    categoryContext(accounts, t.account_id),
  );
}

export const asApiCategory = (r: CategoryResult | null) =>
  r
    ? {
        primary: r.primary,
        detailed: r.detailed,
        source: r.source,
        confidence: r.confidence,
        confidence_level: confidenceLevel(r.confidence),
        rule_id: r.rule_id,
      }
    : null;

/**
 * Until every transaction not categorized by the user has the category the engine gives it with the user's
 * current rules (the Categorizer has caught up with the syncs and rule changes). Returns the transactions.
 */
export async function waitForCategorized(
  api: Api,
  opts: { timeoutMs?: number; skip?: (t: CategorizedT) => boolean } = {},
): Promise<CategorizedT[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const accounts = (await api.get<{ accounts: { id: string; mask: string | null }[] }>('/accounts')).body
    .accounts;
  for (;;) {
    const rules = (await api.get<{ rules: RuleView[] }>('/rules')).body.rules.map((r): UserRule => ({
      ...r,
      user_id: '',
    }));
    const txns = await allTransactions(api);
    const behind = txns.filter(
      (t) =>
        t.category?.source !== 'user' &&
        !opts.skip?.(t) &&
        JSON.stringify(t.category) !== JSON.stringify(asApiCategory(expectedCategory(t, rules, accounts))),
    );
    if (txns.length && !behind.length) return txns;
    if (Date.now() > deadline)
      throw new Error(
        `${behind.length} of ${txns.length} transactions are not categorized as expected: ` +
          JSON.stringify(behind[0]),
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Until one transaction has the category the Categorizer gives it (or one the user set): read with its
 * provider values, so corrected transactions are judged exactly. Returns it.
 */
export async function waitForCategory<D extends CategorizedT>(
  api: Api,
  id: string,
  timeoutMs = 15_000,
): Promise<D> {
  const deadline = Date.now() + timeoutMs;
  const accounts = (await api.get<{ accounts: { id: string; mask: string | null }[] }>('/accounts')).body
    .accounts;
  for (;;) {
    const rules = (await api.get<{ rules: RuleView[] }>('/rules')).body.rules.map((r): UserRule => ({
      ...r,
      user_id: '',
    }));
    const t = (
      await api.get<D & { original: { description: string; merchant_name: string | null } }>(
        `/transactions/${id}`,
      )
    ).body;
    const want = asApiCategory(expectedCategory(t, rules, accounts));
    if (t.category?.source === 'user' || JSON.stringify(t.category) === JSON.stringify(want)) return t;
    if (Date.now() > deadline)
      throw new Error(`${id} has ${JSON.stringify(t.category)}, expected ${JSON.stringify(want)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
