import { randomUUID } from 'node:crypto';
import {
  budgetView,
  createBudget,
  currentPeriod,
  updateBudget,
  type Budget,
  type BudgetInput,
  type BudgetTxn,
  type BudgetUpdate,
  type BudgetView,
} from '../domain/budgets';
import { MoneyError } from '../domain/money';
import { budgetTxnOf, decodeEntry, monthsBetween } from '../domain/spend';
import { isoDate, localDayOf } from '../domain/stats';
import { badRequest, conflict, notFound } from '../http/problem';
import type { Clock } from '../ports/clock';
import { ConflictError, type BudgetStore, type ProjectionStore, type SettingsStore } from '../ports/store';

/** A user keeps at most this many budgets (one per category and period is the usual). */
export const MAX_BUDGETS = 100;

export interface BudgetDeps {
  store: BudgetStore & SettingsStore & ProjectionStore;
  clock: Clock;
}

/**
 * The user's transactions that fall in the months of `periods`, from the spending projection (domain/spend.ts):
 * what `spent` is computed from.
 */
export async function projectedTxns(
  store: ProjectionStore,
  userId: string,
  periods: readonly { start: string; end: string }[],
): Promise<BudgetTxn[]> {
  const months = new Set<string>();
  for (const p of periods) for (const m of monthsBetween(p.start, p.end)) months.add(m);
  if (!months.size) return [];
  const loaded = await store.loadSpendMonths(userId, [...months]);
  const out: BudgetTxn[] = [];
  for (const month of loaded.values()) {
    for (const [id, text] of month.entries) out.push(budgetTxnOf(decodeEntry(id, text)));
  }
  return out;
}

/** B (../shared/API.md) for each budget: spend in the period that contains now, in the user's time zone. */
export async function budgetViews(
  deps: BudgetDeps,
  userId: string,
  budgets: readonly Budget[],
): Promise<BudgetView[]> {
  if (!budgets.length) return [];
  const now = deps.clock.now();
  const { timeZone } = await deps.store.getUserSettings(userId);
  const txns = await projectedTxns(
    deps.store,
    userId,
    budgets.map((b) => currentPeriod(b.period, now, timeZone)),
  );
  return budgets.map((b) => budgetView(b, txns, now, timeZone));
}

export async function getBudgetOr404(store: BudgetStore, userId: string, id: string): Promise<Budget> {
  const budget = await store.getBudget(userId, id);
  if (!budget) throw notFound('No such budget.');
  return budget;
}

export async function createUserBudget(
  deps: BudgetDeps,
  userId: string,
  input: BudgetInput,
): Promise<BudgetView> {
  const existing = await deps.store.listBudgets(userId);
  if (existing.length >= MAX_BUDGETS) throw conflict(`A user can keep at most ${MAX_BUDGETS} budgets.`);
  const budget = createBudget(input, {
    id: `bud_${randomUUID().replaceAll('-', '')}`,
    userId,
    now: deps.clock.now().toISOString(),
  });
  await deps.store.putNewBudget(budget);
  const [view] = await budgetViews(deps, userId, [budget]);
  return view!;
}

export async function updateUserBudget(
  deps: BudgetDeps,
  userId: string,
  id: string,
  update: BudgetUpdate,
): Promise<BudgetView> {
  const current = await getBudgetOr404(deps.store, userId, id);
  let next: Budget;
  try {
    next = updateBudget(current, update, deps.clock.now().toISOString());
  } catch (err) {
    if (err instanceof MoneyError)
      throw badRequest(err.message, [{ path: 'body.limit', message: err.message }]);
    throw err;
  }
  try {
    await deps.store.replaceBudget(next);
  } catch (err) {
    if (err instanceof ConflictError) throw notFound('No such budget.');
    throw err;
  }
  const [view] = await budgetViews(deps, userId, [next]);
  return view!;
}

/** The user's local date today, YYYY-MM-DD. */
export function todayIn(timeZone: string, now: Date): string {
  return isoDate(localDayOf(now, timeZone));
}
