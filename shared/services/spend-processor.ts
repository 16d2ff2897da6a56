import * as z from 'zod';
import {
  alertKindFor,
  budgetAlertId,
  budgetAlertMessage,
  budgetChangeAlerts,
  currentPeriod,
  periodContaining,
  reached,
  spendFor,
  type Budget,
  type BudgetPeriod,
  type BudgetTxn,
} from '../domain/budgets';
import type { SpendMonth, UserSettings } from '../domain/insights';
import { formatDecimal, money } from '../domain/money';
import {
  analyticsTxnOf,
  budgetTxnOf,
  cellsOf,
  decodeEntry,
  encodeCells,
  encodeEntry,
  monthOf,
  monthsBetween,
  sameEntry,
  spendEntryOf,
  type SpendEntry,
} from '../domain/spend';
import { logger } from '../logger';
import { BUDGET_THRESHOLD_REACHED } from '../ports/events';
import type { StreamBatchUnit } from '../stream/batch';
import type { StoreChange } from '../stream/change';
import { parseChange, StreamRecordError } from '../stream/records';
import { TransactionImageSchema } from '../stream/transaction-image';
import type { BudgetStore, ProjectionStore, SettingsStore } from '../ports/store';
import { raiseAlert, type AlertDeps } from './alerts';
import { todayIn } from './budgets';

/** A `budget` item on the stream (shared/adapters/dynamodb/insights-store.ts writes it). */
export const BudgetImageSchema = z
  .object({
    entity: z.literal('budget'),
    id: z.string().min(1),
    userId: z.string().min(1),
    category: z.string().min(1),
    period: z.enum(['weekly', 'monthly']),
    limitMinor: z.number().int().positive(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    thresholds: z.array(z.number().positive()).min(1),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .loose()
  .transform((b): Budget => ({
    id: b.id,
    userId: b.userId,
    category: b.category,
    period: b.period,
    limitMinor: b.limitMinor,
    currency: b.currency,
    thresholds: b.thresholds,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
  }));

interface MonthState {
  rev: number;
  entries: Map<string, SpendEntry>;
  dirty: boolean;
}

interface UserState {
  budgets: Budget[];
  settings: UserSettings;
  months: Map<string, MonthState>;
}

/**
 * The Budgets stream function's work on one batch (functions/stream/insights.ts). For each record, in order:
 *
 * - a `transaction` change (insert, bank update, categorization, user correction, removal): its effective values
 *   before and after (domain/spend.ts) update the user's spending projection, and for every budget of the
 *   transaction's category and currency, the spend of the affected period(s) before and after the change
 *   decides the thresholds crossed (domain/budgets.ts `budgetChangeAlerts`). Only periods that end today or
 *   later (in the user's time zone) alert: a first sync of last year's history changes last year's spend, and
 *   alerts for the current period only.
 * - a `budget` created or edited: the current period's spend against the new limit raises the thresholds it has
 *   reached that the old limit had not (a budget created under water alerts at once).
 *
 * Every alert goes through `raiseAlert` (table once per id, Redis stream, event bus `BudgetThresholdReached`).
 * The projection is read once per batch (strongly consistent) and written once per touched month at the end,
 * on condition nobody wrote it meanwhile. Running a record twice changes nothing the second time.
 */
/** What the spending projection and budget alerts read and write, besides raising alerts. */
export type SpendDeps = AlertDeps & { store: BudgetStore & ProjectionStore & SettingsStore };

export class SpendBatch implements StreamBatchUnit {
  private readonly users = new Map<string, UserState>();

  constructor(private readonly deps: SpendDeps) {}

  async prepare(changes: readonly StoreChange[]): Promise<void> {
    // What each user's records will read: their budgets, settings and the months their changes touch.
    const dates = new Map<string, Set<string>>();
    const budgetUsers = new Set<string>();
    for (const c of changes) {
      try {
        const entity = c.entity;
        if (entity === 'transaction') {
          const change = parseChange(c, TransactionImageSchema);
          const userId = (change.after ?? change.before)!.userId;
          const set = dates.get(userId) ?? new Set<string>();
          for (const t of [change.before, change.after]) {
            const e = t ? spendEntryOf(t) : null;
            if (e) set.add(e.date);
          }
          dates.set(userId, set);
        } else if (entity === 'budget') {
          const change = parseChange(c, BudgetImageSchema);
          budgetUsers.add((change.after ?? change.before)!.userId);
        }
      } catch {
        // A record that does not parse fails on its own in handle().
      }
    }
    const userIds = new Set([...dates.keys(), ...budgetUsers]);
    await Promise.all(
      [...userIds].map(async (userId) => {
        const user = await this.user(userId);
        const months = new Set<string>();
        for (const date of dates.get(userId) ?? []) {
          months.add(monthOf(date));
          for (const b of user.budgets)
            for (const m of this.periodMonths(periodContaining(b.period, date))) months.add(m);
        }
        const now = this.deps.clock.now();
        for (const b of user.budgets) {
          for (const m of this.periodMonths(currentPeriod(b.period, now, user.settings.timeZone)))
            months.add(m);
        }
        await this.ensureMonths(userId, [...months]);
      }),
    );
  }

  async handle(change: StoreChange): Promise<void> {
    if (change.entity === 'transaction') return this.transactionChanged(change);
    if (change.entity === 'budget') return this.budgetChanged(change);
    throw new StreamRecordError(`the Budgets function does not handle ${change.entity} items`);
  }

  /** Writes every month the batch changed (and its rollup cells), once each. */
  async finish(): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    for (const [userId, user] of this.users) {
      for (const [month, state] of user.months) {
        if (!state.dirty) continue;
        const entries = new Map<string, string>();
        for (const [id, e] of state.entries) entries.set(id, encodeEntry(e));
        const cells = encodeCells(cellsOf([...state.entries.values()].map(analyticsTxnOf)));
        const snapshot: SpendMonth = { month, rev: state.rev, entries };
        state.rev = await this.deps.store.saveSpendMonth(userId, snapshot, cells, at);
        state.dirty = false;
      }
    }
  }

  // ---- changes ----------------------------------------------------------------------------------------------

  private async transactionChanged(c: StoreChange): Promise<void> {
    const change = parseChange(c, TransactionImageSchema);
    const t = (change.after ?? change.before)!;
    const before = change.before ? spendEntryOf(change.before) : null;
    const after = change.after ? spendEntryOf(change.after) : null;
    const user = await this.user(t.userId);
    const touched = [before, after].filter((e): e is SpendEntry => e !== null);
    await this.ensureMonths(
      t.userId,
      touched.map((e) => monthOf(e.date)),
    );

    if (!sameEntry(before, after)) {
      const now = this.deps.clock.now();
      const createdAt = now.toISOString();
      const since = todayIn(user.settings.timeZone, now);
      for (const budget of user.budgets) {
        if (!touched.some((e) => e.primary === budget.category && e.currency === budget.currency)) continue;
        const periods = touched.map((e) => periodContaining(budget.period, e.date));
        await this.ensureMonths(
          t.userId,
          periods.flatMap((p) => this.periodMonths(p)),
        );
        const alerts = budgetChangeAlerts({
          budget,
          changes: [{ before: before && budgetTxnOf(before), after: after && budgetTxnOf(after) }],
          transactions: this.txnsFor(user, budget, periods),
          createdAt,
          since,
          transactionId: t.id,
        });
        for (const a of alerts) {
          await raiseAlert(this.deps, a.alert, {
            ...BUDGET_THRESHOLD_REACHED,
            detail: thresholdDetail(budget, a.threshold, a.period, a.spentMinor),
          });
        }
      }
    }

    // The projection: the transaction leaves the month it was in and takes its place in the month it is in now.
    for (const e of touched) {
      const month = user.months.get(monthOf(e.date))!;
      if (month.entries.has(t.id) && (!after || monthOf(after.date) !== monthOf(e.date))) {
        month.entries.delete(t.id);
        month.dirty = true;
      }
    }
    if (after) {
      const month = user.months.get(monthOf(after.date))!;
      const current = month.entries.get(t.id) ?? null;
      if (!sameEntry(current, after)) {
        month.entries.set(t.id, after);
        month.dirty = true;
      }
    }
  }

  private async budgetChanged(c: StoreChange): Promise<void> {
    const change = parseChange(c, BudgetImageSchema);
    const userId = (change.after ?? change.before)!.userId;
    const user = await this.user(userId);
    user.budgets = user.budgets.filter((b) => b.id !== (change.after ?? change.before)!.id);
    const budget = change.after;
    if (!budget) return;
    user.budgets.push(budget);

    const now = this.deps.clock.now();
    const period = currentPeriod(budget.period, now, user.settings.timeZone);
    await this.ensureMonths(userId, this.periodMonths(period));
    const spent = spendFor(budget, period, this.txnsFor(user, budget, [period])).spentMinor;
    const old = change.before;
    const sameScope =
      old !== null &&
      old.category === budget.category &&
      old.currency === budget.currency &&
      old.period === budget.period;
    for (const threshold of budget.thresholds) {
      if (!reached(budget.limitMinor, threshold, spent)) continue;
      if (sameScope && reached(old.limitMinor, threshold, spent) && old.thresholds.includes(threshold))
        continue;
      await raiseAlert(
        this.deps,
        {
          id: budgetAlertId(budget.id, threshold, period.start),
          kind: alertKindFor(threshold),
          user_id: userId,
          budget_id: budget.id,
          message: budgetAlertMessage(budget, period, spent),
          created_at: now.toISOString(),
        },
        { ...BUDGET_THRESHOLD_REACHED, detail: thresholdDetail(budget, threshold, period, spent) },
      );
    }
  }

  // ---- state ------------------------------------------------------------------------------------------------

  private async user(userId: string): Promise<UserState> {
    let user = this.users.get(userId);
    if (!user) {
      const [budgets, settings] = await Promise.all([
        this.deps.store.listBudgets(userId),
        this.deps.store.getUserSettings(userId),
      ]);
      // Another record may have loaded it meanwhile (prepare loads users in parallel).
      user = this.users.get(userId) ?? { budgets, settings, months: new Map() };
      this.users.set(userId, user);
    }
    return user;
  }

  private async ensureMonths(userId: string, months: readonly string[]): Promise<void> {
    const user = await this.user(userId);
    const missing = [...new Set(months)].filter((m) => !user.months.has(m));
    if (!missing.length) return;
    const loaded = await this.deps.store.loadSpendMonths(userId, missing);
    for (const [month, m] of loaded) {
      if (user.months.has(month)) continue;
      const entries = new Map<string, SpendEntry>();
      for (const [id, text] of m.entries) entries.set(id, decodeEntry(id, text));
      user.months.set(month, { rev: m.rev, entries, dirty: false });
    }
  }

  private periodMonths(period: BudgetPeriod): string[] {
    return monthsBetween(period.start, period.end);
  }

  /** The projection's transactions of a budget's category and currency in the months of `periods`. */
  private txnsFor(user: UserState, budget: Budget, periods: readonly BudgetPeriod[]): BudgetTxn[] {
    const out: BudgetTxn[] = [];
    const months = new Set(periods.flatMap((p) => this.periodMonths(p)));
    for (const m of months) {
      const state = user.months.get(m);
      if (!state) {
        logger.warn('spend month not loaded', { month: m });
        continue;
      }
      for (const e of state.entries.values()) {
        if (e.primary === budget.category && e.currency === budget.currency) out.push(budgetTxnOf(e));
      }
    }
    return out;
  }
}

/** The `BudgetThresholdReached` event's detail beyond the alert itself. */
function thresholdDetail(budget: Budget, threshold: number, period: BudgetPeriod, spentMinor: number) {
  return {
    budget_id: budget.id,
    category: budget.category,
    period: budget.period,
    threshold,
    period_start: period.start,
    period_end: period.end,
    limit: formatDecimal(money(budget.limitMinor, budget.currency)),
    spent: formatDecimal(money(spentMinor, budget.currency)),
    currency: budget.currency,
  };
}
