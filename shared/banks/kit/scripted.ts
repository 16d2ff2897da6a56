import { createHash } from 'node:crypto';
import * as z from 'zod';
import { MoneyError, parseDecimal } from '../../domain/money';
import { bankTxnId } from '../../generator/bank-lifecycle';
import { hashInts, hexPad } from '../../generator/prng';
import { REGION_INFO } from '../../generator/regions';
import { formatIsoDate, localDay, parseIsoDate, rfc3339, zonedToUtc } from '../../generator/time';
import type {
  BankId,
  BankRecordVersion,
  GeneratedAccount,
  GeneratedTransaction,
  GeneratedUser,
  LifecycleEvent,
} from '../../generator/types';

/**
 * Scripted sandbox users: as Plaid's sandbox takes `user_custom` with a JSON configuration as the password, every
 * mock bank takes the username `user_custom` whose password is a JSON document describing the user's accounts and
 * transactions, and their later life (pending → posted, bank corrections, removals) over bank days.
 *
 * The document is a compatible subset of Plaid's custom-user configuration (`override_accounts`, each with
 * `type`, `subtype`, `starting_balance`, `currency`, `meta {name, mask, limit}` and `transactions` of
 * `{date_transacted, date_posted, amount, description, currency}`, amounts in Plaid's sign: positive = money out)
 * plus finagg's extensions for scripting time: a transaction's `day` (an offset in bank days from the day the user
 * linked), `pending`, `posts_on`, `posted_amount`, `corrections [{on_day, amount?, description?}]`, `removed_on`,
 * `merchant`, `mcc`. A day is either an offset (integer, 0 = the bank's date at link) or an ISO date.
 *
 * The script is neutral; it compiles into the same life-cycle form the generator produces (GeneratedUser), so each
 * bank renders it in its own schema, sign and time zone and the replay (kit/replay.ts) decides, as of the bank
 * clock, what is visible. Everything happens at local midnight of its day (in the bank's time zone), so moving the
 * bank clock past a day's midnight brings that day's events.
 */

export const SCRIPTED_USERNAME = 'user_custom';

/** Bounds that keep a password-sized document cheap to replay on every request. */
export const SCRIPT_LIMITS = {
  bytes: 256 * 1024,
  accounts: 10,
  transactions: 2000,
  corrections: 20,
} as const;

const IsoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
/** A bank day: an offset from the link date (0 = that day, -30 = thirty days before) or an ISO date. */
const DayRef = z.union([z.int().min(-3660).max(3660), IsoDate], {
  error: 'must be a day offset (integer, 0 = the link date) or a date YYYY-MM-DD',
});
export type DayRef = z.infer<typeof DayRef>;

/** An amount in major units, a JSON number or a decimal string ("12.34"). */
const Amount = z.union([z.number().refine(Number.isFinite, 'must be finite'), z.string().min(1).max(32)], {
  error: 'must be a number or a decimal string',
});
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD');
const Text = z.string().trim().min(1, 'must not be empty').max(200);

const CorrectionSchema = z
  .strictObject({ on_day: DayRef, amount: Amount.optional(), description: Text.optional() })
  .refine((c) => c.amount !== undefined || c.description !== undefined, {
    error: 'a correction changes amount, description or both',
  });

export const ScriptedTransactionSchema = z
  .strictObject({
    /** Plaid: the transaction date. */
    date_transacted: IsoDate.optional(),
    /** Plaid: the posting date; in the future (after the link date) the transaction is pending until then. */
    date_posted: IsoDate.optional(),
    /** finagg: the transaction day as an offset from the link date (instead of date_transacted). */
    day: z
      .int({ error: 'must be an integer day offset (0 = the link date)' })
      .min(-3660)
      .max(3660)
      .optional(),
    /** Plaid's sign: positive = money out of the account, negative = money in. */
    amount: Amount,
    description: Text.optional(),
    /** Plaid names it `currency` in the config (`iso_currency_code` in some clients); both are taken. */
    currency: Currency.optional(),
    iso_currency_code: Currency.optional(),
    merchant: Text.optional(),
    mcc: z
      .string()
      .regex(/^\d{4}$/, 'must be 4 digits')
      .optional(),
    pending: z.boolean().optional(),
    posts_on: DayRef.optional(),
    /** The amount it posts at (a tip, a hold released lower); default the pending amount. */
    posted_amount: Amount.optional(),
    corrections: z.array(CorrectionSchema).max(SCRIPT_LIMITS.corrections).optional(),
    removed_on: DayRef.optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.date_transacted === undefined) === (t.day === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of date_transacted or day' });
    if (t.description === undefined && t.merchant === undefined)
      ctx.addIssue({ code: 'custom', message: 'give a description (or a merchant)', path: ['description'] });
    if (t.posts_on !== undefined && t.date_posted !== undefined)
      ctx.addIssue({ code: 'custom', message: 'give date_posted or posts_on, not both', path: ['posts_on'] });
    if (t.posts_on !== undefined && t.pending === false)
      ctx.addIssue({ code: 'custom', message: 'posts_on needs a pending transaction', path: ['posts_on'] });
    if (t.posted_amount !== undefined && t.posts_on === undefined && t.date_posted === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'posted_amount needs posts_on or date_posted',
        path: ['posted_amount'],
      });
  });

const MetaSchema = z.looseObject({
  name: Text.optional(),
  official_name: z.string().optional(),
  mask: z
    .string()
    .regex(/^\d{4}$/, 'must be 4 digits')
    .optional(),
  limit: Amount.nullable().optional(),
});

const TYPES = ['depository', 'credit', 'loan', 'investment'] as const;

export const ScriptedAccountSchema = z.strictObject({
  type: z.enum(TYPES).default('depository'),
  subtype: z.string().trim().min(1).max(40).optional(),
  /** Plaid: the balance before the scripted transactions (for credit and loan: the amount owed). */
  starting_balance: Amount.default(0),
  currency: Currency.optional(),
  meta: MetaSchema.optional(),
  /** finagg shorthands for meta.name / meta.mask. */
  name: Text.optional(),
  mask: z
    .string()
    .regex(/^\d{4}$/, 'must be 4 digits')
    .optional(),
  transactions: z.array(ScriptedTransactionSchema).max(SCRIPT_LIMITS.transactions).default([]),
  // Parts of Plaid's configuration for products the mock banks do not serve: accepted, not used.
  force_available_balance: z.unknown().optional(),
  numbers: z.unknown().optional(),
  identity: z.unknown().optional(),
  liability: z.unknown().optional(),
  inflow_model: z.unknown().optional(),
  income: z.unknown().optional(),
  holdings: z.unknown().optional(),
  investment_transactions: z.unknown().optional(),
});

export const ScriptedUserSchema = z.strictObject({
  override_accounts: z
    .array(ScriptedAccountSchema)
    .min(1, 'needs at least one account')
    .max(SCRIPT_LIMITS.accounts),
  /** Plaid: a link error to simulate (ITEM_LOCKED, INSTITUTION_DOWN, ...): the login is refused with it. */
  force_error: z.string().max(64).optional(),
  seed: z.string().max(64).optional(),
  mfa: z.unknown().optional(),
  recaptcha: z.unknown().optional(),
});
export type ScriptedUser = z.infer<typeof ScriptedUserSchema>;
export type ScriptedAccount = z.infer<typeof ScriptedAccountSchema>;
export type ScriptedTransaction = z.infer<typeof ScriptedTransactionSchema>;

/** What a bank keeps about a scripted login: the document and the bank date it was linked on (day 0). */
export interface ScriptedLogin {
  /** The JSON document as given (compact). */
  document: string;
  /** The bank's local date at link, YYYY-MM-DD: day 0 of the script. */
  anchor: string;
}

export type ScriptResult = { ok: true; script: ScriptedUser } | { ok: false; message: string };

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Parses and validates a scripted user's document; the message names every problem (up to five) by its path. */
export function parseScript(text: string): ScriptResult {
  if (Buffer.byteLength(text, 'utf8') > SCRIPT_LIMITS.bytes)
    return {
      ok: false,
      message: `The user_custom configuration is larger than ${SCRIPT_LIMITS.bytes} bytes.`,
    };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      message: `The user_custom password must be a JSON configuration: ${(err as Error).message}.`,
    };
  }
  const parsed = ScriptedUserSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => {
      const at = issuePath(i.path);
      return at ? `${at}: ${i.message}` : i.message;
    });
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    return { ok: false, message: `Invalid user_custom configuration: ${issues.join('; ')}${more}.` };
  }
  // Amounts and days need the account's currency and the dates' order: check them now, with a fixed anchor.
  try {
    compileScript(parsed.data, 'bank_a', '2026-01-01', { checkOnly: true });
  } catch (err) {
    if (err instanceof ScriptError)
      return { ok: false, message: `Invalid user_custom configuration: ${err.message}.` };
    throw err;
  }
  return { ok: true, script: parsed.data };
}

export class ScriptError extends Error {
  override name = 'ScriptError';
}

/** The time zone and currency a bank's accounts have (the generator's regions). */
export function bankLocale(bank: BankId): { timeZone: string; currency: string } {
  const info = Object.values(REGION_INFO).find((r) => r.bank === bank);
  if (!info) throw new ScriptError(`unknown bank ${bank}`);
  return { timeZone: info.timeZone, currency: info.currency };
}

/** The bank's local date of an instant: what day 0 is for a user linking then. */
export function bankDate(bank: BankId, at: Date): string {
  return formatIsoDate(localDay(bankLocale(bank).timeZone, at.getTime()));
}

/** Does this bank post a pending record under a new id? (bank_a and bank_c do; bank_b posts in place.) */
export const POSTS_UNDER_NEW_ID: Record<BankId, boolean> = { bank_a: true, bank_b: false, bank_c: true };

function minorOf(amount: string | number, currency: string, where: string): number {
  try {
    return parseDecimal(typeof amount === 'number' ? numberText(amount) : amount, currency).minor;
  } catch (err) {
    if (err instanceof MoneyError) throw new ScriptError(`${where}: ${err.message}`);
    throw err;
  }
}

/** A JSON number as plain decimal text (no exponent), exactly as written for ordinary amounts. */
function numberText(n: number): string {
  const s = String(n);
  return /e/i.test(s) ? n.toFixed(20).replace(/\.?0+$/, '') : s;
}

function dayNumber(ref: DayRef, anchorDay: number): number {
  return typeof ref === 'number' ? anchorDay + ref : parseIsoDate(ref);
}

function accountId(bank: BankId, hash: number, k: number): string {
  const h = hashInts(hash, k, 77);
  if (bank === 'bank_a') return `ACC-${hexPad(h, 8).toUpperCase()}-SCR-${k}`;
  if (bank === 'bank_b')
    return `${String(h % 1_000_000).padStart(6, '0')}${String(hash % 100_000_000).padStart(8, '0')}${k}`;
  return `SCR${String(hash % 10_000_000).padStart(7, '0')}${hexPad(h, 6).toUpperCase()}${k}`;
}

function documentHash(script: ScriptedUser): number {
  return createHash('sha256').update(JSON.stringify(script)).digest().readUInt32BE(0);
}

type Step =
  | { day: number; order: number; kind: 'post' }
  | { day: number; order: number; kind: 'correct'; amount?: number; description?: string }
  | { day: number; order: number; kind: 'remove' };

/**
 * The scripted user as the banks' life-cycle form: its accounts at `bank` (in the bank's time zone and, unless the
 * script says otherwise, currency) and every transaction's events, with day offsets counted from `anchor`.
 * Throws ScriptError naming the transaction for an amount its currency cannot hold or an event before its day.
 */
export function compileScript(
  script: ScriptedUser,
  bank: BankId,
  anchor: string,
  opts: { checkOnly?: boolean } = {},
): GeneratedUser {
  const { timeZone, currency: bankCurrency } = bankLocale(bank);
  const anchorDay = parseIsoDate(anchor);
  const hash = documentHash(script);
  const userIndex = hash % 10_000_000;
  const accounts: GeneratedAccount[] = [];
  const transactions: GeneratedTransaction[] = [];
  let seq = 0;
  const at = (day: number, second: number) => rfc3339(zonedToUtc(timeZone, day, second));

  script.override_accounts.forEach((a, k) => {
    const where = `override_accounts[${k}]`;
    const currency = a.currency ?? bankCurrency;
    const owed = a.type === 'credit' || a.type === 'loan';
    const starting = minorOf(a.starting_balance, currency, `${where}.starting_balance`);
    const limit = a.meta?.limit;
    const account: GeneratedAccount = {
      id: accountId(bank, hash, k),
      bank,
      name:
        a.name ?? a.meta?.name ?? (owed ? 'Credit Card' : a.subtype === 'savings' ? 'Savings' : 'Checking'),
      type: a.type,
      subtype:
        a.subtype ?? (a.type === 'credit' ? 'credit card' : a.type === 'depository' ? 'checking' : a.type),
      currency,
      mask: a.mask ?? a.meta?.mask ?? String(1000 + (hashInts(hash, k, 5) % 9000)),
      timeZone,
      // Plaid gives a credit or loan balance as the amount owed; the banks keep the natural sign.
      openingBalanceMinor: owed ? -starting || 0 : starting,
    };
    if (limit !== undefined && limit !== null)
      account.creditLimitMinor = minorOf(limit, currency, `${where}.meta.limit`);
    else if (a.type === 'credit') account.creditLimitMinor = 0;
    accounts.push(account);

    a.transactions.forEach((t, j) => {
      const tw = `${where}.transactions[${j}]`;
      const txnCurrency = t.currency ?? t.iso_currency_code ?? currency;
      if (txnCurrency !== currency)
        throw new ScriptError(`${tw}: currency ${txnCurrency} differs from the account's ${currency}`);
      const i = seq++;
      if (i >= 86_000) throw new ScriptError(`too many transactions`);
      const day = t.day !== undefined ? anchorDay + t.day : parseIsoDate(t.date_transacted!);
      // Plaid's sign (positive = out) to the banks' natural sign (negative = out).
      const amount = -minorOf(t.amount, currency, `${tw}.amount`) || 0;
      const steps: Step[] = [];
      let postDay: number | null = null;
      if (t.posts_on !== undefined) postDay = dayNumber(t.posts_on, anchorDay);
      else if (t.date_posted !== undefined) {
        const d = parseIsoDate(t.date_posted);
        if (d < day) throw new ScriptError(`${tw}.date_posted: before the transaction date`);
        if (d > day) postDay = d;
      }
      const pending = t.pending === true || postDay !== null;
      if (postDay !== null) {
        if (postDay < day) throw new ScriptError(`${tw}.posts_on: before the transaction day`);
        steps.push({ day: postDay, order: 0, kind: 'post' });
      }
      (t.corrections ?? []).forEach((c, n) => {
        const d = dayNumber(c.on_day, anchorDay);
        if (d < day) throw new ScriptError(`${tw}.corrections[${n}].on_day: before the transaction day`);
        steps.push({
          day: d,
          order: 1 + n,
          kind: 'correct',
          ...(c.amount !== undefined
            ? { amount: -minorOf(c.amount, currency, `${tw}.corrections[${n}].amount`) || 0 }
            : {}),
          ...(c.description !== undefined ? { description: c.description } : {}),
        });
      });
      if (t.removed_on !== undefined) {
        const d = dayNumber(t.removed_on, anchorDay);
        if (d < day) throw new ScriptError(`${tw}.removed_on: before the transaction day`);
        if (steps.some((s) => s.day > d))
          throw new ScriptError(`${tw}: an event is scripted after removed_on`);
        steps.push({ day: d, order: 1000, kind: 'remove' });
      }
      const postedAmount =
        t.posted_amount === undefined
          ? null
          : -minorOf(t.posted_amount, currency, `${tw}.posted_amount`) || 0;
      if (opts.checkOnly) return;

      const date = formatIsoDate(day);
      const txnAt = at(day, i);
      let version = 0;
      let current: BankRecordVersion = {
        bankTxnId: bankTxnId(bank, hash, userIndex, i, version++),
        status: pending ? 'pending' : 'posted',
        date,
        at: txnAt,
        amountMinor: amount,
        description: t.description ?? t.merchant!.toUpperCase(),
      };
      const events: LifecycleEvent[] = [{ kind: 'appear', at: txnAt, version: current }];
      steps.sort((x, y) => x.day - y.day || x.order - y.order);
      for (const s of steps) {
        // On the transaction's own day an event comes just after it appeared.
        const eventAt = at(s.day, s.day === day ? i + 1 : i);
        if (s.kind === 'post') {
          const replaces = current.bankTxnId;
          current = {
            ...current,
            bankTxnId: POSTS_UNDER_NEW_ID[bank] ? bankTxnId(bank, hash, userIndex, i, version++) : replaces,
            status: 'posted',
            amountMinor: postedAmount ?? current.amountMinor,
          };
          events.push({ kind: 'post', at: eventAt, version: current, replacesBankTxnId: replaces });
        } else if (s.kind === 'correct') {
          current = {
            ...current,
            ...(s.amount !== undefined ? { amountMinor: s.amount } : {}),
            ...(s.description !== undefined ? { description: s.description } : {}),
          };
          events.push({
            kind: 'correct',
            at: eventAt,
            field: s.amount !== undefined ? 'amount' : 'description',
            version: current,
          });
        } else events.push({ kind: 'remove', at: eventAt });
      }
      transactions.push({
        id: `scripted-${hash.toString(16)}-${i}`,
        accountId: account.id,
        bank,
        currency,
        events,
        truth: {
          category: {
            primary: 'GENERAL_MERCHANDISE',
            detailed: 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE',
          },
          merchant: t.merchant ?? null,
          is_anomaly: false,
          resent_as: [],
          corrections: steps
            .filter((s) => s.kind === 'correct')
            .map((s) => ({
              field: s.kind === 'correct' && s.amount !== undefined ? 'amount' : 'description',
              at: at(s.day, i),
            })),
          removed: t.removed_on !== undefined,
          pattern: 'scripted',
        },
        ...(t.mcc ? { mcc: t.mcc } : {}),
      });
    });
  });
  return {
    key: `scripted-${hash.toString(16)}`,
    index: userIndex,
    persona: 'salaried',
    name: 'Scripted User',
    accounts,
    transactions,
  };
}

/** Compiled users by document, bank and anchor: a bank replays them on every request. */
const compiled = new Map<string, GeneratedUser>();

/** The user behind a stored scripted login at `bank` (cached; the document was validated at login). */
export function scriptedUser(login: ScriptedLogin, bank: BankId): GeneratedUser {
  const key = `${bank}|${login.anchor}|${createHash('sha256').update(login.document).digest('hex')}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const parsed = ScriptedUserSchema.parse(JSON.parse(login.document));
  const user = compileScript(parsed, bank, login.anchor);
  compiled.set(key, user);
  if (compiled.size > 32) compiled.delete(compiled.keys().next().value!);
  return user;
}
