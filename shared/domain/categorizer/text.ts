/**
 * Text primitives shared by the cleaner, the merchant directory and user rules: one tokenizer so that a name in
 * the directory, a user's `merchant` and a bank description are compared the same way.
 */

/** The most of a description the engine reads (longer text is cut: bounds the work per transaction). */
export const MAX_DESCRIPTION_LENGTH = 512;

const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * Upper-case word tokens: diacritics folded, apostrophes dropped (`DOMINO'S` → `DOMINOS`), every other
 * non-alphanumeric character a separator (`7-ELEVEN` → `7 ELEVEN`, `AT&T` → `AT T`), and a long letter run glued
 * to a long digit run split (`STORE05123` → `STORE 05123`) unless it is a card mask (`XXXX1234` stays whole).
 */
export function tokenize(text: string): string[] {
  const cut = text.slice(0, MAX_DESCRIPTION_LENGTH);
  // Folding diacritics changes nothing in ASCII text (most descriptions and directory names): skipped there.
  const folded = (NON_ASCII.test(cut) ? cut.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : cut)
    .toUpperCase()
    .replace(/['\u2019`]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .replace(/([A-Z]{3,})(\d{3,})/g, (all: string, letters: string, digits: string) =>
      /^X+$/.test(letters) ? all : `${letters} ${digits}`,
    )
    .trim();
  return folded ? folded.split(' ') : [];
}

/** The comparison key of a merchant name: its tokens, single-spaced (`Peet's Coffee & Tea` → `PEETS COFFEE TEA`). */
export function merchantKey(text: string): string {
  return tokenize(text).join(' ');
}

/** The key without spaces (`BLUE BOTTLE` and `BLUEBOTTLE` compare equal). */
export function compactKey(text: string): string {
  return tokenize(text).join('');
}

const SMALL_WORDS = new Set(['AND', 'OF', 'THE', 'AT', 'ON', 'IN', 'FOR', 'TO', 'A', 'AN', 'DE', 'LA', 'BY']);
const KEEP_UPPER = new Set([
  'USA',
  'US',
  'UK',
  'LLC',
  'INC',
  'LTD',
  'PVT',
  'BBQ',
  'ATM',
  'ICICI',
  'HDFC',
  'SBI',
  'IRCTC',
  'KFC',
  'UPS',
  'USPS',
  'DHL',
  'BP',
  'CVS',
  'TJ',
  'HM',
  'IHOP',
  'AMC',
  'NYC',
  'LIC',
  'ADT',
  'SSA',
  'VA',
  'IRS',
  'FCU',
  'CU',
  'UC',
  'PNC',
  'BMO',
  'TD',
  'ATT',
  'TV',
  'II',
  'III',
  'IV',
]);

/** Title case for upper-case bank text: `BLUE BOTTLE COFFEE` → `Blue Bottle Coffee`. */
export function titleCase(tokens: readonly string[]): string {
  return tokens
    .map((t, i) => {
      if (KEEP_UPPER.has(t)) return t;
      if (/\d/.test(t)) return t;
      if (i > 0 && SMALL_WORDS.has(t)) return t.toLowerCase();
      return t.charAt(0) + t.slice(1).toLowerCase();
    })
    .join(' ');
}
