/**
 * The merchant lists: hundreds of chain merchants per region (merchants-us/gb/in.ts, parsed here) plus local
 * merchants made up per user from word lists (merchants-local.ts, so every universe has merchants no rule was
 * written from).
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
import { GB_MERCHANTS, GB_UNUSUAL } from './merchants-gb';
import { IN_MERCHANTS, IN_UNUSUAL } from './merchants-in';
import { US_MERCHANTS, US_UNUSUAL } from './merchants-us';
import { hashString } from './prng';

export type Region = 'US' | 'GB' | 'IN';
export const REGIONS: readonly Region[] = ['US', 'GB', 'IN'];

export type Amount =
  | { kind: 'log'; median: number; sigma: number }
  | { kind: 'menu'; prices: readonly number[] }
  | { kind: 'step'; before: number; after: number };

/** A compiled descriptor template: literal text and placeholders. */
export type Piece = string | { t: 's' | 'r' | 'd'; n: number } | { t: 'city' };

export interface Merchant {
  /** Unique within the chain lists (chains) or within a user (locals). */
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
      if (!isDetailed(detailed)) throw new Error(`merchants: ${detailed} is not a taxonomy category`);
      for (const line of lines) {
        const m = parseLine(line, region, detailed, extra);
        const same = byKey.get(m.key);
        if (same) {
          // One merchant, several descriptor styles (e.g. `AMZN Mktp US*…` and `Amazon.com*…`).
          if (same.detailed !== m.detailed) throw new Error(`merchants: ${m.name} in two categories`);
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

/** Chain merchants of a region and category (all kinds). */
export function chainMerchants(region: Region, detailed: string): readonly Merchant[] {
  return byRegionCategory.get(`${region}|${detailed}`) ?? [];
}

export function inMetro(m: Merchant, metro: string): boolean {
  return m.metros === null || m.metros.includes(metro);
}
