import { formatDecimal } from './money';
import type {
  OverlayBasis,
  ProviderValues,
  StoredTransaction,
  TxnCategory,
  TxnEvent,
  TxnEventKind,
  TxnOverlay,
} from './models';

/**
 * A user's corrections of a transaction: pure rules over the overlay the user lays on the provider's values.
 *
 * - The provider's values (`original`) are never touched: the sync alone writes them.
 * - Correcting a field puts the user's value in the overlay, and beside it (`basis`) the provider's value the user
 *   corrected: when the bank later changes that field, the provider's value differs from the basis. That is a
 *   conflict: the user's value stays effective, the bank's change is in the history, and the user resolves it by
 *   keeping their value (the basis moves to the bank's new value) or taking the bank's (the field is reverted).
 *   Fields the user did not correct follow the bank.
 * - A category correction sets `category.source = 'user'`; the category it replaced is kept to restore on undo.
 * - Undo reverts all or some fields: the bank's current values show again, and the category is restored.
 * - Applying the same correction twice changes nothing the second time (null: no write, no event).
 *
 * Every function returns the transaction's next state and its events (one per kind of change, numbered from the
 * stored version), or null when nothing changes.
 */

export const CORRECTABLE_FIELDS = ['amount', 'description', 'merchant_name', 'date'] as const;
/** A provider value the user can correct (API names). */
export type CorrectableField = (typeof CORRECTABLE_FIELDS)[number];
/** What an undo can revert: a corrected field or the user's category. */
export const UNDOABLE_FIELDS = [...CORRECTABLE_FIELDS, 'category'] as const;
export type UndoableField = (typeof UNDOABLE_FIELDS)[number];

type FieldKey = keyof OverlayBasis;
type FieldValue = string | number | null;

/** API field name → the key in ProviderValues, TxnOverlay and OverlayBasis. */
const KEY: Record<CorrectableField, FieldKey> = {
  amount: 'amountMinor',
  description: 'description',
  merchant_name: 'merchantName',
  date: 'date',
};

export type Resolution = 'keep' | 'bank';

/** One correction request, validated and with the amount already in minor units of the transaction's currency. */
export interface Correction {
  amountMinor?: number;
  description?: string;
  merchantName?: string | null;
  date?: string;
  category?: { primary: string; detailed: string | null };
  note?: string;
  /** How to resolve conflicts: keep the user's value, or take the bank's (reverts that field). */
  resolve?: Partial<Record<CorrectableField, Resolution>>;
}

export interface ChangeContext {
  /** `user:<id>`. */
  actor: string;
  /** RFC 3339. */
  now: string;
}

/**
 * A user-side write: the transaction's next state (only its user-owned fields, `overlay` and `category`, are
 * written, with `version` and `updatedAt`) and its events, on condition the stored version is still the expected one.
 */
export interface UserTxnChange {
  txn: StoredTransaction;
  expectedVersion: number;
  events: TxnEvent[];
}

/**
 * The invariant every store checks before writing a user change: it carries events, and they follow the expected
 * version one by one up to the transaction's new version. Throws (a programming error, not a conflict).
 */
export function checkUserTxnChange(c: UserTxnChange): void {
  const { txn, events, expectedVersion } = c;
  if (!events.length) throw new Error(`a user change of ${txn.id} must carry at least one event`);
  if (txn.version !== expectedVersion + events.length)
    throw new Error(
      `transaction ${txn.id}: version ${txn.version} is not ${expectedVersion} + ${events.length}`,
    );
  events.forEach((e, i) => {
    if (e.txnId !== txn.id || e.seq !== expectedVersion + i + 1)
      throw new Error(`transaction ${txn.id}: event ${i} is ${e.txnId}#${e.seq}`);
  });
}

/** A bank change to a field after the user corrected it. */
export interface Conflict {
  field: CorrectableField;
  /** The user's value, effective. */
  user_value: FieldValue;
  /** The bank's value now. */
  bank_value: FieldValue;
  /** The bank's value when the user corrected (or last confirmed) the field. */
  bank_value_at_correction: FieldValue;
}

const has = (o: TxnOverlay | null | undefined, key: FieldKey): boolean =>
  Boolean(o) && Object.prototype.hasOwnProperty.call(o, key) && o![key] !== undefined;

/** A field's value as the API shows it (amounts as decimal strings in the transaction's currency). */
function display(field: CorrectableField, value: unknown, currency: string): FieldValue {
  if (value === undefined) return null;
  if (field === 'amount') return formatDecimal({ minor: value as number, currency });
  return value as FieldValue;
}

function providerValue(original: ProviderValues, field: CorrectableField): unknown {
  return original[KEY[field]];
}

/** The effective value of one field: the user's where corrected, else the provider's. */
function effectiveValue(t: StoredTransaction, field: CorrectableField): unknown {
  const key = KEY[field];
  return has(t.overlay, key) ? t.overlay![key] : providerValue(t.original, field);
}

/** The fields the user corrected (category included when the user set it), in a fixed order. */
export function correctedFields(t: Pick<StoredTransaction, 'overlay'>): UndoableField[] {
  const out: UndoableField[] = CORRECTABLE_FIELDS.filter((f) => has(t.overlay, KEY[f]));
  if (t.overlay && t.overlay.categoryBefore !== undefined) out.push('category');
  return out;
}

/** True when the user corrected anything (what T's `reconciled` says). */
export function isReconciled(t: Pick<StoredTransaction, 'overlay'>): boolean {
  return correctedFields(t).length > 0;
}

/** The bank changes to corrected fields since the user corrected them: derived, never stored. */
export function conflictsOf(t: StoredTransaction): Conflict[] {
  const o = t.overlay;
  if (!o) return [];
  const out: Conflict[] = [];
  for (const field of CORRECTABLE_FIELDS) {
    const key = KEY[field];
    if (!has(o, key) || !o.basis || !Object.prototype.hasOwnProperty.call(o.basis, key)) continue;
    const bank = providerValue(t.original, field);
    const basis = o.basis[key];
    if (bank === basis) continue;
    const currency = t.original.currency;
    out.push({
      field,
      user_value: display(field, o[key], currency),
      bank_value: display(field, bank, currency),
      bank_value_at_correction: display(field, basis, currency),
    });
  }
  return out;
}

/** A category as events show it. */
export function categoryView(c: TxnCategory | null | undefined) {
  return c
    ? {
        primary: c.primary,
        detailed: c.detailed,
        source: c.source,
        confidence: c.confidence,
        rule_id: c.ruleId,
      }
    : null;
}

/** Drops what no longer means anything: basis entries of uncorrected fields, a note with no correction left. */
function tidy(o: TxnOverlay): TxnOverlay | null {
  const out: TxnOverlay = {};
  const basis: OverlayBasis = {};
  for (const field of CORRECTABLE_FIELDS) {
    const key = KEY[field];
    if (!has(o, key)) continue;
    (out as Record<string, unknown>)[key] = o[key];
    if (o.basis && Object.prototype.hasOwnProperty.call(o.basis, key))
      (basis as Record<string, unknown>)[key] = o.basis[key];
  }
  if (o.categoryBefore !== undefined) out.categoryBefore = o.categoryBefore;
  if (!isReconciled({ overlay: out })) return null;
  if (Object.keys(basis).length) out.basis = basis;
  if (o.note !== undefined) out.note = o.note;
  return out;
}

class EventLog {
  readonly events: TxnEvent[] = [];
  constructor(
    private readonly t: StoredTransaction,
    private readonly ctx: ChangeContext,
  ) {}
  add(
    kind: TxnEventKind,
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    note: string | undefined,
  ) {
    if (!Object.keys(after).length) return;
    this.events.push({
      txnId: this.t.id,
      seq: this.t.version + this.events.length + 1,
      at: this.ctx.now,
      actor: this.ctx.actor,
      kind,
      before,
      after,
      ...(note !== undefined ? { note } : {}),
    });
  }
  change(overlay: TxnOverlay | null, category: TxnCategory | null | undefined): UserTxnChange | null {
    if (!this.events.length) return null;
    const txn: StoredTransaction = {
      ...this.t,
      overlay,
      version: this.t.version + this.events.length,
      updatedAt: this.ctx.now,
    };
    if (category !== undefined) txn.category = category;
    return { txn, expectedVersion: this.t.version, events: this.events };
  }
}

const sameCategory = (a: TxnCategory | null | undefined, b: TxnCategory | null | undefined) =>
  (a ?? null) === (b ?? null) ||
  (Boolean(a) &&
    Boolean(b) &&
    a!.primary === b!.primary &&
    a!.detailed === b!.detailed &&
    a!.source === b!.source &&
    a!.confidence === b!.confidence &&
    a!.ruleId === b!.ruleId);

/**
 * Applies a correction (and any conflict resolutions it carries). Events, in this order: `conflict_resolved` for
 * kept values, `correction_reverted` for fields given back to the bank, `corrected` for the new values; each
 * `before → after` per field, with the user's note.
 */
export function applyCorrection(
  t: StoredTransaction,
  c: Correction,
  ctx: ChangeContext,
): UserTxnChange | null {
  const currency = t.original.currency;
  const overlay: TxnOverlay = { ...(t.overlay ?? {}), basis: { ...(t.overlay?.basis ?? {}) } };
  const basis = overlay.basis!;
  const log = new EventLog(t, ctx);
  let category: TxnCategory | null | undefined;

  // 1. Conflict resolutions.
  const kept: [Record<string, unknown>, Record<string, unknown>] = [{}, {}];
  const given: [Record<string, unknown>, Record<string, unknown>] = [{}, {}];
  for (const field of CORRECTABLE_FIELDS) {
    const how = c.resolve?.[field];
    const key = KEY[field];
    if (!how || !has(overlay, key)) continue;
    const bank = providerValue(t.original, field);
    if (how === 'keep') {
      if (!Object.prototype.hasOwnProperty.call(basis, key) || basis[key] === bank) continue;
      const user = display(field, overlay[key], currency);
      kept[0][field] = { user, bank: display(field, basis[key], currency) };
      kept[1][field] = { user, bank: display(field, bank, currency) };
      (basis as Record<string, unknown>)[key] = bank;
    } else {
      given[0][field] = display(field, overlay[key], currency);
      given[1][field] = display(field, bank, currency);
      delete overlay[key];
      delete basis[key];
    }
  }
  log.add('conflict_resolved', kept[0], kept[1], c.note);
  log.add('correction_reverted', given[0], given[1], c.note);

  // 2. New values.
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const wanted: Record<CorrectableField, unknown> = {
    amount: c.amountMinor,
    description: c.description,
    merchant_name: c.merchantName,
    date: c.date,
  };
  const now = { ...t, overlay };
  for (const field of CORRECTABLE_FIELDS) {
    const value = wanted[field];
    if (value === undefined) continue;
    const key = KEY[field];
    const bank = providerValue(t.original, field);
    if (has(overlay, key) ? overlay[key] === value : bank === value) continue;
    before[field] = display(field, effectiveValue(now, field), currency);
    after[field] = display(field, value, currency);
    (overlay as Record<string, unknown>)[key] = value;
    (basis as Record<string, unknown>)[key] = bank;
  }
  if (c.category) {
    const next: TxnCategory = {
      primary: c.category.primary,
      detailed: c.category.detailed,
      source: 'user',
      confidence: 1,
      ruleId: null,
    };
    if (!sameCategory(t.category, next)) {
      before.category = categoryView(t.category);
      after.category = categoryView(next);
      if (overlay.categoryBefore === undefined) overlay.categoryBefore = t.category ?? null;
      category = next;
    }
  }
  if (Object.keys(after).length && c.note !== undefined) overlay.note = c.note;
  log.add('corrected', before, after, c.note);
  return log.change(tidy(overlay), category);
}

/**
 * Undo: reverts the given fields (all corrected ones by default). The bank's current values show again and a
 * user-set category goes back to what it was before. One `correction_reverted` event, or null if nothing was
 * corrected among those fields.
 */
export function revertCorrections(
  t: StoredTransaction,
  fields: readonly UndoableField[] | undefined,
  ctx: ChangeContext & { note?: string },
): UserTxnChange | null {
  if (!t.overlay) return null;
  const currency = t.original.currency;
  const overlay: TxnOverlay = { ...t.overlay, basis: { ...(t.overlay.basis ?? {}) } };
  const which = new Set(fields ?? UNDOABLE_FIELDS);
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const field of CORRECTABLE_FIELDS) {
    const key = KEY[field];
    if (!which.has(field) || !has(overlay, key)) continue;
    before[field] = display(field, overlay[key], currency);
    after[field] = display(field, providerValue(t.original, field), currency);
    delete overlay[key];
    delete overlay.basis![key];
  }
  let category: TxnCategory | null | undefined;
  if (which.has('category') && overlay.categoryBefore !== undefined) {
    category = overlay.categoryBefore;
    before.category = categoryView(t.category);
    after.category = categoryView(category);
    delete overlay.categoryBefore;
  }
  const log = new EventLog(t, ctx);
  log.add('correction_reverted', before, after, ctx.note);
  return log.change(tidy(overlay), category);
}
