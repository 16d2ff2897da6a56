/**
 * The categorization engine: `categorize(input, userRules, context)` → a Plaid category with its source,
 * confidence and the id of the rule that decided, or null (abstain). Pure, deterministic, total (never throws).
 *
 * Order:
 * 1. User rules (`user-rules.ts`): the best matching rule wins (priority, specificity, age) and ALWAYS beats
 *    built-in rules: source `user_rule`, confidence 1, `rule_id` = the rule's id.
 * 2. Built-in rules (source `rules`): every rule family proposes a candidate with a confidence; the most
 *    confident wins (ties: the earlier family below). Families:
 *    - own-account transfers (`builtin:transfer:own-account`): the description names one of the user's other
 *      accounts (`context.ownAccountIds`, or `context.ownAccountMasks` next to transfer wording);
 *    - structural keywords (`builtin:keyword:<k>`): cash, payroll, interest, fees, card and loan payments,
 *      transfers, rent, tax (`keywords.ts`);
 *    - the merchant directory (`builtin:merchant:<slug>`), after cleaning the description (`clean.ts`);
 *    - category words for unknown merchants (`builtin:keyword:<k>`, lower confidence);
 *    - a person-to-person payment on an Indian rail or faster payment to what looks like a person's name
 *      (`builtin:transfer:person`);
 *    - amount rules (`builtin:amount:<k>`): a large payroll-like credit from a company → INCOME_WAGES; a small
 *      round cash debit → cash withdrawal;
 *    - a fallback (`builtin:fallback:money-out|money-in`, confidence 0.3) so that a caller asking for full
 *      coverage (`minConfidence: 0`) always gets a category.
 * 3. Results below `context.minConfidence` (default `DEFAULT_CONFIDENCE_THRESHOLD`) are null: the engine
 *    abstains rather than guess. Raising the threshold trades coverage for precision.
 *
 * Money in at a merchant (a positive amount at a spending category) is a REFUND: it keeps the merchant's category
 * (so budgets and analytics net it against the spending, as `analytics.ts` does) with confidence × 0.92. Money in
 * from a merchant whose category is a transfer out (wallet, broker) becomes the matching TRANSFER_IN category; a
 * tax authority paying in is INCOME_TAX_REFUND; a lender paying in is TRANSFER_IN_CASH_ADVANCES_AND_LOANS; an
 * INCOME merchant (payroll provider) is only believed for money in.
 */
import { normalizeDescription } from '../fingerprint';
import { exponent } from '../money';
import { categoryOf, isValidCategory } from '../taxonomy';
import { parseDescription } from './clean';
import { mccCategory } from './mcc';
import { findMerchant, type DirectoryEntry, type DirectoryMatch } from './directory/index';
import { BUSINESS_WORDS, CATEGORY_WORDS, STRUCTURAL_RULES, type KeywordRule } from './keywords';
import { compactKey, tokenize } from './text';
import type { CategorizeContext, CategorizeInput, CategoryResult, ParsedDescription } from './types';
import { winningRule, type UserRule } from './user-rules';

/** Default cut: built-in results below this confidence are not given (see the bench for the trade-off). */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.7;

/** No category word or person-transfer candidate is more confident than this. */
const CATEGORY_WORDS_MAX = Math.max(0.8, ...CATEGORY_WORDS.map((r) => r.confidence));

/** Confidence of a refund relative to the purchase category it keeps. */
const REFUND_FACTOR = 0.92;

/** One built-in proposal. */
export interface Candidate {
  detailed: string;
  confidence: number;
  ruleId: string;
  merchantName: string | null;
  ownTransfer: boolean;
}

const TRANSFER_FLIP: Record<string, string> = {
  TRANSFER_OUT_INVESTMENT_AND_RETIREMENT_FUNDS: 'TRANSFER_IN_INVESTMENT_AND_RETIREMENT_FUNDS',
  TRANSFER_OUT_SAVINGS: 'TRANSFER_IN_SAVINGS',
  TRANSFER_OUT_WITHDRAWAL: 'TRANSFER_IN_DEPOSIT',
  TRANSFER_OUT_ACCOUNT_TRANSFER: 'TRANSFER_IN_ACCOUNT_TRANSFER',
  TRANSFER_OUT_OTHER_TRANSFER_OUT: 'TRANSFER_IN_OTHER_TRANSFER_IN',
  TRANSFER_IN_INVESTMENT_AND_RETIREMENT_FUNDS: 'TRANSFER_OUT_INVESTMENT_AND_RETIREMENT_FUNDS',
  TRANSFER_IN_SAVINGS: 'TRANSFER_OUT_SAVINGS',
  TRANSFER_IN_DEPOSIT: 'TRANSFER_OUT_WITHDRAWAL',
  TRANSFER_IN_ACCOUNT_TRANSFER: 'TRANSFER_OUT_ACCOUNT_TRANSFER',
  TRANSFER_IN_OTHER_TRANSFER_IN: 'TRANSFER_OUT_OTHER_TRANSFER_OUT',
  TRANSFER_IN_CASH_ADVANCES_AND_LOANS: 'TRANSFER_OUT_OTHER_TRANSFER_OUT',
};

/** Per currency: a credit at least this large (major units) from a company may be a salary. */
const LARGE_CREDIT_MAJOR: Record<string, number> = { USD: 1000, GBP: 800, EUR: 1000, INR: 25000 };
/** Per currency: cash withdrawals come in multiples of this (major units), up to the cap. */
const CASH_STEP_MAJOR: Record<string, [step: number, cap: number]> = {
  USD: [20, 1000],
  GBP: [10, 500],
  EUR: [10, 1000],
  INR: [100, 20000],
};

function majorUnits(amountMinor: number, currency: string): number {
  return Math.abs(amountMinor) / 10 ** exponent(currency);
}

/** The directory's category for this direction of money, with the confidence adjustment, or null. */
function directoryCategory(
  entry: DirectoryEntry,
  amountMinor: number,
): { detailed: string; factor: number } | null {
  const { primary, detailed } = entry.category;
  if (amountMinor > 0) {
    if (primary === 'TRANSFER_OUT')
      return { detailed: TRANSFER_FLIP[detailed] ?? 'TRANSFER_IN_OTHER_TRANSFER_IN', factor: 1 };
    if (primary === 'GOVERNMENT_AND_NON_PROFIT' && detailed.endsWith('_TAX_PAYMENT'))
      return { detailed: 'INCOME_TAX_REFUND', factor: 0.95 };
    if (primary === 'LOAN_PAYMENTS' && detailed !== 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT')
      return { detailed: 'TRANSFER_IN_CASH_ADVANCES_AND_LOANS', factor: 0.85 };
    if (primary === 'INCOME' || primary === 'TRANSFER_IN' || detailed === 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT')
      return { detailed, factor: 1 };
    return { detailed, factor: REFUND_FACTOR };
  }
  if (amountMinor < 0) {
    if (primary === 'INCOME') return null;
    if (primary === 'TRANSFER_IN') return { detailed: TRANSFER_FLIP[detailed] ?? detailed, factor: 1 };
  }
  return { detailed, factor: 1 };
}

const KIND_CONFIDENCE: Record<DirectoryMatch['kind'], number> = {
  start: 0.95,
  glued: 0.88,
  handle: 0.9,
  truncated: 0.82,
  anywhere: 0.8,
  generic: 0.79,
};

function fromDirectory(m: DirectoryMatch, amountMinor: number, parsed: ParsedDescription): Candidate | null {
  const cat = directoryCategory(m.entry, amountMinor);
  if (!cat) return null;
  let confidence = KIND_CONFIDENCE[m.kind];
  if (m.kind === 'start' && m.candidate > 0) confidence = 0.92;
  if (m.entry.weak) confidence = Math.min(confidence, 0.8);
  // `PAYPAL *ACME BIKES`: the wallet that carried a purchase is not what was bought.
  if (m.entry.weak && parsed.processor && m.kind === 'anywhere') confidence = 0.6;
  return {
    detailed: cat.detailed,
    confidence: round(confidence * cat.factor),
    ruleId: `builtin:merchant:${m.entry.slug}`,
    merchantName: m.entry.generic ? parsed.merchantDisplay : m.entry.name,
    ownTransfer: false,
  };
}

function fromKeyword(
  r: KeywordRule,
  text: string,
  amountMinor: number,
  merchant: string | null,
): Candidate | null {
  if (!r.pattern.test(text) || (r.unless && r.unless.test(text))) return null;
  const detailed = amountMinor > 0 ? (r.credit === undefined ? r.debit : r.credit) : r.debit;
  if (!detailed) return null;
  return { detailed, confidence: r.confidence, ruleId: r.id, merchantName: merchant, ownTransfer: false };
}

/** The card network's merchant category code, where the bank sent one (`builtin:mcc:<code>`). */
function fromMcc(input: CategorizeInput, merchant: string | null): Candidate | null {
  const m = input.mcc ? mccCategory(input.mcc) : null;
  if (!m) return null;
  const { primary } = categoryOf(m.detailed);
  // Money in at a card merchant is a refund: it keeps the merchant's category, a little less surely.
  const factor = input.amountMinor > 0 && primary !== 'INCOME' ? REFUND_FACTOR : 1;
  return {
    detailed: m.detailed,
    confidence: round(m.confidence * factor),
    ruleId: `builtin:mcc:${m.mcc}`,
    merchantName: merchant,
    ownTransfer: false,
  };
}

const TRANSFER_WORDS =
  /\b(TRANSFER|TRANSFERS|XFER|TFR|TRF|TO|FROM|SAV|SAVINGS|CHK|CHECKING|CURRENT|ACCT|ACCOUNT|AC|A C|SWEEP|PAYMENT|PMT|CARD|DEPOSIT|MOVE|OWN|SELF)\b/;
const CARD_PAYMENT_WORDS = /\b(CREDIT CARD|CREDIT CRD|CARD PAYMENT|CC|CARD|AUTOPAY|PAYMENT THANK YOU|CRD)\b/;
const SAVINGS_WORDS = /\b(SAV|SAVINGS|SAVER|ISA|RESERVE|POT|SWEEP)\b/;

function ownTransfer(
  input: CategorizeInput,
  parsed: ParsedDescription,
  context: CategorizeContext,
  text: string,
): Candidate | null {
  const upper = parsed.raw.toUpperCase();
  let hit = false;
  for (const id of context.ownAccountIds ?? []) {
    if (typeof id !== 'string' || id.length < 4 || id === input.accountId) continue;
    if (upper.includes(id.toUpperCase())) {
      hit = true;
      break;
    }
  }
  if (!hit && context.ownAccountMasks?.length && TRANSFER_WORDS.test(text)) {
    for (const mask of context.ownAccountMasks) {
      if (typeof mask !== 'string' || !/^\d{2,6}$/.test(mask)) continue;
      if (
        parsed.tokens.some(
          (t) =>
            t === mask ||
            (t.endsWith(mask) &&
              /^[X*]*\d*$/.test(t.slice(0, -mask.length)) &&
              t.length <= 20 &&
              /X/.test(t)),
        )
      ) {
        hit = true;
        break;
      }
    }
  }
  if (!hit) return null;
  const out = input.amountMinor < 0;
  const detailed = CARD_PAYMENT_WORDS.test(text)
    ? 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'
    : SAVINGS_WORDS.test(text)
      ? out
        ? 'TRANSFER_OUT_SAVINGS'
        : 'TRANSFER_IN_SAVINGS'
      : out
        ? 'TRANSFER_OUT_ACCOUNT_TRANSFER'
        : 'TRANSFER_IN_ACCOUNT_TRANSFER';
  return {
    detailed,
    confidence: 0.97,
    ruleId: 'builtin:transfer:own-account',
    merchantName: null,
    ownTransfer: true,
  };
}

const RAIL_CHANNELS = new Set(['upi', 'imps', 'neft', 'rtgs', 'faster_payment', 'wallet']);

/** Merchant UPI ids: Paytm and BharatPe QR codes, PhonePe merchant ids (`q123...@ybl`), gateway ids. */
const MERCHANT_VPA =
  /^(paytmqr|paytm\.s|q\d{5,}|bharatpe|mab\.|mab\d|mswipe|pinelabs|rzp|razorpay|cf\.|gpay-\d|ezetap|yespay|payu|cashfree|billdesk|.*(merchant|store|shop|mart|enterprises|traders|pvtltd|ltd))/;
/** Person UPI ids: a mobile number, or a Google Pay handle (`name@okaxis`). */
const PERSON_VPA =
  /^(\+?\d{10,12}@[a-z]+|[a-z][a-z0-9._-]*@ok[a-z]+|[a-z][a-z0-9._-]*@(upi|apl|axl|ibl|ybl|paytm|ptyes|ptsbi|pthdfc|ptaxis|icici|sbi|hdfcbank|axisbank|kotak|idfcbank|fbl|indus|freecharge|jupiteraxis|fifederal|naviaxis|superyes|waaxis|waicici|wahdfcbank|wasbi|mbk))$/;

/** A payment on a bank rail to what reads as a person's name (`UPI/DR/.../RAHUL SHARMA/...rahul.s@okaxis`). */
function personTransfer(parsed: ParsedDescription, amountMinor: number): Candidate | null {
  if (!RAIL_CHANNELS.has(parsed.channel)) return null;
  const name = parsed.merchantTokens;
  if (name.length < 1 || name.length > 4) return null;
  if (!name.every((t) => /^[A-Z]{2,}$/.test(t) && !BUSINESS_WORDS.has(t))) return null;
  let confidence = 0.72;
  if (parsed.vpas.length) {
    if (parsed.vpas.some((v) => MERCHANT_VPA.test(v))) return null;
    const local = (v: string) => v.slice(0, v.indexOf('@'));
    const named = parsed.vpas.some((v) => {
      const key = local(v).replace(/[^a-z]/g, '');
      return name.some((t) => t.length >= 3 && key.includes(t.toLowerCase()));
    });
    if (parsed.vpas.some((v) => PERSON_VPA.test(v)) || named) confidence = 0.8;
    else confidence = 0.6;
  }
  return {
    detailed: amountMinor < 0 ? 'TRANSFER_OUT_ACCOUNT_TRANSFER' : 'TRANSFER_IN_ACCOUNT_TRANSFER',
    confidence,
    ruleId: 'builtin:transfer:person',
    merchantName: parsed.merchantDisplay,
    ownTransfer: false,
  };
}

const COMPANY_WORDS =
  /\b(INC|LLC|LLP|LTD|LIMITED|PVT|CORP|CORPORATION|CO|COMPANY|PLC|GMBH|TECHNOLOGIES|TECHNOLOGY|SOLUTIONS|SYSTEMS|SERVICES|GROUP|HOLDINGS|INDUSTRIES|PPD|CCD|BACS|BGC|DIR DEP|DIRECT DEP|NEFT|RTGS)\b/;
const LEGAL_ENTITY = /\b(INC|LLC|LLP|LTD|LIMITED|PVT|CORP|CORPORATION|PLC|GMBH)\b/;
const CASH_WORDS = /\b(CASH|WDL|WITHDRAWAL|WITHDRAW|WITHDRAWL|CASHOUT|CASH OUT)\b/;

function amountRules(input: CategorizeInput, parsed: ParsedDescription, text: string): Candidate[] {
  const out: Candidate[] = [];
  const major = majorUnits(input.amountMinor, input.currency);
  if (input.amountMinor > 0) {
    const large = LARGE_CREDIT_MAJOR[input.currency] ?? 1000;
    if (
      major >= large &&
      COMPANY_WORDS.test(text) &&
      !/\b(REFUND|REVERSAL|RETURN|TRANSFER|XFER|TFR|SAVINGS)\b/.test(text)
    ) {
      out.push({
        detailed: 'INCOME_WAGES',
        confidence: LEGAL_ENTITY.test(text) ? 0.84 : 0.74,
        ruleId: 'builtin:amount:salary-like',
        merchantName: parsed.merchantDisplay,
        ownTransfer: false,
      });
    }
  } else if (input.amountMinor < 0) {
    const [step, cap] = CASH_STEP_MAJOR[input.currency] ?? [10, 1000];
    const round = Number.isInteger(major / step) && major > 0 && major <= cap;
    if (round && CASH_WORDS.test(text)) {
      out.push({
        detailed: 'TRANSFER_OUT_WITHDRAWAL',
        confidence: 0.9,
        ruleId: 'builtin:amount:round-cash',
        merchantName: null,
        ownTransfer: false,
      });
    }
    if (round && parsed.channel === 'atm' && !/\bFEE\b/.test(text)) {
      out.push({
        detailed: 'TRANSFER_OUT_WITHDRAWAL',
        confidence: 0.97,
        ruleId: 'builtin:amount:round-atm',
        merchantName: null,
        ownTransfer: false,
      });
    }
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function safeInput(input: CategorizeInput): CategorizeInput {
  const amount = Number.isFinite(input?.amountMinor) ? Math.trunc(input.amountMinor) : 0;
  return {
    description:
      typeof input?.description === 'string' ? input.description : String(input?.description ?? ''),
    merchantName: typeof input?.merchantName === 'string' ? input.merchantName : null,
    amountMinor: amount,
    currency: typeof input?.currency === 'string' ? input.currency.toUpperCase() : 'USD',
    accountId: typeof input?.accountId === 'string' ? input.accountId : '',
    mcc: typeof input?.mcc === 'string' ? input.mcc : null,
  };
}

interface Analysis {
  parsed: ParsedDescription;
  match: DirectoryMatch | null;
}

function analyse(input: CategorizeInput): Analysis {
  const parsed = parseDescription(input.description);
  if (input.merchantName && input.merchantName.trim()) {
    const named = tokenize(input.merchantName);
    if (named.length) parsed.candidates = [named, ...parsed.candidates];
  }
  return { parsed, match: findMerchant(parsed) };
}

/** Every built-in candidate for a transaction, best first (for debugging, tuning and the bench). */
export function explain(rawInput: CategorizeInput, context: CategorizeContext = {}): Candidate[] {
  const input = safeInput(rawInput);
  const { parsed, match } = analyse(input);
  return builtinCandidates(input, parsed, match, context, true);
}

/** The directory's name of the match, unless it is a generic phrase or only the wallet that carried a purchase. */
function named(match: DirectoryMatch | null, parsed: ParsedDescription): string | null {
  if (!match || match.entry.generic) return null;
  if (match.entry.weak && parsed.processor && match.kind === 'anywhere') return null;
  return match.entry.name;
}

/** Bank fees, cash and checks have no merchant unless the directory names one (`ATM FEE - 54/14` → null). */
const NO_MERCHANT = /^(BANK_FEES_|TRANSFER_OUT_WITHDRAWAL$|TRANSFER_IN_DEPOSIT$)/;

function builtinCandidates(
  input: CategorizeInput,
  parsed: ParsedDescription,
  match: DirectoryMatch | null,
  context: CategorizeContext,
  all = false,
): Candidate[] {
  const text = parsed.tokens.join(' ');
  const merchant = named(match, parsed) ?? parsed.merchantDisplay;
  const list: Candidate[] = [];
  const push = (c: Candidate | null) => {
    if (c) list.push(c);
  };
  push(ownTransfer(input, parsed, context, text));
  const plain = named(match, parsed);
  for (const r of STRUCTURAL_RULES) {
    const c = fromKeyword(r, text, input.amountMinor, merchant);
    if (c && !plain && NO_MERCHANT.test(c.detailed)) c.merchantName = null;
    push(c);
  }
  if (match) push(fromDirectory(match, input.amountMinor, parsed));
  push(fromMcc(input, merchant));
  // Category words read the counterparty part (bank wording and rail references removed), store words included.
  // Category words and the person rule are never above CATEGORY_WORDS_MAX: when a stronger candidate exists
  // they cannot change the result, so they are skipped (explain() still lists them).
  const strong = list.some((c) => c.confidence > CATEGORY_WORDS_MAX);
  // The counterparty up to its store number / address (a street name such as `UNIVERSITY RD` is no category word).
  const counterparty = parsed.candidates[0] ?? [];
  const cut = counterparty.findIndex((t, i) => i > 0 && /\d/.test(t));
  const trimmed = cut > 0 ? counterparty.slice(0, cut) : counterparty;
  const words = parsed.counterpartyWords?.join(' ') ?? (trimmed.length ? trimmed.join(' ') : text);
  for (const r of all || !strong ? CATEGORY_WORDS : []) {
    const c = fromKeyword(r, words, input.amountMinor, merchant);
    if (
      c &&
      input.amountMinor > 0 &&
      !c.detailed.startsWith('INCOME') &&
      !c.detailed.startsWith('TRANSFER_IN')
    ) {
      c.confidence = round(c.confidence * REFUND_FACTOR);
    }
    push(c);
  }
  if (!match && (all || !strong)) push(personTransfer(parsed, input.amountMinor));
  list.push(...amountRules(input, parsed, text));
  list.push(
    input.amountMinor > 0
      ? {
          detailed: 'TRANSFER_IN_OTHER_TRANSFER_IN',
          confidence: 0.3,
          ruleId: 'builtin:fallback:money-in',
          merchantName: merchant,
          ownTransfer: false,
        }
      : {
          detailed: 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE',
          confidence: 0.3,
          ruleId: 'builtin:fallback:money-out',
          merchantName: merchant,
          ownTransfer: false,
        },
  );
  // Stable: equal confidences keep the family order above.
  return list
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.confidence - a.c.confidence || a.i - b.i)
    .map((x) => x.c);
}

function merchantKeys(
  input: CategorizeInput,
  parsed: ParsedDescription,
  match: DirectoryMatch | null,
): string[] {
  const keys = new Set<string>();
  const add = (s: string | null | undefined) => {
    const k = s ? compactKey(s) : '';
    if (k) keys.add(k);
  };
  add(input.merchantName);
  if (match && !match.entry.generic) add(match.entry.name);
  add(parsed.merchantDisplay);
  return [...keys];
}

/**
 * Categorizes one transaction: user rules first, then built-in rules; null when nothing reaches
 * `context.minConfidence` (default `DEFAULT_CONFIDENCE_THRESHOLD`). Never throws.
 */
export function categorize(
  rawInput: CategorizeInput,
  userRules: readonly UserRule[] = [],
  context: CategorizeContext = {},
): CategoryResult | null {
  const input = safeInput(rawInput);
  const { parsed, match } = analyse(input);
  const recognised = named(match, parsed) ?? parsed.merchantDisplay;
  if (userRules.length) {
    const rule = winningRule(userRules, {
      description: input.description,
      normalized: normalizeDescription(input.description.slice(0, 512)),
      merchantKeys: merchantKeys(input, parsed, match),
      amountMinor: input.amountMinor,
      currency: input.currency,
      accountId: input.accountId,
    });
    if (rule) {
      return {
        primary: rule.category.primary,
        detailed: rule.category.detailed ?? null,
        source: 'user_rule',
        confidence: 1,
        rule_id: rule.id,
        merchant_name: input.merchantName?.trim() || recognised,
        own_transfer: false,
      };
    }
  }
  const threshold = Number.isFinite(context.minConfidence)
    ? (context.minConfidence as number)
    : DEFAULT_CONFIDENCE_THRESHOLD;
  const best = builtinCandidates(input, parsed, match, context)[0];
  if (!best || best.confidence < threshold) return null;
  const pair = categoryOf(best.detailed);
  if (!isValidCategory(pair)) return null;
  return {
    primary: pair.primary,
    detailed: pair.detailed,
    source: 'rules',
    confidence: best.confidence,
    rule_id: best.ruleId,
    merchant_name: best.merchantName ?? (best.ownTransfer ? null : recognised),
    own_transfer: best.ownTransfer,
  };
}

/**
 * The cleaned merchant of a description, for the sync to fill `merchant_name`: the directory's name when the
 * engine recognises the merchant (`SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO` → `Blue Bottle Coffee`), else the
 * description's counterparty part in title case, else null (ATM, fees, interest...). Never throws.
 */
export function cleanMerchant(description: string): string | null {
  const text = typeof description === 'string' ? description : String(description ?? '');
  const parsed = parseDescription(text);
  const match = findMerchant(parsed);
  if (match && !match.entry.generic && match.kind !== 'anywhere') return match.entry.name;
  return parsed.merchantDisplay ?? (match && !match.entry.generic ? match.entry.name : null);
}
