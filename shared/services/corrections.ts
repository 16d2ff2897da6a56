import {
  applyCorrection,
  revertCorrections,
  type CorrectableField,
  type Correction,
  type Resolution,
  type UndoableField,
  type UserTxnChange,
} from '../domain/corrections';
import type { StoredTransaction, TxnEvent } from '../domain/models';
import { MoneyError, parseDecimal } from '../domain/money';
import type * as CorrectionRules from '../domain/correction-rules';
import type { UserRule } from '../domain/correction-rules';
import { effective, transactionView } from '../domain/transactions';
import { HttpProblem, badRequest } from '../http/problem';
import type { Clock } from '../ports/clock';
import { ConflictError, type RuleStore, type TransactionStore, type UserChangeStore } from '../ports/store';
import { getTransactionOr404 } from './transactions';

/**
 * Corrections, undo, conflict resolution, rules from corrections and the audit trail (domain/corrections.ts has
 * the rules). Every write is a read-modify-write conditioned on the transaction's version, recomputed from fresh
 * state when someone (the sync, the categorizer) wrote in between. Nothing is written when the input is refused.
 */
export interface CorrectionDeps {
  store: TransactionStore & UserChangeStore & RuleStore;
  clock: Clock;
}

/** `POST /transactions/{id}/reconcile`, validated (functions/http/reconcile.ts). */
export interface CorrectionRequest {
  amount?: string;
  description?: string;
  merchant_name?: string | null;
  date?: string;
  category?: { primary: string; detailed: string | null };
  note?: string;
  create_rule?: boolean;
  resolve?: Partial<Record<CorrectableField, Resolution>>;
}

const MAX_ATTEMPTS = 5;

const busy = () =>
  new HttpProblem(409, 'The transaction changed while it was being corrected, again and again. Try again.');

/** Reads, computes and writes one user change, again from fresh state when the version condition fails. */
async function readModifyWrite(
  store: TransactionStore & UserChangeStore,
  userId: string,
  id: string,
  compute: (t: StoredTransaction) => UserTxnChange | null,
): Promise<StoredTransaction> {
  for (let attempt = 1; ; attempt++) {
    const t = await getTransactionOr404(store, userId, id);
    const change = compute(t);
    if (!change) return t;
    try {
      await store.applyUserChange(change);
      return change.txn;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (attempt >= MAX_ATTEMPTS) throw busy();
    }
  }
}

function toCorrection(req: CorrectionRequest, currency: string): Correction {
  const c: Correction = {};
  if (req.amount !== undefined) {
    try {
      c.amountMinor = parseDecimal(req.amount, currency).minor;
    } catch (err) {
      const message = err instanceof MoneyError ? err.message : 'not a decimal amount';
      throw badRequest('The request body is invalid.', [{ path: 'body.amount', message }]);
    }
  }
  if (req.description !== undefined) c.description = req.description;
  if (req.merchant_name !== undefined) c.merchantName = req.merchant_name;
  if (req.date !== undefined) c.date = req.date;
  if (req.category) c.category = req.category;
  if (req.note !== undefined) c.note = req.note;
  if (req.resolve) c.resolve = req.resolve;
  return c;
}

export function ruleView(rule: UserRule) {
  return {
    id: rule.id,
    match: rule.match,
    category: rule.category,
    priority: rule.priority,
    created_at: rule.created_at,
    updated_at: rule.updated_at,
  };
}

/**
 * A correction: the effective values change, the provider's stay in `original`. With `create_rule`, a user rule for
 * the transaction's merchant is created (or updated) and the user's other transactions from that merchant are
 * re-categorized by it.
 */
export async function correctTransaction(
  deps: CorrectionDeps,
  userId: string,
  id: string,
  req: CorrectionRequest,
) {
  const { store, clock } = deps;
  const now = clock.now().toISOString();
  // Only a correction that makes a rule categorizes: the engine (and its merchant directory) loads for it alone.
  const rules = req.create_rule ? await correctionRules() : null;
  const txn = await readModifyWrite(store, userId, id, (t) => {
    if (t.removed)
      throw new HttpProblem(409, 'The bank no longer shows this transaction: it cannot be corrected.');
    const change = applyCorrection(t, toCorrection(req, t.original.currency), {
      actor: `user:${userId}`,
      now,
    });
    if (rules && req.category) {
      const merchant = rules.merchantOf(effective(change?.txn ?? t));
      if (!merchant || !rules.correctionRule(userId, merchant, req.category, now))
        throw badRequest('The request body is invalid.', [
          {
            path: 'body.create_rule',
            message: 'the transaction has no recognisable merchant for a rule: give a merchant_name',
          },
        ]);
    }
    return change;
  });
  const merchant = rules ? rules.merchantOf(effective(txn)) : null;
  if (!rules || !req.category || !merchant) return transactionView(txn);

  const fresh = rules.correctionRule(userId, merchant, req.category, now);
  if (!fresh) return transactionView(txn); // checked before the write
  let userRules = await store.listUserRules(userId);
  const existing = userRules.find((r) => r.id === fresh.id);
  let rule = rules.correctionRule(userId, merchant, req.category, now, existing)!;
  if (
    existing &&
    JSON.stringify(existing.match) === JSON.stringify(rule.match) &&
    JSON.stringify(existing.category) === JSON.stringify(rule.category)
  ) {
    rule = existing;
  } else {
    await store.putUserRule(rule);
    userRules = [...userRules.filter((r) => r.id !== rule.id), rule];
  }
  const recategorized = await recategorize(store, userId, rule, now, userRules);
  return { ...transactionView(txn), rule: ruleView(rule), recategorized };
}

/**
 * The rules corrections make and apply (domain/correction-rules.ts), loaded on first use: they categorize, and the
 * requests that do not (a plain correction, an undo, an audit) should not load the engine at a cold start.
 */
function correctionRules(): Promise<typeof CorrectionRules> {
  return import('../domain/correction-rules');
}

/** Every live transaction of the user. */
async function liveTransactions(store: TransactionStore, userId: string): Promise<StoredTransaction[]> {
  const out: StoredTransaction[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listTransactions(userId, {}, { limit: 500, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * Applies a user rule to the user's transactions it matches (and wins among the user's `rules`, when given): each
 * change a `categorized` event by `rule:<id>`; categories the user set by hand are left alone. Returns how many
 * transactions changed.
 */
export async function recategorize(
  store: TransactionStore & UserChangeStore,
  userId: string,
  rule: UserRule,
  now: string,
  rules?: readonly UserRule[],
) {
  const { applyRule, ruleApplies } = await correctionRules();
  let candidates = (await liveTransactions(store, userId)).filter((t) => ruleApplies(rule, t, rules));
  let changed = 0;
  for (let attempt = 1; candidates.length; attempt++) {
    const changes = candidates
      .map((t) => applyRule(t, rule, now, rules))
      .filter((c): c is UserTxnChange => c !== null);
    if (!changes.length) break;
    const written = await store.applyUserChanges(changes);
    changed += written.applied;
    if (!written.conflicts.length) break;
    if (attempt >= MAX_ATTEMPTS) throw busy();
    const fresh = await Promise.all(written.conflicts.map((txnId) => store.getTransaction(userId, txnId)));
    candidates = fresh.filter((t): t is StoredTransaction => t !== null);
  }
  return changed;
}

/** Undo: reverts the given fields (all by default), restoring the bank's current values; an audit entry itself. */
export async function undoCorrection(
  deps: CorrectionDeps,
  userId: string,
  id: string,
  opts: { fields?: UndoableField[]; note?: string } = {},
) {
  const now = deps.clock.now().toISOString();
  const txn = await readModifyWrite(deps.store, userId, id, (t) =>
    revertCorrections(t, opts.fields, { actor: `user:${userId}`, now, note: opts.note }),
  );
  return transactionView(txn);
}

/** Why a change happened, where its event does not say (the sync's changes). */
function reasonOf(e: TxnEvent): string | null {
  if (e.note) return e.note;
  if (e.actor.startsWith('sync:')) {
    switch (e.kind) {
      case 'created':
        return 'new at the bank';
      case 'status_changed':
        return e.after?.status === 'posted' ? 'posted by the bank' : 'bank correction';
      case 'merged':
        return 'the bank sent it again under another id (a posting or a re-send)';
      case 'removed':
        return 'no longer shown by the bank';
      case 'restored':
        return 'shown again by the bank';
      default:
        return 'bank correction';
    }
  }
  if (e.actor.startsWith('rule:')) return `rule ${e.actor.slice('rule:'.length)}`;
  return null;
}

/** `GET /transactions/{id}/audit`: every change in order, with when, who, what (before → after) and why. */
export async function transactionAudit(store: TransactionStore, userId: string, id: string) {
  const t = await getTransactionOr404(store, userId, id);
  const events = await store.listTransactionEvents(t.id);
  return {
    transaction_id: t.id,
    entries: events.map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      action: e.kind,
      before: e.before,
      after: e.after,
      note: reasonOf(e),
    })),
  };
}
