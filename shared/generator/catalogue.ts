/**
 * The merchant catalogue: hundreds of chain merchants per region (catalogue-us/gb/in.ts) plus local merchants made
 * up per user from word lists (so every universe has merchants no rule was written from).
 *
 * Line grammar of the data files: `Canonical name|DESCRIPTOR TEMPLATE|AMOUNT|FLAGS|VPA`
 *
 * - TEMPLATE: the card descriptor, with placeholders `{s5}` (a store number of 5 digits, a few per user and
 *   merchant), `{r9}` (9 random letters/digits per transaction: order or reference ids), `{d13}` (13 random
 *   digits per transaction), `{city}` (the city of the purchase).
 * - AMOUNT, in major units of the region's currency: `12.50~0.3` log-normal with that median and spread (clipped
 *   at two spreads), `4.25/5.50/6.75` a menu of prices, `9.99` a fixed price, `15.49>17.99` a fixed price that
 *   rises once during the generated period (subscriptions).
 * - FLAGS: `o` online (no city), `t` tipped (the pending amount is before the tip), `f` fuel (a pre-authorization
 *   hold while pending), `h` hotel/rental hold (pending above the final), `r` purchases get refunds, `s` a
 *   monthly subscription, `q` habitual (two purchases a day happen), `b` billed (rent, utilities, loans: paid by
 *   ACH, direct debit or bill pay rather than used daily), `u` unusual (kept for injected new-merchant
 *   anomalies); then optionally `@NY,SF` metro tags restricting the merchant to those metros.
 * - VPA (India only, optional): the merchant's UPI address.
 */
import { isDetailed } from '../domain/taxonomy';
import { GB_MERCHANTS, GB_UNUSUAL } from './catalogue-gb';
import { IN_MERCHANTS, IN_UNUSUAL } from './catalogue-in';
import { US_MERCHANTS, US_UNUSUAL } from './catalogue-us';
import { hashString, type Rng } from './prng';

export type Region = 'US' | 'GB' | 'IN';
export const REGIONS: readonly Region[] = ['US', 'GB', 'IN'];

export type Amount =
  | { kind: 'log'; median: number; sigma: number }
  | { kind: 'menu'; prices: readonly number[] }
  | { kind: 'step'; before: number; after: number };

/** A compiled descriptor template: literal text and placeholders. */
export type Piece = string | { t: 's' | 'r' | 'd'; n: number } | { t: 'city' };

export interface Merchant {
  /** Unique within the catalogue (chains) or within a user (locals). */
  key: string;
  name: string;
  region: Region;
  detailed: string;
  templates: readonly (readonly Piece[])[];
  amount: Amount;
  online: boolean;
  tipped: boolean;
  fuel: boolean;
  hold: boolean;
  refundable: boolean;
  subscription: boolean;
  quick: boolean;
  bill: boolean;
  unusual: boolean;
  local: boolean;
  metros: readonly string[] | null;
  /** UPI address (used in India). */
  vpa: string;
}

const PSPS = ['ybl', 'paytm', 'okaxis', 'okicici', 'icici', 'axl', 'ibl', 'hdfcbank'];

export function compileTemplate(text: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let literal = '';
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch !== '{') {
      literal += ch;
      i++;
      continue;
    }
    const end = text.indexOf('}', i);
    if (end < 0) throw new Error(`unclosed placeholder in ${JSON.stringify(text)}`);
    const token = text.slice(i + 1, end);
    if (literal) pieces.push(literal);
    literal = '';
    if (token === 'city') pieces.push({ t: 'city' });
    else {
      const t = token.charAt(0);
      const n = Number(token.slice(1));
      if ((t !== 's' && t !== 'r' && t !== 'd') || !Number.isInteger(n) || n < 1 || n > 16) {
        throw new Error(`bad placeholder {${token}} in ${JSON.stringify(text)}`);
      }
      pieces.push({ t, n });
    }
    i = end + 1;
  }
  if (literal) pieces.push(literal);
  return pieces;
}

function toMinor(major: string, where: string): number {
  const m = Number(major);
  if (!Number.isFinite(m) || m < 0) throw new Error(`bad amount ${major} in ${where}`);
  // Data is written with at most 2 decimals; go through the text to stay exact.
  const [whole = '0', frac = ''] = major.split('.');
  if (frac.length > 2) throw new Error(`more than 2 decimals in ${where}`);
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

function parseAmount(text: string, where: string): Amount {
  if (text.includes('~')) {
    const [median = '', sigma = ''] = text.split('~');
    const s = Number(sigma);
    if (!(s >= 0 && s <= 1)) throw new Error(`bad spread in ${where}`);
    return { kind: 'log', median: toMinor(median, where), sigma: s };
  }
  if (text.includes('>')) {
    const [before = '', after = ''] = text.split('>');
    return { kind: 'step', before: toMinor(before, where), after: toMinor(after, where) };
  }
  return { kind: 'menu', prices: text.split('/').map((p) => toMinor(p, where)) };
}

function slug(name: string): string {
  let out = '';
  const lower = name.toLowerCase();
  for (let i = 0; i < lower.length && out.length < 16; i++) {
    const c = lower.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += lower.charAt(i);
  }
  return out || 'merchant';
}

export function deriveVpa(name: string): string {
  const h = hashString(name);
  return `${slug(name)}@${PSPS[h % PSPS.length]}`;
}

function parseLine(line: string, region: Region, detailed: string, extraFlags: string): Merchant {
  const fields = line.split('|');
  if (fields.length < 3 || fields.length > 5) throw new Error(`bad merchant line: ${line}`);
  const [name = '', template = '', amount = '', flagField = '', vpa = ''] = fields;
  const at = flagField.indexOf('@');
  const letters = (at >= 0 ? flagField.slice(0, at) : flagField) + extraFlags;
  const metros = at >= 0 ? flagField.slice(at + 1).split(',') : null;
  for (const l of letters) {
    if (!'otfhrsqbu'.includes(l)) throw new Error(`unknown flag ${l} in ${line}`);
  }
  if (!name || !template) throw new Error(`bad merchant line: ${line}`);
  const parsed = parseAmount(amount, line);
  const isSub = letters.includes('s');
  if (isSub && parsed.kind === 'log' && parsed.sigma > 0.5)
    throw new Error(`subscription with a wide spread: ${line}`);
  return {
    key: `${region}:${name}`,
    name,
    region,
    detailed,
    templates: [compileTemplate(template)],
    amount: parsed,
    online: letters.includes('o'),
    tipped: letters.includes('t'),
    fuel: letters.includes('f'),
    hold: letters.includes('h'),
    refundable: letters.includes('r'),
    subscription: isSub,
    quick: letters.includes('q'),
    bill: letters.includes('b'),
    unusual: letters.includes('u'),
    local: false,
    metros,
    vpa: vpa || deriveVpa(name),
  };
}

function load(): Merchant[] {
  const out: Merchant[] = [];
  const byKey = new Map<string, Merchant>();
  const sources: [Region, Record<string, string[]>, string][] = [
    ['US', US_MERCHANTS, ''],
    ['GB', GB_MERCHANTS, ''],
    ['IN', IN_MERCHANTS, ''],
    ['US', US_UNUSUAL, 'u'],
    ['GB', GB_UNUSUAL, 'u'],
    ['IN', IN_UNUSUAL, 'u'],
  ];
  for (const [region, table, extra] of sources) {
    for (const [detailed, lines] of Object.entries(table)) {
      if (!isDetailed(detailed)) throw new Error(`catalogue: ${detailed} is not a taxonomy category`);
      for (const line of lines) {
        const m = parseLine(line, region, detailed, extra);
        const same = byKey.get(m.key);
        if (same) {
          // One merchant, several descriptor styles (e.g. `AMZN Mktp US*…` and `Amazon.com*…`).
          if (same.detailed !== m.detailed) throw new Error(`catalogue: ${m.name} in two categories`);
          (same.templates as Piece[][]).push(...(m.templates as Piece[][]));
          continue;
        }
        byKey.set(m.key, m);
        out.push(m);
      }
    }
  }
  return out;
}

/** Every chain merchant, in data order. */
export const MERCHANTS: readonly Merchant[] = load();

const byRegionCategory = new Map<string, Merchant[]>();
for (const m of MERCHANTS) {
  const k = `${m.region}|${m.detailed}`;
  const list = byRegionCategory.get(k);
  if (list) list.push(m);
  else byRegionCategory.set(k, [m]);
}

/** Catalogue merchants of a region and category (all kinds). */
export function catalogueMerchants(region: Region, detailed: string): readonly Merchant[] {
  return byRegionCategory.get(`${region}|${detailed}`) ?? [];
}

export function inMetro(m: Merchant, metro: string): boolean {
  return m.metros === null || m.metros.includes(metro);
}

// ---------------------------------------------------------------------------------------------------------------
// Local merchants: independent shops named from word lists, different for every user and seed.

interface LocalSpec {
  detailed: string;
  words: readonly string[];
  /** Median range (major units) of the shop's typical ticket; menus for habitual shops. */
  median: readonly [number, number];
  sigma: number;
  flags: string;
  /** Processor prefixes the shop's card descriptor may use ('' = none). */
  processors: readonly string[];
}

const US_PREFIXES = [
  "JOE'S",
  "TONY'S",
  "MARIA'S",
  "SAL'S",
  'LUCKY',
  'GOLDEN',
  'LITTLE',
  'BLUE DOOR',
  'CORNER',
  'VILLAGE',
  'HARBOR',
  'OLD TOWN',
  'SAKURA',
  'LA CASA',
  'EL SOL',
  'CITY',
  'MISSION',
  'NORTHSIDE',
  'SUNSET',
  'MAPLE',
  'RED HEN',
  'SILVER',
  'BROADWAY',
  'ELM STREET',
  'GREEN LEAF',
  'HAPPY',
  'ROYAL',
  'EMPIRE',
  'BAYSIDE',
  'HIGHLAND',
  'RIVERSIDE',
  'UNION',
  'MAIN STREET',
  'LONE STAR',
  'PACIFIC',
  'ATLAS',
  'CEDAR',
  'WILLOW',
  'JADE',
  'LOTUS',
  'OLIVE',
  'SAFFRON',
  'BASIL',
  'FIG TREE',
  'COPPER',
  'IRON GATE',
  'NORTH STAR',
  'HUDSON',
  'LAKESIDE',
  'PARKSIDE',
  'BRICK',
  'ORCHARD',
];
const GB_PREFIXES = [
  "THE KING'S",
  'RED LION',
  'THE CROWN',
  'ROSE AND',
  'CAMDEN',
  'SOHO',
  'HACKNEY',
  'ISLINGTON',
  'NOTTING HILL',
  'NORTHERN',
  'ALBION',
  'VICTORIA',
  'THE OLD',
  'BRICK LANE',
  'BOROUGH',
  'SHOREDITCH',
  'KENSINGTON',
  'ANCOATS',
  'LEITH',
  'CLIFTON',
  'HEADINGLEY',
  'DIGBETH',
  'THE GREEN',
  'MARKET STREET',
  'HIGH STREET',
  'STATION',
  'ABBEY',
  'THE WHITE HART',
  'GEORGE',
  'BRIDGE',
  'CASTLE',
  'MEADOW',
];
const IN_PREFIXES = [
  'SHREE',
  'SRI',
  'NEW',
  'GANESH',
  'LAKSHMI',
  'BALAJI',
  'ANAND',
  'SAI',
  'KRISHNA',
  'MAHALAXMI',
  'OM',
  'JAI HIND',
  'ROYAL',
  'UDUPI',
  'BOMBAY',
  'MYSORE',
  'KERALA',
  'PUNJABI',
  'VENKATESHWARA',
  'DURGA',
  'SHIVAM',
  'GAYATRI',
  'ANNAPURNA',
  'MURUGAN',
  'AMBIKA',
  'RAJ',
  'HARSHA',
  'SWAGATH',
  'SAGAR',
  'GREEN PARK',
];

const US_LOCAL: LocalSpec[] = [
  {
    detailed: 'FOOD_AND_DRINK_RESTAURANT',
    words: [
      'PIZZA',
      'PIZZERIA',
      'TAQUERIA',
      'SUSHI',
      'RAMEN',
      'THAI KITCHEN',
      'BISTRO',
      'TRATTORIA',
      'GRILL',
      'DINER',
      'BBQ',
      'NOODLE HOUSE',
      'STEAKHOUSE',
      'KITCHEN',
      'BRASSERIE',
      'TAVERN',
      'CANTINA',
      'PHO',
      'DUMPLING HOUSE',
      'CURRY HOUSE',
      'OYSTER BAR',
      'MEZZE',
      'IZAKAYA',
      'TAPAS',
      'OSTERIA',
      'CHOPHOUSE',
      'PUB',
      'TAPROOM',
      'WINE BAR',
      'BREWING CO',
      'COCKTAIL BAR',
      'BEER HALL',
      'SMOKEHOUSE',
      'CREOLE KITCHEN',
      'BURGER BAR',
    ],
    median: [22, 75],
    sigma: 0.3,
    flags: 't',
    processors: ['TST* ', 'TST* ', 'SQ *', ''],
  },
  {
    detailed: 'FOOD_AND_DRINK_COFFEE',
    words: [
      'COFFEE',
      'CAFE',
      'ESPRESSO BAR',
      'COFFEE ROASTERS',
      'COFFEE CO',
      'CAFFE',
      'COFFEE HOUSE',
      'ESPRESSO',
    ],
    median: [3.5, 6.5],
    sigma: 0,
    flags: 'q',
    processors: ['SQ *', 'SQ *', 'TST* ', ''],
  },
  {
    detailed: 'FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK',
    words: ['BAKERY', 'BAGELS', 'DELI', 'JUICE BAR', 'CREAMERY', 'PATISSERIE', 'DONUTS', 'GELATO', 'SWEETS'],
    median: [7, 16],
    sigma: 0.3,
    flags: '',
    processors: ['SQ *', 'TST* ', ''],
  },
  {
    detailed: 'FOOD_AND_DRINK_GROCERIES',
    words: ['FARMERS MARKET', 'FARM STAND', 'FOOD MARKET', 'GREENGROCER', 'FRESH MARKET', 'HALAL MARKET'],
    median: [18, 40],
    sigma: 0.4,
    flags: '',
    processors: ['SQ *', ''],
  },
  {
    detailed: 'FOOD_AND_DRINK_BEER_WINE_AND_LIQUOR',
    words: ['WINE & SPIRITS', 'LIQUORS', 'WINE SHOP', 'BOTTLE SHOP', 'LIQUOR STORE'],
    median: [20, 45],
    sigma: 0.4,
    flags: '',
    processors: ['', 'SQ *'],
  },
  {
    detailed: 'GENERAL_MERCHANDISE_CONVENIENCE_STORES',
    words: ['DELI & GROCERY', 'MINI MART', 'FOOD MART', 'CONVENIENCE', 'BODEGA'],
    median: [5, 12],
    sigma: 0.4,
    flags: 'q',
    processors: [''],
  },
  {
    detailed: 'PERSONAL_CARE_HAIR_AND_BEAUTY',
    words: [
      'NAILS',
      'NAIL SPA',
      'SALON',
      'BARBER SHOP',
      'BARBERSHOP',
      'HAIR STUDIO',
      'BEAUTY BAR',
      'DAY SPA',
    ],
    median: [25, 70],
    sigma: 0.2,
    flags: 't',
    processors: ['SQ *', '', 'GLOSSGENIUS*'],
  },
  {
    detailed: 'PERSONAL_CARE_LAUNDRY_AND_DRY_CLEANING',
    words: ['DRY CLEANERS', 'LAUNDROMAT', 'CLEANERS', 'WASH & FOLD', 'LAUNDRY'],
    median: [14, 35],
    sigma: 0.3,
    flags: '',
    processors: ['', 'SQ *'],
  },
  {
    detailed: 'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS',
    words: ['YOGA', 'PILATES', 'CROSSFIT', 'BOXING CLUB', 'CLIMBING GYM', 'SPIN STUDIO'],
    median: [22, 35],
    sigma: 0.1,
    flags: '',
    processors: ['SQ *', 'MINDBODY*', ''],
  },
  {
    detailed: 'MEDICAL_DENTAL_CARE',
    words: ['DENTAL', 'FAMILY DENTISTRY', 'DENTAL GROUP', 'ORTHODONTICS', 'DENTAL ARTS'],
    median: [120, 220],
    sigma: 0.35,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'MEDICAL_VETERINARY_SERVICES',
    words: ['ANIMAL HOSPITAL', 'VETERINARY CLINIC', 'VET CLINIC', 'PET CLINIC'],
    median: [80, 160],
    sigma: 0.35,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'GENERAL_MERCHANDISE_GIFTS_AND_NOVELTIES',
    words: ['FLOWERS', 'FLORIST', 'GIFT SHOP', 'PAPER & GIFTS'],
    median: [25, 60],
    sigma: 0.35,
    flags: '',
    processors: ['SQ *', ''],
  },
  {
    detailed: 'GENERAL_MERCHANDISE_BOOKSTORES_AND_NEWSSTANDS',
    words: ['BOOKS', 'BOOKSHOP', 'BOOK STORE', 'NEWS & MAGAZINES'],
    median: [12, 28],
    sigma: 0.35,
    flags: '',
    processors: ['SQ *', ''],
  },
  {
    detailed: 'TRANSPORTATION_PARKING',
    words: ['PARKING', 'PARKING GARAGE', 'PARK & LOCK'],
    median: [10, 30],
    sigma: 0.35,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'GENERAL_SERVICES_AUTOMOTIVE',
    words: ['AUTO REPAIR', 'AUTO BODY', 'TIRE & AUTO', 'CAR WASH', 'AUTO CARE'],
    median: [45, 180],
    sigma: 0.4,
    flags: '',
    processors: [''],
  },
];

const GB_LOCAL: LocalSpec[] = [
  {
    detailed: 'FOOD_AND_DRINK_RESTAURANT',
    words: [
      'KITCHEN',
      'CANTEEN',
      'CURRY HOUSE',
      'PIZZERIA',
      'TRATTORIA',
      'THAI',
      'NOODLE BAR',
      'GRILL',
      'BRASSERIE',
      'FISH & CHIPS',
      'CHIPPY',
      'ARMS',
      'TAVERN',
      'INN',
      'TAP ROOM',
      'BAR & KITCHEN',
      'SUSHI',
      'MEZE',
      'TAPAS',
    ],
    median: [18, 55],
    sigma: 0.3,
    flags: 't',
    processors: ['SUMUP *', 'ZETTLE_*', 'SQ *', ''],
  },
  {
    detailed: 'FOOD_AND_DRINK_COFFEE',
    words: ['COFFEE', 'CAFE', 'ESPRESSO', 'COFFEE HOUSE', 'ROASTERY', 'TEA ROOMS'],
    median: [2.8, 4.2],
    sigma: 0,
    flags: 'q',
    processors: ['SUMUP *', 'SQ *', 'ZETTLE_*', ''],
  },
  {
    detailed: 'FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK',
    words: ['BAKERY', 'BAKEHOUSE', 'DELI', 'PATISSERIE', 'GELATERIA', 'SANDWICH BAR'],
    median: [4, 10],
    sigma: 0.3,
    flags: '',
    processors: ['SUMUP *', 'SQ *', ''],
  },
  {
    detailed: 'GENERAL_MERCHANDISE_CONVENIENCE_STORES',
    words: ['NEWSAGENTS', 'OFF LICENCE', 'FOOD & WINE', 'CONVENIENCE STORE', 'LOCAL SHOP'],
    median: [4, 10],
    sigma: 0.4,
    flags: 'q',
    processors: [''],
  },
  {
    detailed: 'PERSONAL_CARE_HAIR_AND_BEAUTY',
    words: ['BARBERS', 'HAIR SALON', 'NAIL BAR', 'BEAUTY ROOMS', 'HAIR & BEAUTY'],
    median: [18, 50],
    sigma: 0.2,
    flags: '',
    processors: ['SUMUP *', 'SQ *', ''],
  },
  {
    detailed: 'PERSONAL_CARE_LAUNDRY_AND_DRY_CLEANING',
    words: ['DRY CLEANERS', 'LAUNDERETTE', 'LAUNDRY'],
    median: [10, 25],
    sigma: 0.3,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'GENERAL_MERCHANDISE_GIFTS_AND_NOVELTIES',
    words: ['FLOWERS', 'FLORIST', 'GIFTS'],
    median: [18, 40],
    sigma: 0.35,
    flags: '',
    processors: ['SUMUP *', ''],
  },
  {
    detailed: 'MEDICAL_DENTAL_CARE',
    words: ['DENTAL PRACTICE', 'DENTAL CARE', 'ORTHODONTICS'],
    median: [55, 140],
    sigma: 0.35,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'MEDICAL_PHARMACIES_AND_SUPPLEMENTS',
    words: ['PHARMACY', 'CHEMIST', 'CHEMISTS'],
    median: [6, 15],
    sigma: 0.45,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'GENERAL_SERVICES_AUTOMOTIVE',
    words: ['GARAGE', 'MOTORS', 'TYRES', 'HAND CAR WASH', 'MOT CENTRE'],
    median: [40, 140],
    sigma: 0.4,
    flags: '',
    processors: [''],
  },
];

const IN_LOCAL: LocalSpec[] = [
  {
    detailed: 'FOOD_AND_DRINK_RESTAURANT',
    words: [
      'RESTAURANT',
      'DHABA',
      'BIRYANI HOUSE',
      'DARSHINI',
      'MESS',
      'TIFFIN CENTRE',
      'BHOJANALAYA',
      'FAMILY RESTAURANT',
      'BAR & RESTAURANT',
    ],
    median: [250, 900],
    sigma: 0.35,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'FOOD_AND_DRINK_COFFEE',
    words: ['TEA STALL', 'CHAI CORNER', 'COFFEE HOUSE', 'TEA POINT', 'COFFEE BAR'],
    median: [20, 60],
    sigma: 0,
    flags: 'q',
    processors: [''],
  },
  {
    detailed: 'FOOD_AND_DRINK_GROCERIES',
    words: [
      'KIRANA STORE',
      'GENERAL STORES',
      'PROVISION STORE',
      'SUPERMARKET',
      'FRUITS & VEGETABLES',
      'DAIRY',
    ],
    median: [250, 900],
    sigma: 0.45,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK',
    words: ['SWEETS', 'SWEET HOUSE', 'BAKERY', 'BAKERS', 'JUICE CENTRE', 'CHAAT BHANDAR'],
    median: [120, 400],
    sigma: 0.35,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'MEDICAL_PHARMACIES_AND_SUPPLEMENTS',
    words: ['MEDICALS', 'MEDICAL STORES', 'PHARMA', 'CHEMISTS'],
    median: [180, 600],
    sigma: 0.5,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'PERSONAL_CARE_HAIR_AND_BEAUTY',
    words: ['HAIR SALON', 'BEAUTY PARLOUR', 'MENS SALON', 'UNISEX SALON'],
    median: [200, 700],
    sigma: 0.25,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'PERSONAL_CARE_LAUNDRY_AND_DRY_CLEANING',
    words: ['DRY CLEANERS', 'LAUNDRY', 'IRONING SERVICE'],
    median: [150, 450],
    sigma: 0.3,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'GENERAL_MERCHANDISE_CONVENIENCE_STORES',
    words: ['STORES', 'MART', 'DAILY NEEDS', 'TRADERS'],
    median: [80, 300],
    sigma: 0.45,
    flags: 'q',
    processors: [''],
  },
  {
    detailed: 'TRANSPORTATION_GAS',
    words: ['FUELS', 'FILLING STATION', 'PETROLEUM', 'SERVICE STATION'],
    median: [800, 2200],
    sigma: 0.35,
    flags: '',
    processors: [''],
  },
  {
    detailed: 'GENERAL_SERVICES_AUTOMOTIVE',
    words: ['AUTO WORKS', 'MOTORS', 'GARAGE', 'TYRES', 'CAR CARE'],
    median: [600, 3000],
    sigma: 0.4,
    flags: '',
    processors: [''],
  },
];

const LOCAL_SPECS: Record<Region, { prefixes: readonly string[]; specs: readonly LocalSpec[] }> = {
  US: { prefixes: US_PREFIXES, specs: US_LOCAL },
  GB: { prefixes: GB_PREFIXES, specs: GB_LOCAL },
  IN: { prefixes: IN_PREFIXES, specs: IN_LOCAL },
};

function titleCase(upper: string): string {
  let out = '';
  let start = true;
  for (let i = 0; i < upper.length; i++) {
    const ch = upper.charAt(i);
    out += start ? ch : ch.toLowerCase();
    start = ch === ' ' || ch === '&' || ch === '-';
  }
  return out;
}

/** Round a major-unit price to a realistic menu price in minor units. */
function menuPrice(major: number, region: Region): number {
  if (region === 'IN') return Math.round(major / 5) * 500;
  return Math.round(major * 4) * 25;
}

/**
 * Local merchants of a region for one user: `perSpec` shops for each local category, named from the region's
 * word lists, unique within the user. Deterministic for the rng's state.
 */
export function makeLocalMerchants(region: Region, rng: Rng, perSpec: number): Merchant[] {
  const { prefixes, specs } = LOCAL_SPECS[region];
  const out: Merchant[] = [];
  const used = new Set<string>();
  for (const spec of specs) {
    for (let i = 0; i < perSpec; i++) {
      let upper = '';
      for (let attempt = 0; attempt < 8; attempt++) {
        upper = `${rng.pick(prefixes)} ${rng.pick(spec.words)}`;
        if (!used.has(upper)) break;
      }
      if (used.has(upper)) continue;
      used.add(upper);
      const processor = rng.pick(spec.processors);
      const descriptor = processor ? `${processor}${upper}` : upper;
      const median = spec.median[0] + rng.next() * (spec.median[1] - spec.median[0]);
      let amount: Amount;
      if (spec.sigma === 0) {
        const base = menuPrice(median, region);
        const step = region === 'IN' ? 1000 : 75;
        amount = { kind: 'menu', prices: [base, base + step, base + 2 * step] };
      } else {
        amount = { kind: 'log', median: Math.round(median * 100), sigma: spec.sigma };
      }
      const name = titleCase(upper);
      out.push({
        key: `${region}:local:${name}`,
        name,
        region,
        detailed: spec.detailed,
        templates: [[descriptor]],
        amount,
        online: false,
        tipped: spec.flags.includes('t'),
        fuel: false,
        hold: false,
        refundable: false,
        subscription: false,
        quick: spec.flags.includes('q'),
        bill: false,
        unusual: false,
        local: true,
        metros: null,
        vpa:
          region === 'IN'
            ? rng.chance(0.5)
              ? `paytmqr${rng.digits(10)}${rng.alnum(4).toLowerCase()}@paytm`
              : `q${rng.digits(9)}@ybl`
            : deriveVpa(name),
      });
    }
  }
  return out;
}

/** Local categories of a region (those local merchants exist for). */
export function localCategories(region: Region): readonly string[] {
  return LOCAL_SPECS[region].specs.map((s) => s.detailed);
}
