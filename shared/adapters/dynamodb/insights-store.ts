import {
  BatchGetCommand,
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
} from '@aws-sdk/lib-dynamodb';
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
import { ConflictError, type Page, type PageRequest } from '../../ports/store';
import {
  batchWriteAll,
  getItem,
  isConditionFailure,
  putIf,
  putNew,
  queryAllItems,
  queryPageItems,
  type Doc,
  type Item,
  type Row,
} from './items';
import { keys } from './keys';

/**
 * Budgets, user settings, alerts, anomalies and the spending projection in the single table. Functions that take
 * the document client and the table name; DynamoStore delegates to them (one line each).
 *
 * Their key shapes are in keys.ts (`USER#<uid>` partition: budget, user_settings, alert, anomaly, spend_month,
 * spend_rollup, anomaly_history).
 */
/** A spend month item above this many bytes is refused (DynamoDB's limit is 400 KB): about 4,000 transactions. */
export const MAX_SPEND_MONTH_BYTES = 380_000;

// ---- budgets ----------------------------------------------------------------------------------------------

function budgetItem(b: Budget): Item<Budget> {
  return { pk: keys.user(b.userId), sk: keys.budget(b.id), entity: 'budget', ...b };
}

function budgetOf(item: Row): Budget {
  return {
    id: String(item.id),
    userId: String(item.userId),
    category: String(item.category),
    period: item.period === 'weekly' ? 'weekly' : 'monthly',
    limitMinor: Number(item.limitMinor),
    currency: String(item.currency),
    thresholds: (item.thresholds as number[]).map(Number),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

/** Writes a new budget; ConflictError ('budget exists already') when its id is taken. */
export function putNewBudget(doc: Doc, table: string, budget: Budget): Promise<void> {
  return putNew(doc, table, budgetItem(budget));
}

/** Replaces an existing budget; ConflictError when it does not exist (deleted meanwhile). */
export async function replaceBudget(doc: Doc, table: string, budget: Budget): Promise<void> {
  if (!(await putIf(doc, table, budgetItem(budget), 'present')))
    throw new ConflictError('budget does not exist');
}

export async function getBudget(doc: Doc, table: string, userId: string, id: string): Promise<Budget | null> {
  const item = await getItem(doc, table, { pk: keys.user(userId), sk: keys.budget(id) }, true);
  return item ? budgetOf(item) : null;
}

export async function listBudgets(doc: Doc, table: string, userId: string): Promise<Budget[]> {
  const items = await queryAllItems(doc, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
    ExpressionAttributeValues: { ':pk': keys.user(userId), ':sk': keys.budgetPrefix },
    ConsistentRead: true,
  });
  return items
    .map(budgetOf)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** True when it existed. */
export async function deleteBudget(doc: Doc, table: string, userId: string, id: string): Promise<boolean> {
  const out = await doc.send(
    new DeleteCommand({
      TableName: table,
      Key: { pk: keys.user(userId), sk: keys.budget(id) },
      ReturnValues: 'ALL_OLD',
    }),
  );
  return Boolean(out.Attributes);
}

// ---- settings ---------------------------------------------------------------------------------------------

export async function getUserSettings(doc: Doc, table: string, userId: string): Promise<UserSettings> {
  const item = await getItem(doc, table, { pk: keys.user(userId), sk: keys.settings }, true);
  if (!item) return { ...DEFAULT_SETTINGS };
  return {
    timeZone: typeof item.timeZone === 'string' ? item.timeZone : DEFAULT_SETTINGS.timeZone,
    updatedAt: typeof item.updatedAt === 'string' ? item.updatedAt : null,
  };
}

export async function putUserSettings(
  doc: Doc,
  table: string,
  userId: string,
  settings: UserSettings,
): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        pk: keys.user(userId),
        sk: keys.settings,
        entity: 'user_settings',
        userId,
        ...settings,
      },
    }),
  );
}

// ---- alerts -----------------------------------------------------------------------------------------------

function storedAlertOf(item: Row): StoredAlert {
  return {
    alert: AlertSchema.parse(JSON.parse(String(item.alert))),
    publishedAt: typeof item.publishedAt === 'string' ? item.publishedAt : null,
  };
}

/**
 * Writes the alert once per id: `created` is false when an alert with this id exists (a redelivery), and the
 * stored one is returned as it was first written (its `created_at`, whether it was published).
 */
export async function putAlert(
  doc: Doc,
  table: string,
  alert: Alert,
): Promise<{ created: boolean; stored: StoredAlert }> {
  const parsed = AlertSchema.parse(alert);
  const key = { pk: keys.user(parsed.user_id), sk: keys.alert(parsed.id) };
  const item = {
    ...key,
    entity: 'alert',
    gsi1pk: keys.alertList(parsed.user_id),
    gsi1sk: `${parsed.created_at}#${parsed.id}`,
    id: parsed.id,
    userId: parsed.user_id,
    kind: parsed.kind,
    createdAt: parsed.created_at,
    // The alert as JSON, exactly as it was validated: it goes to the Redis stream and the bus as it is.
    alert: JSON.stringify(parsed),
  };
  if (await putIf(doc, table, item, 'absent')) {
    return { created: true, stored: { alert: parsed, publishedAt: null } };
  }
  const stored = await getItem(doc, table, key, true);
  if (!stored) throw new ConflictError(`alert ${parsed.id} exists and vanished`);
  return { created: false, stored: storedAlertOf(stored) };
}

export async function markAlertPublished(
  doc: Doc,
  table: string,
  userId: string,
  id: string,
  at: string,
): Promise<void> {
  await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: { pk: keys.user(userId), sk: keys.alert(id) },
      UpdateExpression: 'SET publishedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}

/** The user's alerts created at or after `since` (RFC 3339), newest first. */
export async function listAlerts(
  doc: Doc,
  table: string,
  userId: string,
  query: { since?: string },
  page: PageRequest,
): Promise<Page<StoredAlert>> {
  const pk = keys.alertList(userId);
  const out = await queryPageItems(
    doc,
    {
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: query.since ? 'gsi1pk = :pk AND gsi1sk >= :since' : 'gsi1pk = :pk',
      ExpressionAttributeValues: query.since ? { ':pk': pk, ':since': query.since } : { ':pk': pk },
      ScanIndexForward: false,
    },
    {
      list: 'alerts',
      pkAttr: 'gsi1pk',
      pk,
      skAttr: 'gsi1sk',
      skWithin: (sk) => !query.since || sk >= query.since,
      tableKey: { pk: keys.user(userId), skPrefix: keys.alertPrefix },
    },
    page,
  );
  return { items: out.items.map(storedAlertOf), nextCursor: out.nextCursor };
}

// ---- anomalies --------------------------------------------------------------------------------------------

function anomalyOf(item: Row): StoredAnomaly {
  return {
    id: String(item.id),
    userId: String(item.userId),
    transactionId: String(item.transactionId),
    kind: item.kind as StoredAnomaly['kind'],
    score: Number(item.score),
    explanation: String(item.explanation),
    details: (item.details ?? {}) as StoredAnomaly['details'],
    date: String(item.date),
    detectedAt: String(item.detectedAt),
  };
}

/** Writes the anomaly once per id; false when it exists already. */
export function putAnomaly(doc: Doc, table: string, anomaly: StoredAnomaly): Promise<boolean> {
  const item = {
    pk: keys.user(anomaly.userId),
    sk: keys.anomaly(anomaly.id),
    entity: 'anomaly',
    gsi1pk: keys.anomalyList(anomaly.userId),
    gsi1sk: `${anomaly.date}#${anomaly.id}`,
    ...anomaly,
  };
  return putIf(doc, table, item, 'absent');
}

/** The user's anomalies whose transaction date lies in [from, to] (either bound optional), by date. */
export async function listAnomalies(
  doc: Doc,
  table: string,
  userId: string,
  range: { from?: string; to?: string },
): Promise<StoredAnomaly[]> {
  const values: Record<string, unknown> = { ':pk': keys.anomalyList(userId) };
  let condition = 'gsi1pk = :pk';
  // Sort keys are `<date>#<id>`: `~` sorts after every id character, so `to~` includes the whole last day.
  if (range.from && range.to) {
    condition += ' AND gsi1sk BETWEEN :from AND :to';
    Object.assign(values, { ':from': range.from, ':to': `${range.to}~` });
  } else if (range.from) {
    condition += ' AND gsi1sk >= :from';
    values[':from'] = range.from;
  } else if (range.to) {
    condition += ' AND gsi1sk <= :to';
    values[':to'] = `${range.to}~`;
  }
  const items = await queryAllItems(doc, {
    TableName: table,
    IndexName: 'gsi1',
    KeyConditionExpression: condition,
    ExpressionAttributeValues: values,
  });
  return items.map(anomalyOf);
}

/** Deletes anomalies by id (absent ones are no-ops). */
export async function deleteAnomalies(
  doc: Doc,
  table: string,
  userId: string,
  ids: readonly string[],
): Promise<void> {
  const requests = ids.map((id) => ({
    DeleteRequest: { Key: { pk: keys.user(userId), sk: keys.anomaly(id) } },
  }));
  await batchWriteAll(doc, table, requests);
}

// ---- monthly projections: spending (Budgets function) and anomaly history (Anomalies function) -------------

type ProjectionKind = 'spend' | 'history';
const PROJECTION = {
  spend: { key: (m: string) => keys.spendMonth(m), entity: 'spend_month' },
  history: { key: (m: string) => keys.historyMonth(m), entity: 'anomaly_history' },
} as const;

async function loadMonths(
  doc: Doc,
  table: string,
  kind: ProjectionKind,
  userId: string,
  months: readonly string[],
): Promise<Map<string, SpendMonth>> {
  const result = emptyMonths(months);
  const unique = [...result.keys()];
  for (let i = 0; i < unique.length; i += 100) {
    let batch: Record<string, unknown>[] | undefined = unique
      .slice(i, i + 100)
      .map((m) => ({ pk: keys.user(userId), sk: PROJECTION[kind].key(m) }));
    for (let attempt = 0; batch?.length; attempt++) {
      const out: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: batch, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[table] ?? []) {
        const month = String(item.month);
        const entries = new Map(Object.entries((item.entries ?? {}) as Record<string, string>));
        result.set(month, { month, rev: Number(item.rev), entries });
      }
      batch = out.UnprocessedKeys?.[table]?.Keys;
      if (batch?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** Math.min(attempt, 6)));
    }
  }
  return result;
}

/** The month item's Put, on condition it is still at the revision it was read at; and the new revision. */
function monthPut(table: string, kind: ProjectionKind, userId: string, month: SpendMonth, at: string) {
  const bytes = [...month.entries].reduce((n, [k, v]) => n + k.length + v.length + 2, 0);
  if (bytes > MAX_SPEND_MONTH_BYTES) {
    throw new Error(
      `${PROJECTION[kind].entity} ${month.month} of user ${userId} would be ${bytes} bytes (over ${MAX_SPEND_MONTH_BYTES})`,
    );
  }
  const rev = month.rev + 1;
  return {
    rev,
    put: {
      TableName: table,
      Item: {
        pk: keys.user(userId),
        sk: PROJECTION[kind].key(month.month),
        entity: PROJECTION[kind].entity,
        userId,
        month: month.month,
        rev,
        entries: Object.fromEntries(month.entries),
        updatedAt: at,
      },
      ConditionExpression: month.rev === 0 ? 'attribute_not_exists(pk)' : 'rev = :rev',
      ...(month.rev === 0 ? {} : { ExpressionAttributeValues: { ':rev': month.rev } }),
    },
  };
}

/** The user's spend months (strongly consistent); a month never written comes back empty with rev 0. */
export function loadSpendMonths(
  doc: Doc,
  table: string,
  userId: string,
  months: readonly string[],
): Promise<Map<string, SpendMonth>> {
  return loadMonths(doc, table, 'spend', userId, months);
}

/**
 * Replaces a spend month and its rollup together, on condition that the month is still at the revision it was
 * read at (ConflictError otherwise: another writer got there first; re-read and re-apply).
 */
export async function saveSpendMonth(
  doc: Doc,
  table: string,
  userId: string,
  month: SpendMonth,
  cells: string,
  at: string,
): Promise<number> {
  const { rev, put } = monthPut(table, 'spend', userId, month, at);
  const rollup = {
    pk: keys.user(userId),
    sk: keys.spendRollup(month.month),
    entity: 'spend_rollup',
    userId,
    month: month.month,
    rev,
    cells,
    updatedAt: at,
  };
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: put }, { Put: { TableName: table, Item: rollup } }],
      }),
    );
  } catch (err) {
    if (isConditionFailure(err))
      throw new ConflictError(`spend month ${month.month} changed since it was read`);
    throw err;
  }
  return rev;
}

/** The user's anomaly history months (strongly consistent); a month never written is empty with rev 0. */
export function loadHistoryMonths(
  doc: Doc,
  table: string,
  userId: string,
  months: readonly string[],
): Promise<Map<string, SpendMonth>> {
  return loadMonths(doc, table, 'history', userId, months);
}

/** Replaces an anomaly history month if it is still at `month.rev` (ConflictError otherwise); the new rev. */
export async function saveHistoryMonth(
  doc: Doc,
  table: string,
  userId: string,
  month: SpendMonth,
  at: string,
): Promise<number> {
  const { rev, put } = monthPut(table, 'history', userId, month, at);
  try {
    await doc.send(new PutCommand(put));
  } catch (err) {
    if (isConditionFailure(err))
      throw new ConflictError(`history month ${month.month} changed since it was read`);
    throw err;
  }
  return rev;
}

/** The encoded rollup cells of the months from `fromMonth` to `toMonth` (`YYYY-MM`), in month order. */
export async function readSpendRollups(
  doc: Doc,
  table: string,
  userId: string,
  fromMonth: string,
  toMonth: string,
): Promise<string[]> {
  const items = await queryAllItems(doc, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.user(userId),
      ':from': keys.spendRollup(fromMonth),
      ':to': keys.spendRollup(toMonth),
    },
    ProjectionExpression: 'cells',
  });
  return items.map((i) => String(i.cells ?? ''));
}
