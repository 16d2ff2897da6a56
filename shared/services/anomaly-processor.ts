import * as z from 'zod';
import {
  AnomalyDetector,
  compareTxns,
  type Anomaly,
  type AnomalyKind,
  type AnomalyTxn,
} from '../domain/anomalies';
import type { StoredTransaction } from '../domain/models';
import { monthOf, monthsBetween, ownTransferOf } from '../domain/spend';
import { dayNumber, deterministicId, isoDate } from '../domain/stats';
import { effective, transactionView } from '../domain/transactions';
import { ANOMALY_DETECTED } from '../ports/events';
import type { StreamBatchUnit } from '../stream/batch';
import { isReplay, type StoreChange } from '../stream/change';
import { parseChange, StreamRecordError, type ImageChange } from '../stream/records';
import { TransactionImageSchema } from '../stream/transaction-image';
import type { AnomalyStore, ProjectionStore, SettingsStore } from '../ports/store';
import { raiseAlert, type AlertDeps } from './alerts';
import { todayIn } from './budgets';

/** Days of history loaded before the earliest changed date (the detectors look back 365 days). */
export const HISTORY_DAYS = 366;
/** Anomalies of transactions dated this many days before today or earlier are stored but raise no alert. */
export const ANOMALY_ALERT_MAX_AGE_DAYS = 7;

/**
 * The merchant detection compares: the transaction's merchant as the API shows it (the user's correction, the
 * bank's merchant, or the categorizer's cleaned name), else its description.
 */
export function merchantOf(t: StoredTransaction): string {
  let shown: string | null = null;
  try {
    shown = transactionView(t).merchant_name;
  } catch {
    // A stream image other writers extended in a way the view does not expect: fall back to the values below.
    shown = null;
  }
  const e = effective(t);
  const category = (t.category ?? {}) as Record<string, unknown>;
  const cleaned = category.merchantName ?? category.merchant_name;
  for (const name of [shown, e.merchantName, typeof cleaned === 'string' ? cleaned : null]) {
    if (name?.trim()) return name;
  }
  return e.description;
}

/** The effective values anomaly detection looks at. */
export function anomalyTxnOf(t: StoredTransaction): AnomalyTxn {
  const e = effective(t);
  return {
    id: t.id,
    accountId: t.accountId,
    date: e.date,
    occurredAt: t.original.occurredAt,
    amountMinor: e.amountMinor,
    currency: e.currency,
    merchant: merchantOf(t),
    primary: t.category?.primary ?? null,
    detailed: t.category?.detailed ?? null,
    removed: t.removed,
    ownTransfer: ownTransferOf(t),
  };
}

const HistoryEntrySchema = z.tuple([
  z.iso.date(),
  z.number().int(),
  z.string(),
  z.string().nullable(),
  z.string().nullable(),
  z.union([z.literal(0), z.literal(1)]),
  z.string(),
  z.string().nullable(),
  z.string().nullable(),
]);

/** What detection reads of a live transaction, as the history projection keeps it (JSON). */
export function encodeHistoryEntry(t: AnomalyTxn): string {
  return JSON.stringify([
    t.date,
    t.amountMinor,
    t.currency,
    t.primary,
    t.detailed ?? null,
    t.ownTransfer ? 1 : 0,
    t.accountId,
    t.occurredAt,
    t.merchant,
  ]);
}

export function decodeHistoryEntry(id: string, text: string): AnomalyTxn {
  const [date, amountMinor, currency, primary, detailed, own, accountId, occurredAt, merchant] =
    HistoryEntrySchema.parse(JSON.parse(text));
  return {
    id,
    accountId,
    date,
    occurredAt,
    amountMinor,
    currency,
    merchant,
    primary,
    detailed,
    removed: false,
    ownTransfer: own === 1,
  };
}

interface HistoryMonth {
  rev: number;
  /** Encoded entries by transaction id. */
  entries: Map<string, string>;
  dirty: boolean;
}

/** An anomaly found by the pass, with the transaction whose judgement raised it (a spike's crossing purchase). */
interface Finding {
  anomaly: Anomaly;
  judged: AnomalyTxn;
}

/**
 * The Anomalies stream function's work on one batch (functions/stream/insights.ts).
 *
 * The function keeps its own projection of what detection reads of each live transaction, per user and month
 * (`AHIST#<yyyy-mm>`, written once per touched month at the end of a batch, on condition nobody wrote it since
 * it was read): the history a batch needs is a dozen items, not thousands of transactions.
 *
 * A change to any transaction (new, categorized, corrected, removed) changes the history of every purchase after
 * it. So for each user of the batch, detection runs once, in time order, over the user's history: purchases before
 * the earliest changed date are observed with the anomalies already stored for them (kept out of the baselines),
 * and every purchase from that date on is judged again (domain/anomalies.ts). The stored anomalies from that date
 * on are then made equal to what the pass found: new ones written once (deterministic id, conditional put),
 * vanished ones deleted (a removed transaction, a purchase recategorized as a transfer, a first sync whose
 * categories arrived in another order). The result does not depend on the order in which changes arrive, and
 * running a batch twice changes nothing.
 *
 * Each anomaly of a recent transaction (dated within ANOMALY_ALERT_MAX_AGE_DAYS of today in the user's time
 * zone) raises an `anomaly` alert through `raiseAlert` (table once per id, Redis stream, event bus
 * `AnomalyDetected`): a first sync stores last year's anomalies without alerting about them. A daily spend spike
 * flags every purchase of the day but raises one alert per account and day. Alerts stay when their anomaly goes
 * (the feed is history).
 */
/** What anomaly detection reads and writes, besides raising alerts. */
export type AnomalyDeps = AlertDeps & { store: AnomalyStore & ProjectionStore & SettingsStore };

export class AnomalyBatch implements StreamBatchUnit {
  private readonly zones = new Map<string, string>();
  /** user → month → the history projection's month. */
  private readonly history = new Map<string, Map<string, HistoryMonth>>();
  /** user → the earliest date whose history changed in this batch. */
  private readonly changedFrom = new Map<string, string>();

  constructor(private readonly deps: AnomalyDeps) {}

  async prepare(storeChanges: readonly StoreChange[]): Promise<void> {
    const changes: ImageChange<StoredTransaction>[] = [];
    for (const c of storeChanges) {
      try {
        if (c.entity !== 'transaction') continue;
        const change = parseChange(c, TransactionImageSchema);
        // A replay is judged as if the transaction were new (its history rebuilt, its anomalies found again).
        changes.push(isReplay(c) ? { ...change, before: null } : change);
      } catch {
        // Fails on its own in handle().
      }
    }
    const entry = (t: StoredTransaction | null) => (t && !t.removed ? anomalyTxnOf(t) : null);
    const latest = new Map<string, string>();
    const relevant: ImageChange<StoredTransaction>[] = [];
    for (const change of changes) {
      const t = (change.after ?? change.before)!;
      const [before, after] = [entry(change.before), entry(change.after)];
      if (!before && !after) continue;
      if (before && after && encodeHistoryEntry(before) === encodeHistoryEntry(after)) continue;
      relevant.push(change);
      for (const e of [before, after]) {
        if (!e) continue;
        const from = this.changedFrom.get(t.userId);
        if (from === undefined || e.date < from) this.changedFrom.set(t.userId, e.date);
        if (!latest.has(t.userId) || e.date > latest.get(t.userId)!) latest.set(t.userId, e.date);
      }
    }
    const now = this.deps.clock.now();
    await Promise.all(
      [...this.changedFrom].map(async ([userId, from]) => {
        const today = todayIn(await this.timeZone(userId), now);
        const to = latest.get(userId)! > today ? latest.get(userId)! : today;
        await this.load(userId, monthsBetween(isoDate(dayNumber(from) - HISTORY_DAYS), to));
      }),
    );
    for (const change of relevant) this.apply(change);
  }

  /** Every change is checked; the work is done per user, for the whole batch, in `prepare` and `finish`. */
  async handle(change: StoreChange): Promise<void> {
    if (change.entity !== 'transaction') {
      throw new StreamRecordError('the Anomalies function handles transaction items only');
    }
    parseChange(change, TransactionImageSchema);
  }

  /** Detection for each user whose history changed, the stored anomalies brought in line, the history written. */
  async finish(): Promise<void> {
    for (const userId of this.changedFrom.keys()) await this.detect(userId);
    const at = this.deps.clock.now().toISOString();
    for (const [userId, months] of this.history) {
      for (const [month, state] of months) {
        if (!state.dirty) continue;
        state.rev = await this.deps.store.saveHistoryMonth(
          userId,
          { month, rev: state.rev, entries: state.entries },
          at,
        );
        state.dirty = false;
      }
    }
  }

  private async load(userId: string, months: readonly string[]): Promise<void> {
    const loaded = await this.deps.store.loadHistoryMonths(userId, months);
    const user = new Map<string, HistoryMonth>();
    for (const [month, m] of loaded) user.set(month, { rev: m.rev, entries: m.entries, dirty: false });
    this.history.set(userId, user);
  }

  /** The projection follows the change: the transaction leaves its old month and takes its place in the new. */
  private apply(change: ImageChange<StoredTransaction>): void {
    const t = (change.after ?? change.before)!;
    const user = this.history.get(t.userId)!;
    const after = change.after && !change.after.removed ? anomalyTxnOf(change.after) : null;
    for (const image of [change.before, change.after]) {
      if (!image) continue;
      const month = monthOf(effective(image).date);
      const state = user.get(month);
      if (state?.entries.has(t.id) && (!after || monthOf(after.date) !== month)) {
        state.entries.delete(t.id);
        state.dirty = true;
      }
    }
    if (after) {
      const state = user.get(monthOf(after.date))!;
      const encoded = encodeHistoryEntry(after);
      if (state.entries.get(t.id) !== encoded) {
        state.entries.set(t.id, encoded);
        state.dirty = true;
      }
    }
  }

  /** One pass over the user's history; the stored anomalies from the earliest changed date on made equal to it. */
  private async detect(userId: string): Promise<void> {
    const from = this.changedFrom.get(userId)!;
    const stored = await this.deps.store.listAnomalies(userId, {
      from: isoDate(dayNumber(from) - HISTORY_DAYS),
    });
    const known = new Map<string, AnomalyKind>();
    for (const a of stored) if (!known.has(a.transactionId)) known.set(a.transactionId, a.kind);
    const history: AnomalyTxn[] = [];
    for (const state of this.history.get(userId)!.values()) {
      for (const [id, text] of state.entries) history.push(decodeHistoryEntry(id, text));
    }
    const detector = new AnomalyDetector();
    const found = new Map<string, Finding>();
    for (const t of history.sort(compareTxns)) {
      if (t.date < from) {
        detector.observe(t, known.get(t.id) ?? null);
        continue;
      }
      for (const anomaly of detector.judge(t)) found.set(anomaly.id, { anomaly, judged: t });
    }
    const vanished = stored.filter((a) => a.date >= from && !found.has(a.id)).map((a) => a.id);
    if (vanished.length) await this.deps.store.deleteAnomalies(userId, vanished);
    const existing = new Set(stored.map((a) => a.id));
    for (const finding of found.values())
      await this.record(userId, finding, !existing.has(finding.anomaly.id));
  }

  /** Writes a new anomaly once, and (new or not: the alert path is idempotent) alerts when it is recent. */
  private async record(userId: string, { anomaly, judged }: Finding, isNew: boolean): Promise<void> {
    const now = this.deps.clock.now();
    // The judged transaction's date: a spike's other purchases are of the same day.
    const date = judged.date;
    if (isNew) {
      await this.deps.store.putAnomaly({
        id: anomaly.id,
        userId,
        transactionId: anomaly.transactionId,
        kind: anomaly.kind,
        score: anomaly.score,
        explanation: anomaly.explanation,
        details: anomaly.details,
        date,
        detectedAt: now.toISOString(),
      });
    }
    const today = dayNumber(todayIn(await this.timeZone(userId), now));
    if (dayNumber(date) < today - ANOMALY_ALERT_MAX_AGE_DAYS) return;
    // A spike flags every purchase of the day: one alert per account and day says it once.
    const subjectKey =
      anomaly.kind === 'spend_spike' ? `spike|${judged.accountId}|${judged.date}` : anomaly.id;
    await raiseAlert(
      this.deps,
      {
        id: deterministicId('alert', ['anomaly', subjectKey]),
        kind: 'anomaly',
        user_id: userId,
        transaction_id: anomaly.kind === 'spend_spike' ? judged.id : anomaly.transactionId,
        message: anomaly.explanation,
        created_at: now.toISOString(),
      },
      {
        ...ANOMALY_DETECTED,
        detail: {
          anomaly_id: anomaly.id,
          anomaly_kind: anomaly.kind,
          score: anomaly.score,
          explanation: anomaly.explanation,
        },
      },
    );
  }

  private async timeZone(userId: string): Promise<string> {
    let zone = this.zones.get(userId);
    if (zone === undefined) {
      zone = (await this.deps.store.getUserSettings(userId)).timeZone;
      this.zones.set(userId, zone);
    }
    return zone;
  }
}
