import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDetailed } from '../../../shared/domain/taxonomy';
import { MERCHANTS } from '../../../shared/generator/merchants';
import {
  auditLabels,
  bankIds,
  DEFAULT_START,
  finalVersion,
  formatSummary,
  generateUniverse,
  generateUser,
  summarize,
  transactionLine,
  visibleVersions,
  type GeneratedTransaction,
  type GeneratedUser,
  type GeneratorOptions,
} from '../../../shared/generator/index';
import { hashInts, Rng } from '../../../shared/generator/prng';
import {
  civilFromDays,
  daysFromCivil,
  formatIsoDate,
  localDay,
  offsetMinutes,
  parseIsoDate,
  weekday,
  zonedToUtc,
} from '../../../shared/generator/time';

const OPTIONS: GeneratorOptions = { seed: 42, start: DEFAULT_START, days: 365 };
let universe: GeneratedUser[] = [];
let all: { user: GeneratedUser; txn: GeneratedTransaction }[] = [];

beforeAll(() => {
  universe = generateUniverse(OPTIONS, 12);
  all = universe.flatMap((user) => user.transactions.map((txn) => ({ user, txn })));
});

const localDateOf = (at: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(at),
  );

describe('prng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const c = new Rng(2);
    const xs = Array.from({ length: 20 }, () => a.u32());
    expect(Array.from({ length: 20 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.u32())).not.toEqual(xs);
    expect(hashInts(1, 2, 3)).toBe(hashInts(1, 2, 3));
    expect(hashInts(1, 2, 3)).not.toBe(hashInts(3, 2, 1));
  });

  it('draws in range with sane moments', () => {
    const r = new Rng(99);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
    let normal = 0;
    let sq = 0;
    for (let i = 0; i < 20_000; i++) {
      const z = r.normal();
      normal += z;
      sq += z * z;
    }
    expect(Math.abs(normal / 20_000)).toBeLessThan(0.05);
    expect(sq / 20_000).toBeCloseTo(1, 1);
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 100 }),
        (seed, lo, span) => {
          const v = new Rng(seed).int(lo, lo + span);
          expect(v).toBeGreaterThanOrEqual(lo);
          expect(v).toBeLessThanOrEqual(lo + span);
        },
      ),
    );
  });
});

describe('calendar and time zones', () => {
  it('round-trips civil dates (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (days) => {
        const c = civilFromDays(days);
        expect(daysFromCivil(c.year, c.month, c.day)).toBe(days);
        expect(formatIsoDate(days)).toBe(new Date(days * 86_400_000).toISOString().slice(0, 10));
        expect(weekday(days)).toBe(new Date(days * 86_400_000).getUTCDay());
      }),
    );
    expect(() => parseIsoDate('2026-02-30')).toThrow();
    expect(() => parseIsoDate('2026-1-1')).toThrow();
    expect(parseIsoDate('1970-01-01')).toBe(0);
  });

  it('converts local wall times to UTC like Intl does, across DST changes', () => {
    const day = parseIsoDate('2026-03-08'); // US spring forward
    expect(new Date(zonedToUtc('America/New_York', day, 1 * 3600)).toISOString()).toBe(
      '2026-03-08T06:00:00.000Z',
    );
    expect(new Date(zonedToUtc('America/New_York', day, 3 * 3600)).toISOString()).toBe(
      '2026-03-08T07:00:00.000Z',
    );
    expect(new Date(zonedToUtc('Europe/London', parseIsoDate('2026-07-01'), 12 * 3600)).toISOString()).toBe(
      '2026-07-01T11:00:00.000Z',
    );
    expect(new Date(zonedToUtc('Asia/Kolkata', parseIsoDate('2026-01-01'), 0)).toISOString()).toBe(
      '2025-12-31T18:30:00.000Z',
    );
    expect(offsetMinutes('Asia/Kolkata', Date.UTC(2026, 5, 1))).toBe(330);
    fc.assert(
      fc.property(
        fc.constantFrom('America/New_York', 'Europe/London', 'Asia/Kolkata', 'America/Los_Angeles'),
        fc.integer({ min: parseIsoDate('2024-01-01'), max: parseIsoDate('2028-12-31') }),
        fc.integer({ min: 4 * 3600, max: 86_399 }),
        (tz, days, second) => {
          const utc = zonedToUtc(tz, days, second);
          expect(localDateOf(new Date(utc).toISOString(), tz)).toBe(formatIsoDate(days));
          expect(localDay(tz, utc)).toBe(days);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('merchant lists', () => {
  it('has hundreds of merchants across the taxonomy, all with valid categories and descriptors', () => {
    expect(MERCHANTS.length).toBeGreaterThan(500);
    const categories = new Set(MERCHANTS.map((m) => m.detailed));
    expect(categories.size).toBeGreaterThanOrEqual(78);
    for (const m of MERCHANTS) {
      expect(isDetailed(m.detailed)).toBe(true);
      expect(m.templates.length).toBeGreaterThan(0);
      expect(m.name.length).toBeGreaterThan(0);
    }
    for (const region of ['US', 'GB', 'IN']) {
      expect(MERCHANTS.filter((m) => m.region === region && !m.unusual).length).toBeGreaterThan(140);
      expect(MERCHANTS.filter((m) => m.region === region && m.unusual).length).toBeGreaterThan(8);
    }
  });
});

describe('generateUser', () => {
  it('makes accounts at the three banks, in their currencies and time zones', () => {
    const u = universe[0] as GeneratedUser;
    expect(u.key).toBe('u0');
    expect(u.index).toBe(0);
    expect(u.persona).toBe('salaried');
    const banks = u.accounts.map((a) => `${a.bank}:${a.type}/${a.subtype}:${a.currency}:${a.timeZone}`);
    expect(banks).toEqual([
      'bank_a:depository/checking:USD:America/New_York',
      'bank_a:depository/savings:USD:America/New_York',
      'bank_a:credit/credit card:USD:America/New_York',
      'bank_b:depository/checking:GBP:Europe/London',
      'bank_b:depository/savings:GBP:Europe/London',
      'bank_c:depository/savings:INR:Asia/Kolkata',
      'bank_c:credit/credit card:INR:Asia/Kolkata',
    ]);
    const ids = universe.flatMap((x) => x.accounts.map((a) => a.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of u.accounts) {
      expect(a.mask).toMatch(/^\d{4}$/);
      expect(Number.isSafeInteger(a.openingBalanceMinor)).toBe(true);
      if (a.type === 'credit') expect(a.creditLimitMinor).toBeGreaterThan(0);
    }
    expect(universe.slice(0, 4).map((x) => x.persona)).toEqual([
      'salaried',
      'student',
      'freelancer',
      'family',
    ]);
  });

  it('generates user n the same alone as inside a universe', () => {
    expect(JSON.stringify(generateUser(OPTIONS, 5))).toBe(JSON.stringify(universe[5]));
  });

  it('produces a realistic volume at every bank', () => {
    for (const u of universe) {
      expect(u.transactions.length).toBeGreaterThan(1000);
      expect(u.transactions.length).toBeLessThan(3000);
      for (const bank of ['bank_a', 'bank_b', 'bank_c']) {
        expect(u.transactions.filter((t) => t.bank === bank).length).toBeGreaterThan(60);
      }
    }
    const primaries = new Set(all.map((x) => x.txn.truth.category.primary));
    expect(primaries.size).toBe(16);
    const detailed = new Set(all.map((x) => x.txn.truth.category.detailed));
    expect(detailed.size).toBeGreaterThan(75);
    const merchants = new Set(all.map((x) => x.txn.truth.merchant).filter((m) => m !== null));
    expect(merchants.size).toBeGreaterThan(400);
  });

  it('writes descriptions in each bank style', () => {
    const text = all.map((x) => finalVersion(x.txn).description);
    const has = (needle: string) => text.some((d) => d.includes(needle));
    for (const needle of [
      'SQ *',
      'TST* ',
      'AMZN Mktp US*',
      'UPI/DR/',
      'UPI/CR/',
      'POS DEBIT ',
      'PAYTM*',
      'STRIPE PAYOUT',
      'PPD ID:',
      'BACS CREDIT',
      'DD ',
      'NEFT CR-',
      'Zelle payment',
      'ATM WITHDRAWAL',
    ]) {
      expect(has(needle), needle).toBe(true);
    }
    // One merchant, many descriptor variants (store numbers, references, cities).
    const amazon = new Set(
      all
        .filter((x) => x.txn.truth.merchant === 'Amazon' && x.txn.currency === 'USD')
        .map((x) => finalVersion(x.txn).description),
    );
    expect(amazon.size).toBeGreaterThan(20);
  });

  it('follows signs by flow', () => {
    for (const { txn } of all) {
      const v = finalVersion(txn);
      const p = txn.truth.category.primary;
      if (p === 'INCOME') expect(v.amountMinor, txn.id).toBeGreaterThan(0);
      if (txn.truth.pattern === 'refund') expect(v.amountMinor, txn.id).toBeGreaterThan(0);
      if (p === 'BANK_FEES' || p === 'RENT_AND_UTILITIES') expect(v.amountMinor, txn.id).toBeLessThan(0);
      if (p === 'FOOD_AND_DRINK' && txn.truth.pattern !== 'refund')
        expect(v.amountMinor, txn.id).toBeLessThan(0);
      if (p === 'TRANSFER_IN') expect(v.amountMinor).toBeGreaterThan(0);
      if (p === 'TRANSFER_OUT') expect(v.amountMinor).toBeLessThan(0);
    }
  });

  it('has weekly rhythm and seasons', () => {
    const perWeekday = [0, 0, 0, 0, 0, 0, 0];
    const monthly = new Array<number>(12).fill(0);
    let summer = 0;
    let winterSpring = 0;
    for (const { txn } of all) {
      const v = finalVersion(txn);
      const day = parseIsoDate(v.date);
      if (txn.truth.category.detailed === 'FOOD_AND_DRINK_RESTAURANT')
        perWeekday[weekday(day)] = (perWeekday[weekday(day)] as number) + 1;
      const month = civilFromDays(day).month;
      if (
        txn.truth.category.primary === 'GENERAL_MERCHANDISE' &&
        v.amountMinor < 0 &&
        txn.currency === 'USD'
      ) {
        monthly[month - 1] = (monthly[month - 1] as number) - v.amountMinor;
      }
      if (txn.truth.category.primary === 'TRAVEL') {
        if (month >= 6 && month <= 8) summer++;
        else if (month <= 5) winterSpring++;
      }
    }
    const weekend = ((perWeekday[5] as number) + (perWeekday[6] as number)) / 2;
    const midweek = ((perWeekday[1] as number) + (perWeekday[2] as number) + (perWeekday[3] as number)) / 3;
    expect(weekend).toBeGreaterThan(1.5 * midweek);
    const rest = monthly.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    expect(monthly[11]).toBeGreaterThan(1.25 * rest);
    expect(summer).toBeGreaterThan(winterSpring / 2);
  });

  it('raises subscription prices once during the year', () => {
    const prices = new Map<string, Set<number>>();
    for (const { user, txn } of all) {
      if (txn.truth.pattern !== 'subscription' || txn.truth.merchant !== 'Netflix') continue;
      const key = `${user.key}|${txn.currency}`;
      const set = prices.get(key) ?? new Set<number>();
      set.add(finalVersion(txn).amountMinor);
      prices.set(key, set);
    }
    const changed = [...prices.values()].filter((s) => s.size === 2);
    expect(prices.size === 0 || changed.length > 0).toBe(true);
    const anySub = all.filter((x) => x.txn.truth.pattern === 'subscription');
    const byUserMerchant = new Map<string, Set<number>>();
    for (const { user, txn } of anySub) {
      const key = `${user.key}|${txn.truth.merchant}|${txn.currency}`;
      const set = byUserMerchant.get(key) ?? new Set<number>();
      set.add(finalVersion(txn).amountMinor);
      byUserMerchant.set(key, set);
    }
    expect([...byUserMerchant.values()].some((s) => s.size === 2)).toBe(true);
  });

  it('keeps genuinely identical purchases apart from duplicates and re-sends', () => {
    const seen = new Map<string, GeneratedTransaction>();
    let twins = 0;
    for (const { txn } of all) {
      if (txn.truth.removed || txn.truth.is_anomaly) continue;
      const v = finalVersion(txn);
      if (v.amountMinor >= 0 || txn.truth.merchant === null) continue;
      const key = `${txn.accountId}|${txn.truth.merchant}|${v.amountMinor}|${v.date}`;
      const other = seen.get(key);
      if (other && !other.truth.is_anomaly) {
        const gap = Date.parse(v.at) - Date.parse(finalVersion(other).at);
        if (gap >= 2 * 3600_000) twins++;
      }
      seen.set(key, txn);
    }
    expect(twins).toBeGreaterThan(20);
    const dups = all.filter((x) => x.txn.truth.anomaly_kind === 'duplicate_charge');
    expect(dups.length).toBeGreaterThan(5);
    for (const { txn } of dups) {
      const orig = all.find((x) => x.txn.id === txn.truth.duplicate_charge_of)?.txn;
      expect(orig).toBeDefined();
      const a = finalVersion(orig as GeneratedTransaction);
      const b = finalVersion(txn);
      expect(b.amountMinor).toBe(a.amountMinor);
      expect(b.at).not.toBe(a.at);
      expect(bankIds(txn).some((id) => bankIds(orig as GeneratedTransaction).includes(id))).toBe(false);
    }
  });

  it('replays banks mutating their data: postings with new ids and tips, corrections, re-sends, removals', () => {
    let newIdPosts = 0;
    let changedPosts = 0;
    const fields = new Set<string>();
    let resends = 0;
    let removed = 0;
    for (const { txn } of all) {
      for (const e of txn.events) {
        if (e.kind === 'post') {
          if (e.version.bankTxnId !== e.replacesBankTxnId) newIdPosts++;
          const pending = txn.events[0];
          if (pending?.kind === 'appear' && pending.version.amountMinor !== e.version.amountMinor)
            changedPosts++;
        }
        if (e.kind === 'correct') fields.add(e.field);
        if (e.kind === 'resend') resends++;
      }
      if (txn.truth.removed) removed++;
    }
    expect(newIdPosts).toBeGreaterThan(1000);
    expect(changedPosts).toBeGreaterThan(300);
    expect([...fields].sort()).toEqual(['amount', 'description', 'status']);
    expect(resends).toBeGreaterThan(100);
    expect(removed).toBeGreaterThan(10);
    // What a bank shows: a removed transaction disappears, a re-send shows twice.
    const resent = all.find((x) => x.txn.truth.resent_as.length > 0 && !x.txn.truth.removed)
      ?.txn as GeneratedTransaction;
    expect(visibleVersions(resent, Number.MAX_SAFE_INTEGER)).toHaveLength(1 + resent.truth.resent_as.length);
    const gone = all.find((x) => x.txn.truth.removed)?.txn as GeneratedTransaction;
    expect(visibleVersions(gone, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(visibleVersions(gone, Date.parse(gone.events[0]?.at ?? '') - 1)).toEqual([]);
  });

  it('labels anomalies of every kind, consistently with the rules', () => {
    const kinds = new Set(all.filter((x) => x.txn.truth.is_anomaly).map((x) => x.txn.truth.anomaly_kind));
    expect([...kinds].sort()).toEqual(['amount_outlier', 'duplicate_charge', 'new_merchant', 'spend_spike']);
    for (const u of universe) expect(auditLabels(u, OPTIONS)).toEqual([]);
  });

  it('turns each rate off at 0', () => {
    const off = generateUniverse(
      { ...OPTIONS, days: 200, anomalyRate: 0, duplicateRate: 0, correctionRate: 0 },
      4,
    );
    for (const u of off) {
      for (const t of u.transactions) {
        expect(t.truth.is_anomaly).toBe(false);
        expect(t.truth.resent_as).toEqual([]);
        expect(t.truth.corrections).toEqual([]);
        expect(t.truth.removed).toBe(false);
      }
    }
    const more = generateUniverse(
      { ...OPTIONS, days: 200, anomalyRate: 3, duplicateRate: 3, correctionRate: 3 },
      4,
    );
    const count = (us: GeneratedUser[], f: (t: GeneratedTransaction) => boolean) =>
      us.reduce((n, u) => n + u.transactions.filter(f).length, 0);
    const base = generateUniverse({ ...OPTIONS, days: 200 }, 4);
    expect(count(more, (t) => t.truth.resent_as.length > 0)).toBeGreaterThan(
      2 * count(base, (t) => t.truth.resent_as.length > 0),
    );
    expect(count(more, (t) => t.truth.is_anomaly)).toBeGreaterThan(count(base, (t) => t.truth.is_anomaly));
    for (const u of more) expect(auditLabels(u, { ...OPTIONS, days: 200 })).toEqual([]);
  });

  it('rejects bad options', () => {
    expect(() => generateUser({ ...OPTIONS, days: 0 }, 0)).toThrow(RangeError);
    expect(() => generateUser({ ...OPTIONS, seed: 1.5 }, 0)).toThrow(RangeError);
    expect(() => generateUser({ ...OPTIONS, start: '2026-13-01' }, 0)).toThrow(RangeError);
    expect(() => generateUser({ ...OPTIONS, anomalyRate: -1 }, 0)).toThrow(RangeError);
    expect(() => generateUser(OPTIONS, -1)).toThrow(RangeError);
  });

  it('exports ground truth lines and a summary', () => {
    const u = universe[0] as GeneratedUser;
    const txn = u.transactions[0] as GeneratedTransaction;
    const line = JSON.parse(transactionLine(u, txn)) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual([
      'id',
      'user',
      'persona',
      'bank',
      'account_id',
      'currency',
      'bank_txn_ids',
      'final',
      'events',
      'truth',
    ]);
    expect(line.truth).toEqual(txn.truth);
    const s = summarize(universe);
    expect(s.transactions).toBe(all.length);
    expect(Object.keys(s.byBank).sort()).toEqual(['bank_a', 'bank_b', 'bank_c']);
    expect(formatSummary(s)).toMatch(/transactions=\d+ \| banks: /);
  });

  it('puts the date in the account time zone', () => {
    const tz = new Map(universe.flatMap((u) => u.accounts.map((a) => [a.id, a.timeZone] as const)));
    for (const { txn } of all.filter((_, i) => i % 37 === 0)) {
      const v = finalVersion(txn);
      expect(v.date).toBe(localDateOf(v.at, tz.get(txn.accountId) as string));
    }
  });
});
