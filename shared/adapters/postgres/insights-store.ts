import { sql, type SQL } from 'drizzle-orm';
import * as z from 'zod';
import type { Budget } from '../../domain/budgets';
import {
  DEFAULT_SETTINGS,
  type SpendMonth,
  type StoredAlert,
  type StoredAnomaly,
  type UserSettings,
} from '../../domain/insights';
import { AlertSchema, type Alert } from '../../domain/alerts';
import { emptyMonths } from '../../domain/spend';
import { openCursor, sealCursor } from '../../cursor';
import {
  ConflictError,
  InvalidCursorError,
  type InsightsStore,
  type Page,
  type PageRequest,
} from '../../ports/store';
import { fromJson, json, rows, type Queryable } from './db';
import { appendOutbox, outboxTransaction } from './outbox';
import { PgRole } from './role';

type Row = Record<string, unknown>;
const rowsOf = (q: Queryable, query: SQL): Promise<Row[]> => rows<Row>(q, query);

/**
 * Budgets, user settings, alerts, anomalies and the spending projection in PostgreSQL (migration
 * 0010_insights.sql), with the DynamoDB adapter's semantics (shared/adapters/dynamodb/insights-store.ts):
 *
 * - a new budget is refused when its id exists, a replacement when it does not (ConflictError); every budget
 *   write appends its change to the outbox in the same SQL transaction (entity `budget`, the item's attributes
 *   as the spend processor parses them), and a replacement that changes nothing appends none (DynamoDB writes no
 *   stream record for it);
 * - alerts and anomalies are written once per id (`ON CONFLICT DO NOTHING`);
 * - a projection month is replaced on condition of its revision: an insert when it was read at rev 0 (a
 *   concurrent first writer wins on the primary key), else an update `WHERE rev = <read rev>` (a concurrent
 *   writer waits on the row lock, then finds the new revision and updates nothing): the loser gets a
 *   ConflictError, as with DynamoDB's condition;
 * - lists sort as DynamoDB's sort keys do: bytewise (`COLLATE "C"` columns), alerts by `<created_at>#<id>`
 *   newest first, anomalies by `<date>#<id>`.
 *
 * A projection month keeps DynamoDB's size limit (MAX_SPEND_MONTH_BYTES): a month that fits in one mode fits in
 * the other, and a Data API response (at most 1 MiB) always holds two of them.
 *
 * jsonb columns are read as `::text` and decoded (the drivers differ: db.ts), lists travel as one JSON parameter.
 */
export class PgInsightsStore extends PgRole implements InsightsStore {
  // ---- budgets ------------------------------------------------------------------------------------------

  async putNewBudget(budget: Budget): Promise<void> {
    await outboxTransaction(this.conn, async (tx) => {
      const inserted = await rowsOf(
        tx,
        sql`INSERT INTO budgets (user_id, id, category, period, limit_minor, currency, thresholds, created_at, updated_at)
            VALUES (${budget.userId}, ${budget.id}, ${budget.category}, ${budget.period}, ${budget.limitMinor},
                    ${budget.currency}, ${json(budget.thresholds)}::jsonb, ${budget.createdAt}, ${budget.updatedAt})
            ON CONFLICT (user_id, id) DO NOTHING
            RETURNING id`,
      );
      if (!inserted.length) throw new ConflictError('budget exists already');
      await appendOutbox(tx, [
        {
          userId: budget.userId,
          entity: 'budget',
          eventName: 'INSERT',
          before: null,
          after: budgetImage(budget),
        },
      ]);
    });
  }

  async replaceBudget(budget: Budget): Promise<void> {
    await outboxTransaction(this.conn, async (tx) => {
      const [old] = await rowsOf(
        tx,
        sql`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE user_id = ${budget.userId} AND id = ${budget.id} FOR UPDATE`,
      );
      if (!old) throw new ConflictError('budget does not exist');
      await tx.execute(
        sql`UPDATE budgets SET category = ${budget.category}, period = ${budget.period},
              limit_minor = ${budget.limitMinor}, currency = ${budget.currency},
              thresholds = ${json(budget.thresholds)}::jsonb, created_at = ${budget.createdAt},
              updated_at = ${budget.updatedAt}
            WHERE user_id = ${budget.userId} AND id = ${budget.id}`,
      );
      const before = budgetImage(budgetOf(old));
      const after = budgetImage(budget);
      if (JSON.stringify(before) === JSON.stringify(after)) return;
      await appendOutbox(tx, [
        { userId: budget.userId, entity: 'budget', eventName: 'MODIFY', before, after },
      ]);
    });
  }

  async getBudget(userId: string, id: string): Promise<Budget | null> {
    const [row] = await rowsOf(
      this.db,
      sql`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE user_id = ${userId} AND id = ${id}`,
    );
    return row ? budgetOf(row) : null;
  }

  async listBudgets(userId: string): Promise<Budget[]> {
    const found = await rowsOf(
      this.db,
      sql`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE user_id = ${userId} ORDER BY created_at, id`,
    );
    return found.map(budgetOf);
  }

  async deleteBudget(userId: string, id: string): Promise<boolean> {
    return outboxTransaction(this.conn, async (tx) => {
      const [old] = await rowsOf(
        tx,
        sql`DELETE FROM budgets WHERE user_id = ${userId} AND id = ${id} RETURNING ${BUDGET_COLUMNS}`,
      );
      if (!old) return false;
      await appendOutbox(tx, [
        { userId, entity: 'budget', eventName: 'REMOVE', before: budgetImage(budgetOf(old)), after: null },
      ]);
      return true;
    });
  }

  // ---- settings -----------------------------------------------------------------------------------------

  async getUserSettings(userId: string): Promise<UserSettings> {
    const [row] = await rowsOf(
      this.db,
      sql`SELECT time_zone, updated_at FROM user_settings WHERE user_id = ${userId}`,
    );
    if (!row) return { ...DEFAULT_SETTINGS };
    return {
      timeZone: typeof row.time_zone === 'string' ? row.time_zone : DEFAULT_SETTINGS.timeZone,
      updatedAt: typeof row.updated_at === 'string' ? row.updated_at : null,
    };
  }

  async putUserSettings(userId: string, settings: UserSettings): Promise<void> {
    await this.db.execute(
      sql`INSERT INTO user_settings (user_id, time_zone, updated_at)
          VALUES (${userId}, ${settings.timeZone}, ${settings.updatedAt})
          ON CONFLICT (user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = EXCLUDED.updated_at`,
    );
  }

  // ---- alerts -------------------------------------------------------------------------------------------

  async putAlert(alert: Alert): Promise<{ created: boolean; stored: StoredAlert }> {
    const parsed = AlertSchema.parse(alert);
    const inserted = await rowsOf(
      this.db,
      sql`INSERT INTO alerts (user_id, id, kind, created_at, list_key, alert)
          VALUES (${parsed.user_id}, ${parsed.id}, ${parsed.kind}, ${parsed.created_at},
                  ${`${parsed.created_at}#${parsed.id}`}, ${json(parsed)}::jsonb)
          ON CONFLICT (user_id, id) DO NOTHING
          RETURNING id`,
    );
    if (inserted.length) return { created: true, stored: { alert: parsed, publishedAt: null } };
    const [stored] = await rowsOf(
      this.db,
      sql`SELECT alert::text AS alert, published_at FROM alerts WHERE user_id = ${parsed.user_id} AND id = ${parsed.id}`,
    );
    if (!stored) throw new ConflictError(`alert ${parsed.id} exists and vanished`);
    return { created: false, stored: storedAlertOf(stored) };
  }

  async markAlertPublished(userId: string, id: string, at: string): Promise<void> {
    const found = await rowsOf(
      this.db,
      sql`UPDATE alerts SET published_at = ${at} WHERE user_id = ${userId} AND id = ${id} RETURNING id`,
    );
    // DynamoDB's update is conditioned on the alert existing, and fails otherwise.
    if (!found.length) throw new ConflictError(`alert ${id} does not exist`);
  }

  async listAlerts(userId: string, query: { since?: string }, page: PageRequest): Promise<Page<StoredAlert>> {
    const scope = { list: 'alerts', owner: `alerts=${userId}` };
    const after = page.cursor ? openCursor(page.cursor, scope, AlertPosition) : null;
    if (after && query.since && after.k < query.since) {
      // A position outside the query's range: DynamoDB's adapter refuses such a start key too.
      throw new InvalidCursorError('The cursor is not valid for this list.');
    }
    const found = await rowsOf(
      this.db,
      sql`SELECT list_key, alert::text AS alert, published_at FROM alerts
          WHERE user_id = ${userId}
            ${query.since ? sql`AND list_key >= ${query.since}` : sql``}
            ${after ? sql`AND list_key < ${after.k}` : sql``}
          ORDER BY list_key DESC
          LIMIT ${page.limit + 1}`,
    );
    const items = found.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items: items.map(storedAlertOf),
      nextCursor: found.length > page.limit && last ? sealCursor(scope, { k: String(last.list_key) }) : null,
    };
  }

  // ---- anomalies ----------------------------------------------------------------------------------------

  async putAnomaly(a: StoredAnomaly): Promise<boolean> {
    const found = await rowsOf(
      this.db,
      sql`INSERT INTO anomalies (user_id, id, transaction_id, kind, score, explanation, details, date, detected_at, list_key)
          VALUES (${a.userId}, ${a.id}, ${a.transactionId}, ${a.kind}, ${a.score}, ${a.explanation},
                  ${json(a.details ?? {})}::jsonb, ${a.date}, ${a.detectedAt}, ${`${a.date}#${a.id}`})
          ON CONFLICT (user_id, id) DO NOTHING
          RETURNING id`,
    );
    return found.length > 0;
  }

  async listAnomalies(userId: string, range: { from?: string; to?: string }): Promise<StoredAnomaly[]> {
    // As DynamoDB's key condition on `<date>#<id>`: `to~` includes the whole last day (`~` sorts after ids).
    // Read page by page (a Data API response holds at most 1 MiB).
    const out: StoredAnomaly[] = [];
    for (let after: string | null = null; ;) {
      const found = await rowsOf(
        this.db,
        sql`SELECT user_id, id, transaction_id, kind, score, explanation, details::text AS details, date, detected_at,
                   list_key
            FROM anomalies
            WHERE user_id = ${userId}
              ${range.from ? sql`AND list_key >= ${range.from}` : sql``}
              ${range.to ? sql`AND list_key <= ${`${range.to}~`}` : sql``}
              ${after === null ? sql`` : sql`AND list_key > ${after}`}
            ORDER BY list_key
            LIMIT ${READ_PAGE}`,
      );
      out.push(...found.map(anomalyOf));
      if (found.length < READ_PAGE) return out;
      after = String(found.at(-1)!.list_key);
    }
  }

  async deleteAnomalies(userId: string, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1_000) {
      await this.db.execute(
        sql`DELETE FROM anomalies
            WHERE user_id = ${userId} AND id IN (SELECT jsonb_array_elements_text(${json(ids.slice(i, i + 1_000))}::jsonb))`,
      );
    }
  }

  // ---- monthly projections: spending (Budgets) and anomaly history (Anomalies) -------------------------

  loadSpendMonths(userId: string, months: readonly string[]): Promise<Map<string, SpendMonth>> {
    return this.loadMonths(sql`spend_months`, userId, months);
  }

  async saveSpendMonth(userId: string, month: SpendMonth, cells: string, at: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rev = await saveMonth(tx, sql`spend_months`, 'spend_month', userId, month, at);
      if (rev === null) throw new ConflictError(`spend month ${month.month} changed since it was read`);
      await tx.execute(
        sql`INSERT INTO spend_rollups (user_id, month, rev, cells, updated_at)
            VALUES (${userId}, ${month.month}, ${rev}, ${cells}, ${at})
            ON CONFLICT (user_id, month) DO UPDATE
              SET rev = EXCLUDED.rev, cells = EXCLUDED.cells, updated_at = EXCLUDED.updated_at`,
      );
      return rev;
    });
  }

  async readSpendRollups(userId: string, fromMonth: string, toMonth: string): Promise<string[]> {
    const found = await rowsOf(
      this.db,
      sql`SELECT cells FROM spend_rollups
          WHERE user_id = ${userId} AND month >= ${fromMonth} AND month <= ${toMonth}
          ORDER BY month`,
    );
    return found.map((r) => String(r.cells ?? ''));
  }

  loadHistoryMonths(userId: string, months: readonly string[]): Promise<Map<string, SpendMonth>> {
    return this.loadMonths(sql`anomaly_history`, userId, months);
  }

  async saveHistoryMonth(userId: string, month: SpendMonth, at: string): Promise<number> {
    const rev = await saveMonth(this.db, sql`anomaly_history`, 'anomaly_history', userId, month, at);
    if (rev === null) throw new ConflictError(`history month ${month.month} changed since it was read`);
    return rev;
  }

  private async loadMonths(
    table: SQL,
    userId: string,
    months: readonly string[],
  ): Promise<Map<string, SpendMonth>> {
    const result = emptyMonths(months);
    const unique = [...result.keys()];
    // A Data API response holds at most 1 MiB: two months of the largest size per statement there.
    const chunk = this.conn.driver === 'data-api' ? 2 : 1_000;
    for (let i = 0; i < unique.length; i += chunk) {
      const found = await rowsOf(
        this.db,
        sql`SELECT month, rev, entries::text AS entries FROM ${table}
            WHERE user_id = ${userId}
              AND month IN (SELECT jsonb_array_elements_text(${json(unique.slice(i, i + chunk))}::jsonb))`,
      );
      for (const row of found) {
        const month = String(row.month);
        const entries = EntriesSchema.parse(fromJson(row.entries));
        result.set(month, { month, rev: Number(row.rev), entries: new Map(Object.entries(entries)) });
      }
    }
    return result;
  }
}

// ---- rows and images ------------------------------------------------------------------------------------

const BUDGET_COLUMNS = sql.raw(
  'user_id, id, category, period, limit_minor::text AS limit_minor, currency, thresholds::text AS thresholds, created_at, updated_at',
);

function budgetOf(row: Row): Budget {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    category: String(row.category),
    period: row.period === 'weekly' ? 'weekly' : 'monthly',
    limitMinor: Number(row.limit_minor),
    currency: String(row.currency),
    thresholds: z.array(z.number()).parse(fromJson(row.thresholds)),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

/**
 * A budget's image in the change feed: the attributes of DynamoDB's budget item without its keys, which is what
 * the spend processor parses (services/spend-processor.ts BudgetImageSchema).
 */
export function budgetImage(b: Budget): Record<string, unknown> {
  return {
    entity: 'budget',
    id: b.id,
    userId: b.userId,
    category: b.category,
    period: b.period,
    limitMinor: b.limitMinor,
    currency: b.currency,
    thresholds: [...b.thresholds],
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
  };
}

function storedAlertOf(row: Row): StoredAlert {
  return {
    alert: AlertSchema.parse(fromJson(row.alert)),
    publishedAt: typeof row.published_at === 'string' ? row.published_at : null,
  };
}

const AlertPosition = z.strictObject({ k: z.string().min(1).max(1024) });

function anomalyOf(row: Row): StoredAnomaly {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    transactionId: String(row.transaction_id),
    kind: row.kind as StoredAnomaly['kind'],
    score: Number(row.score),
    explanation: String(row.explanation),
    details: (fromJson(row.details) ?? {}) as StoredAnomaly['details'],
    date: String(row.date),
    detectedAt: String(row.detected_at),
  };
}

const EntriesSchema = z.record(z.string(), z.string());

/** Rows per statement of a read that follows a list to its end. */
const READ_PAGE = 500;

/** The DynamoDB adapter's limit of a projection month (its 400 KB item limit, with room): the same here. */
export const MAX_SPEND_MONTH_BYTES = 380_000;

/**
 * Replaces a projection month if it is still at the revision it was read at; the new revision, or null when
 * another writer got there first.
 */
async function saveMonth(
  db: Queryable,
  table: SQL,
  what: string,
  userId: string,
  month: SpendMonth,
  at: string,
): Promise<number | null> {
  const bytes = [...month.entries].reduce((n, [k, v]) => n + k.length + v.length + 2, 0);
  if (bytes > MAX_SPEND_MONTH_BYTES) {
    throw new Error(
      `${what} ${month.month} of user ${userId} would be ${bytes} bytes (over ${MAX_SPEND_MONTH_BYTES})`,
    );
  }
  const rev = month.rev + 1;
  const entries = JSON.stringify(Object.fromEntries(month.entries));
  const found =
    month.rev === 0
      ? await rowsOf(
          db,
          sql`INSERT INTO ${table} (user_id, month, rev, entries, updated_at)
              VALUES (${userId}, ${month.month}, ${rev}, ${entries}::json, ${at})
              ON CONFLICT (user_id, month) DO NOTHING
              RETURNING rev`,
        )
      : await rowsOf(
          db,
          sql`UPDATE ${table} SET rev = ${rev}, entries = ${entries}::json, updated_at = ${at}
              WHERE user_id = ${userId} AND month = ${month.month} AND rev = ${month.rev}
              RETURNING rev`,
        );
  return found.length ? rev : null;
}
