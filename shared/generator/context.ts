/**
 * The state of one user's generation (UserContext) and how it starts: persona, traits and name, a life in each
 * country (metro, city, local shops) and the accounts with their opening balances.
 */
import { chainMerchants, type Merchant, type Region, REGIONS } from './merchants';
import { localCategories, makeLocalMerchants } from './merchants-local';
import type * as D from './describe';
import type { Intent, NormalizedOptions } from './intent';
import { FIRST_NAMES, LAST_NAMES } from './names';
import { PERSONAS } from './personas';
import { hashInts, hexPad, Rng } from './prng';
import { type Metro, REGION_INFO, type RegionInfo, type Slot, SLOT_COUNT, SLOTS } from './regions';
import { formatIsoDate } from './time';
import type { AnomalyKind, GeneratedAccount, PersonaKind } from './types';

/** Where the user is on a day: at home, or on a trip (then `trip` says which). */
export interface Loc {
  region: Region;
  metro: Metro;
  place: D.Place;
  trip: Trip | null;
}

/** A trip: days `start`..`end` (inclusive) in another metro of the home country or in another country. */
export interface Trip {
  start: number;
  end: number;
  region: Region;
  metro: Metro;
  place: D.Place;
  domestic: boolean;
}

/** The user's life in one country: its metro and city, local shops, regular merchants and cached pools. */
export interface Life {
  info: RegionInfo;
  region: Region;
  home: boolean;
  metro: Metro;
  place: D.Place;
  locals: Map<string, Merchant[]>;
  favorites: Map<string, Merchant[]>;
  pools: Map<string, Merchant[]>;
}

/** What the user has bought at one merchant (keyed by name and currency): the anomaly guards read it. */
export interface MerchantHistory {
  /** Sorted absolute amounts of committed non-anomalous purchases. */
  sorted: number[];
  /** Committed non-anomalous purchases, in commit (time) order. */
  entries: { ms: number; abs: number; slot: Slot }[];
  merchant: Merchant;
}

export interface Traits {
  car: boolean;
  pet: boolean;
  gambler: boolean;
  smoker: boolean;
}

/**
 * One user's generation: who they are, their accounts and plans, the day being built and what is committed. Made by
 * createContext() and passed explicitly to every step (no step keeps state of its own).
 */
export interface UserContext {
  readonly o: NormalizedOptions;
  readonly index: number;
  readonly seedHash: number;
  /** Daily life: plans, habits, descriptions, money management. */
  readonly rng: Rng;
  /** Anomalies only (anomalies.ts), so the anomaly rate changes nothing else. */
  readonly arng: Rng;
  /** Life cycles only (bank-lifecycle.ts). */
  readonly lrng: Rng;

  // Who the user is.
  readonly persona: PersonaKind;
  readonly home: Region;
  readonly traits: Traits;
  readonly name: string;
  readonly lives: Record<Region, Life>;
  readonly accounts: GeneratedAccount[];
  readonly cardStyle: D.CardStyle[];
  /** The ISO date of each day of the period and of 12 days after it (late postings). */
  readonly dates: string[];

  // Plans, made before the first day.
  /** Recurring items per day, run when the day comes (they read balances then). */
  readonly agenda: Map<number, (() => void)[]>;
  readonly trips: Trip[];
  /** Where the user is, per day. */
  readonly where: Loc[];
  readonly spikeDays: Map<number, Slot>;
  readonly anomalyDays: Map<number, AnomalyKind[]>;

  // The day being built and the ledger.
  /** Intents of the day being built, committed in time order at its end. */
  buffer: Intent[];
  /** Intents that happen on a later day (the incoming leg of a transfer, refunds). */
  readonly future: Map<number, Intent[]>;
  /** Committed intents. */
  readonly intents: Intent[];
  /** The next intent's sequence number (ties in time are broken by it). */
  counter: number;
  /** Balance per account slot, in minor units. */
  readonly balances: number[];
  readonly history: Map<string, MerchantHistory>;
  /** Merchants the user has paid (name and currency). */
  readonly seen: Set<string>;
  /** Instants of the visits per account slot and merchant. */
  readonly visits: Map<string, number[]>;
  /** Purchases per account slot and day, in minor units. */
  readonly daily: number[][];

  // Small memories of the steps.
  /** A merchant's few store numbers (per width). */
  readonly stores: Map<string, string[]>;
  /** The user's basket size factor per merchant. */
  readonly baskets: Map<string, number>;
  /** Unusual merchants already used for a new_merchant anomaly. */
  readonly usedUnusual: Set<string>;
  lastOverdraftDay: number;
  /** ATM withdrawals per month (bank_c charges from the sixth). */
  readonly atmCount: Map<string, number>;
  /** The card balance owed at each slot's last statement. */
  readonly statementOwed: number[];
}

/** The user `index` of the universe `o`, with their accounts open (the first draws of the daily-life stream). */
export function createContext(o: NormalizedOptions, index: number): UserContext {
  const seedHash = hashInts(o.seed);
  const rng = Rng.of(o.seed, index, 1);
  const arng = Rng.of(o.seed, index, 2);
  const lrng = Rng.of(o.seed, index, 3);
  const persona = PERSONAS[index % PERSONAS.length] as PersonaKind;
  const home = REGIONS[index % REGIONS.length] as Region;
  const p = persona;
  const traits: Traits = {
    car: rng.chance(p === 'family' ? 0.9 : p === 'student' ? 0.15 : p === 'salaried' ? 0.5 : 0.4),
    pet: rng.chance(p === 'family' ? 0.5 : 0.25),
    gambler: rng.chance(0.2),
    smoker: rng.chance(0.1),
  };
  const name = `${rng.pick(FIRST_NAMES[home])} ${rng.pick(LAST_NAMES[home])}`;
  const lives = {} as Record<Region, Life>;
  for (const region of REGIONS) lives[region] = makeLife(rng, home, region);
  const dates: string[] = [];
  for (let d = 0; d < o.days + 12; d++) dates.push(formatIsoDate(o.startDays + d));
  const daily: number[][] = [];
  for (let s = 0; s < SLOT_COUNT; s++) daily.push(new Array<number>(o.days + 12).fill(0));
  const g: UserContext = {
    o,
    index,
    seedHash,
    rng,
    arng,
    lrng,
    persona,
    home,
    traits,
    name,
    lives,
    accounts: [],
    cardStyle: [],
    dates,
    agenda: new Map(),
    trips: [],
    where: [],
    spikeDays: new Map(),
    anomalyDays: new Map(),
    buffer: [],
    future: new Map(),
    intents: [],
    counter: 0,
    balances: new Array<number>(SLOT_COUNT).fill(0),
    history: new Map(),
    seen: new Set(),
    visits: new Map(),
    daily,
    stores: new Map(),
    baskets: new Map(),
    usedUnusual: new Set(),
    lastOverdraftDay: -100,
    atmCount: new Map(),
    statementOwed: new Array<number>(SLOT_COUNT).fill(0),
  };
  openAccounts(g);
  return g;
}

function makeLife(rng: Rng, home: Region, region: Region): Life {
  const info = REGION_INFO[region];
  const metro = rng.pick(info.metros);
  const place = rng.pick(metro.cities);
  const locals = new Map<string, Merchant[]>();
  const chainNames = new Set<string>();
  for (const cat of localCategories(region)) {
    for (const m of chainMerchants(region, cat)) chainNames.add(m.name);
  }
  for (const m of makeLocalMerchants(region, rng, region === home ? 4 : 2)) {
    if (chainNames.has(m.name)) continue;
    const list = locals.get(m.detailed);
    if (list) list.push(m);
    else locals.set(m.detailed, [m]);
  }
  return {
    info,
    region,
    home: region === home,
    metro,
    place,
    locals,
    favorites: new Map(),
    pools: new Map(),
  };
}

/** The user's seven accounts (one per slot, regions.ts) with ids, masks, opening balances and card numbers. */
function openAccounts(g: UserContext): void {
  const rng = g.rng;
  const homeInfo = REGION_INFO[g.home];
  for (const s of SLOTS) {
    const info = REGION_INFO[s.region];
    const home = s.region === g.home;
    const h = hashInts(g.o.seed, g.index, s.slot, 77);
    const id =
      s.bank === 'bank_a'
        ? `ACC-${hexPad(h, 8).toUpperCase()}-${g.index.toString(36).toUpperCase()}-${s.code}`
        : s.bank === 'bank_b'
          ? `${String(h % 1_000_000).padStart(6, '0')}${String(g.index).padStart(8, '0')}${s.slot}`
          : `${s.code}${String(g.index).padStart(7, '0')}${hexPad(h, 6).toUpperCase()}`;
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
    if (g.persona === 'student' && s.slot === homeInfo.dep) opening = Math.round(opening / 3);
    g.balances[s.slot] = opening;
    g.cardStyle[s.slot] = {
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
    g.accounts.push(account);
  }
}

/** Where the user is on a day at home. */
export function homeLoc(g: UserContext): Loc {
  const home = g.lives[g.home];
  return { region: g.home, metro: home.metro, place: home.place, trip: null };
}
