import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidCategory } from '../../../shared/domain/taxonomy';
import {
  auditLabels,
  finalVersion,
  generateUser,
  isPurchaseCategory,
  type GeneratedUser,
  type GeneratorOptions,
} from '../../../shared/generator/index';
import { formatIsoDate, parseIsoDate } from '../../../shared/generator/time';

/** `GENERATOR_PROPERTY_SCALE=20 npx vitest run ...` runs every property 20 times as often (a deeper search). */
const SCALE = Number(process.env.GENERATOR_PROPERTY_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function localDate(at: string, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(new Date(at));
}

/** Small universes: a few weeks to a few months, any start date, any seed. */
const optionsArb = fc.record({
  seed: fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
  start: fc.integer({ min: parseIsoDate('2024-01-01'), max: parseIsoDate('2027-12-31') }).map(formatIsoDate),
  days: fc.integer({ min: 20, max: 150 }),
});
const userArb = fc.tuple(optionsArb, fc.integer({ min: 0, max: 60 }));

/** Every structural invariant of the contract; returns the first problem or null. */
function structuralProblems(user: GeneratedUser, options: GeneratorOptions): string[] {
  const problems: string[] = [];
  const accounts = new Map(user.accounts.map((a) => [a.id, a]));
  const byId = new Map(user.transactions.map((t) => [t.id, t]));
  const owner = new Map<string, string>();
  if (byId.size !== user.transactions.length) problems.push('duplicate transaction ids');
  let lastAt = '';
  const start = parseIsoDate(options.start);
  for (const t of user.transactions) {
    const p = (msg: string) => problems.push(`${t.id}: ${msg}`);
    const account = accounts.get(t.accountId);
    if (!account) {
      p('unknown account');
      continue;
    }
    if (account.bank !== t.bank || account.currency !== t.currency)
      p('bank or currency differs from its account');
    if (!isValidCategory(t.truth.category) || !t.truth.category.detailed)
      p(`bad category ${JSON.stringify(t.truth.category)}`);
    if (!t.truth.pattern) p('no pattern');
    if (t.truth.merchant !== null && t.truth.merchant.trim() === '') p('empty merchant');
    const first = t.events[0];
    if (!first || first.kind !== 'appear') {
      p('first event is not appear');
      continue;
    }
    // Transactions are listed in time order.
    if (first.version.at < lastAt) p('out of order');
    lastAt = first.version.at;
    const visible = new Set<string>();
    const own = new Set<string>();
    const resends: string[] = [];
    const corrections: { field: string; at: string }[] = [];
    let removed = false;
    let prevAt = '';
    let sign = 0;
    for (const e of t.events) {
      if (!RFC3339_UTC.test(e.at)) p(`bad event instant ${e.at}`);
      if (e.at < prevAt) p('events out of order');
      prevAt = e.at;
      if (removed) p('event after removal');
      if (e.kind === 'remove') {
        removed = true;
        visible.clear();
        continue;
      }
      const v = e.version;
      if (!Number.isSafeInteger(v.amountMinor) || v.amountMinor === 0) p(`bad amount ${v.amountMinor}`);
      if (sign === 0) sign = Math.sign(v.amountMinor);
      else if (Math.sign(v.amountMinor) !== sign) p('amount changes sign');
      if (!RFC3339_UTC.test(v.at)) p(`bad version instant ${v.at}`);
      if (v.at !== first.version.at || v.date !== first.version.date)
        p('date or instant changes between versions');
      if (v.date !== localDate(v.at, account.timeZone))
        p(`date ${v.date} is not the local date of ${v.at} in ${account.timeZone}`);
      if (e.at < v.at) p('visible before it happened');
      if (!v.description) p('empty description');
      const claimed = owner.get(v.bankTxnId);
      if (claimed !== undefined && claimed !== t.id) p(`bank id ${v.bankTxnId} also used by ${claimed}`);
      owner.set(v.bankTxnId, t.id);
      switch (e.kind) {
        case 'appear':
          visible.add(v.bankTxnId);
          own.add(v.bankTxnId);
          break;
        case 'post':
          if (!visible.has(e.replacesBankTxnId)) p('post replaces an id that is not visible');
          if (v.status !== 'posted') p('post to a non-posted status');
          visible.delete(e.replacesBankTxnId);
          visible.add(v.bankTxnId);
          own.add(v.bankTxnId);
          break;
        case 'correct':
          if (!visible.has(v.bankTxnId)) p('correction of an id that is not visible');
          corrections.push({ field: e.field, at: e.at });
          break;
        case 'resend':
          if (own.has(v.bankTxnId) || visible.has(v.bankTxnId)) p('re-sent under an id already used');
          if (v.status !== 'posted') p('re-sent while pending');
          visible.add(v.bankTxnId);
          own.add(v.bankTxnId);
          resends.push(v.bankTxnId);
          break;
      }
    }
    if (JSON.stringify(resends) !== JSON.stringify(t.truth.resent_as))
      p('resent_as differs from the re-sends');
    if (JSON.stringify(corrections) !== JSON.stringify(t.truth.corrections))
      p('corrections differ from the events');
    if (removed !== t.truth.removed) p('removed differs from the events');
    const v = finalVersion(t);
    if (!removed && v.status !== 'posted' && Date.parse(v.at) < Date.parse(options.start) + 1)
      p('never posts');
    // Signs by flow.
    const primary = t.truth.category.primary;
    if (
      (primary === 'INCOME' || t.truth.pattern === 'refund' || primary === 'TRANSFER_IN') &&
      v.amountMinor <= 0
    )
      p('inflow with a negative amount');
    if (
      (primary === 'BANK_FEES' || primary === 'TRANSFER_OUT' || primary === 'RENT_AND_UTILITIES') &&
      v.amountMinor >= 0
    )
      p('outflow with a positive amount');
    if (t.truth.pattern === 'salary' && v.amountMinor <= 0) p('negative salary');
    if (
      isPurchaseCategory(t.truth.category.detailed) &&
      t.truth.merchant !== null &&
      t.truth.pattern !== 'refund' &&
      v.amountMinor >= 0
    ) {
      p('purchase with a positive amount');
    }
    if (parseIsoDate(v.date) - start < -1) p('before the start');
    // Transfers: two legs, opposite signs, same amount when same currency.
    if (t.truth.transfer_pair_of !== undefined) {
      const other = byId.get(t.truth.transfer_pair_of);
      if (!other) p('transfer pair missing');
      else {
        const ov = finalVersion(other);
        if (other.truth.transfer_pair_of !== t.id) p('transfer pair not symmetric');
        if (other.accountId === t.accountId) p('transfer to the same account');
        if (Math.sign(ov.amountMinor) === Math.sign(v.amountMinor)) p('transfer legs with the same sign');
        if (other.currency === t.currency && ov.amountMinor !== -v.amountMinor)
          p('same-currency legs differ in amount');
      }
    }
    if (t.truth.duplicate_charge_of !== undefined && !byId.has(t.truth.duplicate_charge_of))
      p('duplicate_charge_of missing');
    if (t.truth.is_anomaly !== (t.truth.anomaly_kind !== undefined)) p('anomaly flag and kind disagree');
  }
  return problems;
}

describe('generator properties', () => {
  it('is deterministic: same options, same bytes; another seed, other data', () => {
    fc.assert(
      fc.property(userArb, ([options, index]) => {
        const a = JSON.stringify(generateUser(options, index));
        const b = JSON.stringify(generateUser({ ...options }, index));
        expect(a).toBe(b);
        const c = JSON.stringify(generateUser({ ...options, seed: options.seed + 1 }, index));
        expect(c).not.toBe(a);
      }),
      { numRuns: runs(12) },
    );
  });

  it('keeps every life cycle and label consistent', () => {
    fc.assert(
      fc.property(
        userArb,
        fc.constantFrom(0, 0.5, 1, 2, 4),
        fc.constantFrom(0, 1, 3),
        fc.constantFrom(0, 1, 3),
        ([base, index], anomalyRate, duplicateRate, correctionRate) => {
          const options = { ...base, anomalyRate, duplicateRate, correctionRate };
          const user = generateUser(options, index);
          expect(structuralProblems(user, options)).toEqual([]);
          expect(auditLabels(user, options)).toEqual([]);
        },
      ),
      { numRuns: runs(40) },
    );
  });

  it('makes a year of anomalies that stay consistent with the rules', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 11 }), (seed, index) => {
        const options = { seed, start: '2026-01-01', days: 365, anomalyRate: 2 };
        const user = generateUser(options, index);
        expect(auditLabels(user, options)).toEqual([]);
        expect(user.transactions.some((t) => t.truth.is_anomaly)).toBe(true);
      }),
      { numRuns: runs(8) },
    );
  });

  it('generates a realistic volume: a few transactions per day', () => {
    fc.assert(
      fc.property(userArb, ([options, index]) => {
        const user = generateUser(options, index);
        const perDay = user.transactions.length / options.days;
        expect(perDay).toBeGreaterThan(2.5);
        expect(perDay).toBeLessThan(9);
      }),
      { numRuns: runs(15) },
    );
  });
});
