/**
 * The generator's engine: one user, day by day, in three steps.
 *
 * 1. Intents. Each day, recurring items (salary, rent, bills, subscriptions, savings, remittances), habits
 *    (coffee, groceries, rides... at Poisson rates shaped by persona, weekday, month and trips) and dynamic money
 *    management (card payments, top-ups, sweeps, interest, fees) make "intents": what happened, where, when and
 *    for how much. They are committed in time order with guards that keep the anomaly rules (rules.ts) exact:
 *    no ordinary purchase looks like an injected anomaly.
 * 2. Anomalies are injected on chosen days, from the user's own history (rules.ts says what each label means).
 * 3. Life cycles: every intent becomes a GeneratedTransaction whose events say how the bank shows it over time
 *    (pending then posted, new ids, tips, corrections, re-sends, removals).
 *
 * Randomness comes from three independent streams per user (daily life, anomalies, life cycles), so changing a rate
 * changes only what it governs. No clock, no I/O, no Math.random.
 */
import {
  catalogueMerchants,
  inMetro,
  localCategories,
  makeLocalMerchants,
  REGIONS,
  type Merchant,
  type Region,
} from './catalogue';
import * as D from './describe';
import { buildTransaction, type LifecycleContext } from './bank-lifecycle';
import type { Intent, NormalizedOptions, Style } from './intent';
import { hashInts, hashString, hexPad, Rng } from './prng';
import { ANOMALY_RULES, isPurchaseCategory } from './rules';
import { convert, REGION_INFO, Slot, SLOT_COUNT, SLOTS, type Metro, type RegionInfo } from './regions';
import { EMPLOYERS, FIRST_NAMES, HABITS, LAST_NAMES, PERSONAS, UNIVERSITIES, type Habit } from './personas';
import { civilFromDays, daysFromCivil, daysInMonth, formatIsoDate, weekday, zonedToUtc } from './time';
import type {
  AnomalyKind,
  GeneratedAccount,
  GeneratedTransaction,
  GeneratedUser,
  PersonaKind,
} from './types';

const DAY_MS = 86_400_000;
const HOUR = 3600;
/** `monthly(MONTH_END)`: the last day of each month. */
const MONTH_END = 31;

interface Loc {
  region: Region;
  metro: Metro;
  place: D.Place;
  trip: Trip | null;
}

interface Trip {
  start: number;
  end: number;
  region: Region;
  metro: Metro;
  place: D.Place;
  domestic: boolean;
}

interface Life {
  info: RegionInfo;
  region: Region;
  home: boolean;
  metro: Metro;
  place: D.Place;
  locals: Map<string, Merchant[]>;
  favorites: Map<string, Merchant[]>;
  pools: Map<string, Merchant[]>;
}

interface MerchantHistory {
  /** Sorted absolute amounts of committed non-anomalous purchases. */
  sorted: number[];
  /** Committed non-anomalous purchases, in commit (time) order. */
  entries: { ms: number; abs: number; slot: Slot }[];
  merchant: Merchant;
}

const WARMUP = ANOMALY_RULES.warmupDays;
const DUP_WINDOW = ANOMALY_RULES.duplicateWindowMs;
/** Guards keep ordinary data well inside the rules: below these fractions of the anomaly thresholds. */
const NEW_GUARD = 0.6;
const OUTLIER_GUARD = 3;
const SPIKE_GUARD = 3;
const SPIKE_GUARD_COUNT = 5;

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}

function medianOf(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const ACRONYMS = new Set([
  'IRS',
  'HMRC',
  'UK',
  'US',
  'NYU',
  'UCL',
  'HCL',
  'HDFC',
  'IBM',
  'TCS',
  'PVT',
  'LLC',
  'MF',
]);

/** `ACME CORP` → `Acme Corp`, keeping acronyms (`HDFC MUTUAL FUND` → `HDFC Mutual Fund`). */
function titleCase(upper: string): string {
  return upper
    .split(' ')
    .map((w) => (ACRONYMS.has(w) || w.length <= 1 ? w : `${w.charAt(0)}${w.slice(1).toLowerCase()}`))
    .join(' ');
}

const SEASON_WEIGHTS = [1, 0.8, 1, 1, 1.2, 2.2, 2.6, 2.4, 1.1, 1, 1.1, 2.2];

export class UserGenerator {
  private readonly rng: Rng;
  private readonly arng: Rng;
  private readonly lrng: Rng;
  private readonly seedHash: number;
  readonly persona: PersonaKind;
  readonly home: Region;
  private readonly lives: Record<Region, Life>;
  private readonly accounts: GeneratedAccount[] = [];
  private readonly balances: number[] = new Array<number>(SLOT_COUNT).fill(0);
  private readonly intents: Intent[] = [];
  private buffer: Intent[] = [];
  private readonly future = new Map<number, Intent[]>();
  private readonly agenda = new Map<number, (() => void)[]>();
  private readonly history = new Map<string, MerchantHistory>();
  private readonly seen = new Set<string>();
  private readonly visits = new Map<string, number[]>();
  private readonly daily: number[][] = [];
  private readonly stores = new Map<string, string[]>();
  private readonly baskets = new Map<string, number>();
  private readonly trips: Trip[] = [];
  private readonly where: Loc[] = [];
  private readonly dates: string[] = [];
  private readonly cardStyle: D.CardStyle[] = [];
  private readonly spikeDays = new Map<number, Slot>();
  private readonly anomalyDays = new Map<number, AnomalyKind[]>();
  private readonly usedUnusual = new Set<string>();
  private readonly traits: { car: boolean; pet: boolean; gambler: boolean; smoker: boolean };
  private readonly name: string;
  private counter = 0;
  private lastOverdraftDay = -100;
  private readonly atmCount = new Map<string, number>();
  private readonly statementOwed: number[] = new Array<number>(SLOT_COUNT).fill(0);

  constructor(
    private readonly o: NormalizedOptions,
    private readonly index: number,
  ) {
    this.seedHash = hashInts(o.seed);
    this.rng = Rng.of(o.seed, index, 1);
    this.arng = Rng.of(o.seed, index, 2);
    this.lrng = Rng.of(o.seed, index, 3);
    this.persona = PERSONAS[index % PERSONAS.length] as PersonaKind;
    this.home = REGIONS[index % REGIONS.length] as Region;
    const rng = this.rng;
    const p = this.persona;
    this.traits = {
      car: rng.chance(p === 'family' ? 0.9 : p === 'student' ? 0.15 : p === 'salaried' ? 0.5 : 0.4),
      pet: rng.chance(p === 'family' ? 0.5 : 0.25),
      gambler: rng.chance(0.2),
      smoker: rng.chance(0.1),
    };
    this.name = `${rng.pick(FIRST_NAMES[this.home])} ${rng.pick(LAST_NAMES[this.home])}`;
    const lives = {} as Record<Region, Life>;
    for (const region of REGIONS) lives[region] = this.makeLife(region);
    this.lives = lives;
    for (let d = 0; d < o.days + 12; d++) this.dates.push(formatIsoDate(o.startDays + d));
    for (let s = 0; s < SLOT_COUNT; s++) this.daily.push(new Array<number>(o.days + 12).fill(0));
    this.makeAccounts();
    this.planTrips();
    this.planAnomalies();
    this.planRecurring();
  }

  // ------------------------------------------------------------------------------------------------ setup

  private makeLife(region: Region): Life {
    const info = REGION_INFO[region];
    const metro = this.rng.pick(info.metros);
    const place = this.rng.pick(metro.cities);
    const locals = new Map<string, Merchant[]>();
    const chainNames = new Set<string>();
    for (const cat of localCategories(region)) {
      for (const m of catalogueMerchants(region, cat)) chainNames.add(m.name);
    }
    for (const m of makeLocalMerchants(region, this.rng, region === this.home ? 4 : 2)) {
      if (chainNames.has(m.name)) continue;
      const list = locals.get(m.detailed);
      if (list) list.push(m);
      else locals.set(m.detailed, [m]);
    }
    return {
      info,
      region,
      home: region === this.home,
      metro,
      place,
      locals,
      favorites: new Map(),
      pools: new Map(),
    };
  }

  private makeAccounts(): void {
    const rng = this.rng;
    const homeInfo = REGION_INFO[this.home];
    for (const s of SLOTS) {
      const info = REGION_INFO[s.region];
      const home = s.region === this.home;
      const h = hashInts(this.o.seed, this.index, s.slot, 77);
      const id =
        s.bank === 'bank_a'
          ? `ACC-${hexPad(h, 8).toUpperCase()}-${this.index.toString(36).toUpperCase()}-${s.code}`
          : s.bank === 'bank_b'
            ? `${String(h % 1_000_000).padStart(6, '0')}${String(this.index).padStart(8, '0')}${s.slot}`
            : `${s.code}${String(this.index).padStart(7, '0')}${hexPad(h, 6).toUpperCase()}`;
      const mask = String(1000 + rng.int(0, 8999));
      let opening = 0;
      let limit: number | undefined;
      if (s.type === 'credit') {
        limit = s.region === 'IN' ? rng.int(15, 40) * 1_000_000 : rng.int(30, 150) * 10_000;
      } else if (s.slot === info.dep) {
        opening = info.floor * (home ? rng.int(8, 14) : rng.int(4, 8));
      } else {
        opening = info.floor * (home ? rng.int(20, 45) : rng.int(8, 20));
      }
      if (this.persona === 'student' && s.slot === homeInfo.dep) opening = Math.round(opening / 3);
      this.balances[s.slot] = opening;
      this.cardStyle[s.slot] = {
        last4: String(1000 + rng.int(0, 8999)),
        bin: rng.pick(['402145', '521763', '438628', '607153']),
      };
      const account: GeneratedAccount = {
        id,
        bank: s.bank,
        name: s.name,
        type: s.type,
        subtype: s.subtype,
        currency: info.currency,
        mask,
        timeZone: info.timeZone,
        openingBalanceMinor: opening,
      };
      if (limit !== undefined) account.creditLimitMinor = limit;
      this.accounts.push(account);
    }
  }

  private planTrips(): void {
    const rng = this.rng;
    const days = this.o.days;
    const years = days / 365;
    const wanted: { domestic: boolean }[] = [];
    const domestic = rng.poisson((this.persona === 'student' ? 1 : 1.6) * years);
    const visits = rng.poisson(0.9 * years);
    for (let i = 0; i < domestic; i++) wanted.push({ domestic: true });
    for (let i = 0; i < visits; i++) wanted.push({ domestic: false });
    const weights: number[] = [];
    for (let d = 0; d < days; d++)
      weights.push(SEASON_WEIGHTS[civilFromDays(this.o.startDays + d).month - 1] as number);
    for (const w of wanted) {
      const length = w.domestic ? rng.int(3, 6) : rng.int(7, 14);
      for (let attempt = 0; attempt < 6; attempt++) {
        const start = rng.weighted(weights);
        const end = start + length - 1;
        if (start < 5 || end >= days - 1) continue;
        if (this.trips.some((t) => start <= t.end + 3 && end >= t.start - 3)) continue;
        let region: Region = this.home;
        let metro: Metro;
        if (w.domestic) {
          const others = REGION_INFO[this.home].metros.filter(
            (m) => m.tag !== this.lives[this.home].metro.tag,
          );
          metro = rng.pick(others);
        } else {
          region = rng.pick(REGIONS.filter((r) => r !== this.home));
          metro = this.lives[region].metro;
        }
        this.trips.push({ start, end, region, metro, place: rng.pick(metro.cities), domestic: w.domestic });
        break;
      }
    }
    this.trips.sort((a, b) => a.start - b.start);
    const homeLife = this.lives[this.home];
    for (let d = 0; d < days + 12; d++) {
      const trip = this.trips.find((t) => d >= t.start && d <= t.end) ?? null;
      this.where.push(
        trip
          ? { region: trip.region, metro: trip.metro, place: trip.place, trip }
          : { region: this.home, metro: homeLife.metro, place: homeLife.place, trip: null },
      );
    }
  }

  private planAnomalies(): void {
    const r = this.o.anomalyRate;
    if (r <= 0 || this.o.days <= WARMUP + 1) return;
    const arng = this.arng;
    const span = this.o.days - WARMUP;
    const years = span / 365;
    const add = (kind: AnomalyKind, mean: number) => {
      const n = arng.poisson(mean * years * r);
      for (let i = 0; i < n; i++) {
        const d = WARMUP + arng.int(0, span - 1);
        const list = this.anomalyDays.get(d);
        if (list) list.push(kind);
        else this.anomalyDays.set(d, [kind]);
      }
    };
    add('amount_outlier', 5);
    add('new_merchant', 4);
    add('duplicate_charge', 4);
    const spikes = arng.poisson(2.5 * years * r);
    for (let i = 0; i < spikes; i++) {
      const d = WARMUP + arng.int(0, span - 1);
      const region = this.where[d]?.region ?? this.home;
      const info = REGION_INFO[region];
      // The account that carries most purchases in that country.
      const slot = region === 'US' ? Slot.A_CARD : info.dep;
      if (!this.spikeDays.has(d)) this.spikeDays.set(d, slot);
    }
  }

  private on(day: number, fn: () => void): void {
    if (day < 0 || day >= this.o.days) return;
    const list = this.agenda.get(day);
    if (list) list.push(fn);
    else this.agenda.set(day, [fn]);
  }

  /** Days of the period that are day `dom` of their month (clamped to the month's end), shifted off weekends. */
  private monthly(dom: number, shift: 'back' | 'forward' | 'none', months?: readonly number[]): number[] {
    const out: number[] = [];
    const first = civilFromDays(this.o.startDays);
    let y = first.year;
    let m = first.month;
    for (;;) {
      const day = Math.min(dom, daysInMonth(y, m));
      let d = daysFromCivil(y, m, day);
      const wd = weekday(d);
      if (shift === 'back' && wd === 6) d -= 1;
      else if (shift === 'back' && wd === 0) d -= 2;
      else if (shift === 'forward' && wd === 6) d += 2;
      else if (shift === 'forward' && wd === 0) d += 1;
      const idx = d - this.o.startDays;
      if (idx >= this.o.days) break;
      if (idx >= 0 && (!months || months.includes(m))) out.push(idx);
      m++;
      if (m > 12) {
        m = 1;
        y++;
      }
      if (y > first.year + 12) break;
    }
    return out;
  }

  private everyNDays(firstDay: number, n: number): number[] {
    const out: number[] = [];
    for (let d = firstDay; d < this.o.days; d += n) if (d >= 0) out.push(d);
    return out;
  }

  private planRecurring(): void {
    const rng = this.rng;
    const p = this.persona;
    const home = this.lives[this.home];
    const homeInfo = home.info;

    // Income.
    this.planIncome();

    // Housing.
    if (p === 'family') {
      const m = rng.pick(this.billPool(home, 'LOAN_PAYMENTS_MORTGAGE_PAYMENT'));
      const amount = this.fixedAmount(m, 1);
      for (const d of this.monthly(1, 'forward')) this.on(d, () => this.bill(home, m, d, amount, 'mortgage'));
    } else {
      const pool = this.billPool(home, 'RENT_AND_UTILITIES_RENT');
      const m = rng.pick(pool);
      const amount = this.fixedAmount(m, p === 'student' ? 0.5 : 1);
      for (const d of this.monthly(1, 'none')) this.on(d, () => this.bill(home, m, d, amount, 'rent'));
    }

    // Utilities at home.
    const energy = this.billPool(home, 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY');
    if (energy.length) {
      const m = rng.pick(energy);
      const dom = rng.int(5, 25);
      for (const d of this.monthly(dom, 'forward')) {
        this.on(d, () => {
          const month = civilFromDays(this.o.startDays + d).month;
          const season = homeInfo.energySeason[month - 1] as number;
          const scale = (p === 'family' ? 1.5 : p === 'student' ? 0.7 : 1) * season;
          this.bill(home, m, d, this.drawAmount(m, scale, d), 'utility');
        });
      }
    }
    for (const [cat, chance] of [
      ['RENT_AND_UTILITIES_INTERNET_AND_CABLE', 0.95],
      ['RENT_AND_UTILITIES_TELEPHONE', 1],
      ['RENT_AND_UTILITIES_WATER', p === 'family' ? 0.9 : 0.35],
      ['RENT_AND_UTILITIES_SEWAGE_AND_WASTE_MANAGEMENT', p === 'family' ? 0.7 : 0],
    ] as const) {
      const pool = this.billPool(home, cat);
      if (!pool.length || !rng.chance(chance)) continue;
      const m = rng.pick(pool);
      const dom = rng.int(3, 27);
      const onCard = cat === 'RENT_AND_UTILITIES_TELEPHONE' && homeInfo.card !== null && rng.chance(0.4);
      for (const d of this.monthly(dom, 'forward')) {
        this.on(d, () => {
          const amount = this.drawAmount(m, p === 'family' ? 1.4 : 1, d);
          if (onCard) this.subscriptionCharge(home, m, d, amount, 'telecom');
          else this.bill(home, m, d, amount, cat === 'RENT_AND_UTILITIES_WATER' ? 'utility' : 'telecom');
        });
      }
    }
    if (this.home === 'GB') {
      const tax = this.billPool(home, 'GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT').filter(
        (m) => m.metros !== null,
      );
      if (tax.length) {
        const m = rng.pick(tax);
        const amount = this.fixedAmount(m, 1);
        for (const d of this.monthly(1, 'forward', [4, 5, 6, 7, 8, 9, 10, 11, 12, 1])) {
          this.on(d, () => this.bill(home, m, d, amount, 'tax'));
        }
      }
      const tv = this.billPool(home, 'GOVERNMENT_AND_NON_PROFIT_GOVERNMENT_DEPARTMENTS_AND_AGENCIES').filter(
        (m) => m.bill,
      );
      if (tv.length && rng.chance(0.7)) {
        const m = rng.pick(tv);
        for (const d of this.monthly(rng.int(1, 28), 'forward'))
          this.on(d, () => this.bill(home, m, d, this.fixedAmount(m, 1), 'tax'));
      }
    }
    if (this.home === 'IN' && p !== 'student') {
      const maint = this.billPool(home, 'RENT_AND_UTILITIES_OTHER_UTILITIES');
      if (maint.length) {
        const m = rng.pick(maint);
        for (const d of this.monthly(rng.int(1, 10), 'none'))
          this.on(d, () => this.bill(home, m, d, this.fixedAmount(m, 1), 'utility'));
      }
    }

    // Insurance, loans, childcare, tuition.
    const insurance = this.billPool(home, 'GENERAL_SERVICES_INSURANCE');
    const insuranceCount =
      (this.traits.car ? 1 : 0) + (p === 'family' ? 1 : 0) + (p === 'freelancer' ? 1 : 0);
    for (const m of rng.shuffle(insurance).slice(0, insuranceCount)) {
      const amount = this.fixedAmount(m, 1);
      for (const d of this.monthly(rng.int(1, 28), 'forward'))
        this.on(d, () => this.bill(home, m, d, amount, 'insurance'));
    }
    const loans: [string, number][] = [
      ['LOAN_PAYMENTS_CAR_PAYMENT', this.traits.car ? 0.55 : 0],
      ['LOAN_PAYMENTS_STUDENT_LOAN_PAYMENT', p === 'salaried' ? 0.45 : p === 'freelancer' ? 0.3 : 0],
      ['LOAN_PAYMENTS_PERSONAL_LOAN_PAYMENT', 0.15],
    ];
    for (const [cat, chance] of loans) {
      const pool = this.billPool(home, cat).filter((m) => !m.online);
      if (!pool.length || !rng.chance(chance)) continue;
      const m = rng.pick(pool);
      const amount = this.fixedAmount(m, 1);
      for (const d of this.monthly(rng.int(1, 28), 'forward'))
        this.on(d, () => this.bill(home, m, d, amount, 'loan'));
    }
    if (p === 'family') {
      const pool = this.billPool(home, 'GENERAL_SERVICES_CHILDCARE').filter((m) => m.bill);
      if (pool.length) {
        const m = rng.pick(pool);
        const amount = this.fixedAmount(m, 1);
        for (const d of this.monthly(1, 'forward'))
          this.on(d, () => this.bill(home, m, d, amount, 'childcare'));
      }
    }
    if (p === 'student') {
      const pool = this.billPool(home, 'GENERAL_SERVICES_EDUCATION').filter(
        (m) => m.bill && m.metros !== null,
      );
      const tuition = pool.find((m) => inMetro(m, home.metro.tag)) ?? pool[0];
      if (tuition) {
        const amount = this.fixedAmount(tuition, 1);
        for (const d of this.monthly(15, 'forward', [1, 2, 3, 4, 5, 8, 9, 10, 11, 12])) {
          this.on(d, () => this.bill(home, tuition, d, amount, 'tuition'));
        }
      }
    }

    // Subscriptions (and a gym membership), at home and a few abroad.
    for (const region of REGIONS) {
      const life = this.lives[region];
      const count = life.home
        ? p === 'student'
          ? rng.int(2, 4)
          : p === 'family'
            ? rng.int(4, 7)
            : rng.int(3, 6)
        : rng.int(0, 2);
      const subs = this.subscriptionPool(life);
      for (const m of rng.shuffle(subs).slice(0, count)) {
        const dom = rng.int(1, 28);
        for (const d of this.monthly(dom, 'none'))
          this.on(d, () => this.subscriptionCharge(life, m, d, this.drawAmount(m, 1, d), 'subscription'));
      }
      if (life.home && rng.chance(0.45)) {
        const gyms = catalogueMerchants(region, 'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS').filter(
          (m) => m.subscription && !m.online && inMetro(m, life.metro.tag),
        );
        if (gyms.length) {
          const m = rng.pick(gyms);
          const dom = rng.int(1, 28);
          for (const d of this.monthly(dom, 'none'))
            this.on(d, () => this.subscriptionCharge(life, m, d, this.drawAmount(m, 1, d), 'subscription'));
        }
      }
    }

    // Money management: card statements, savings, remittances, investments, interest, fees.
    for (const region of REGIONS) {
      const life = this.lives[region];
      const info = life.info;
      if (info.card !== null) {
        const card = info.card;
        const statementDom = rng.int(2, 26);
        for (const d of this.monthly(statementDom, 'none')) {
          this.on(d, () => {
            this.statementOwed[card] = Math.max(0, -(this.balances[card] as number));
          });
          this.on(d + 21, () => {
            const owed = this.statementOwed[card] as number;
            if (owed > 0) this.transfer(info.dep, card, owed, d + 21, 'cc_payment');
          });
        }
      }
      if (info.savings !== null) {
        const savings = info.savings;
        for (const d of this.monthly(MONTH_END, 'none')) {
          this.on(d, () => {
            const interest = Math.floor(
              ((this.balances[savings] as number) * (region === 'US' ? 35 : 40)) / 12_000,
            );
            if (interest > 0)
              this.income(life, savings, d, interest, 'INCOME_INTEREST_EARNED', null, 'interest');
          });
        }
      }
      if (region === 'IN') {
        for (const d of this.monthly(MONTH_END, 'none', [3, 6, 9, 12])) {
          this.on(d, () => {
            const interest = Math.floor(((this.balances[info.dep] as number) * 30) / 4_000);
            if (interest > 0)
              this.income(life, info.dep, d, interest, 'INCOME_INTEREST_EARNED', null, 'interest');
            this.fee(life, info.dep, d, 1770, 'BANK_FEES_OTHER_BANK_FEES', 'sms_charges');
          });
        }
      }
      if (!life.home) {
        // Funding of the account abroad (family support, bills there): a remittance from home when it runs low.
        const dom = rng.int(2, 10);
        for (const d of this.monthly(dom, 'forward')) {
          this.on(d, () => {
            if ((this.balances[info.dep] as number) >= info.floor * 6) return;
            const amount = info.floor * this.rng.int(3, 6);
            this.transfer(
              homeInfo.dep,
              info.dep,
              convert(amount, info.currency, homeInfo.currency, d),
              d,
              'remittance',
            );
          });
        }
        if (region === 'IN' && p !== 'student') {
          const energyIn = this.billPool(life, 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY').filter(
            (m) => !m.metros || inMetro(m, life.metro.tag),
          );
          if (energyIn.length) {
            const m = rng.pick(energyIn);
            for (const d of this.monthly(rng.int(5, 20), 'forward')) {
              this.on(d, () =>
                this.bill(
                  life,
                  m,
                  d,
                  this.drawAmount(
                    m,
                    REGION_INFO.IN.energySeason[civilFromDays(this.o.startDays + d).month - 1] as number,
                    d,
                  ),
                  'family_bill',
                ),
              );
            }
          }
          const phone = this.billPool(life, 'RENT_AND_UTILITIES_TELEPHONE');
          if (phone.length) {
            const m = rng.pick(phone);
            for (const d of this.monthly(rng.int(1, 28), 'none'))
              this.on(d, () => this.bill(life, m, d, this.drawAmount(m, 1, d), 'family_bill'));
          }
        }
      }
      // Investments (not own accounts in this universe): a monthly SIP / brokerage transfer.
      if (life.home && p !== 'student' && rng.chance(0.6)) {
        const broker =
          region === 'US'
            ? rng.pick(['ROBINHOOD', 'FIDELITY', 'VANGUARD', 'BETTERMENT'])
            : region === 'GB'
              ? rng.pick(['VANGUARD UK', 'TRADING 212', 'HARGREAVES LANSDOWN'])
              : rng.pick(['ZERODHA BROKING', 'GROWW', 'HDFC MUTUAL FUND']);
        const amount = info.floor * rng.int(1, 4);
        for (const d of this.monthly(rng.int(3, 12), 'forward'))
          this.on(d, () => this.investment(life, d, amount, broker));
      }
      // Fees.
      if (region === 'US') {
        for (const d of this.monthly(1, 'none')) {
          this.on(d, () => {
            if ((this.balances[Slot.A_CHK] as number) < 150_000)
              this.fee(life, Slot.A_CHK, d, 1200, 'BANK_FEES_OTHER_BANK_FEES', 'service_fee');
          });
        }
        const annual = rng.int(0, 364);
        this.on(annual, () =>
          this.fee(life, Slot.A_CARD, annual, 9500, 'BANK_FEES_OTHER_BANK_FEES', 'annual_fee'),
        );
      }
      if (region === 'IN') {
        const annual = rng.int(0, 364);
        this.on(annual, () => {
          this.fee(life, Slot.C_CARD, annual, 49_900, 'BANK_FEES_OTHER_BANK_FEES', 'annual_fee');
          this.fee(life, Slot.C_CARD, annual, 8_982, 'BANK_FEES_OTHER_BANK_FEES', 'gst_on_fee');
        });
      }
    }

    // Trips: flights booked ahead, stays and cars paid at the end.
    for (const trip of this.trips) this.planTrip(trip);
  }

  private planIncome(): void {
    const rng = this.rng;
    const p = this.persona;
    const home = this.lives[this.home];
    const region = this.home;
    const employer = rng.pick(EMPLOYERS[region]);
    const salaryAt = (d: number, amount: number, who: string, pattern: string) =>
      this.income(home, home.info.dep, d, amount, 'INCOME_WAGES', who, pattern);
    const raiseDay = this.monthly(1, 'none', [4])[0] ?? Number.MAX_SAFE_INTEGER;
    if (p === 'salaried' || p === 'family') {
      if (region === 'US') {
        const base =
          rng.int(p === 'family' ? 3000 : 2400, p === 'family' ? 5200 : 4600) * 100 + rng.int(0, 99);
        const firstFriday = ((5 - weekday(this.o.startDays) + 7) % 7) + rng.pick([0, 7]);
        for (const d of this.everyNDays(firstFriday, 14)) {
          this.on(d, () => salaryAt(d, d >= raiseDay ? Math.round(base * 1.04) : base, employer, 'salary'));
        }
      } else {
        const base =
          region === 'GB'
            ? rng.int(p === 'family' ? 2800 : 2300, p === 'family' ? 4800 : 4200) * 100
            : rng.int(p === 'family' ? 110 : 85, p === 'family' ? 260 : 240) * 100_000;
        for (const d of this.monthly(region === 'GB' ? 25 : 31, 'back')) {
          this.on(d, () => salaryAt(d, d >= raiseDay ? Math.round(base * 1.05) : base, employer, 'salary'));
        }
      }
      if (p === 'family') {
        const second = rng.pick(EMPLOYERS[region].filter((e) => e !== employer));
        const base = region === 'IN' ? rng.int(40, 90) * 100_000 : rng.int(1200, 2400) * 100;
        for (const d of [...this.monthly(15, 'back'), ...this.monthly(31, 'back')].sort((a, b) => a - b)) {
          this.on(d, () => salaryAt(d, base, second, 'salary'));
        }
      }
      const bonusDay = this.monthly(15, 'back', [3])[0];
      if (bonusDay !== undefined && rng.chance(0.6)) {
        const amount = region === 'IN' ? rng.int(100, 300) * 100_000 : rng.int(2000, 8000) * 100;
        this.on(bonusDay, () => salaryAt(bonusDay, amount, employer, 'bonus'));
      }
    } else if (p === 'student') {
      const [campus, job] = rng.pick(UNIVERSITIES[region]) as readonly [string, string];
      const base = region === 'IN' ? rng.int(8, 15) * 100_000 : rng.int(300, 700) * 100;
      const schedule =
        region === 'US'
          ? this.everyNDays(rng.int(0, 13), 14)
          : this.monthly(region === 'GB' ? 25 : 1, 'back');
      for (const d of schedule) {
        this.on(d, () => this.income(home, home.info.dep, d, base, 'INCOME_WAGES', job, 'part_time', campus));
      }
      // Parents' support (not the user's own account).
      const parent = `${rng.pick(FIRST_NAMES[region])} ${rng.pick(LAST_NAMES[region])}`.toUpperCase();
      const support = region === 'IN' ? rng.int(8, 20) * 100_000 : rng.int(400, 1200) * 100;
      for (const d of this.monthly(rng.int(1, 5), 'forward'))
        this.on(d, () => this.p2pIn(home, d, support, parent, 'parents'));
      if (region !== 'IN') {
        for (const d of this.monthly(
          region === 'US' ? 20 : 25,
          'forward',
          region === 'US' ? [1, 8] : [1, 4, 9],
        )) {
          const amount = region === 'US' ? rng.int(2500, 5500) * 100 : rng.int(1800, 3200) * 100;
          this.on(d, () =>
            this.income(
              home,
              home.info.dep,
              d,
              amount,
              'TRANSFER_IN_CASH_ADVANCES_AND_LOANS',
              null,
              'student_loan',
            ),
          );
        }
      }
    } else {
      // Freelancer: payouts from a payments platform on some days, client invoices, quarterly taxes.
      const platform = region === 'IN' ? 'RAZORPAY' : 'STRIPE';
      const median = region === 'IN' ? 4_500_000 : region === 'GB' ? 52_000 : 65_000;
      for (let d = 1; d < this.o.days; d++) {
        const wd = weekday(this.o.startDays + d);
        if (wd === 0 || wd === 6) continue;
        if (!rng.chance(0.3)) continue;
        const amount = Math.round(median * Math.exp(0.6 * clamp(rng.normal(), -2, 2)));
        this.on(d, () =>
          this.income(home, home.info.dep, d, amount, 'INCOME_WAGES', platform, 'freelance_payout'),
        );
      }
      const clients = rng.shuffle(EMPLOYERS[region]).slice(0, 2);
      for (const client of clients) {
        const amount = region === 'IN' ? rng.int(60, 180) * 100_000 : rng.int(1500, 6000) * 100;
        for (const d of this.monthly(rng.int(1, 28), 'forward')) {
          this.on(d, () => {
            if (this.rng.chance(0.8))
              this.income(home, home.info.dep, d, amount, 'INCOME_WAGES', client, 'invoice');
          });
        }
      }
      const taxes = this.billPool(home, 'GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT').filter(
        (m) => m.metros === null,
      );
      const taxMerchant = taxes[0];
      if (taxMerchant) {
        const months = region === 'US' ? [1, 4, 6, 9] : region === 'GB' ? [1, 7] : [3, 6, 9, 12];
        for (const d of this.monthly(region === 'GB' ? 31 : 15, 'forward', months)) {
          this.on(d, () => this.bill(home, taxMerchant, d, this.drawAmount(taxMerchant, 1, d), 'tax'));
        }
      }
    }
    // A tax refund in season.
    const refundMonths = region === 'US' ? [3, 4] : region === 'GB' ? [7, 8] : [9, 10, 11];
    const refundDays = this.monthly(rng.int(5, 25), 'forward', refundMonths);
    const refundDay = refundDays[0];
    if (refundDay !== undefined && rng.chance(0.6)) {
      const amount = region === 'IN' ? rng.int(20, 300) * 10_000 : rng.int(300, 2500) * 100;
      this.on(refundDay, () =>
        this.income(
          home,
          home.info.dep,
          refundDay,
          amount,
          'INCOME_TAX_REFUND',
          region === 'US' ? 'IRS' : region === 'GB' ? 'HMRC' : 'Income Tax Department',
          'tax_refund',
        ),
      );
    }
  }

  private planTrip(trip: Trip): void {
    const rng = this.rng;
    const home = this.lives[this.home];
    const dest = this.lives[trip.region];
    const people = this.persona === 'family' ? 3 : 1;
    const lead = rng.int(14, 60);
    const flights = this.chainPool(home, 'TRAVEL_FLIGHTS', home.metro.tag);
    if (flights.length) {
      const airline = this.favorite(home, 'travel', 'TRAVEL_FLIGHTS', flights, 2);
      const d = trip.start - lead;
      const scale = people * (trip.domestic ? 1 : 3);
      this.on(Math.max(0, d), () =>
        this.purchase(
          home,
          airline,
          this.drawAmount(airline, scale, d),
          Math.max(0, d),
          'travel',
          this.sec([[8, 23]]),
          { loc: this.homeLoc(), slot: null },
        ),
      );
    }
    const nights = trip.end - trip.start;
    const stayWithFamily = !trip.domestic && rng.chance(0.6);
    if (!stayWithFamily) {
      const ota = rng.chance(0.25);
      const cat = ota ? 'TRAVEL_OTHER_TRAVEL' : 'TRAVEL_LODGING';
      const pool = this.chainPool(dest, cat, trip.metro.tag);
      if (pool.length) {
        const m = this.favorite(dest, 'travel', cat, pool, 2);
        const payLife = trip.domestic ? home : dest;
        const d = trip.end;
        this.on(d, () =>
          this.purchase(
            payLife,
            m,
            this.drawAmount(m, Math.max(1, nights / 3) * (people > 1 ? 1.4 : 1), d),
            d,
            'travel',
            this.sec([[8, 12]]),
            {
              loc: this.where[d] ?? this.homeLoc(),
              slot: null,
            },
          ),
        );
      }
    }
    if (trip.domestic && rng.chance(0.3)) {
      const pool = this.chainPool(home, 'TRAVEL_RENTAL_CARS', trip.metro.tag);
      if (pool.length) {
        const m = this.favorite(home, 'travel', 'TRAVEL_RENTAL_CARS', pool, 1);
        const d = trip.end;
        this.on(d, () =>
          this.purchase(
            home,
            m,
            this.drawAmount(m, Math.max(1, nights / 3), d),
            d,
            'travel',
            this.sec([[9, 18]]),
            { loc: this.where[d] ?? this.homeLoc(), slot: null },
          ),
        );
      }
    }
  }

  private homeLoc(): Loc {
    const home = this.lives[this.home];
    return { region: this.home, metro: home.metro, place: home.place, trip: null };
  }

  // ------------------------------------------------------------------------------------------------ pools

  private chainPool(life: Life, cat: string, metroTag: string): Merchant[] {
    const key = `c|${cat}|${metroTag}`;
    let pool = life.pools.get(key);
    if (!pool) {
      pool = catalogueMerchants(life.region, cat).filter(
        (m) => !m.subscription && !m.bill && !m.unusual && inMetro(m, metroTag),
      );
      life.pools.set(key, pool);
    }
    return pool;
  }

  private habitPool(
    life: Life,
    cat: string,
    metroTag: string,
    localShare: number,
  ): { chains: Merchant[]; locals: Merchant[]; share: number } {
    const chains = this.chainPool(life, cat, metroTag);
    const locals = metroTag === life.metro.tag ? (life.locals.get(cat) ?? []) : [];
    return { chains, locals, share: locals.length ? (chains.length ? localShare : 1) : 0 };
  }

  private billPool(life: Life, cat: string): Merchant[] {
    return catalogueMerchants(life.region, cat).filter(
      (m) => (m.bill || m.subscription) && !m.unusual && inMetro(m, life.metro.tag),
    );
  }

  private subscriptionPool(life: Life): Merchant[] {
    const out: Merchant[] = [];
    for (const cat of [
      'ENTERTAINMENT_TV_AND_MOVIES',
      'ENTERTAINMENT_MUSIC_AND_AUDIO',
      'ENTERTAINMENT_VIDEO_GAMES',
      'GENERAL_SERVICES_OTHER_GENERAL_SERVICES',
      'PERSONAL_CARE_OTHER_PERSONAL_CARE',
      'GENERAL_MERCHANDISE_BOOKSTORES_AND_NEWSSTANDS',
      'HOME_IMPROVEMENT_SECURITY',
      'GENERAL_SERVICES_EDUCATION',
    ]) {
      for (const m of catalogueMerchants(life.region, cat))
        if (m.subscription && m.online && !m.bill) out.push(m);
    }
    if (this.persona === 'freelancer' && life.home) {
      for (const m of catalogueMerchants(life.region, 'GENERAL_SERVICES_ACCOUNTING_AND_FINANCIAL_PLANNING'))
        if (m.subscription) out.push(m);
    }
    return out;
  }

  /** The user's regular merchants for a habit and category (chosen once, Zipf-weighted use). */
  private favorite(
    life: Life,
    pattern: string,
    cat: string,
    pool: readonly Merchant[],
    count: number,
  ): Merchant {
    const key = `${pattern}|${cat}`;
    let favs = life.favorites.get(key);
    if (!favs) {
      favs = this.rng.shuffle(pool).slice(0, Math.max(1, count));
      life.favorites.set(key, favs);
    }
    const weights = favs.map((_, i) => 1 / (i + 1));
    return favs[this.rng.weighted(weights)] as Merchant;
  }

  private pickMerchant(life: Life, habit: Habit, cat: string, loc: Loc): Merchant | null {
    const rng = this.rng;
    const onTrip = loc.trip !== null && loc.region === life.region;
    const metroTag = onTrip ? loc.metro.tag : life.metro.tag;
    const { chains, locals, share } = this.habitPool(life, cat, metroTag, habit.local);
    if (!chains.length && !locals.length) return null;
    const explore = onTrip ? 0.5 : habit.explore;
    if (rng.chance(explore)) {
      if (locals.length && rng.chance(share)) return rng.pick(locals);
      return chains.length ? rng.pick(chains) : rng.pick(locals);
    }
    const key = `${habit.pattern}|${cat}|${onTrip ? metroTag : ''}`;
    let favs = life.favorites.get(key);
    if (!favs) {
      favs = [];
      const n = Math.max(1, habit.favorites);
      const localN = Math.round(n * share);
      favs.push(...rng.shuffle(locals).slice(0, localN));
      favs.push(...rng.shuffle(chains).slice(0, n - Math.min(localN, locals.length)));
      if (!favs.length) favs.push(...(chains.length ? chains : locals).slice(0, 1));
      favs = rng.shuffle(favs);
      life.favorites.set(key, favs);
    }
    const weights = favs.map((_, i) => 1 / (i + 1));
    return favs[rng.weighted(weights)] as Merchant;
  }

  // ------------------------------------------------------------------------------------------------ amounts

  private basket(m: Merchant): number {
    let b = this.baskets.get(m.key);
    if (b === undefined) {
      b = 0.8 + (0.45 * hashInts(this.seedHash, this.index, hashString(m.key))) / 4294967296;
      this.baskets.set(m.key, b);
    }
    return b;
  }

  private changeDay(m: Merchant): number {
    return Math.floor(this.o.days * (0.3 + (0.4 * hashString(m.key)) / 4294967296));
  }

  /** A positive amount in minor units, drawn from the merchant's distribution. */
  private drawAmount(m: Merchant, scale: number, day: number, rng: Rng = this.rng): number {
    const a = m.amount;
    let v: number;
    if (a.kind === 'menu') v = rng.pick(a.prices);
    else if (a.kind === 'step') v = day < this.changeDay(m) ? a.before : a.after;
    else {
      const z = clamp(rng.normal(), -2, 2);
      v = a.median * this.basket(m) * scale * Math.exp(a.sigma * z);
      v = m.region === 'IN' ? Math.round(v / 100) * 100 : Math.round(v);
    }
    return Math.max(m.region === 'IN' ? 1000 : 50, v);
  }

  private fixedAmount(m: Merchant, scale: number): number {
    const a = m.amount;
    if (a.kind === 'log') {
      const v = a.median * this.basket(m) * scale;
      return m.region === 'IN' ? Math.round(v / 10_000) * 10_000 : Math.round(v / 500) * 500;
    }
    if (a.kind === 'step') return a.before;
    return a.prices[0] as number;
  }

  // ------------------------------------------------------------------------------------------------ time

  private sec(windows: readonly (readonly [number, number])[], rng: Rng = this.rng): number {
    const lengths = windows.map(([a, b]) => b - a);
    const w = windows[rng.weighted(lengths)] as readonly [number, number];
    return Math.min(86_399, Math.floor((w[0] + rng.next() * (w[1] - w[0])) * HOUR));
  }

  private instant(slot: Slot, day: number, second: number): number {
    return zonedToUtc(REGION_INFO[SLOTS[slot]?.region ?? 'US'].timeZone, this.o.startDays + day, second);
  }

  // ------------------------------------------------------------------------------------------------ intents

  private intent(
    slot: Slot,
    day: number,
    second: number,
    amount: number,
    detailed: string,
    pattern: string,
  ): Intent {
    return {
      n: this.counter++,
      slot,
      day,
      ms: this.instant(slot, day, second),
      amount,
      detailed,
      merchant: null,
      merchantName: null,
      pattern,
      card: false,
      style: 'text',
      place: this.lives[SLOTS[slot]?.region ?? 'US'].place,
      description: '',
      pendingDescription: '',
      hold: null,
      purchase: false,
      anomaly: null,
      dupOf: null,
      pair: null,
      protect: false,
      first: false,
      droppable: false,
      recurring: false,
      refundable: false,
      refundOf: null,
      dropped: false,
      id: '',
    };
  }

  private storeNumber(m: Merchant, width: number): string {
    const key = `${m.key}|${width}`;
    let list = this.stores.get(key);
    if (!list) {
      const n = this.rng.int(1, 3);
      list = [];
      for (let i = 0; i < n; i++) list.push(`${this.rng.int(1, 9)}${this.rng.digits(width - 1)}`);
      this.stores.set(key, list);
    }
    return this.rng.pick(list);
  }

  /** Chooses the account and channel of a purchase in a country. */
  private channel(life: Life, m: Merchant, forced: Slot | null): { slot: Slot; style: Style } {
    const rng = this.rng;
    const region = life.region;
    if (region === 'US') {
      if (forced === Slot.A_CHK) return { slot: Slot.A_CHK, style: 'a_debit' };
      if (forced === Slot.A_CARD) return { slot: Slot.A_CARD, style: 'a_card' };
      const debit = m.online ? 0.1 : this.persona === 'student' ? 0.5 : 0.28;
      return rng.chance(debit)
        ? { slot: Slot.A_CHK, style: 'a_debit' }
        : { slot: Slot.A_CARD, style: 'a_card' };
    }
    if (region === 'GB') return { slot: Slot.B_CUR, style: 'b_debit' };
    if (forced === Slot.C_CARD) return { slot: Slot.C_CARD, style: 'c_card' };
    if (forced === Slot.C_SAV) return { slot: Slot.C_SAV, style: 'c_upi' };
    const r = rng.next();
    if (m.online)
      return r < 0.25
        ? { slot: Slot.C_SAV, style: 'c_paytm' }
        : r < 0.6
          ? { slot: Slot.C_CARD, style: 'c_card' }
          : { slot: Slot.C_SAV, style: 'c_upi' };
    return r < 0.68
      ? { slot: Slot.C_SAV, style: 'c_upi' }
      : r < 0.9
        ? { slot: Slot.C_CARD, style: 'c_card' }
        : { slot: Slot.C_SAV, style: 'c_debit' };
  }

  private describePurchase(it: Intent, m: Merchant, rng: Rng): void {
    const template = rng.pick(m.templates);
    const core = D.renderTemplate(template, rng, (w) => this.storeNumber(m, w), it.place);
    const card = this.cardStyle[it.slot] as D.CardStyle;
    switch (it.style) {
      case 'a_card': {
        const d = D.bankACard(core, it.place, m.online);
        it.description = d.posted;
        it.pendingDescription = d.pending;
        break;
      }
      case 'a_debit': {
        const d = D.bankADebit(core, it.place, m.online, card);
        it.description = d.posted;
        it.pendingDescription = d.pending;
        break;
      }
      case 'b_debit':
        it.description = it.pendingDescription = D.bankBDebit(core, it.place, m.online);
        break;
      case 'c_card':
        it.description = it.pendingDescription = D.bankCCard(core, it.place, m.online);
        break;
      case 'c_debit':
        it.description = it.pendingDescription = D.bankCDebit(core, card);
        break;
      case 'c_paytm':
        it.description = it.pendingDescription = D.paytm(core);
        break;
      case 'c_upi': {
        const c = civilFromDays(this.o.startDays + it.day);
        const doy = this.o.startDays + it.day - daysFromCivil(c.year, 1, 1) + 1;
        it.description = it.pendingDescription = D.upi('DR', D.upiRef(rng, c.year, doy), core, m.vpa);
        break;
      }
      case 'text':
        it.description = it.pendingDescription = core;
        break;
    }
  }

  /** A purchase at a merchant (amount positive), added to today's buffer (or the given list). */
  private purchase(
    life: Life,
    m: Merchant,
    amountAbs: number,
    day: number,
    pattern: string,
    second: number,
    opts: {
      loc: Loc;
      slot: Slot | null;
      anomaly?: AnomalyKind;
      recurring?: boolean;
      droppable?: boolean;
      into?: Intent[];
    },
  ): Intent {
    const { slot, style } = this.channel(life, m, opts.slot);
    const it = this.intent(slot, day, second, -amountAbs, m.detailed, pattern);
    it.merchant = m;
    it.merchantName = m.name;
    it.style = style;
    it.card =
      style === 'a_card' ||
      style === 'a_debit' ||
      style === 'b_debit' ||
      style === 'c_card' ||
      style === 'c_debit';
    it.place = opts.loc.region === life.region ? opts.loc.place : life.place;
    it.purchase = isPurchaseCategory(m.detailed);
    it.anomaly = opts.anomaly ?? null;
    it.recurring = opts.recurring ?? false;
    it.droppable = opts.droppable ?? false;
    it.refundable = m.refundable;
    if (it.card)
      it.hold = m.tipped ? 'tip' : m.fuel && life.region !== 'IN' ? 'fuel' : m.hold ? 'hold' : null;
    this.describePurchase(it, m, this.rng);
    (opts.into ?? this.buffer).push(it);
    return it;
  }

  private subscriptionCharge(life: Life, m: Merchant, day: number, amount: number, pattern: string): void {
    const slot = life.info.card ?? life.info.dep;
    const it = this.purchase(life, m, amount, day, pattern, this.sec([[0, 6]]), {
      loc: this.homeLoc(),
      slot,
      recurring: true,
    });
    it.hold = null;
  }

  /** A bill paid from the everyday account by ACH / direct debit / standing order / UPI bill pay / NACH. */
  private bill(life: Life, m: Merchant, day: number, amount: number, pattern: string): void {
    const rng = this.rng;
    const slot = life.info.dep;
    const it = this.intent(slot, day, this.sec([[1, 7]]), -amount, m.detailed, pattern);
    it.merchant = m;
    it.merchantName = m.name;
    it.purchase = isPurchaseCategory(m.detailed);
    it.recurring = true;
    const core = D.renderTemplate(rng.pick(m.templates), rng, (w) => this.storeNumber(m, w), life.place);
    const id = String(1_000_000_000 + (hashString(m.key) % 8_999_999_999));
    if (life.region === 'US') {
      const entry =
        pattern === 'rent' || pattern === 'mortgage'
          ? 'WEB PMTS'
          : pattern === 'insurance'
            ? 'INS PREM'
            : pattern === 'loan'
              ? 'LOAN PMT'
              : pattern === 'tax'
                ? 'TAX PYMT'
                : pattern === 'tuition' || pattern === 'childcare'
                  ? 'TUITION'
                  : 'BILL PYMT';
      it.description = D.achDebit(core, entry, pattern === 'rent' ? 'WEB' : 'PPD', id);
    } else if (life.region === 'GB') {
      it.description =
        pattern === 'rent'
          ? D.standingOrder(core, `FLAT ${rng.int(1, 40)}`)
          : D.directDebit(core, rng.chance(0.5) ? rng.digits(9) : null);
    } else {
      const ref = rng.digits(12);
      if (
        pattern === 'insurance' ||
        pattern === 'loan' ||
        pattern === 'mortgage' ||
        pattern === 'childcare' ||
        pattern === 'tuition'
      ) {
        it.description = D.nach(core, rng.digits(10));
      } else if (pattern === 'rent' || rng.chance(0.4)) {
        const c = civilFromDays(this.o.startDays + day);
        it.description = D.upi(
          'DR',
          D.upiRef(rng, c.year, this.o.startDays + day - daysFromCivil(c.year, 1, 1) + 1),
          core,
          m.vpa,
        );
      } else {
        it.description = D.billPay('BPAY', ref, core);
      }
    }
    it.pendingDescription = it.description;
    this.buffer.push(it);
  }

  private income(
    life: Life,
    slot: Slot,
    day: number,
    amount: number,
    detailed: string,
    who: string | null,
    pattern: string,
    canonical?: string,
  ): void {
    const rng = this.rng;
    const it = this.intent(slot, day, this.sec([[2, 7]]), amount, detailed, pattern);
    it.merchantName = canonical ?? (who === null ? null : titleCase(who));
    it.protect = true;
    const region = life.region;
    const c = civilFromDays(this.o.startDays + day);
    const id = String(1_000_000_000 + (((hashString(who ?? pattern) ^ this.seedHash) >>> 0) % 8_999_999_999));
    let text: string;
    if (pattern === 'interest') {
      text =
        region === 'US'
          ? 'INTEREST PAYMENT'
          : region === 'GB'
            ? 'INTEREST PAID'
            : `Int.Pd:${this.accounts[slot]?.mask}:${D.ddmmyyyy(c.year, c.month, 1)} to ${D.ddmmyyyy(c.year, c.month, c.day)}`;
    } else if (pattern === 'freelance_payout') {
      text =
        region === 'US'
          ? `STRIPE PAYOUT ST-${rng.alnum(12)}`
          : region === 'GB'
            ? D.bacsCredit('STRIPE PAYMENTS UK LTD', rng.alnum(8))
            : D.neftCredit(`YESB0000${rng.digits(3)}`, 'RAZORPAY SOFTWARE PVT', `PAYOUT ${rng.alnum(8)}`);
    } else if (pattern === 'student_loan') {
      text =
        region === 'US'
          ? D.achCredit('US DEPT OF ED', 'DISB', id)
          : D.bacsCredit('STUDENT LOANS CO', 'MAINT LOAN');
    } else if (pattern === 'tax_refund') {
      text =
        region === 'US'
          ? D.achCredit('IRS TREAS 310', 'TAX REF', '9111036036')
          : region === 'GB'
            ? D.bacsCredit('HMRC', 'PAYE REFUND')
            : D.neftCredit('SBIN0000001', 'ITD TAX REFUND', rng.digits(9));
    } else if (pattern === 'invoice') {
      text =
        region === 'US'
          ? `${who} PAYMENT CCD ID: ${id}`
          : region === 'GB'
            ? D.fpsIn(who ?? '', `INV ${rng.int(1000, 9999)}`)
            : D.neftCredit(`HDFC0000${rng.digits(3)}`, who ?? '', `INV ${rng.int(1000, 9999)}`);
    } else {
      // Wages.
      const entry =
        pattern === 'bonus' ? 'BONUS' : region === 'US' && rng.chance(0.3) ? 'DIR DEP' : 'PAYROLL';
      text =
        region === 'US'
          ? D.achCredit(who ?? '', entry, id)
          : region === 'GB'
            ? D.bacsCredit(who ?? '', pattern === 'bonus' ? 'BONUS' : 'SALARY')
            : D.neftCredit(
                `HDFC0000${String(hashString(who ?? '') % 1000).padStart(3, '0')}`,
                who ?? '',
                `${pattern === 'bonus' ? 'BONUS' : 'SALARY'} ${D.monthAbbrev(c.month)}`,
              );
    }
    it.description = it.pendingDescription = text;
    this.buffer.push(it);
  }

  private fee(
    life: Life,
    slot: Slot,
    day: number,
    amount: number,
    detailed: string,
    pattern: string,
    into?: Intent[],
  ): Intent {
    const it = this.intent(slot, day, this.sec([[0, 5]]), -amount, detailed, pattern);
    it.protect = true;
    const r = life.region;
    const text =
      pattern === 'service_fee'
        ? 'MONTHLY SERVICE FEE'
        : pattern === 'annual_fee'
          ? r === 'IN'
            ? 'ANNUAL FEE'
            : 'ANNUAL MEMBERSHIP FEE'
          : pattern === 'gst_on_fee'
            ? 'IGST ON ANNUAL FEE'
            : pattern === 'sms_charges'
              ? 'SMS CHGS QTR INCL GST'
              : pattern === 'atm_fee'
                ? r === 'US'
                  ? 'NON-BANK ATM FEE'
                  : 'ATM WDL CHGS INCL GST'
                : r === 'GB'
                  ? 'UNARRANGED OVERDRAFT FEE'
                  : 'OVERDRAFT FEE';
    it.description = it.pendingDescription = text;
    (into ?? this.buffer).push(it);
    return it;
  }

  private investment(life: Life, day: number, amount: number, broker: string): void {
    const it = this.intent(
      life.info.dep,
      day,
      this.sec([[2, 8]]),
      -amount,
      'TRANSFER_OUT_INVESTMENT_AND_RETIREMENT_FUNDS',
      'investment',
    );
    it.merchantName = titleCase(broker);
    it.protect = true;
    const id = String(1_000_000_000 + (hashString(broker) % 8_999_999_999));
    it.description = it.pendingDescription =
      life.region === 'US'
        ? D.achDebit(broker, 'TRANSFER', 'WEB', id)
        : life.region === 'GB'
          ? D.directDebit(broker, null)
          : D.nach(`${broker} SIP`, this.rng.digits(10));
    this.buffer.push(it);
  }

  private p2pIn(life: Life, day: number, amount: number, from: string, pattern: string): void {
    const it = this.intent(
      life.info.dep,
      day,
      this.sec([[8, 22]]),
      amount,
      'TRANSFER_IN_ACCOUNT_TRANSFER',
      pattern,
    );
    it.protect = true;
    this.describeP2p(it, life, from, 'in');
    this.buffer.push(it);
  }

  private p2pOut(life: Life, day: number, amount: number, to: string, pattern: string): void {
    const it = this.intent(
      life.info.dep,
      day,
      this.sec([[9, 23]]),
      -amount,
      'TRANSFER_OUT_ACCOUNT_TRANSFER',
      pattern,
    );
    it.protect = true;
    this.describeP2p(it, life, to, 'out');
    this.buffer.push(it);
  }

  private describeP2p(it: Intent, life: Life, who: string, dir: 'in' | 'out'): void {
    const rng = this.rng;
    const c = civilFromDays(this.o.startDays + it.day);
    if (life.region === 'US') {
      const title = titleCase(who);
      it.description = rng.chance(0.6)
        ? dir === 'out'
          ? `Zelle payment to ${title} JPM${rng.alnum(9)}`
          : `Zelle payment from ${title} BAC${rng.alnum(9)}`
        : dir === 'out'
          ? D.achDebit('VENMO', 'PAYMENT', 'WEB', '3264681992')
          : D.achCredit('VENMO', 'CASHOUT', '5264681992');
    } else if (life.region === 'GB') {
      it.description =
        dir === 'out'
          ? D.fpsOut(who, rng.pick(['DINNER', 'THANKS', 'RENT SHARE', 'TICKETS', 'GIFT']))
          : D.fpsIn(who, rng.pick(['THANKS', 'DINNER', 'GIFT', 'SUPPORT']));
    } else {
      const first = who.split(' ')[0]?.toLowerCase() ?? 'user';
      const vpa = `${first}${rng.digits(2)}@ok${rng.pick(['hdfcbank', 'axis', 'icici', 'sbi'])}`;
      const doy = this.o.startDays + it.day - daysFromCivil(c.year, 1, 1) + 1;
      it.description = D.upi(dir === 'out' ? 'DR' : 'CR', D.upiRef(rng, c.year, doy), who, vpa);
    }
    it.pendingDescription = it.description;
  }

  /**
   * Money between two of the user's own accounts: two legs, opposite signs, paired. Same bank: both legs at once;
   * another bank: the incoming leg a day later. Another currency: converted at the day's rate.
   */
  private transfer(
    from: Slot,
    to: Slot,
    amountFrom: number,
    day: number,
    pattern: string,
    second?: number,
  ): void {
    if (amountFrom <= 0) return;
    const rng = this.rng;
    const fromInfo = SLOTS[from] as (typeof SLOTS)[number];
    const toInfo = SLOTS[to] as (typeof SLOTS)[number];
    const fromRegion = REGION_INFO[fromInfo.region];
    const toRegion = REGION_INFO[toInfo.region];
    const amountTo = convert(amountFrom, fromRegion.currency, toRegion.currency, day);
    if (amountTo <= 0) return;
    const sameBank = fromInfo.bank === toInfo.bank;
    const at = second ?? this.sec([[6, 22]]);
    const out = this.intent(from, day, at, -amountFrom, '', pattern);
    const inDay = sameBank ? day : day + 1;
    const inn = this.intent(
      to,
      inDay,
      sameBank ? Math.min(86_399, at + 1) : this.sec([[5, 12]]),
      amountTo,
      '',
      pattern,
    );
    const toCard = toInfo.type === 'credit';
    const toSavings = toInfo.subtype === 'savings' && fromInfo.bank === toInfo.bank;
    out.detailed = toCard
      ? 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'
      : toSavings
        ? 'TRANSFER_OUT_SAVINGS'
        : 'TRANSFER_OUT_ACCOUNT_TRANSFER';
    inn.detailed = toCard
      ? 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'
      : toSavings
        ? 'TRANSFER_IN_SAVINGS'
        : 'TRANSFER_IN_ACCOUNT_TRANSFER';
    out.pair = inn;
    inn.pair = out;
    out.protect = inn.protect = true;
    const fromMask = this.accounts[from]?.mask ?? '0000';
    const toMask = this.accounts[to]?.mask ?? '0000';
    const ref = rng.digits(11);
    const wise = rng.alnum(9);
    if (toCard) {
      if (fromInfo.bank === 'bank_a') {
        out.description = `ONLINE PAYMENT TO CARD ...${toMask} CONF# ${rng.alnum(8)}`;
        inn.description = rng.chance(0.5) ? 'AUTOMATIC PAYMENT - THANK YOU' : 'PAYMENT THANK YOU-MOBILE';
      } else {
        out.description = D.billPay('ONL', rng.digits(12), `CREDIT CARD ${toMask}`);
        inn.description = 'BBPS PAYMENT RECEIVED - THANK YOU';
      }
    } else if (sameBank) {
      if (fromInfo.bank === 'bank_a') {
        const f = fromInfo.subtype === 'savings' ? 'SAV' : 'CHK';
        const t = toInfo.subtype === 'savings' ? 'SAV' : 'CHK';
        out.description = `ONLINE TRANSFER TO ${t} ...${toMask} TRANSACTION#: ${ref}`;
        inn.description = `ONLINE TRANSFER FROM ${f} ...${fromMask} TRANSACTION#: ${ref}`;
      } else {
        out.description = `TRANSFER TO ${(this.accounts[to]?.name ?? '').toUpperCase()} ${toMask}`;
        inn.description = `TRANSFER FROM ${(this.accounts[from]?.name ?? '').toUpperCase()} ${fromMask}`;
      }
    } else {
      // Cross-border: through Wise, in each bank's words.
      out.description =
        fromInfo.bank === 'bank_a'
          ? D.achDebit('WISE US INC', 'WISE', 'WEB', '1453233521')
          : fromInfo.bank === 'bank_b'
            ? D.fpsOut('WISE PAYMENTS LTD', `P${wise}`)
            : `INTL OUTWARD REMIT/WISE/${wise}`;
      inn.description =
        toInfo.bank === 'bank_a'
          ? D.achCredit('WISE US INC', 'WISE', '1453233521')
          : toInfo.bank === 'bank_b'
            ? D.fpsIn('WISE PAYMENTS LTD', `P${wise}`)
            : D.neftCredit('CITI0000002', 'WISE PAYMENTS LIMITED', wise);
    }
    out.pendingDescription = out.description;
    inn.pendingDescription = inn.description;
    this.buffer.push(out);
    if (inDay === day) this.buffer.push(inn);
    else this.later(inDay, inn);
  }

  private later(day: number, it: Intent): void {
    if (day >= this.o.days) {
      // Past the period: it still happens (both legs of a transfer exist), outside daily bookkeeping.
      this.intents.push(it);
      return;
    }
    const list = this.future.get(day);
    if (list) list.push(it);
    else this.future.set(day, [it]);
  }

  // ------------------------------------------------------------------------------------------------ the day loop

  run(): GeneratedUser {
    for (let d = 0; d < this.o.days; d++) this.day(d);
    return this.finish();
  }

  private day(d: number): void {
    this.buffer = [];
    const due = this.agenda.get(d);
    if (due) for (const fn of due) fn();
    const fut = this.future.get(d);
    if (fut) this.buffer.push(...fut);
    this.habits(d);
    this.cash(d);
    const spikeSlot = this.spikeDays.get(d);
    let spiked = false;
    if (spikeSlot !== undefined) spiked = this.spike(d, spikeSlot);
    const buffer = this.buffer;
    buffer.sort((a, b) => a.ms - b.ms || a.n - b.n);
    this.spikeGuard(d, buffer, spiked ? spikeSlot : undefined);
    for (const it of buffer) this.commit(it, d);
    this.buffer = [];
    const kinds = this.anomalyDays.get(d);
    if (kinds) for (const k of kinds) this.anomaly(d, k);
    this.treasury(d);
  }

  private habits(d: number): void {
    const rng = this.rng;
    const c = civilFromDays(this.o.startDays + d);
    const wd = weekday(this.o.startDays + d);
    const loc = this.where[d] as Loc;
    for (const region of REGIONS) {
      const life = this.lives[region];
      const here = loc.region === region;
      for (const h of HABITS) {
        if (h.needs === 'car' && !this.traits.car && !(here && loc.trip)) continue;
        if (h.needs === 'pet' && !this.traits.pet) continue;
        if (h.needs === 'gambler' && !this.traits.gambler) continue;
        if (h.needs === 'smoker' && !this.traits.smoker) continue;
        let factor: number;
        if (here) factor = loc.trip ? h.travel : 1;
        else if (region === this.home) factor = h.pattern === 'online_shopping' ? 0.6 : 0.03;
        else factor = h.travel > 0 && h.pattern !== 'transit' && h.pattern !== 'fuel' ? 0.1 : 0;
        if (factor <= 0) continue;
        const mean =
          h.rate[this.persona] * (h.dow[wd] as number) * (h.months[c.month - 1] as number) * factor;
        const count = rng.poisson(mean);
        for (let i = 0; i < count; i++) {
          const cat = (h.cats[rng.weighted(h.cats.map((x) => x[1]))] as readonly [string, number])[0];
          let m = this.pickMerchant(life, h, cat, loc);
          if (!m) continue;
          const scale = h.scale?.[this.persona] ?? 1;
          let amount = this.drawAmount(m, scale, d);
          // Keep first visits after the warm-up small (new-merchant rule): prefer a regular merchant instead.
          const min = ANOMALY_RULES.newMerchantMin[life.info.currency] ?? 0;
          if (
            d >= WARMUP &&
            !this.seen.has(this.mkey(m)) &&
            amount >= NEW_GUARD * min &&
            isPurchaseCategory(cat)
          ) {
            const favs = life.favorites.get(`${h.pattern}|${cat}|`) ?? [];
            const known = favs.filter((f) => this.seen.has(this.mkey(f)));
            if (known.length) {
              m = rng.pick(known);
              amount = this.drawAmount(m, scale, d);
            }
          }
          const second = this.sec(h.hours);
          const it = this.purchase(life, m, amount, d, h.pattern, second, {
            loc,
            slot: null,
            droppable: true,
          });
          // Two identical purchases on one day (the morning and the afternoon coffee): not duplicates.
          if (m.quick && rng.chance(0.12) && second < 18 * HOUR) {
            const again: Intent = {
              ...it,
              n: this.counter++,
              ms: this.instant(it.slot, d, second + rng.int(2 * HOUR, 5 * HOUR)),
            };
            if (it.style === 'c_upi') this.describePurchase(again, m, rng);
            again.droppable = false;
            it.protect = again.protect = true;
            this.buffer.push(again);
          }
          if (m.refundable && rng.chance(0.05)) {
            const back = d + rng.int(3, 20);
            if (back < this.o.days)
              this.refundLater(it, back, rng.chance(0.7) ? amount : Math.round(amount * rng.range(0.2, 0.8)));
          }
        }
      }
    }
    // Person-to-person payments at home.
    const home = this.lives[this.home];
    const friend = () =>
      `${rng.pick(FIRST_NAMES[this.home])} ${rng.pick(LAST_NAMES[this.home])}`.toUpperCase();
    const p2pScale = this.home === 'IN' ? 40 : 1;
    if (rng.chance(0.04))
      this.p2pOut(home, d, Math.round(rng.range(10, 120) * 100 * p2pScale), friend(), 'p2p');
    if (rng.chance(0.03))
      this.p2pIn(home, d, Math.round(rng.range(10, 90) * 100 * p2pScale), friend(), 'p2p');
    if (this.home === 'US' && rng.chance(0.01)) {
      const it = this.intent(
        Slot.A_CHK,
        d,
        this.sec([[9, 20]]),
        rng.int(50, 600) * 100,
        'TRANSFER_IN_DEPOSIT',
        'deposit',
      );
      it.description = it.pendingDescription = `REMOTE ONLINE DEPOSIT # ${rng.int(1, 9)}`;
      it.protect = true;
      this.buffer.push(it);
    }
  }

  private refundLater(orig: Intent, day: number, amountAbs: number): void {
    const it = this.intent(orig.slot, day, this.sec([[6, 22]]), amountAbs, orig.detailed, 'refund');
    it.merchant = orig.merchant;
    it.merchantName = orig.merchantName;
    it.card = orig.card;
    it.style = orig.style;
    it.place = orig.place;
    it.description =
      orig.style === 'c_upi' ? orig.description.replace('UPI/DR/', 'UPI/CR/') : orig.description;
    it.pendingDescription = orig.style === 'c_upi' ? it.description : orig.pendingDescription;
    it.protect = true;
    it.refundOf = orig;
    orig.protect = true;
    this.later(day, it);
  }

  /** ATM withdrawals (and their fees). */
  private cash(d: number): void {
    const rng = this.rng;
    const loc = this.where[d] as Loc;
    const life = this.lives[loc.region];
    const r = loc.region;
    const rateByRegion = r === 'US' ? 0.03 : r === 'GB' ? 0.04 : 0.06;
    if (!rng.chance(rateByRegion * (this.persona === 'student' ? 1.4 : 1))) return;
    const slot = life.info.dep;
    const amounts =
      r === 'US'
        ? [4000, 6000, 8000, 10_000, 14_000, 20_000]
        : r === 'GB'
          ? [2000, 3000, 5000, 10_000]
          : [50_000, 100_000, 200_000, 300_000, 500_000];
    let amount = rng.pick(amounts);
    const outOfNetwork = r === 'US' && rng.chance(0.35);
    if (outOfNetwork) amount += rng.int(250, 399);
    const it = this.intent(slot, d, this.sec([[8, 23]]), -amount, 'TRANSFER_OUT_WITHDRAWAL', 'atm');
    const c = civilFromDays(this.o.startDays + d);
    const place = loc.place;
    it.place = place;
    it.protect = true;
    it.description = it.pendingDescription =
      r === 'US'
        ? `${outOfNetwork ? 'NON-BANK ' : ''}ATM WITHDRAWAL ${rng.digits(6)} ${D.mmdd(c.month, c.day)} ${rng.int(1, 999)} ${rng.pick(['BROADWAY', 'MAIN ST', 'MARKET ST', '5TH AVE', 'STATE ST', 'PINE ST'])} ${place.city} ${place.state}`
        : r === 'GB'
          ? `CASH WITHDRAWAL ${rng.pick(['LINK', 'NOTEMACHINE', 'BANK OF SCOTLAND', 'HSBC'])} ${place.city}`
          : `ATM WDL/${rng.alnum(8)}/${place.city}`;
    this.buffer.push(it);
    if (outOfNetwork) this.fee(life, slot, d, 300, 'BANK_FEES_ATM_FEES', 'atm_fee');
    if (r === 'IN') {
      const key = `${c.year}-${c.month}`;
      const n = (this.atmCount.get(key) ?? 0) + 1;
      this.atmCount.set(key, n);
      if (n > 5) this.fee(life, slot, d, 2360, 'BANK_FEES_ATM_FEES', 'atm_fee');
    }
  }

  private mkey(m: Merchant): string {
    return `${m.name}|${REGION_INFO[m.region].currency}`;
  }

  private visitKey(slot: Slot, m: Merchant): string {
    return `${slot}|${this.mkey(m)}`;
  }

  private visitedWithin(slot: Slot, m: Merchant, ms: number, window: number, except?: number): boolean {
    const list = this.visits.get(this.visitKey(slot, m));
    if (!list) return false;
    for (let i = list.length - 1; i >= 0; i--) {
      const v = list[i] as number;
      if (v === except) continue;
      if (Math.abs(v - ms) <= window) return true;
      if (v < ms - window - DAY_MS) break;
    }
    return false;
  }

  private baseline(slot: Slot, d: number): number {
    const totals = this.daily[slot] as number[];
    let sum = 0;
    for (let i = Math.max(0, d - ANOMALY_RULES.spike.windowDays); i < d; i++) sum += totals[i] as number;
    return sum / ANOMALY_RULES.spike.windowDays;
  }

  /** Ordinary days stay clear of the spike rule: drop habit purchases while a day looks like a burst. */
  private spikeGuard(d: number, buffer: Intent[], spikeSlot: Slot | undefined): void {
    if (d < WARMUP) return;
    for (let s = 0; s < SLOT_COUNT; s++) {
      const slot = s as Slot;
      if (slot === spikeSlot) continue;
      const base = this.baseline(slot, d);
      for (;;) {
        let total = 0;
        let count = 0;
        let drop = -1;
        for (let i = 0; i < buffer.length; i++) {
          const it = buffer[i] as Intent;
          if (it.slot !== slot || !it.purchase || it.anomaly !== null || it.amount >= 0) continue;
          total -= it.amount;
          count++;
          if (it.droppable && (drop < 0 || it.amount < (buffer[drop] as Intent).amount)) drop = i;
        }
        if (count < SPIKE_GUARD_COUNT || total < SPIKE_GUARD * base || drop < 0) break;
        (buffer[drop] as Intent).dropped = true;
        buffer.splice(drop, 1);
      }
    }
  }

  private commit(it: Intent, d: number): void {
    const m = it.merchant;
    if (it.refundOf && it.refundOf.dropped) return;
    if (m && it.purchase && it.amount < 0 && it.anomaly === null) {
      if (this.visitedWithin(it.slot, m, it.ms, DUP_WINDOW)) {
        it.dropped = true;
        return;
      }
      const key = this.mkey(m);
      const min = ANOMALY_RULES.newMerchantMin[REGION_INFO[m.region].currency] ?? 0;
      if (!this.seen.has(key)) {
        it.first = true;
        it.protect = true;
        if (d >= WARMUP && -it.amount >= NEW_GUARD * min)
          it.amount = -this.roundFor(m, NEW_GUARD * min * this.rng.range(0.4, 0.9));
      }
      const h = this.history.get(key);
      if (h && h.sorted.length >= ANOMALY_RULES.outlier.minHistory) {
        const med = medianOf(h.sorted);
        if (-it.amount > OUTLIER_GUARD * med)
          it.amount = -Math.max(1, this.roundFor(m, med * this.rng.range(1, 2.5)));
      }
    }
    if (m) {
      const key = this.mkey(m);
      this.seen.add(key);
      const vk = this.visitKey(it.slot, m);
      const list = this.visits.get(vk);
      if (list) list.push(it.ms);
      else this.visits.set(vk, [it.ms]);
      if (it.purchase && it.amount < 0 && it.anomaly === null) {
        let h = this.history.get(key);
        if (!h) {
          h = { sorted: [], entries: [], merchant: m };
          this.history.set(key, h);
        }
        insertSorted(h.sorted, -it.amount);
        h.entries.push({ ms: it.ms, abs: -it.amount, slot: it.slot });
        const totals = this.daily[it.slot] as number[];
        totals[it.day] = (totals[it.day] as number) - it.amount;
      }
    }
    this.balances[it.slot] = (this.balances[it.slot] as number) + it.amount;
    this.intents.push(it);
  }

  private roundFor(m: Merchant, v: number): number {
    return m.region === 'IN' ? Math.max(100, Math.round(v / 100) * 100) : Math.max(1, Math.round(v));
  }

  // ------------------------------------------------------------------------------------------------ anomalies

  /**
   * Labels a burst day: the day's purchases on the account plus a burst at known merchants. Purchases that a guard
   * would later trim (a big first visit, an amount far above the merchant's usual, a repeat within the duplicate
   * window) are dropped first, so that what is labelled is exactly what is committed.
   */
  private spike(d: number, slot: Slot): boolean {
    const arng = this.arng;
    const region = SLOTS[slot]?.region ?? this.home;
    const life = this.lives[region];
    const currency = life.info.currency;
    const mine = (it: Intent) => it.slot === slot && it.purchase && it.amount < 0 && it.anomaly === null;
    if (this.buffer.some((it) => mine(it) && it.recurring)) return false;
    const minNew = ANOMALY_RULES.newMerchantMin[currency] ?? 0;
    const kept: Intent[] = [];
    const risky = (it: Intent): boolean => {
      const m = it.merchant as Merchant;
      const key = this.mkey(m);
      if (!this.seen.has(key) && -it.amount >= NEW_GUARD * minNew * 0.9) return true;
      const h = this.history.get(key);
      if (h && h.sorted.length >= 1 && -it.amount > 2.5 * medianOf(h.sorted)) return true;
      if (this.visitedWithin(slot, m, it.ms, DUP_WINDOW)) return true;
      return kept.some((k) => k.merchant === m && Math.abs(k.ms - it.ms) <= DUP_WINDOW);
    };
    const candidatesToday = this.buffer.filter(mine).sort((a, b) => a.ms - b.ms || a.n - b.n);
    for (const it of candidatesToday) {
      if (risky(it)) {
        it.dropped = true;
        this.buffer.splice(this.buffer.indexOf(it), 1);
      } else kept.push(it);
    }
    const base = this.baseline(slot, d);
    const minTotal = ANOMALY_RULES.spike.minTotal[currency] ?? 0;
    const target = Math.max(5 * base, 1.3 * minTotal);
    let total = kept.reduce((sum, it) => sum - it.amount, 0);
    let count = kept.length;
    const known = [...this.history.values()].filter(
      (h) =>
        h.merchant.region === region &&
        !h.merchant.subscription &&
        !h.merchant.bill &&
        isPurchaseCategory(h.merchant.detailed) &&
        !kept.some((k) => k.merchant === h.merchant),
    );
    const candidates = arng.shuffle(known).sort((a, b) => medianOf(b.sorted) - medianOf(a.sorted));
    const burst: Intent[] = [];
    const loc = this.where[d] as Loc;
    for (const h of candidates) {
      if ((total >= target && count >= 7) || burst.length >= 16) break;
      const m = h.merchant;
      const second = this.sec([[10, 21]], arng);
      const ms = this.instant(slot, d, second);
      if (this.visitedWithin(slot, m, ms, DUP_WINDOW)) continue;
      const med = medianOf(h.sorted);
      let amount = this.drawAmount(m, 1, d, arng);
      if (amount > 2 * med) amount = this.roundFor(m, med * 2);
      const it = this.purchase(life, m, amount, d, 'spike_burst', second, {
        loc,
        slot,
        anomaly: 'spend_spike',
        into: burst,
      });
      if (it.slot !== slot) {
        burst.pop();
        continue;
      }
      it.protect = true;
      total += amount;
      count++;
    }
    if (total < target || count < 7) return false;
    for (const it of kept) {
      it.anomaly = 'spend_spike';
      it.protect = true;
    }
    this.buffer.push(...burst);
    return true;
  }

  private anomaly(d: number, kind: AnomalyKind): void {
    const arng = this.arng;
    const loc = this.where[d] as Loc;
    if (kind === 'amount_outlier') {
      const candidates = [...this.history.values()].filter(
        (h) =>
          h.sorted.length >= 8 &&
          !h.merchant.subscription &&
          !h.merchant.bill &&
          h.merchant.region === loc.region,
      );
      if (!candidates.length) return;
      const h = arng.pick(candidates);
      const m = h.merchant;
      const life = this.lives[m.region];
      const slot = (h.entries[h.entries.length - 1] as { slot: Slot }).slot;
      const second = this.sec([[10, 21]], arng);
      const ms = this.instant(slot, d, second);
      const prior = h.entries.filter((e) => e.ms < ms).map((e) => e.abs);
      if (prior.length < ANOMALY_RULES.outlier.minHistory) return;
      prior.sort((a, b) => a - b);
      // Far above the upper quartile and the maximum, so the label holds even if a prior purchase is later removed.
      const q75 = prior[Math.floor(prior.length * 0.75)] as number;
      const max = prior[prior.length - 1] as number;
      const amount = this.roundFor(m, Math.max(q75 * arng.range(6, 9), max * arng.range(2.5, 3)));
      if (this.visitedWithin(slot, m, ms, DUP_WINDOW)) return;
      const it = this.purchase(life, m, amount, d, 'outlier', second, {
        loc,
        slot,
        anomaly: 'amount_outlier',
        into: [],
      });
      if (it.slot !== slot) return;
      it.protect = true;
      this.commit(it, d);
    } else if (kind === 'new_merchant') {
      const life = this.lives[loc.region];
      const pool: Merchant[] = [];
      for (const cat of [
        'GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES',
        'GENERAL_MERCHANDISE_ELECTRONICS',
        'GENERAL_MERCHANDISE_DEPARTMENT_STORES',
        'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE',
        'HOME_IMPROVEMENT_FURNITURE',
      ]) {
        for (const m of catalogueMerchants(loc.region, cat))
          if (m.unusual && !this.seen.has(this.mkey(m)) && !this.usedUnusual.has(m.key)) pool.push(m);
      }
      if (!pool.length) return;
      const m = arng.pick(pool);
      this.usedUnusual.add(m.key);
      const min = ANOMALY_RULES.newMerchantMin[life.info.currency] ?? 0;
      const amount = this.roundFor(m, Math.max(this.drawAmount(m, 1, d, arng), min * arng.range(1.5, 3)));
      const slot = life.info.card ?? life.info.dep;
      const it = this.purchase(life, m, amount, d, 'new_merchant', this.sec([[11, 20]], arng), {
        loc,
        slot,
        anomaly: 'new_merchant',
        into: [],
      });
      it.protect = true;
      it.first = true;
      this.commit(it, d);
    } else if (kind === 'duplicate_charge') {
      const today = this.intents.filter(
        (it) =>
          it.day === d &&
          it.purchase &&
          it.anomaly === null &&
          it.amount < 0 &&
          it.merchant !== null &&
          !it.protect &&
          !it.recurring,
      );
      for (const orig of arng.shuffle(today)) {
        const m = orig.merchant as Merchant;
        const ms = orig.ms + arng.int(60, 600) * 1000;
        const localSecond = Math.floor((ms - this.instant(orig.slot, d, 0)) / 1000);
        if (localSecond >= 86_400) continue;
        if (
          this.visitedWithin(orig.slot, m, ms, DUP_WINDOW, orig.ms) ||
          this.visitedWithin(orig.slot, m, orig.ms, DUP_WINDOW, orig.ms)
        )
          continue;
        const dup = this.intent(orig.slot, d, localSecond, orig.amount, orig.detailed, orig.pattern);
        dup.ms = ms;
        dup.merchant = m;
        dup.merchantName = orig.merchantName;
        dup.card = orig.card;
        dup.style = orig.style;
        dup.place = orig.place;
        dup.purchase = true;
        dup.hold = orig.hold === 'tip' ? null : orig.hold;
        dup.anomaly = 'duplicate_charge';
        dup.dupOf = orig;
        dup.protect = orig.protect = true;
        if (orig.style === 'c_upi' || orig.style === 'c_paytm') this.describePurchase(dup, m, arng);
        else {
          dup.description = orig.description;
          dup.pendingDescription = orig.pendingDescription;
        }
        this.commit(dup, d);
        return;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ treasury

  /** End of day: keep everyday accounts funded, sweep surpluses, charge overdrafts. */
  private treasury(d: number): void {
    this.buffer = [];
    for (const region of REGIONS) {
      const info = REGION_INFO[region];
      const dep = info.dep;
      const bal = this.balances[dep] as number;
      const life = this.lives[region];
      if (bal < info.floor) {
        const need = info.floor * 3 - bal;
        if (info.savings !== null && (this.balances[info.savings] as number) >= need + info.floor) {
          this.transfer(info.savings, dep, need, d, 'top_up', this.sec([[20, 23]]));
        } else {
          let best: Slot | null = null;
          let bestAvail = 0;
          for (const s of SLOTS) {
            if (s.region === region || s.type !== 'depository') continue;
            const sInfo = REGION_INFO[s.region];
            const avail = (this.balances[s.slot] as number) - 2 * sInfo.floor;
            const availHere = convert(Math.max(0, avail), sInfo.currency, info.currency, d);
            if (availHere >= need && availHere > bestAvail) {
              best = s.slot;
              bestAvail = availHere;
            }
          }
          if (best !== null) {
            const sInfo = REGION_INFO[SLOTS[best]?.region ?? 'US'];
            this.transfer(
              best,
              dep,
              convert(need, info.currency, sInfo.currency, d) + 1,
              d,
              'top_up',
              this.sec([[20, 23]]),
            );
          } else if (bal < 0 && region !== 'IN' && d - this.lastOverdraftDay >= 7) {
            this.lastOverdraftDay = d;
            this.fee(life, dep, d, region === 'US' ? 3400 : 500, 'BANK_FEES_OVERDRAFT_FEES', 'overdraft');
          }
        }
      } else if (life.home && info.savings !== null && bal > info.floor * 20 && this.rng.chance(0.25)) {
        const sweep = Math.floor((bal - info.floor * 10) / 10_000) * 10_000;
        if (sweep > 0) this.transfer(dep, info.savings, sweep, d, 'savings', this.sec([[20, 23]]));
      }
    }
    const buffer = this.buffer;
    buffer.sort((a, b) => a.ms - b.ms || a.n - b.n);
    for (const it of buffer) this.commit(it, d);
    this.buffer = [];
  }

  // ------------------------------------------------------------------------------------------------ life cycles

  private finish(): GeneratedUser {
    const intents = this.intents.sort((a, b) => a.ms - b.ms || a.n - b.n);
    const seedTag = hexPad(this.seedHash, 6);
    for (let i = 0; i < intents.length; i++)
      (intents[i] as Intent).id = `txn_${seedTag}_${this.index}_${String(i).padStart(6, '0')}`;
    const transactions: GeneratedTransaction[] = [];
    const ctx: LifecycleContext = {
      options: this.o,
      rng: this.lrng,
      seedHash: this.seedHash,
      index: this.index,
      accounts: this.accounts,
      dates: this.dates,
    };
    for (let i = 0; i < intents.length; i++)
      transactions.push(buildTransaction(intents[i] as Intent, i, ctx));
    return {
      key: `u${this.index}`,
      index: this.index,
      persona: this.persona,
      name: this.name,
      accounts: this.accounts,
      transactions,
    };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
