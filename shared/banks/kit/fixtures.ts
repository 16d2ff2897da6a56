import type {
  BankId,
  BankRecordVersion,
  GeneratedAccount,
  GeneratedTransaction,
  GeneratedUser,
  LifecycleEvent,
} from '../../generator/types';
import { localIsoDate } from './formats';

/**
 * A small, hand-made universe in the generator's contract: one user with accounts at every bank and every kind
 * of life-cycle event (pending then posted under a new id with a tip, posted in place, description corrected,
 * re-sent under a new id, removed), plus filler to make several pages. Used by the unit and integration tests
 * and, until the generator is wired in (kit/data-source.ts), by the banks themselves.
 *
 * Timeline (UTC): everything happens between 2026-03-01 and 2026-03-12; `FIXTURE_END` sees the final state.
 */
export const FIXTURE_START = '2026-03-01T00:00:00.000Z';
export const FIXTURE_END = '2026-03-20T00:00:00.000Z';

interface BankStyle {
  bank: BankId;
  prefix: string;
  currency: string;
  timeZone: string;
  descriptions: {
    coffee: string;
    salary: string;
    subscriptionTypo: string;
    subscription: string;
    restaurant: string;
    shopping: string;
    fuel: string;
    filler: (i: number) => string;
  };
  /** Amount scale: bank_c's INR amounts are larger numbers of paise. */
  scale: number;
}

const STYLES: BankStyle[] = [
  {
    bank: 'bank_a',
    prefix: 'A',
    currency: 'USD',
    timeZone: 'America/New_York',
    scale: 1,
    descriptions: {
      coffee: 'SQ *BLUE BOTTLE COFFEE',
      salary: 'ACME CORP PAYROLL PPD ID: 1234567890',
      subscriptionTypo: 'NETFLX.COM 866-579-7172 CA',
      subscription: 'NETFLIX.COM 866-579-7172 CA',
      restaurant: "TST* JOE'S PIZZA",
      shopping: 'AMZN Mktp US*2K4RT1BX2',
      fuel: 'SHELL OIL 57444212500',
      filler: (i) => `SQ *CORNER DELI ${100 + i}`,
    },
  },
  {
    bank: 'bank_b',
    prefix: 'B',
    currency: 'GBP',
    timeZone: 'Europe/London',
    scale: 1,
    descriptions: {
      coffee: 'POS DEBIT PRET A MANGER 0412 LONDON',
      salary: 'BACS CREDIT ACME LTD SALARY',
      subscriptionTypo: 'DD SPOTIFI UK',
      subscription: 'DD SPOTIFY UK',
      restaurant: 'POS DEBIT DISHOOM KINGS CROSS',
      shopping: 'POS DEBIT TESCO STORES 3021',
      fuel: 'POS DEBIT BP CONNECT 8811',
      filler: (i) => `POS DEBIT SAINSBURYS S/MKTS ${2000 + i}`,
    },
  },
  {
    bank: 'bank_c',
    prefix: 'C',
    currency: 'INR',
    timeZone: 'Asia/Kolkata',
    scale: 100,
    descriptions: {
      coffee: 'UPI/P2M/412345678901/THIRD WAVE COFFEE/Payment',
      salary: 'NEFT CR-HDFC0000001-INFOSYS LTD-SALARY MAR',
      subscriptionTypo: 'PAYTM*HOTSTR SUBSCRIPTION',
      subscription: 'PAYTM*HOTSTAR SUBSCRIPTION',
      restaurant: 'UPI/P2M/412345678955/SWIGGY/Order 8812',
      shopping: 'PAYTM*FLIPKART INTERNET',
      fuel: 'POS 4021XXXXXX1234 INDIAN OIL',
      filler: (i) => `UPI/P2P/41234567${String(1000 + i)}/RAVI KUMAR/chai`,
    },
  },
];

function version(
  style: BankStyle,
  bankTxnId: string,
  status: 'pending' | 'posted',
  at: string,
  amountMinor: number,
  description: string,
): BankRecordVersion {
  return {
    bankTxnId,
    status,
    date: localIsoDate(Date.parse(at), style.timeZone),
    at,
    amountMinor,
    description,
  };
}

function txn(
  user: number,
  style: BankStyle,
  accountId: string,
  key: string,
  events: LifecycleEvent[],
  extra: Partial<GeneratedTransaction['truth']> = {},
): GeneratedTransaction {
  return {
    id: `u${user}-${style.prefix}-${key}`,
    accountId,
    bank: style.bank,
    currency: style.currency,
    events,
    truth: {
      category: { primary: 'GENERAL_MERCHANDISE', detailed: 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE' },
      merchant: null,
      is_anomaly: false,
      resent_as: [],
      corrections: [],
      removed: false,
      pattern: 'fixture',
      ...extra,
    },
  };
}

const at = (day: number, hour: number, minute = 0) =>
  new Date(Date.UTC(2026, 2, day, hour, minute)).toISOString().replace('.000Z', 'Z');

function bankData(user: number, style: BankStyle, fillers: number) {
  const p = `${style.prefix}${user}`;
  const s = style.scale;
  const d = style.descriptions;
  const main: GeneratedAccount = {
    id: `${style.prefix.toLowerCase()}-acc-${user}-1`,
    bank: style.bank,
    name: style.bank === 'bank_c' ? 'Savings Account' : 'Everyday Checking',
    type: 'depository',
    subtype: style.bank === 'bank_c' ? 'savings' : 'checking',
    currency: style.currency,
    mask: String(1000 + user * 7 + style.prefix.charCodeAt(0)).slice(-4),
    timeZone: style.timeZone,
    openingBalanceMinor: style.bank === 'bank_b' ? 123_456_789 : 250_000 * s,
  };
  const card: GeneratedAccount = {
    id: `${style.prefix.toLowerCase()}-acc-${user}-2`,
    bank: style.bank,
    name: 'Rewards Credit Card',
    type: 'credit',
    subtype: 'credit card',
    currency: style.currency,
    mask: String(5000 + user * 3 + style.prefix.charCodeAt(0)).slice(-4),
    timeZone: style.timeZone,
    openingBalanceMinor: -20_000 * s,
    creditLimitMinor: 500_000 * s,
  };
  const m = main.id;
  const transactions: GeneratedTransaction[] = [
    // Pending, then posted two days later under a new id with a tip.
    txn(user, style, m, 'coffee', [
      {
        kind: 'appear',
        at: at(2, 18),
        version: version(style, `${p}-1001P`, 'pending', at(2, 18), -450 * s, d.coffee),
      },
      {
        kind: 'post',
        at: at(4, 9),
        version: version(style, `${p}-1001`, 'posted', at(4, 9), -540 * s, d.coffee),
        replacesBankTxnId: `${p}-1001P`,
      },
    ]),
    // Posted right away: a salary credit large enough for thousands separators.
    txn(user, style, m, 'salary', [
      {
        kind: 'appear',
        at: at(3, 12),
        version: version(style, `${p}-1002`, 'posted', at(3, 12), 1_234_567 * s, d.salary),
      },
    ]),
    // Posted, then the description is corrected in place.
    txn(
      user,
      style,
      m,
      'subscription',
      [
        {
          kind: 'appear',
          at: at(5, 8),
          version: version(style, `${p}-1003`, 'posted', at(5, 8), -1_299 * s, d.subscriptionTypo),
        },
        {
          kind: 'correct',
          at: at(6, 8),
          field: 'description',
          version: version(style, `${p}-1003`, 'posted', at(5, 8), -1_299 * s, d.subscription),
        },
      ],
      { corrections: [{ field: 'description', at: at(6, 8) }] },
    ),
    // Posted, then re-sent under a new id (a duplicate seed).
    txn(
      user,
      style,
      m,
      'restaurant',
      [
        {
          kind: 'appear',
          at: at(5, 15),
          version: version(style, `${p}-1004`, 'posted', at(5, 15), -2_500 * s, d.restaurant),
        },
        {
          kind: 'resend',
          at: at(7, 10),
          version: version(style, `${p}-9004`, 'posted', at(5, 15), -2_500 * s, d.restaurant),
        },
      ],
      { resent_as: [`${p}-9004`] },
    ),
    // Pending, posts in place with a new amount, then disappears.
    txn(
      user,
      style,
      m,
      'shopping',
      [
        {
          kind: 'appear',
          at: at(6, 11),
          version: version(style, `${p}-1005`, 'pending', at(6, 11), -7_000 * s, d.shopping),
        },
        {
          kind: 'post',
          at: at(8, 11),
          version: version(style, `${p}-1005`, 'posted', at(8, 11), -6_999 * s, d.shopping),
          replacesBankTxnId: `${p}-1005`,
        },
        { kind: 'remove', at: at(10, 11) },
      ],
      { removed: true },
    ),
    // Still pending at the end of the fixture.
    txn(user, style, card.id, 'fuel', [
      {
        kind: 'appear',
        at: at(11, 20),
        version: version(style, `${p}-1006`, 'pending', at(11, 20), -4_210 * s, d.fuel),
      },
    ]),
  ];
  for (let i = 0; i < fillers; i++) {
    const when = at(1 + (i % 10), 6 + (i % 12), i % 60);
    const amount = -(100 + ((i * 37) % 900)) * s;
    const accountId = i % 4 === 3 ? card.id : m;
    transactions.push(
      txn(user, style, accountId, `filler-${i}`, [
        {
          kind: 'appear',
          at: when,
          version: version(style, `${p}-${2000 + i}`, 'posted', when, amount, d.filler(i)),
        },
      ]),
    );
  }
  return { accounts: [main, card], transactions };
}

/** The fixture user `index`: the same shape for every index, with ids that differ per user. */
export function fixtureUser(index: number, opts: { fillers?: number } = {}): GeneratedUser {
  const fillers = opts.fillers ?? 24;
  const parts = STYLES.map((style) => bankData(index, style, fillers));
  return {
    key: `u${index}`,
    index,
    persona: 'salaried',
    name: `Fixture User ${index}`,
    accounts: parts.flatMap((p) => p.accounts),
    transactions: parts.flatMap((p) => p.transactions),
  };
}
