/**
 * Description cleaning: takes a bank description apart into the counterparty (merchant) part, the payment channel
 * and hints, the way banks in the US, the UK and India write them:
 *
 * - card processors and aggregators before a `*`: `SQ *BLUE BOTTLE COFFEE`, `TST* SHAKE SHACK`, `PAYPAL *NETFLIX`,
 *   `PAYTM*ZOMATO`, `STRIPE*NOTION`, `SP * BRAND`; a merchant before a `*`: `AMZN Mktp US*2K4L95ZR0`,
 *   `UBER *TRIP`, `GOOGLE *YouTube`;
 * - bank prefixes: `POS DEBIT`, `DEBIT CARD PURCHASE -`, `PURCHASE AUTHORIZED ON 04/23`, `CHECKCARD 0423`,
 *   `CARD PAYMENT TO ... ON 12 APR`, `DD`, `SO`, `ACH DEBIT`, `ECOM PUR/`, `PCD/1234/`, `VIN/`, `BIL/ONL/`;
 * - Indian rails split by `/` or `-`: `UPI/DR/<ref>/<NAME>/<bank>/<vpa>`, `UPI-<NAME>-<vpa>-<IFSC>-<ref>-<note>`,
 *   `NEFT/CR/<ref>/<NAME>/...`, `IMPS/P2A/<ref>/<name>/...`: references, IFSC and bank codes dropped, the VPA's
 *   handle kept as a hint (`swiggy` from `swiggy@ybl`);
 * - suffixes: store numbers (`#0423`, `STORE 05123`, `T-1234`), reference ids, phone numbers, dates, card
 *   masks, web domains (`.COM`), and a trailing `CITY ST`, country code or well-known city.
 *
 * Pure and total: any string gives a result, never an exception.
 */
import { BUSINESS_WORDS } from './keywords';
import { compactKey, MAX_DESCRIPTION_LENGTH, merchantKey, titleCase, tokenize } from './text';
import type { Channel, ParsedDescription } from './types';

/** Names that, before a `*`, are a payment processor or aggregator: the merchant is after the `*`. */
const PROCESSORS = new Map<string, string>([
  ['SQ', 'SQUARE'],
  ['SQU', 'SQUARE'],
  ['SQUARE', 'SQUARE'],
  ['TST', 'TOAST'],
  ['TOAST', 'TOAST'],
  ['PAYPAL', 'PAYPAL'],
  ['PP', 'PAYPAL'],
  ['STRIPE', 'STRIPE'],
  ['STR', 'STRIPE'],
  ['PAYTM', 'PAYTM'],
  ['RAZORPAY', 'RAZORPAY'],
  ['RAZ', 'RAZORPAY'],
  ['RZP', 'RAZORPAY'],
  ['PAYU', 'PAYU'],
  ['CCAVENUE', 'CCAVENUE'],
  ['BILLDESK', 'BILLDESK'],
  ['CASHFREE', 'CASHFREE'],
  ['JUSPAY', 'JUSPAY'],
  ['PHONEPE', 'PHONEPE'],
  ['SP', 'SHOPIFY'],
  ['SHOPIFY', 'SHOPIFY'],
  ['IZ', 'ZETTLE'],
  ['IZETTLE', 'ZETTLE'],
  ['ZETTLE', 'ZETTLE'],
  ['SUMUP', 'SUMUP'],
  ['WPY', 'WEPAY'],
  ['FS', 'FASTSPRING'],
  ['PADDLE NET', 'PADDLE'],
  ['PADDLE', 'PADDLE'],
  ['CKO', 'CHECKOUT'],
  ['BT', 'BRAINTREE'],
  ['2CO', '2CHECKOUT'],
  ['DRI', 'DIGITAL RIVER'],
  ['CLV', 'CLOVER'],
  ['CLOVER', 'CLOVER'],
  ['GOOGLE', 'GOOGLE'],
  ['GPAY', 'GOOGLE'],
  ['APPLE PAY', 'APPLE'],
  ['AMAZON PAY', 'AMAZON'],
  ['AMZ PAY', 'AMAZON'],
  ['PY', 'PAYMENT PROCESSOR'],
  ['CHK', 'PAYMENT PROCESSOR'],
  ['PMT', 'PAYMENT PROCESSOR'],
  ['POS', 'PAYMENT PROCESSOR'],
]);

/** Bank and channel wording in front of the counterparty, removed repeatedly from the start. */
const LEADING = new RegExp(
  `^(?:${[
    'POS (?:DEBIT|PURCHASE|PRCH|PUR|TXN|TRANSACTION|REFUND|CREDIT|RETURN)',
    'POS',
    'DEBIT CARD (?:PURCHASE|PURCH|TRANSACTION|TXN|PAYMENT|DEBIT|REFUND|CREDIT)',
    'DEBIT (?:PURCHASE|CARD)',
    'DBT CRD(?: \\d+)?',
    'CHECK ?CARD(?: PURCHASE)?',
    'CHKCARD',
    'CHECK CRD PURCHASE',
    'CARD (?:PURCHASE|PAYMENT|TRANSACTION|TXN|PMT|REFUND)(?: WITH PIN)?(?: TO| FROM)?',
    'CONTACTLESS(?: PAYMENT| PURCHASE)?(?: TO)?',
    'VISA (?:DEBIT|PURCHASE|POS|DDA PUR|DDA)',
    'VIS',
    'MC (?:DEBIT|PURCHASE)',
    '(?:RECURRING )?PURCHASE(?: RETURN)?(?: AUTHORIZED)?(?: ON)?',
    'RECURRING (?:PAYMENT|DEBIT|CHARGE)(?: AUTHORIZED)?(?: ON)?',
    'AUTHORIZED ON',
    'PRE-?AUTH(?:ORIZED)?(?: DEBIT| CREDIT| PAYMENT)?',
    'ACH (?:DEBIT|CREDIT|PMT|PAYMENT|WITHDRAWAL|DEPOSIT)',
    'ACH [DC]-?',
    'ACH',
    'BGC',
    'BACS(?: CREDIT| PAYMENT)?',
    'FPS(?: CREDIT| PAYMENT| DEBIT| TRANSFER)?',
    'FPI',
    'FPO',
    'FASTER PAYMENTS?(?: RECEIVED| SENT| CREDIT| PAYMENT)?',
    'ELECTRONIC (?:PAYMENT|WITHDRAWAL|DEPOSIT|DEBIT|CREDIT|PMT)',
    'EFT(?: DEBIT| CREDIT)?',
    'ONLINE (?:PAYMENT|PMT|PURCHASE)(?: TO)?',
    'BILL (?:PAYMENT|PMT|PAY)(?: TO)?',
    'WEB (?:PMT|PAYMENT)',
    'DIRECT DEBIT(?: TO)?',
    'DD',
    'STANDING ORDER(?: TO)?',
    'SO',
    'STO',
    'DEB',
    'ECOM(?: PUR| PURCHASE)?',
    'PCD',
    'VIN',
    'VPS',
    'IPS',
    'MPS',
    'ME DC SI',
    'BIL(?:/ONL|/BPAY| ONL| BPAY)?',
    'ONL',
    'INTL',
    'INTERNATIONAL',
    'SALE',
    'PENDING',
    '(?:TEMPORARY )?HOLD',
    'PAYMENT TO',
    'TO',
    '\\d{1,2}[/-]\\d{1,2}(?:[/-]\\d{2,4})?',
    '\\d{1,2}(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*(?:\\d{2,4})?',
    '[X*\\d]{4,}',
    '\\d+',
    '[-:#.,/*]+',
  ].join('|')})(?=[\\s/*]|$)[\\s/]*`,
);

/** Tokens that end the merchant part when they follow it (store words before a store number, noise). */
const TRAILING_DROP = new Set([
  'STORE',
  'STORES',
  'STR',
  'NO',
  'NUM',
  'LOC',
  'LOCATION',
  'UNIT',
  'BRANCH',
  'OUTLET',
  'WWW',
  'COM',
  'NET',
  'ORG',
  'CO',
  'HTTP',
  'HTTPS',
  'HELP',
  'BILL',
  'ON',
  'AT',
  'REF',
  'PAYMENT',
  'PMT',
  'PURCHASE',
  'POS',
  'TXN',
  'ID',
  'US',
  'USA',
  'GB',
  'GBR',
  'UK',
  'IN',
  'IND',
  'INDIA',
  'USD',
  'GBP',
  'INR',
  'EUR',
  'CARD',
  'DEBIT',
  'CREDIT',
  'ONLINE',
  'INTERNET',
  'ECOM',
  'PENDING',
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'SEPT',
  'OCT',
  'NOV',
  'DEC',
  'PPD',
  'CCD',
  'WEB',
  'TEL',
  'ACH',
  'SALARY',
  'PAYROLL',
  'WAGES',
  'REFUND',
  'REF',
  'INV',
  'AUTOPAY',
  'PAYMENTS',
  'RECURRING',
  'WEBRECURRING',
  'INCL',
  'GST',
  'QTR',
  'FOR',
]);

const US_STATES = new Set([
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
  'DC',
  'PR',
]);

/** Well-known cities that banks append to a card merchant (only stripped from the end, after the name). */
const CITIES = [
  'NEW YORK',
  'NEW YORK CITY',
  'NYC',
  'BROOKLYN',
  'QUEENS',
  'BRONX',
  'LOS ANGELES',
  'SAN FRANCISCO',
  'SAN JOSE',
  'SAN DIEGO',
  'OAKLAND',
  'BERKELEY',
  'PALO ALTO',
  'MOUNTAIN VIEW',
  'SUNNYVALE',
  'SANTA CLARA',
  'SACRAMENTO',
  'SEATTLE',
  'BELLEVUE',
  'REDMOND',
  'PORTLAND',
  'CHICAGO',
  'HOUSTON',
  'DALLAS',
  'AUSTIN',
  'SAN ANTONIO',
  'FORT WORTH',
  'PHOENIX',
  'SCOTTSDALE',
  'TEMPE',
  'DENVER',
  'BOULDER',
  'BOSTON',
  'CAMBRIDGE',
  'SOMERVILLE',
  'PHILADELPHIA',
  'PITTSBURGH',
  'ATLANTA',
  'MIAMI',
  'ORLANDO',
  'TAMPA',
  'JACKSONVILLE',
  'CHARLOTTE',
  'RALEIGH',
  'DURHAM',
  'NASHVILLE',
  'MEMPHIS',
  'DETROIT',
  'MINNEAPOLIS',
  'ST PAUL',
  'SAINT PAUL',
  'ST LOUIS',
  'SAINT LOUIS',
  'KANSAS CITY',
  'COLUMBUS',
  'CLEVELAND',
  'CINCINNATI',
  'INDIANAPOLIS',
  'MILWAUKEE',
  'BALTIMORE',
  'WASHINGTON',
  'ARLINGTON',
  'ALEXANDRIA',
  'RICHMOND',
  'LAS VEGAS',
  'SALT LAKE CITY',
  'SALT LAKE CTY',
  'ALBUQUERQUE',
  'TUCSON',
  'NEW ORLEANS',
  'HONOLULU',
  'ANCHORAGE',
  'JERSEY CITY',
  'NEWARK',
  'HOBOKEN',
  'STAMFORD',
  'HARTFORD',
  'PROVIDENCE',
  'BUFFALO',
  'ROCHESTER',
  'ALBANY',
  'IRVINE',
  'PASADENA',
  'SANTA MONICA',
  'LONG BEACH',
  'FRESNO',
  'LONDON',
  'MANCHESTER',
  'BIRMINGHAM',
  'LEEDS',
  'LIVERPOOL',
  'BRISTOL',
  'SHEFFIELD',
  'NEWCASTLE',
  'NOTTINGHAM',
  'LEICESTER',
  'GLASGOW',
  'EDINBURGH',
  'CARDIFF',
  'BELFAST',
  'OXFORD',
  'BRIGHTON',
  'READING',
  'YORK',
  'SOUTHAMPTON',
  'PORTSMOUTH',
  'COVENTRY',
  'MILTON KEYNES',
  'CROYDON',
  'KINGSTON',
  'WATFORD',
  'ABERDEEN',
  'MUMBAI',
  'NAVI MUMBAI',
  'THANE',
  'PUNE',
  'DELHI',
  'NEW DELHI',
  'GURGAON',
  'GURUGRAM',
  'NOIDA',
  'BANGALORE',
  'BENGALURU',
  'BANGLORE',
  'HYDERABAD',
  'SECUNDERABAD',
  'CHENNAI',
  'KOLKATA',
  'AHMEDABAD',
  'JAIPUR',
  'LUCKNOW',
  'CHANDIGARH',
  'KOCHI',
  'COCHIN',
  'INDORE',
  'BHOPAL',
  'NAGPUR',
  'SURAT',
  'VADODARA',
  'COIMBATORE',
  'MYSORE',
  'MYSURU',
  'GOA',
  'PATNA',
  'BHUBANESWAR',
  'TRIVANDRUM',
  'THIRUVANANTHAPURAM',
  'VISAKHAPATNAM',
].map((c) => c.split(' '));

/** Cities by their last token, longest first, for the suffix check. */
const CITIES_BY_LAST = new Map<string, string[][]>();
for (const city of [...CITIES].sort((a, b) => b.length - a.length)) {
  const last = city[city.length - 1] as string;
  CITIES_BY_LAST.set(last, [...(CITIES_BY_LAST.get(last) ?? []), city]);
}

/** Words that say what happened rather than who with: a "merchant" made only of them is no merchant. */
const GENERIC = new Set([
  'WITHDRAWAL',
  'WITHDRAW',
  'WDL',
  'TRANSFER',
  'TRANSFERS',
  'XFER',
  'TFR',
  'TRF',
  'FEE',
  'FEES',
  'CHARGE',
  'CHARGES',
  'CHGS',
  'INTEREST',
  'INT',
  'DEPOSIT',
  'DEP',
  'PAYMENT',
  'PAYMENTS',
  'PMT',
  'SALARY',
  'PAYROLL',
  'REFUND',
  'CASH',
  'ATM',
  'CREDIT',
  'DEBIT',
  'ONLINE',
  'MOBILE',
  'BANKING',
  'INTERNET',
  'FROM',
  'TO',
  'THANK',
  'YOU',
  'BY',
  'FOR',
  'THE',
  'OF',
  'AND',
  'A',
  'ACCOUNT',
  'ACCT',
  'AC',
  'SAVINGS',
  'SAV',
  'CHECKING',
  'CHK',
  'CURRENT',
  'BALANCE',
  'MONTHLY',
  'SERVICE',
  'MAINTENANCE',
  'OVERDRAFT',
  'NSF',
  'RETURNED',
  'ITEM',
  'FOREIGN',
  'TRANSACTION',
  'TXN',
  'AUTOPAY',
  'AUTO',
  'PAY',
  'BILL',
  'ACH',
  'NEFT',
  'IMPS',
  'RTGS',
  'UPI',
  'DR',
  'CR',
  'REF',
  'ID',
  'NO',
  'DIRECT',
  'DD',
  'SO',
  'STANDING',
  'ORDER',
  'INSTANT',
  'WIRE',
  'INCOMING',
  'OUTGOING',
  'RECEIVED',
  'SENT',
  'NA',
  'PAID',
  'EARNED',
  'CHARGED',
  'ADJUSTMENT',
  'REVERSAL',
  'REV',
  'CHQ',
  'CHEQUE',
  'CHECK',
  'DIVIDEND',
  'DIV',
  'BGC',
  'FPI',
  'FPO',
  'FPS',
  'FASTER',
  'PAYMENTS',
  'BANK',
  'GIRO',
  'CREDITS',
  'ADVANCE',
  'ANNUAL',
  'SURCHARGE',
  'ENDING',
  'EXTERNAL',
  'EXT',
  'TRNSFR',
  'DDA',
  'IFI',
  'REFCODE',
  'CLOSURE',
  'EXCESS',
  'ESCROW',
  'INST',
  'DEPOSITED',
  'RETURN',
  'DEPOSITS',
  'EMI',
  'LOAN',
  'CARD',
  'NWD',
  'ATW',
  'POS',
  'CASHBACK',
  'REWARD',
  'REWARDS',
  'PENDING',
  'POSTED',
  'MISC',
  'OTHER',
  'SELF',
  'OWN',
  'PD',
  'CHRGS',
  'CHRG',
  'CHG',
  'QTR',
  'GST',
  'INCL',
  'NON',
  'WITH',
  'ITEM',
  'PPD',
  'CCD',
  'WEB',
  'IB',
  'MB',
  'ON',
]);

/** Segments of an Indian bank-rail description that are wording, not a name. */
const RAIL_WORDS = new Set([
  'UPI',
  'DR',
  'CR',
  'P2M',
  'P2A',
  'P2P',
  'NEFT',
  'IMPS',
  'RTGS',
  'MB',
  'IB',
  'INB',
  'BIL',
  'ONL',
  'TRF',
  'TO',
  'FROM',
  'BY',
  'PAYMENT',
  'PAY',
  'NA',
  'COLLECT',
  'REQUEST',
  'SENT',
  'RECEIVED',
  'MOBILE',
  'PAYMENT FROM PHONEPE',
  'SENT USING PAYTM UPI',
  'UPI PAYMENT',
  'UPIINTENT',
  'UPI INTENT',
  'NO REMARKS',
  'NOTPROVIDED',
  'NOT PROVIDED',
  'OTHERS',
  'OTHER',
  'PAID VIA',
  'VIA',
  'TRANSFER',
  'FUND TRANSFER',
  'IMPS TRANSFER',
  'NEFT TRANSFER',
  'BY TRANSFER',
  'TO TRANSFER',
  'CREDIT',
  'DEBIT',
  'REF',
  'OK',
  'PAYMENT ON',
]);

/** Short bank codes and IFSC prefixes that appear as their own segment in Indian rail descriptions. */
const BANK_CODES = new Set([
  'YESB',
  'HDFC',
  'HDFCB',
  'ICIC',
  'ICICI',
  'SBIN',
  'SBI',
  'UTIB',
  'AXIS',
  'PYTM',
  'KKBK',
  'KOTAK',
  'PUNB',
  'PNB',
  'BARB',
  'BOB',
  'CNRB',
  'IDIB',
  'INDB',
  'FDRL',
  'AIRP',
  'IBKL',
  'IDFB',
  'YBL',
  'AXL',
  'IBL',
  'OKAXIS',
  'OKHDFCBANK',
  'OKICICI',
  'OKSBI',
  'UBIN',
  'BKID',
  'CBIN',
  'MAHB',
  'IOBA',
  'UCBA',
  'CITI',
  'SCBL',
  'HSBC',
  'DBSS',
  'RATN',
  'AUBL',
  'ESFB',
  'JIOP',
  'FINO',
]);

const IFSC = /^[A-Z]{4}0[A-Z0-9]{6}$/;

function detectChannel(upper: string): Channel {
  if (/(?:^|[\s/:-])UPI(?:[\s/:-]|$)/.test(upper)) return 'upi';
  if (/(?:^|[\s/:-])IMPS(?:[\s/:-]|$)/.test(upper)) return 'imps';
  if (/(?:^|[\s/:-])NEFT(?:[\s/:-]|$)/.test(upper)) return 'neft';
  if (/(?:^|[\s/:-])RTGS(?:[\s/:-]|$)/.test(upper)) return 'rtgs';
  if (/\b(?:ATM|ATW|NWD|EAW|CASH WITHDRAWAL|CASH WDL|CASHPOINT|CASH MACHINE)\b/.test(upper)) return 'atm';
  if (/^(?:DD|DIRECT DEBIT)\b/.test(upper)) return 'direct_debit';
  if (/^(?:SO|STO|STANDING ORDER)\b/.test(upper)) return 'standing_order';
  if (/\b(?:FPS|FPI|FPO|FASTER PAYMENTS?|BGC|BACS)\b/.test(upper)) return 'faster_payment';
  if (/\b(?:ACH|PPD|CCD|WEB ID|DIRECT DEP|DIR DEP|EFT)\b/.test(upper)) return 'ach';
  if (/\b(?:CHQ|CHEQUE|CHECK \d+|CHECK #)\b/.test(upper)) return 'cheque';
  if (
    /\b(?:POS|CARD|PURCHASE|CHECKCARD|CHKCARD|VISA|CONTACTLESS|VIS|VIN|PCD|ECOM)\b/.test(upper) ||
    upper.includes('*')
  )
    return 'card';
  if (/\b(?:PAYTM|PHONEPE|GPAY|PAYPAL|VENMO|CASH APP|ZELLE)\b/.test(upper)) return 'wallet';
  return 'unknown';
}

function directionOf(upper: string): 'out' | 'in' | null {
  if (/(?:^|[\s/-])(?:DR|DEBIT|TO)(?:[\s/-]|$)/.test(upper)) return 'out';
  if (/(?:^|[\s/-])(?:CR|CREDIT|FROM|BY)(?:[\s/-]|$)/.test(upper)) return 'in';
  return null;
}

function digitShare(s: string): number {
  const compact = s.replace(/\s/g, '');
  if (!compact) return 0;
  return (compact.match(/\d/g)?.length ?? 0) / compact.length;
}

/** A UPI VPA's handle as tokens (`swiggy.order@ybl` → `SWIGGY ORDER`), or null for a phone number. */
function handleOf(segment: string): string | null {
  const at = segment.indexOf('@');
  const local = at >= 0 ? segment.slice(0, at) : segment;
  const tokens = tokenize(local);
  const text = tokens.join(' ');
  if (!text || digitShare(text) > 0.4) return null;
  return text;
}

interface RailParts {
  names: string[][];
  handles: string[];
  /** Tokens of every segment but references, IFSC and bank codes, bank names and VPAs. */
  text: string[];
}

/** `UPI/DR/<ref>/<NAME>/<bank>/<vpa>`, `UPI-<NAME>-<vpa>-<IFSC>-<ref>`, `NEFT/CR/<ref>/<NAME>/...`. */
function parseRail(raw: string): RailParts {
  const upper = raw.toUpperCase();
  const sep = upper.includes('/') ? '/' : upper.includes('-') ? '-' : upper.includes(':') ? ':' : ' ';
  const names: string[][] = [];
  const handles: string[] = [];
  const text: string[] = [];
  for (const piece of raw.split(sep)) {
    const seg = piece.trim();
    if (!seg) continue;
    if (seg.includes('@')) {
      const h = handleOf(seg);
      if (h) handles.push(h);
      continue;
    }
    const tokens = tokenize(seg);
    const key = tokens.join(' ');
    if (!key) continue;
    if (RAIL_WORDS.has(key)) {
      text.push(...tokens);
      continue;
    }
    if (BANK_CODES.has(key) || IFSC.test(key.replace(/ /g, ''))) continue;
    if (/\bBANK\b/.test(key) && tokens.length <= 5) continue;
    if (digitShare(key) >= 0.4 || /\d{6,}/.test(key.replace(/ /g, ''))) continue;
    // Strip rail words inside a segment (`UPI PAYMENT TO`), keep the rest.
    text.push(...tokens);
    const kept = stripLeading(tokens.filter((t) => !RAIL_WORDS.has(t)));
    if (kept.length) names.push(kept);
  }
  return { names, handles, text };
}

const LEAD_TOKENS = new Set([
  'POS',
  'DEBIT',
  'CREDIT',
  'CARD',
  'PURCHASE',
  'ON',
  'TO',
  'AT',
  'WWW',
  'ECOM',
  'PAYMENT',
  'PMT',
  'VIN',
  'PCD',
  'VPS',
  'IPS',
  'MPS',
  'SALE',
  'PENDING',
  'INTL',
  'REF',
  'HTTP',
  'HTTPS',
  'CKCD',
  'DBT',
  'CRD',
]);

function isNoiseToken(t: string): boolean {
  return (
    /^\d+$/.test(t) ||
    /^X+\d*$/.test(t) ||
    /^\d+X+\d*$/.test(t) ||
    (/\d/.test(t) && /[A-Z]/.test(t) && t.length >= 6)
  );
}

function stripLeading(tokens: string[]): string[] {
  let i = 0;
  while (i < tokens.length - 1 && (LEAD_TOKENS.has(tokens[i]!) || isNoiseToken(tokens[i]!))) i++;
  // A lone leading number is kept when it is the whole name (`7 ELEVEN` keeps `7` only before a word).
  return tokens.slice(i);
}

function endsWith(tokens: readonly string[], tail: readonly string[]): boolean {
  if (tail.length > tokens.length) return false;
  for (let i = 0; i < tail.length; i++) {
    if (tokens[tokens.length - tail.length + i] !== tail[i]) return false;
  }
  return true;
}

/**
 * The merchant part of a token list: up to the first store number / reference / date after the name, without
 * trailing store words, state codes, country codes or well-known cities.
 */
export function trimMerchantTokens(input: readonly string[]): string[] {
  let tokens = stripLeading([...input]);
  // Cut at the first token with a digit after the first token (store numbers, refs, phone numbers, dates).
  const cut = tokens.findIndex((t, i) => i > 0 && /\d/.test(t));
  if (cut > 0) tokens = tokens.slice(0, cut);
  let changed = true;
  let stateCut = false;
  let cityCut = false;
  while (changed && tokens.length > 1) {
    changed = false;
    const last = tokens[tokens.length - 1]!;
    const state = tokens.length > 2 && US_STATES.has(last) && !TRAILING_DROP.has(last);
    if (TRAILING_DROP.has(last) || state || last.length === 1) {
      tokens = tokens.slice(0, -1);
      if (state) stateCut = true;
      changed = true;
      continue;
    }
    for (const city of CITIES_BY_LAST.get(last) ?? []) {
      if (tokens.length > city.length && endsWith(tokens, city)) {
        tokens = tokens.slice(0, tokens.length - city.length);
        cityCut = true;
        changed = true;
        break;
      }
    }
  }
  // `JOES PIZZA SPRINGFIELD IL`: the word before a state code is a city the list does not know, unless it is a
  // business word (`CHIPOTLE MEXICAN GRILL CA`).
  if (stateCut && !cityCut && tokens.length >= 3 && !BUSINESS_WORDS.has(tokens[tokens.length - 1]!))
    tokens = tokens.slice(0, -1);
  if (tokens.length === 1 && /^\d+$/.test(tokens[0]!)) return [];
  return tokens;
}

function isGenericOnly(tokens: readonly string[]): boolean {
  return tokens.every((t) => GENERIC.has(t) || /\d/.test(t) || t.length === 1);
}

/** Removes bank wording from the front of an upper-case description. */
function stripBankPrefixes(upper: string): string {
  let s = upper.trim();
  for (let i = 0; i < 12; i++) {
    const m = LEADING.exec(s);
    if (!m || m[0].length === 0) break;
    const next = s.slice(m[0].length).trim();
    if (!next) break;
    s = next;
  }
  return s;
}

/** Drops a trailing ` ON 12 APR`, ` ON 04/23` (UK and US card wording) before the merchant part is cut. */
function stripTrailingDate(upper: string): string {
  return upper
    .replace(
      /\s+ON\s+\d{1,2}\s*(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*(?:\s+\d{2,4})?\s*$/,
      '',
    )
    .replace(/\s+ON\s+\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\s*$/, '');
}

/** An ACH line: `... PPD ID: 123`, `DES:`/`INDN:`/`CO ID:` (Bank of America), `ORIG CO NAME:` (Chase). */
const ACH_MARK =
  /\b(?:(?:PPD|CCD|WEB|TEL|CTX|ARC|BOC|POP|RCK|IAT)\s+ID:?|DES:|INDN:|CO ID:|ORIG CO NAME:|CO ENTRY DESCR:|SEC:\s*(?:PPD|CCD|WEB))/;

/**
 * Words of an ACH entry description that banks glue to a long company name (the company field is fixed-width:
 * `EQUITY RESIDENTIALRENT PMT`, `STATE OF CALIFORNIAPAYROLL`, `SUMMIT HEALTHCAREDIR DEP`): split off in ACH lines.
 */
export const GLUED_ENTRY_WORDS =
  /\b([A-Z]{4,}?)(PAYROLL|PAYMENTS|PAYMENT|PMT|PYMT|RENT|LEASE|MORTGAGE|MEDICAL|MONEYLINK|MONEYLINE|BILLING|PREMIUM|INSPAYMENT|INS|DIR DEP|DIRDEP|ONLINE|INTERNET|EBILL|AUTOPAY|ESCROW|BENEFITS|BENEFIT|TRANSFER|DEPOSIT|SALARY|PENSION|REFUND)\b/g;

/** An ACH entry description at the end of the company part (with its trailing reference number). */
const ACH_ENTRY_TAIL =
  /\s+(?:DIR DEP|DIRECT DEP|DIRECT DEPOSIT|PAYROLL|PAYMENTS?|PMT|PYMT|PYMNTS|BILL PAY|BILLPAY|EBILL|E BILL|ONLINE PMT|ONLINE|AUTOPAY|AUTO PAY|MEDICAL PMT|MEDICAL|RENT PMT|RENT|LEASE PMT|LEASE|PREMIUM|INS PREMIUM|INS PAYMENT|BILLING|BENEFIT PMT|BENEFITS?|FED SAL|SALARY|MONEYLINK|MONEYLINE|PHONE SVC|CABLE SVC|WASTE SVC|ELECTRIC|INTERNET|WATER|GAS|EDI PYMNTS|EDI PMT|MORTGAGE|MTG PMT|LOAN PMT|LOAN|ESCROW|INVESTMENTS?|TRANSFER|XFER|DEPOSIT|PURCHASE|REFUND|PENSION|REG SALARY|QUICKPAY)(?:\s+[A-Z0-9]*\d[A-Z0-9]*)*$/;

/** Wording in front of the counterparty of P2P, bill-pay and wallet lines: removed, repeatedly. */
const WRAPPERS: readonly [RegExp, string | null][] = [
  [/^EXPRESS CHECKOUT PAYMENT:?\s*/, 'PAYPAL'],
  [/^PRE ?APPROVED PAYMENT BILL USER PAYMENT:?\s*/, 'PAYPAL'],
  [/^PAYPAL (?:INST XFER|INSTANT TRANSFER|ECHECK)\s+(?=\S)/, 'PAYPAL'],
  [/^SUBSCRIPTION PAYMENT:?\s*/, null],
  [/^PRE ?AUTHORI[ZS]ED (?:WITHDRAWAL|DEBIT|PAYMENT|PMT)(?: (?:TO|FROM|AT))?\s*/, null],
  [/^(?:WITHDRAWAL|DEBIT|DEPOSIT|PAYMENT) (?:FROM|TO|AT)\s+/, null],
  [/^PAYMENT TO:?\s*/, null],
  [/^(?:[A-Z]+ ){0,3}(?:PAYMENT|PURCHASE|CHARGE|DEBIT|CREDIT|ORDER):\s*/, null],
  [/^(?:ONLINE |ELECTRONIC )?BILL ?PAY(?:MENT)?(?: TO)?:?\s*/, null],
];

/** P2P apps: a line naming one sends money to or from a person: the merchant is the app, never the person. */
const P2P_APPS: readonly [RegExp, string][] = [
  [/^ZELLE\b/, 'ZELLE'],
  [/^VENMO\b/, 'VENMO'],
  [/^(?:CASH APP|CASHAPP|SQUARE CASH|SQ CASH)\b/, 'CASH APP'],
  [/^APPLE CASH\b/, 'APPLE CASH'],
];

export interface Statement {
  /** The counterparty part, bank wording removed (upper case). */
  text: string;
  /** A processor or wallet that carried the payment (PayPal for `EXPRESS CHECKOUT PAYMENT:`). */
  processor: string | null;
  /** The P2P app of a person-to-person line (`ZELLE`), whose counterparty is a person. */
  p2p: string | null;
  /** An ACH line (its entry description words were split from the company name). */
  ach: boolean;
  /** An ACH line's company with its entry description (`GRANITE STATE INS PREMIUM`), for category words. */
  words: string;
}

/**
 * Takes the structure real US statements put around the counterparty off an upper-case description: ACH fields
 * (`DES:`, `ID:`, `INDN:` (the account holder), `CO ID:`, `PPD ID:`, `ORIG CO NAME:`/`CO ENTRY DESCR:`), wallet and
 * bill-pay wrappers (`EXPRESS CHECKOUT PAYMENT:`, `PAYPAL INST XFER`, `PREAUTHORIZED WITHDRAWAL TO`), a trailing
 * `; BILLING`, a street address (`8860 UNIVERSITY RD HOUSTON 77001 TX USA`) and a ` - CITY` suffix.
 */
/** An ACH line with its entry description words split from the company name (`INSPAYMENT` → `INS PAYMENT`). */
export function splitGlued(upper: string): string {
  return upper
    .replace(/\bINSPAYMENT\b/g, 'INS PAYMENT')
    .replace(GLUED_ENTRY_WORDS, (_all: string, head: string, word: string) =>
      word === 'INSPAYMENT'
        ? `${head} INS PAYMENT`
        : word === 'DIRDEP'
          ? `${head} DIR DEP`
          : `${head} ${word}`,
    );
}

export function unwrapStatement(upper: string): Statement {
  let s = upper.trim();
  let processor: string | null = null;
  let p2p: string | null = null;
  let words = '';
  const ach = ACH_MARK.test(s);
  if (ach) {
    const orig =
      /ORIG CO NAME:\s*(.*?)\s*(?:CO ENTRY DESCR:\s*(.*?)\s*)?(?:SEC:.*|ORIG ID:.*|IND ID:.*|IND NAME:.*)?$/.exec(
        s,
      );
    if (orig && orig[1]) s = `${orig[1]} ${orig[2] ?? ''}`.trim();
    const des = /^(.*?)\s*DES:\s*(.*?)\s*(?:ID:.*)?$/.exec(s);
    if (des && des[1]) s = `${des[1]} ${des[2] ?? ''}`.trim();
    s = s
      .replace(/\s*\b(?:INDN|CO ID|IND ID|IND NAME|ORIG ID|TRACE|REF|REFCODE):.*$/, '')
      .replace(/\s*\b(?:PPD|CCD|WEB|TEL|CTX|ARC|BOC|POP|RCK|IAT)\s+ID:?\s*\S*.*$/, '')
      .replace(/\s+(?:PPD|CCD|WEB|TEL)$/, '');
    s = splitGlued(s);
    words = s;
    // The entry description after the company (`DIR DEP`, `RENT PMT 12345`, `MORTGAGE`) is not the company's name.
    for (let i = 0; i < 3; i++) {
      const next = s.replace(ACH_ENTRY_TAIL, '').trim();
      if (!next || next === s || !/[A-Z]{2}/.test(next)) break;
      s = next;
    }
  }
  for (let i = 0; i < 4; i++) {
    let hit = false;
    for (const [re, proc] of WRAPPERS) {
      const m = re.exec(s);
      if (m && m[0].length < s.length) {
        s = s.slice(m[0].length).trim();
        if (proc) processor = proc;
        hit = true;
      }
    }
    if (!hit) break;
  }
  for (const [re, app] of P2P_APPS) {
    if (re.test(s) && /\b(?:TO|FROM|SENT|RECEIVED|PAYMENT|CASHOUT|TRANSFER)\b/.test(s)) p2p = app;
  }
  s = s
    .replace(/\s*;\s*(?:CHARGE|BILLING|SERVICE|SUBSCRIPTION|PAYMENT|PURCHASE|RECURRING|AUTOPAY)\s*$/, '')
    .replace(
      /\s+\d{1,6}\s+(?:[A-Z]+\s+){1,3}(?:ST|RD|AVE|AV|DR|CT|WAY|BLVD|LN|PL|PKWY|HWY|CIR|TER|TRL|LOOP|SQ)\b.*$/,
      '',
    );
  s = s.replace(/\s+(?:XFER\s+|IFI\s+)*(?:DDA TO (?:DDA|SAV)|SAV TO DDA|EXT TRNSFR|EXT TRANSFER).*$/, '');
  const dash = /^(.*?\S)\s+-\s+[A-Z][A-Z .']*$/.exec(s);
  if (dash && dash[1] && /[A-Z]{2}/.test(dash[1])) s = dash[1];
  return { text: s, processor, p2p, ach, words: words || s };
}

/** Category words a small business glues to its name in a one-word processor descriptor (`ACMEBIKES`). */
const GLUED_CATEGORY_SUFFIX =
  /^([A-Z]{3,}?)(BIKES|BIKE|CYCLES|PIZZA|PIZZERIA|COFFEE|ROASTERS|BAKERY|CAFE|DENTAL|SALON|SPA|BARBERS?|PHARMACY|BOOKS|SHOES|TOYS|PETS|MARKET|FOODS|GRILL|BURGERS?|SUSHI|TACOS|WINES|BREWING|FITNESS|YOGA|OUTFITTERS|HARDWARE|FLOWERS|FLORIST|TICKETS|GAMES|STUDIO|CLINIC|MOTORS|AUTO|PLUMBING|ROOFING|CLEANERS|LAUNDRY|TATTOO|PHOTO|DESIGNS|APPAREL|BOUTIQUE|JEWELRY|GARDENS?|NURSERY|KITCHEN|DELI|TEA|JUICE|CREAMERY|DONUTS|BAGELS)$/;

function splitGluedWord(token: string): string[] {
  if (token.length < 7) return [token];
  const m = GLUED_CATEGORY_SUFFIX.exec(token);
  return m && m[1] && m[2] ? [m[1], m[2]] : [token];
}

/** Takes a bank description apart. Total: never throws. */
export function parseDescription(description: string): ParsedDescription {
  const raw = String(description).slice(0, MAX_DESCRIPTION_LENGTH).replace(/\s+/g, ' ').trim();
  const upper = raw.toUpperCase();
  let tokens = tokenize(raw);
  const channel = detectChannel(upper);
  let processor: string | null = null;
  const handles: string[] = [];
  const candidates: string[][] = [];
  let direction = null as 'out' | 'in' | null;
  let counterpartyWords: string[] | undefined;

  const railStart = /(?:^|[\s/:-])(UPI|IMPS|NEFT|RTGS)(?=[\s/:-])/.exec(upper);
  if (railStart && (channel === 'upi' || channel === 'imps' || channel === 'neft' || channel === 'rtgs')) {
    const rail = parseRail(raw.slice(railStart.index));
    tokens = [
      ...tokenize(raw.slice(0, railStart.index)),
      ...rail.text,
      ...rail.handles.flatMap((h) => h.split(' ')),
    ];
    handles.push(...rail.handles);
    for (const n of rail.names) candidates.push(n);
    for (const h of rail.handles) candidates.push(h.split(' '));
    direction = directionOf(upper);
  } else {
    const st = unwrapStatement(upper);
    // Keyword rules read the ACH line with its glued words split, and a wallet line as `PAYPAL <merchant>` (its
    // `INST XFER` funds a purchase: not a transfer word).
    if (st.ach) {
      tokens = tokenize(splitGlued(upper));
      counterpartyWords = tokenize(st.words);
    }
    if (st.processor) {
      processor = st.processor;
      tokens = tokenize(`${st.processor} ${st.text}`);
    }
    let s = stripTrailingDate(stripBankPrefixes(st.text));
    // `PYPL *X`, `PAYPAL *PYPL X`: PayPal's own prefix inside the merchant part.
    s = s.replace(/^PYPL\s*\*?\s*(?=\S)/, () => {
      processor = 'PAYPAL';
      return '';
    });
    const star = s.indexOf('*');
    if (st.p2p) {
      // A person's name is never the merchant: the app is.
      processor = st.p2p;
      candidates.push(tokenize(st.p2p));
    } else if (star > 0) {
      const before = s.slice(0, star).trim();
      const after = s.slice(star + 1).trim();
      const beforeKey = merchantKey(before);
      const proc = PROCESSORS.get(beforeKey) ?? PROCESSORS.get(compactKey(before));
      if (proc) {
        processor = proc;
        const afterClean = stripBankPrefixes(after.replace(/^PYPL\s*\*?\s*(?=\S)/, ''));
        candidates.push(tokenize(afterClean));
        // The processor itself is the merchant only when nothing is after it.
        if (!afterClean.trim()) candidates.push(tokenize(before));
      } else {
        candidates.push(tokenize(s), tokenize(before));
      }
    } else {
      candidates.push(tokenize(s));
    }
    if (/\bTO\b/.test(upper) && !/\bFROM\b/.test(upper)) direction = 'out';
    else if (/\bFROM\b/.test(upper)) direction = 'in';
  }
  const vpas: string[] = [];
  for (const m of raw.matchAll(/[\w.-]+@[\w.]+/g)) {
    const vpa = m[0].toLowerCase().replace(/^.*-(?=[^-]*@)/, '');
    vpas.push(vpa);
    const h = handleOf(vpa);
    if (h && !handles.includes(h)) handles.push(h);
  }

  // `PAYPAL *ACMEBIKES`: a one-word shop name glued to its category word reads `ACME BIKES`.
  for (const c of candidates) if (c.length === 1) c.splice(0, 1, ...splitGluedWord(c[0]!));
  const nonEmpty = candidates.filter((c) => c.length > 0);
  if (!nonEmpty.length && tokens.length) nonEmpty.push(tokens);
  const first = nonEmpty[0] ?? [];
  const merchantTokens = trimMerchantTokens(first);
  const merchantDisplay =
    merchantTokens.length && !isGenericOnly(merchantTokens) ? titleCase(merchantTokens) : null;
  return {
    raw,
    tokens,
    merchantTokens,
    candidates: nonEmpty,
    merchantDisplay,
    channel,
    processor,
    handles,
    vpas,
    direction,
    ...(counterpartyWords?.length ? { counterpartyWords } : {}),
  };
}
