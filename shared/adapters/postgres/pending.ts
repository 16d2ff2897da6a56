import type { Budget } from '../../domain/budgets';
import type { UserRule } from '../../domain/categorizer/user-rules';
import type { SpendMonth, StoredAlert, StoredAnomaly, UserSettings } from '../../domain/insights';
import type { Alert } from '../../domain/alerts';
import type { InsightsStore, Page, RuleStore } from '../../ports/store';
import { PgRole } from './role';

/**
 * PLACEHOLDER until the PostgreSQL adapter of these roles lands (branch pg-insights replaces this file with its
 * own role classes and the line in store.ts that composes them): every method throws.
 */
export class PgPendingRoles extends PgRole implements RuleStore, InsightsStore {
  private missing(): never {
    throw new Error('not implemented on PostgreSQL yet (issue 12: the insights roles)');
  }
  putUserRule(_rule: UserRule): Promise<void> {
    return this.missing();
  }
  listUserRules(_userId: string): Promise<UserRule[]> {
    return this.missing();
  }
  deleteUserRule(_userId: string, _id: string): Promise<boolean> {
    return this.missing();
  }
  requestRecategorization(_userId: string, _at: string, _reason: string): Promise<void> {
    return this.missing();
  }
  putNewBudget(_budget: Budget): Promise<void> {
    return this.missing();
  }
  replaceBudget(_budget: Budget): Promise<void> {
    return this.missing();
  }
  getBudget(_userId: string, _id: string): Promise<Budget | null> {
    return this.missing();
  }
  listBudgets(_userId: string): Promise<Budget[]> {
    return this.missing();
  }
  deleteBudget(_userId: string, _id: string): Promise<boolean> {
    return this.missing();
  }
  getUserSettings(_userId: string): Promise<UserSettings> {
    return this.missing();
  }
  putUserSettings(_userId: string, _settings: UserSettings): Promise<void> {
    return this.missing();
  }
  putAlert(_alert: Alert): Promise<{ created: boolean; stored: StoredAlert }> {
    return this.missing();
  }
  markAlertPublished(_userId: string, _id: string, _at: string): Promise<void> {
    return this.missing();
  }
  listAlerts(_userId: string, _query: { since?: string }): Promise<Page<StoredAlert>> {
    return this.missing();
  }
  putAnomaly(_anomaly: StoredAnomaly): Promise<boolean> {
    return this.missing();
  }
  listAnomalies(_userId: string, _range: { from?: string; to?: string }): Promise<StoredAnomaly[]> {
    return this.missing();
  }
  deleteAnomalies(_userId: string, _ids: readonly string[]): Promise<void> {
    return this.missing();
  }
  loadSpendMonths(_userId: string, _months: readonly string[]): Promise<Map<string, SpendMonth>> {
    return this.missing();
  }
  saveSpendMonth(_userId: string, _month: SpendMonth, _cells: string, _at: string): Promise<number> {
    return this.missing();
  }
  readSpendRollups(_userId: string, _fromMonth: string, _toMonth: string): Promise<string[]> {
    return this.missing();
  }
  loadHistoryMonths(_userId: string, _months: readonly string[]): Promise<Map<string, SpendMonth>> {
    return this.missing();
  }
  saveHistoryMonth(_userId: string, _month: SpendMonth, _at: string): Promise<number> {
    return this.missing();
  }
}
