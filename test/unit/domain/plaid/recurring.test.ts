import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanMerchant } from '../../../../shared/domain/categorizer/index';
import {
  counterpartyKey,
  detectFrequency,
  detectRecurring,
  nextDate,
  type RecurringFrequency,
  type RecurringInput,
} from '../../../../shared/domain/plaid/recurring';
import { generateUser } from '../../../../shared/generator/index';
import { finalVersion } from '../../../../shared/generator/lifecycle';
import type { GeneratedUser } from '../../../../shared/generator/types';

const dates = (start: string, step: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    new Date(Date.parse(`${start}T00:00:00Z`) + i * step * 86_400_000).toISOString().slice(0, 10),
  );

function item(over: Partial<RecurringInput> & { id: string; date: string }): RecurringInput {
  return {
    accountId: 'acct_1',
    amountMinor: -1599,
    currency: 'USD',
    description: 'NETFLIX.COM 866-579-7172',
    merchantName: 'Netflix',
    category: null,
    pending: false,
    ...over,
  };
}

describe('detectFrequency', () => {
  it('reads steady cadences', () => {
    expect(detectFrequency(dates('2026-01-02', 7, 8))).toBe('WEEKLY');
    expect(detectFrequency(dates('2026-01-02', 14, 8))).toBe('BIWEEKLY');
    expect(detectFrequency(['2026-01-15', '2026-02-13', '2026-03-16', '2026-04-15', '2026-05-15'])).toBe(
      'MONTHLY',
    );
    expect(
      detectFrequency(['2026-01-15', '2026-01-30', '2026-02-13', '2026-02-27', '2026-03-13', '2026-03-31']),
    ).toBe('SEMI_MONTHLY');
    expect(detectFrequency(['2024-03-02', '2025-03-03', '2026-03-02'])).toBe('ANNUALLY');
  });

  it('tolerates one odd gap in four; irregular dates are UNKNOWN', () => {
    expect(detectFrequency(['2026-01-01', '2026-02-01', '2026-03-01', '2026-03-20', '2026-04-20'])).toBe(
      'MONTHLY',
    );
    expect(detectFrequency(['2026-01-01', '2026-01-03', '2026-01-11', '2026-02-20', '2026-02-21'])).toBe(
      'UNKNOWN',
    );
    expect(detectFrequency(['2026-01-01'])).toBe('UNKNOWN');
  });

  it('predicts the next date per cadence', () => {
    expect(nextDate('2026-01-31', 'MONTHLY')).toBe('2026-02-28');
    expect(nextDate('2026-01-02', 'BIWEEKLY')).toBe('2026-01-16');
    expect(nextDate('2026-01-30', 'SEMI_MONTHLY', ['2026-01-15', '2026-01-30'])).toBe('2026-02-15');
    expect(nextDate('2025-03-03', 'ANNUALLY')).toBe('2026-03-03');
  });
});

describe('detectRecurring', () => {
  const netflix = dates('2026-01-05', 30, 6).map((d, i) =>
    item({ id: `n${i}`, date: d, description: `NETFLIX.COM ${i}23` }),
  );
  const salary = dates('2026-01-02', 14, 10).map((d, i) =>
    item({
      id: `s${i}`,
      date: d,
      amountMinor: 250_000,
      description: `ACME CORP PAYROLL PPD ID: 99${i}`,
      merchantName: null,
    }),
  );

  it('finds an outflow subscription and an inflow salary, with amounts in Plaid sign and a stable id', () => {
    const r = detectRecurring([...netflix, ...salary], { asOf: '2026-06-10' });
    expect(r.outflow_streams).toHaveLength(1);
    expect(r.inflow_streams).toHaveLength(1);
    const out = r.outflow_streams[0]!;
    expect(out).toMatchObject({
      frequency: 'MONTHLY',
      status: 'MATURE',
      is_active: true,
      merchant_name: 'Netflix',
      first_date: '2026-01-05',
      last_date: netflix.at(-1)!.date,
      average_amount: { amount: 15.99, iso_currency_code: 'USD' },
      last_amount: { amount: 15.99 },
      transaction_ids: netflix.map((n) => n.id),
    });
    const inflow = r.inflow_streams[0]!;
    expect(inflow).toMatchObject({ frequency: 'BIWEEKLY', average_amount: { amount: -2500 } });
    // Same stream, later: the same id.
    const again = detectRecurring([...netflix.slice(0, 4), ...salary], { asOf: '2026-06-10' });
    expect(again.outflow_streams[0]!.stream_id).toBe(out.stream_id);
  });

  it('a stream whose next entry is long overdue is TOMBSTONED; three entries are EARLY_DETECTION', () => {
    const old = detectRecurring(netflix, { asOf: '2026-12-01' }).outflow_streams[0]!;
    expect(old).toMatchObject({ status: 'TOMBSTONED', is_active: false, predicted_next_date: null });
    const early = detectRecurring(netflix.slice(0, 3), { asOf: '2026-03-10' }).outflow_streams[0]!;
    expect(early.status).toBe('EARLY_DETECTION');
  });

  it('ignores pending entries, other accounts when filtered, and irregular shopping', () => {
    const shop = ['2026-01-02', '2026-01-09', '2026-02-27', '2026-03-01', '2026-04-19'].map((d, i) =>
      item({
        id: `x${i}`,
        date: d,
        amountMinor: -(1000 + i * 977),
        merchantName: 'Target',
        description: 'TARGET 0001',
      }),
    );
    const r = detectRecurring([...shop, ...netflix.map((n) => ({ ...n, pending: true }))], {
      asOf: '2026-05-01',
    });
    expect(r.outflow_streams).toEqual([]);
    const filtered = detectRecurring(netflix, { asOf: '2026-06-10', accountIds: new Set(['other']) });
    expect(filtered.outflow_streams).toEqual([]);
  });

  it('groups by merchant, else by the description without its numbers', () => {
    expect(counterpartyKey({ merchantName: null, description: 'ACME PAYROLL 0123' })).toBe(
      counterpartyKey({ merchantName: null, description: 'ACME PAYROLL 0456' }),
    );
  });
});

describe('detectRecurring (properties)', () => {
  const DAY = 86_400_000;
  const on = (base: number, days: number) => new Date(base + days * DAY).toISOString().slice(0, 10);

  it('a monthly charge moved up to 3 days off its day (weekends, holidays) is MONTHLY, in any input order, with one id', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 4, maxLength: 14 }),
        fc.integer({ min: 100, max: 100_000 }),
        fc.integer(),
        (startDay, jitter, amount, seed) => {
          const base = Date.parse('2020-01-01T00:00:00Z') + startDay * DAY;
          const list = jitter.map((j, i) =>
            item({ id: `m${i}`, date: on(base, Math.round(i * 30.44) + j), amountMinor: -amount }),
          );
          const shuffled = [...list].sort(
            (a, b) => ((a.id.charCodeAt(1) * seed) % 7) - ((b.id.charCodeAt(1) * seed) % 7),
          );
          const asOf = list.at(-1)!.date;
          const r1 = detectRecurring(list, { asOf });
          const r2 = detectRecurring(shuffled, { asOf });
          expect(r1).toEqual(r2);
          expect(r1.outflow_streams).toHaveLength(1);
          expect(r1.outflow_streams[0]).toMatchObject({
            frequency: 'MONTHLY',
            is_active: true,
            status: 'MATURE',
          });
          expect(r1.outflow_streams[0]!.transaction_ids).toHaveLength(list.length);
        },
      ),
    );
  });

  it('every stream is one account, one direction, dated entries in order, average between min and max', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            day: fc.integer({ min: 0, max: 400 }),
            amount: fc.integer({ min: -50_000, max: 50_000 }).filter((a) => a !== 0),
            merchant: fc.constantFrom('Netflix', 'Acme Payroll', 'Landlord', 'Cafe'),
            account: fc.constantFrom('a1', 'a2'),
          }),
          { maxLength: 80 },
        ),
        (rows) => {
          const base = Date.parse('2026-01-01T00:00:00Z');
          const list = rows.map((r, i) =>
            item({
              id: `t${i}`,
              date: on(base, r.day),
              amountMinor: r.amount,
              merchantName: r.merchant,
              accountId: r.account,
            }),
          );
          const byId = new Map(list.map((t) => [t.id, t]));
          const r = detectRecurring(list, { asOf: '2027-02-01' });
          for (const [streams, sign] of [
            [r.inflow_streams, 1],
            [r.outflow_streams, -1],
          ] as const) {
            for (const s of streams) {
              const members = s.transaction_ids.map((id) => byId.get(id)!);
              expect(new Set(members.map((m) => m.accountId))).toEqual(new Set([s.account_id]));
              expect(members.every((m) => Math.sign(m.amountMinor) === sign)).toBe(true);
              expect(members.map((m) => m.date)).toEqual(members.map((m) => m.date).sort());
              expect(s.first_date).toBe(members[0]!.date);
              expect(s.last_date).toBe(members.at(-1)!.date);
              const plaid = members.map((m) => -m.amountMinor / 100);
              expect(s.average_amount.amount).toBeGreaterThanOrEqual(Math.min(...plaid) - 0.01);
              expect(s.average_amount.amount).toBeLessThanOrEqual(Math.max(...plaid) + 0.01);
            }
          }
        },
      ),
    );
  });
});

/**
 * Measured on the synthetic generator's ground truth: every salary, rent, mortgage and subscription (at least three
 * entries in the year) should be found as a stream with the frequency its schedule has.
 */
describe('recurring detection on generated histories', () => {
  const PATTERNS = new Set(['salary', 'rent', 'mortgage', 'subscription']);
  /** Every flow the generator schedules (recurring.ts, income.ts, money-management.ts), for precision. */
  const SCHEDULED = new Set([
    ...PATTERNS,
    'utility',
    'telecom',
    'insurance',
    'loan',
    'childcare',
    'tuition',
    'tax',
    'family_bill',
    'investment',
    'savings',
    'student_loan',
    'parents',
    'part_time',
    'freelance_payout',
    'interest',
    'cc_payment',
    'remittance',
    'top_up',
    'fitness',
    'deposit',
    'invoice',
    'annual_fee',
    'sms_charges',
    'gst_on_fee',
    'overdraft',
  ]);

  /** The frequency the generator scheduled, from the dates' exact structure (not the detector's tolerant bands). */
  function scheduled(ds: string[]): RecurringFrequency {
    const days = ds.map((d) => Date.parse(`${d}T00:00:00Z`) / 86_400_000);
    const gaps = days.slice(1).map((d, i) => d - days[i]!);
    if (gaps.every((g) => g === 7)) return 'WEEKLY';
    if (gaps.every((g) => g === 14)) return 'BIWEEKLY';
    const perMonth = new Map<string, number>();
    for (const d of ds) perMonth.set(d.slice(0, 7), (perMonth.get(d.slice(0, 7)) ?? 0) + 1);
    const counts = [...perMonth.values()];
    if (counts.filter((c) => c === 2).length >= counts.length * 0.75) return 'SEMI_MONTHLY';
    if (counts.filter((c) => c === 1).length >= counts.length * 0.75) return 'MONTHLY';
    return 'UNKNOWN';
  }

  function measure(users: GeneratedUser[]) {
    let found = 0;
    let total = 0;
    let detected = 0;
    let correct = 0;
    const byFrequency = new Map<string, { found: number; total: number }>();
    const misses: string[] = [];
    for (const u of users) {
      const items: RecurringInput[] = [];
      const truth = new Map<string, { ids: Set<string>; dates: string[] }>();
      for (const t of u.transactions) {
        if (t.truth.removed) continue;
        const v = finalVersion(t);
        items.push({
          id: t.id,
          accountId: t.accountId,
          date: v.date,
          amountMinor: v.amountMinor,
          currency: t.currency,
          description: v.description,
          // What the sync stores where the bank names no merchant (services/sync.ts).
          merchantName: cleanMerchant(v.description),
          category: null,
          pending: v.status === 'pending',
        });
        if (PATTERNS.has(t.truth.pattern) && v.status === 'posted') {
          const k = `${t.accountId}|${t.truth.merchant}|${t.truth.pattern}`;
          const e = truth.get(k) ?? { ids: new Set<string>(), dates: [] };
          e.ids.add(t.id);
          e.dates.push(v.date);
          truth.set(k, e);
        }
      }
      const r = detectRecurring(items, { asOf: '2026-12-31' });
      const streams = [...r.inflow_streams, ...r.outflow_streams];
      // Precision: a stream is right when most of its entries are a scheduled flow of the generator (bills, income,
      // transfers, fees on a schedule), not habits that happened to fall a month apart.
      const pattern = new Map(u.transactions.map((t) => [t.id, t.truth.pattern]));
      for (const st of streams) {
        const scheduledEntries = st.transaction_ids.filter((id) =>
          SCHEDULED.has(pattern.get(id) ?? ''),
        ).length;
        detected += 1;
        if (scheduledEntries * 2 > st.transaction_ids.length) correct += 1;
      }
      for (const [k, e] of truth) {
        if (e.ids.size < 3) continue;
        const expected = scheduled([...new Set(e.dates)].sort());
        const s = streams.find(
          (st) => st.transaction_ids.filter((id) => e.ids.has(id)).length >= e.ids.size / 2,
        );
        const ok = s !== undefined && s.frequency === expected;
        total += 1;
        if (ok) found += 1;
        else misses.push(`${u.key} ${k}: expected ${expected}, got ${s?.frequency ?? 'nothing'}`);
        const f = byFrequency.get(expected) ?? { found: 0, total: 0 };
        byFrequency.set(expected, { found: f.found + (ok ? 1 : 0), total: f.total + 1 });
      }
    }
    return { found, total, byFrequency, misses, precision: correct / detected, detected };
  }

  it('finds generated salaries, rent and subscriptions with the right frequency (recall printed)', () => {
    const users = Array.from({ length: 12 }, (_, i) =>
      generateUser({ seed: 42, start: '2026-01-01', days: 365 }, i),
    );
    const { found, total, byFrequency, misses, precision, detected } = measure(users);
    const recall = found / total;
    console.log(
      `recurring recall on 12 generated users (seed 42): ${found}/${total} = ${(recall * 100).toFixed(1)}%; precision ${(precision * 100).toFixed(1)}% of ${detected} streams`,
      Object.fromEntries([...byFrequency].map(([f, v]) => [f, `${v.found}/${v.total}`])),
      misses.length ? misses : '',
    );
    expect(total).toBeGreaterThan(80);
    expect(byFrequency.get('BIWEEKLY')?.total).toBeGreaterThan(0);
    expect(byFrequency.get('SEMI_MONTHLY')?.total).toBeGreaterThan(0);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(precision).toBeGreaterThanOrEqual(0.9);
  });
});
