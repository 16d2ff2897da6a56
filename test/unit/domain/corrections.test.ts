import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CORRECTABLE_FIELDS,
  applyCorrection,
  conflictsOf,
  correctedFields,
  isReconciled,
  revertCorrections,
  type CorrectableField,
  type Correction,
} from '../../../shared/domain/corrections';
import type { ProviderValues, StoredTransaction, TxnCategory } from '../../../shared/domain/models';
import { applyRule, correctionRule, merchantOf, ruleApplies } from '../../../shared/domain/correction-rules';
import { effective, transactionView } from '../../../shared/domain/transactions';

const NOW = '2026-03-01T12:00:00.000Z';
const LATER = '2026-03-02T12:00:00.000Z';
const ctx = { actor: 'user:u1', now: NOW };

const engineCategory: TxnCategory = {
  primary: 'FOOD_AND_DRINK',
  detailed: 'FOOD_AND_DRINK_RESTAURANT',
  source: 'rules',
  confidence: 0.8,
  ruleId: 'builtin:merchant:x',
};

function txn(
  over: Partial<StoredTransaction> = {},
  original: Partial<ProviderValues> = {},
): StoredTransaction {
  return {
    id: 'txn_1',
    userId: 'u1',
    connectionId: 'c1',
    accountId: 'a1',
    provider: 'bank_a',
    providerTxnIds: ['B1'],
    original: {
      status: 'posted',
      date: '2026-02-20',
      occurredAt: '2026-02-20T18:00:00.000Z',
      amountMinor: -1234,
      currency: 'USD',
      description: 'LA COLOMBE 233 BERKELEY CA',
      merchantName: null,
      ...original,
    },
    fingerprint: 'fp',
    removed: false,
    category: engineCategory,
    version: 3,
    createdAt: '2026-02-20T19:00:00.000Z',
    updatedAt: '2026-02-20T19:00:00.000Z',
    ...over,
  };
}

/** What the sync does to a stored transaction: new provider values, a version bump, the overlay untouched. */
function bankChanges(t: StoredTransaction, patch: Partial<ProviderValues>): StoredTransaction {
  return { ...t, original: { ...t.original, ...patch }, version: t.version + 1, updatedAt: LATER };
}

const providerPatch: Record<CorrectableField, keyof ProviderValues> = {
  amount: 'amountMinor',
  description: 'description',
  merchant_name: 'merchantName',
  date: 'date',
};

// ---- arbitraries ----------------------------------------------------------------------------------------

const arbDate = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const arbAmount = fc.integer({ min: -10_000_000, max: 10_000_000 });
const arbText = fc.string({ minLength: 1, maxLength: 20 });
const arbCategory = fc.constantFrom(
  { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
  { primary: 'TRANSPORTATION', detailed: null },
  { primary: 'GENERAL_MERCHANDISE', detailed: 'GENERAL_MERCHANDISE_ELECTRONICS' },
);

const arbProvider = fc.record({
  status: fc.constantFrom('pending' as const, 'posted' as const),
  date: arbDate,
  occurredAt: fc.constant(null),
  amountMinor: arbAmount,
  currency: fc.constantFrom('USD', 'GBP', 'JPY', 'KWD'),
  description: arbText,
  merchantName: fc.option(arbText, { nil: null }),
});

const arbTxn = fc
  .record({
    original: arbProvider,
    category: fc.option(
      fc.constantFrom<TxnCategory>(engineCategory, { ...engineCategory, source: 'user_rule', ruleId: 'r1' }),
      { nil: null },
    ),
    version: fc.integer({ min: 1, max: 50 }),
  })
  .map(({ original, category, version }) => txn({ original, category, version }));

const arbCorrection: fc.Arbitrary<Correction> = fc
  .record(
    {
      amountMinor: arbAmount,
      description: arbText,
      merchantName: fc.option(arbText, { nil: null }),
      date: arbDate,
      category: arbCategory,
      note: arbText,
    },
    { requiredKeys: [] },
  )
  .filter((c) => Object.keys(c).some((k) => k !== 'note'));

// ---- properties ---------------------------------------------------------------------------------------

describe('corrections: properties', () => {
  it('never change the provider values, and apply exactly the given values', () => {
    fc.assert(
      fc.property(arbTxn, arbCorrection, (t, c) => {
        const change = applyCorrection(t, c, ctx);
        const next = change?.txn ?? t;
        expect(next.original).toEqual(t.original);
        const e = effective(next);
        if (c.amountMinor !== undefined) expect(e.amountMinor).toBe(c.amountMinor);
        if (c.description !== undefined) expect(e.description).toBe(c.description);
        if (c.merchantName !== undefined) expect(e.merchantName).toBe(c.merchantName);
        if (c.date !== undefined) expect(e.date).toBe(c.date);
        if (c.category) {
          expect(next.category).toMatchObject({ ...c.category, source: 'user', confidence: 1, ruleId: null });
        }
        if (change) {
          expect(change.expectedVersion).toBe(t.version);
          expect(change.txn.version).toBe(t.version + change.events.length);
          expect(change.events.map((ev) => ev.seq)).toEqual(change.events.map((_, i) => t.version + i + 1));
          expect(change.events.every((ev) => ev.actor === 'user:u1' && ev.txnId === t.id)).toBe(true);
          expect(change.events.every((ev) => ev.note === c.note)).toBe(true);
          expect(isReconciled(change.txn)).toBe(true);
        }
      }),
    );
  });

  it('the same correction twice is a no-op the second time', () => {
    fc.assert(
      fc.property(arbTxn, arbCorrection, (t, c) => {
        const first = applyCorrection(t, c, ctx);
        const again = applyCorrection(first?.txn ?? t, c, { ...ctx, now: LATER });
        expect(again).toBeNull();
      }),
    );
  });

  it('applying then undoing restores the bank values and the category', () => {
    fc.assert(
      fc.property(arbTxn, arbCorrection, (t, c) => {
        const applied = applyCorrection(t, c, ctx)?.txn ?? t;
        const undone = revertCorrections(applied, undefined, { ...ctx, now: LATER });
        const back = undone?.txn ?? applied;
        expect(effective(back)).toEqual(effective({ ...t, overlay: null }));
        expect(back.category ?? null).toEqual(t.category ?? null);
        expect(back.overlay ?? null).toBeNull();
        expect(back.original).toEqual(t.original);
        expect(isReconciled(back)).toBe(false);
        if (undone) expect(undone.events.map((e) => e.kind)).toEqual(['correction_reverted']);
        // Undo is idempotent too.
        expect(revertCorrections(back, undefined, { ...ctx, now: LATER })).toBeNull();
      }),
    );
  });

  it('shows a conflict exactly for the corrected fields the bank changed afterwards', () => {
    const arbBankPatch = fc.record(
      {
        amountMinor: arbAmount,
        description: arbText,
        merchantName: fc.option(arbText, { nil: null }),
        date: arbDate,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arbTxn, arbCorrection, arbBankPatch, (t, c, patch) => {
        const corrected = applyCorrection(t, c, ctx)?.txn ?? t;
        const synced = bankChanges(corrected, patch);
        const expected = CORRECTABLE_FIELDS.filter((f) => {
          const key = providerPatch[f];
          return (
            correctedFields(corrected).includes(f) &&
            key in patch &&
            (patch as Record<string, unknown>)[key] !== t.original[key]
          );
        });
        expect(conflictsOf(synced).map((x) => x.field)).toEqual(expected);
        // The user's values stay effective; the fields the user did not correct follow the bank.
        const e = effective(synced);
        for (const f of CORRECTABLE_FIELDS) {
          const key = providerPatch[f] as 'amountMinor' | 'description' | 'merchantName' | 'date';
          if (correctedFields(corrected).includes(f)) expect(e[key]).toBe(effective(corrected)[key]);
          else expect(e[key]).toBe(synced.original[key]);
        }
        // Keeping every conflicting value clears the conflicts without changing what the user sees.
        const resolve = Object.fromEntries(expected.map((f) => [f, 'keep' as const]));
        const kept = applyCorrection(synced, { resolve }, ctx);
        if (expected.length) {
          expect(kept!.events.map((ev) => ev.kind)).toEqual(['conflict_resolved']);
          expect(conflictsOf(kept!.txn)).toEqual([]);
          expect(effective(kept!.txn)).toEqual(effective(synced));
        } else {
          expect(kept).toBeNull();
        }
      }),
    );
  });
});

// ---- examples -----------------------------------------------------------------------------------------

describe('corrections: examples', () => {
  it('records before → after per field with the note, and T shows the effective values', () => {
    const t = txn();
    const change = applyCorrection(
      t,
      {
        amountMinor: -1200,
        description: 'La Colombe coffee',
        date: '2026-02-19',
        category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
        note: 'tip was refunded',
      },
      ctx,
    )!;
    expect(change.events).toEqual([
      {
        txnId: 'txn_1',
        seq: 4,
        at: NOW,
        actor: 'user:u1',
        kind: 'corrected',
        before: {
          amount: '-12.34',
          description: 'LA COLOMBE 233 BERKELEY CA',
          date: '2026-02-20',
          category: {
            primary: 'FOOD_AND_DRINK',
            detailed: 'FOOD_AND_DRINK_RESTAURANT',
            source: 'rules',
            confidence: 0.8,
            rule_id: 'builtin:merchant:x',
          },
        },
        after: {
          amount: '-12.00',
          description: 'La Colombe coffee',
          date: '2026-02-19',
          category: {
            primary: 'FOOD_AND_DRINK',
            detailed: 'FOOD_AND_DRINK_COFFEE',
            source: 'user',
            confidence: 1,
            rule_id: null,
          },
        },
        note: 'tip was refunded',
      },
    ]);
    expect(change.txn.overlay).toEqual({
      amountMinor: -1200,
      description: 'La Colombe coffee',
      date: '2026-02-19',
      note: 'tip was refunded',
      basis: { amountMinor: -1234, description: 'LA COLOMBE 233 BERKELEY CA', date: '2026-02-20' },
      categoryBefore: engineCategory,
    });
    const view = transactionView(change.txn);
    expect(view).toMatchObject({
      amount: '-12.00',
      description: 'La Colombe coffee',
      date: '2026-02-19',
      reconciled: true,
      conflicts: [],
      category: { source: 'user', detailed: 'FOOD_AND_DRINK_COFFEE' },
    });
  });

  it('a value equal to the bank on an uncorrected field is nothing to correct; a note alone neither', () => {
    const t = txn();
    expect(applyCorrection(t, { amountMinor: -1234, description: t.original.description }, ctx)).toBeNull();
    expect(applyCorrection(t, { note: 'hello' }, ctx)).toBeNull();
  });

  it('a category correction is reconciled, and undoing it restores the engine category', () => {
    const t = txn();
    const c = applyCorrection(t, { category: { primary: 'TRAVEL', detailed: null } }, ctx)!;
    expect(transactionView(c.txn).reconciled).toBe(true);
    expect(correctedFields(c.txn)).toEqual(['category']);
    // Correcting it again keeps the first "before" to restore.
    const c2 = applyCorrection(c.txn, { category: { primary: 'TRAVEL', detailed: 'TRAVEL_FLIGHTS' } }, ctx)!;
    expect(c2.txn.overlay?.categoryBefore).toEqual(engineCategory);
    const undone = revertCorrections(c2.txn, ['category'], { ...ctx, note: 'oops' })!;
    expect(undone.txn.category).toEqual(engineCategory);
    expect(undone.txn.overlay).toBeNull();
    expect(undone.events[0]).toMatchObject({
      kind: 'correction_reverted',
      note: 'oops',
      after: { category: { source: 'rules' } },
    });
  });

  it('undoes some fields only, and the bank values show again', () => {
    const t = txn();
    const c = applyCorrection(t, { amountMinor: -999, description: 'Coffee', note: 'n' }, ctx)!;
    const undone = revertCorrections(c.txn, ['amount'], ctx)!;
    expect(effective(undone.txn)).toMatchObject({ amountMinor: -1234, description: 'Coffee' });
    expect(undone.txn.overlay).toEqual({
      description: 'Coffee',
      note: 'n',
      basis: { description: t.original.description },
    });
    expect(undone.events[0]).toMatchObject({ before: { amount: '-9.99' }, after: { amount: '-12.34' } });
    expect(revertCorrections(undone.txn, ['amount', 'date'], ctx)).toBeNull();
  });

  it('a bank change to a corrected field is a conflict the user resolves by keeping theirs or taking the bank', () => {
    const t = txn();
    const corrected = applyCorrection(t, { amountMinor: -1000, description: 'Coffee' }, ctx)!.txn;
    const synced = bankChanges(corrected, { amountMinor: -1500, status: 'posted', date: '2026-02-21' });
    expect(conflictsOf(synced)).toEqual([
      { field: 'amount', user_value: '-10.00', bank_value: '-15.00', bank_value_at_correction: '-12.34' },
    ]);
    expect(transactionView(synced)).toMatchObject({ amount: '-10.00', date: '2026-02-21' });

    const kept = applyCorrection(synced, { resolve: { amount: 'keep' }, note: 'receipt says 10' }, ctx)!;
    expect(kept.events).toEqual([
      expect.objectContaining({
        kind: 'conflict_resolved',
        before: { amount: { user: '-10.00', bank: '-12.34' } },
        after: { amount: { user: '-10.00', bank: '-15.00' } },
        note: 'receipt says 10',
      }),
    ]);
    expect(conflictsOf(kept.txn)).toEqual([]);
    // A later bank change conflicts again.
    expect(conflictsOf(bankChanges(kept.txn, { amountMinor: -1600 }))).toHaveLength(1);

    const taken = applyCorrection(synced, { resolve: { amount: 'bank' } }, ctx)!;
    expect(taken.events.map((e) => e.kind)).toEqual(['correction_reverted']);
    expect(effective(taken.txn).amountMinor).toBe(-1500);
    expect(effective(taken.txn).description).toBe('Coffee');
    expect(conflictsOf(taken.txn)).toEqual([]);

    // A new value for the field is a new correction against the bank's current value.
    const again = applyCorrection(synced, { amountMinor: -1100 }, ctx)!;
    expect(again.txn.overlay?.basis?.amountMinor).toBe(-1500);
    expect(conflictsOf(again.txn)).toEqual([]);
    // Re-sending the same value does not silently resolve the conflict.
    expect(applyCorrection(synced, { amountMinor: -1000 }, ctx)).toBeNull();
  });

  it('resolutions and corrections in one request make one event each, numbered in order', () => {
    const corrected = applyCorrection(txn(), { amountMinor: -1000, date: '2026-02-01' }, ctx)!.txn;
    const synced = bankChanges(corrected, { amountMinor: -1500, date: '2026-02-02' });
    const change = applyCorrection(
      synced,
      { resolve: { amount: 'keep', date: 'bank' }, description: 'X' },
      ctx,
    )!;
    expect(change.events.map((e) => [e.seq, e.kind])).toEqual([
      [synced.version + 1, 'conflict_resolved'],
      [synced.version + 2, 'correction_reverted'],
      [synced.version + 3, 'corrected'],
    ]);
    expect(change.txn.version).toBe(synced.version + 3);
  });

  it('amounts show in the currency of the transaction', () => {
    const t = txn({}, { currency: 'JPY', amountMinor: -1500 });
    const c = applyCorrection(t, { amountMinor: -1400 }, ctx)!;
    expect(c.events[0]!.after).toEqual({ amount: '-1400' });
  });
});

describe('user rules from corrections', () => {
  it('name the merchant from the merchant name or the description', () => {
    expect(merchantOf({ merchantName: 'Blue Bottle', description: 'x' })).toBe('Blue Bottle');
    expect(merchantOf({ merchantName: null, description: 'LA COLOMBE 233 BERKELEY CA' })).toBe('La Colombe');
  });

  it('re-categorize matching transactions with an event by the rule, never a user override', () => {
    const rule = correctionRule(
      'u1',
      'La Colombe',
      { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
      NOW,
    )!;
    expect(rule.id).toBe(correctionRule('u1', 'LA COLOMBE', rule.category, LATER)!.id);
    expect(rule.id).not.toBe(correctionRule('u2', 'La Colombe', rule.category, NOW)!.id);
    const other = txn({ id: 'txn_2' }, { description: 'LA COLOMBE 99 OAKLAND CA' });
    expect(ruleApplies(rule, other)).toBe(true);
    const change = applyRule(other, rule, NOW)!;
    expect(change.txn.category).toEqual({
      primary: 'FOOD_AND_DRINK',
      detailed: 'FOOD_AND_DRINK_COFFEE',
      source: 'user_rule',
      confidence: 1,
      ruleId: rule.id,
    });
    expect(change.events).toEqual([
      expect.objectContaining({ kind: 'categorized', actor: `rule:${rule.id}`, seq: other.version + 1 }),
    ]);
    expect(applyRule(change.txn, rule, LATER)).toBeNull();
    const userSet = txn({ category: { ...engineCategory, source: 'user' } });
    expect(applyRule(userSet, rule, NOW)).toBeNull();
    expect(applyRule(txn({}, { description: 'PEETS COFFEE' }), rule, NOW)).toBeNull();
    expect(applyRule(txn({ removed: true }), rule, NOW)).toBeNull();
    expect(applyRule(txn({ userId: 'u2' }), rule, NOW)).toBeNull();
  });

  it('are the engine rules: a correction rule yields to a user rule that wins over it', () => {
    const rule = correctionRule('u1', 'La Colombe', { primary: 'FOOD_AND_DRINK', detailed: null }, NOW)!;
    expect(rule).toMatchObject({ match: { merchant: 'La Colombe' }, priority: 100, created_at: NOW });
    const updated = correctionRule('u1', 'La Colombe', { primary: 'TRAVEL', detailed: null }, LATER, rule)!;
    expect(updated).toMatchObject({ id: rule.id, created_at: NOW, updated_at: LATER });
    expect(correctionRule('u1', 'La Colombe', { primary: 'NOPE', detailed: null }, NOW)).toBeNull();
    expect(correctionRule('u1', '  ', { primary: 'TRAVEL', detailed: null }, NOW)).toBeNull();
    const stronger = {
      ...rule,
      id: 'rule_manual',
      match: { description_contains: 'colombe' },
      category: { primary: 'TRAVEL', detailed: null },
      priority: 500,
    };
    const t = txn();
    expect(applyRule(t, rule, NOW, [rule])).not.toBeNull();
    expect(applyRule(t, rule, NOW, [rule, stronger])).toBeNull();
    expect(applyRule(t, stronger, NOW, [rule, stronger])?.txn.category).toMatchObject({ primary: 'TRAVEL' });
    // A merchant name the user gave is matched too.
    const named = txn({ overlay: { merchantName: 'la-colombe' } }, { description: 'POS 12345' });
    expect(ruleApplies(rule, named)).toBe(true);
  });
});
