/**
 * The three banks and the lives behind them. Each bank is in one country, currency and time zone; every generated
 * user has accounts at all three, lives in one of the countries (their "home": salary, rent, daily life) and keeps
 * a smaller life at the other two (family support, savings, visits, a few subscriptions), with money moving
 * between them.
 *
 *   bank_a  US  USD  America/New_York  Everyday Checking, Premier Savings, Rewards Credit Card  (ACH, SQ*, TST*, POS DEBIT)
 *   bank_b  GB  GBP  Europe/London     Current Account, Easy Saver                               (BACS, DD, SO, FPS, POS DEBIT)
 *   bank_c  IN  INR  Asia/Kolkata      Savings Account, Credit Card                              (UPI, PAYTM*, NEFT, NACH, POS)
 *
 * (These match the mock banks' own fixtures: bank_b is the UK bank, bank_c the Indian one.) Dates are reported in
 * the bank's time zone; times of day are drawn in that zone too.
 */
import type { BankId, GeneratedAccount } from './types';
import type { Region } from './merchants';

export const Slot = {
  A_CHK: 0,
  A_SAV: 1,
  A_CARD: 2,
  B_CUR: 3,
  B_SAV: 4,
  C_SAV: 5,
  C_CARD: 6,
} as const;
export type Slot = (typeof Slot)[keyof typeof Slot];

export const SLOT_COUNT = 7;

export interface SlotInfo {
  slot: Slot;
  region: Region;
  bank: BankId;
  code: string;
  name: string;
  type: GeneratedAccount['type'];
  subtype: string;
}

export const SLOTS: readonly SlotInfo[] = [
  {
    slot: Slot.A_CHK,
    region: 'US',
    bank: 'bank_a',
    code: 'CHK',
    name: 'Everyday Checking',
    type: 'depository',
    subtype: 'checking',
  },
  {
    slot: Slot.A_SAV,
    region: 'US',
    bank: 'bank_a',
    code: 'SAV',
    name: 'Premier Savings',
    type: 'depository',
    subtype: 'savings',
  },
  {
    slot: Slot.A_CARD,
    region: 'US',
    bank: 'bank_a',
    code: 'CRD',
    name: 'Rewards Credit Card',
    type: 'credit',
    subtype: 'credit card',
  },
  {
    slot: Slot.B_CUR,
    region: 'GB',
    bank: 'bank_b',
    code: 'CUR',
    name: 'Current Account',
    type: 'depository',
    subtype: 'checking',
  },
  {
    slot: Slot.B_SAV,
    region: 'GB',
    bank: 'bank_b',
    code: 'SAV',
    name: 'Easy Saver',
    type: 'depository',
    subtype: 'savings',
  },
  {
    slot: Slot.C_SAV,
    region: 'IN',
    bank: 'bank_c',
    code: 'SB',
    name: 'Savings Account',
    type: 'depository',
    subtype: 'savings',
  },
  {
    slot: Slot.C_CARD,
    region: 'IN',
    bank: 'bank_c',
    code: 'CC',
    name: 'Credit Card',
    type: 'credit',
    subtype: 'credit card',
  },
];

export interface Metro {
  tag: string;
  /** Cities as descriptors print them, with the state for the US. */
  cities: readonly { city: string; state: string }[];
}

export interface RegionInfo {
  region: Region;
  bank: BankId;
  currency: string;
  timeZone: string;
  /** The everyday account (salary, bills, debit purchases, UPI). */
  dep: Slot;
  /** Same-currency savings, if the bank has one. */
  savings: Slot | null;
  /** Credit card, if the bank has one. */
  card: Slot | null;
  metros: readonly Metro[];
  /** Balance the everyday account is kept above (minor units). */
  floor: number;
  /** Month multipliers of the electricity/gas bill (January first). */
  energySeason: readonly number[];
  /** Minor units per major unit of the smallest "sizeable" purchase (new-merchant anomalies). */
  unit: number;
}

const us = (city: string, state: string) => ({ city, state });

export const REGION_INFO: Record<Region, RegionInfo> = {
  US: {
    region: 'US',
    bank: 'bank_a',
    currency: 'USD',
    timeZone: 'America/New_York',
    dep: Slot.A_CHK,
    savings: Slot.A_SAV,
    card: Slot.A_CARD,
    metros: [
      { tag: 'NY', cities: [us('NEW YORK', 'NY'), us('BROOKLYN', 'NY'), us('LONG ISLAND CITY', 'NY')] },
      { tag: 'SF', cities: [us('SAN FRANCISCO', 'CA'), us('OAKLAND', 'CA'), us('BERKELEY', 'CA')] },
      { tag: 'CHI', cities: [us('CHICAGO', 'IL'), us('EVANSTON', 'IL')] },
      { tag: 'AUS', cities: [us('AUSTIN', 'TX'), us('ROUND ROCK', 'TX')] },
      { tag: 'SEA', cities: [us('SEATTLE', 'WA'), us('BELLEVUE', 'WA')] },
      { tag: 'BOS', cities: [us('BOSTON', 'MA'), us('CAMBRIDGE', 'MA'), us('SOMERVILLE', 'MA')] },
    ],
    floor: 40_000,
    energySeason: [1.25, 1.15, 1.0, 0.85, 0.9, 1.2, 1.45, 1.45, 1.15, 0.9, 0.95, 1.2],
    unit: 100,
  },
  GB: {
    region: 'GB',
    bank: 'bank_b',
    currency: 'GBP',
    timeZone: 'Europe/London',
    dep: Slot.B_CUR,
    savings: Slot.B_SAV,
    card: null,
    metros: [
      { tag: 'LDN', cities: [us('LONDON', 'GB'), us('LONDON', 'GB'), us('CROYDON', 'GB')] },
      { tag: 'MAN', cities: [us('MANCHESTER', 'GB'), us('SALFORD', 'GB')] },
      { tag: 'BHM', cities: [us('BIRMINGHAM', 'GB')] },
      { tag: 'EDI', cities: [us('EDINBURGH', 'GB')] },
      { tag: 'BRS', cities: [us('BRISTOL', 'GB')] },
      { tag: 'LDS', cities: [us('LEEDS', 'GB')] },
    ],
    floor: 25_000,
    energySeason: [1.5, 1.4, 1.2, 0.95, 0.75, 0.65, 0.6, 0.6, 0.7, 0.95, 1.25, 1.5],
    unit: 100,
  },
  IN: {
    region: 'IN',
    bank: 'bank_c',
    currency: 'INR',
    timeZone: 'Asia/Kolkata',
    dep: Slot.C_SAV,
    savings: null,
    card: Slot.C_CARD,
    metros: [
      { tag: 'BLR', cities: [us('BENGALURU', 'KA'), us('BANGALORE', 'KA')] },
      { tag: 'BOM', cities: [us('MUMBAI', 'MH'), us('THANE', 'MH')] },
      { tag: 'DEL', cities: [us('NEW DELHI', 'DL'), us('GURGAON', 'HR'), us('NOIDA', 'UP')] },
      { tag: 'PNQ', cities: [us('PUNE', 'MH')] },
      { tag: 'HYD', cities: [us('HYDERABAD', 'TS')] },
      { tag: 'MAA', cities: [us('CHENNAI', 'TN')] },
    ],
    floor: 1_000_000,
    energySeason: [0.8, 0.85, 1.05, 1.35, 1.5, 1.35, 1.1, 1.0, 1.0, 0.95, 0.85, 0.8],
    unit: 100,
  },
};

/** Approximate exchange rates, in millionths of the target's major unit per source major unit. */
const FX_MICRO: Record<string, number> = {
  'USD>INR': 83_250_000,
  'USD>GBP': 790_000,
  'GBP>INR': 105_400_000,
  'GBP>USD': 1_265_000,
  'INR>USD': 12_010,
  'INR>GBP': 9_490,
};

/**
 * `amountMinor` of `from` in `to`, at a rate that drifts slowly (±1.5%) over the year. Integer arithmetic on money:
 * minor units times an integer rate, rounded once.
 */
export function convert(amountMinor: number, from: string, to: string, day: number): number {
  if (from === to) return amountMinor;
  const base = FX_MICRO[`${from}>${to}`];
  if (base === undefined) throw new Error(`no rate ${from}>${to}`);
  const drift = Math.round(base * 0.015 * Math.sin((2 * Math.PI * day) / 173));
  const rate = base + drift;
  return Math.round((amountMinor * rate) / 1_000_000);
}
