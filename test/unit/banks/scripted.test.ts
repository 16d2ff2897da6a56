import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bank_a } from '../../../shared/banks/bank_a';
import { bank_b } from '../../../shared/banks/bank_b';
import { bank_c } from '../../../shared/banks/bank_c';
import type { RenderContext } from '../../../shared/banks/kit/dialect';
import { visibleTransactions } from '../../../shared/banks/kit/replay';
import {
  compileScript,
  parseScript,
  POSTS_UNDER_NEW_ID,
  type ScriptedUser,
} from '../../../shared/banks/kit/scripted';
import { createPkcePair } from '../../../shared/banks/kit/crypto';
import {
  inProcessBank,
  inProcessFetch,
  linkInProcess,
  submitConsent,
  TEST_REDIRECT_URI,
  TEST_ROOT,
} from '../../../shared/banks/kit/testing';
import { formatDecimal } from '../../../shared/domain/money';
import type { BankId } from '../../../shared/generator/types';
import { bankWiring } from '../../support/bank-wiring';
import { SCENARIO } from '../../support/scripted';

const BANKS: BankId[] = ['bank_a', 'bank_b', 'bank_c'];
const MODULES = { bank_a, bank_b, bank_c };

describe('user_custom configuration (schema)', () => {
  it("accepts Plaid's documented custom-user format", () => {
    const plaid = {
      override_accounts: [
        {
          type: 'depository',
          subtype: 'checking',
          starting_balance: 10000,
          force_available_balance: '',
          currency: 'USD',
          meta: {
            name: 'Checking Name 1',
            official_name: 'Official Checking Name 1',
            limit: null,
            mask: '1234',
          },
          numbers: { account: '1111222233330000', ach_routing: '011401533' },
          transactions: [
            {
              date_transacted: '2026-01-01',
              date_posted: '2026-01-03',
              currency: 'USD',
              amount: 100,
              description: '1 year Netflix subscription',
            },
          ],
          identity: { names: ['John Smith'] },
        },
      ],
      mfa: { type: 'device', question_rounds: 1 },
      recaptcha: '',
      force_error: '',
    };
    const r = parseScript(JSON.stringify(plaid));
    expect(r.ok).toBe(true);
  });

  it.each([
    ['not JSON', 'pass_good', /must be a JSON configuration/],
    ['no accounts', '{"override_accounts": []}', /override_accounts: needs at least one account/],
    [
      'a bad date',
      '{"override_accounts":[{"transactions":[{"date_transacted":"2026-13-01","amount":1,"description":"x"}]}]}',
      /override_accounts\[0\]\.transactions\[0\]\.date_transacted: must be a date YYYY-MM-DD/,
    ],
    [
      'no amount',
      '{"override_accounts":[{"transactions":[{"day":0,"description":"x"}]}]}',
      /transactions\[0\]\.amount/,
    ],
    [
      'both a date and a day',
      '{"override_accounts":[{"transactions":[{"day":0,"date_transacted":"2026-01-01","amount":1,"description":"x"}]}]}',
      /give exactly one of date_transacted or day/,
    ],
    [
      'a typo in an event field',
      '{"override_accounts":[{"transactions":[{"day":0,"amount":1,"description":"x","posted_on":2}]}]}',
      /transactions\[0\]: Unrecognized key: "posted_on"/,
    ],
    [
      'too many decimals',
      '{"override_accounts":[{"transactions":[{"day":0,"amount":1.234,"description":"x"}]}]}',
      /transactions\[0\]\.amount: USD has 2 decimal places/,
    ],
    [
      'a posting before the day',
      '{"override_accounts":[{"transactions":[{"day":0,"amount":1,"description":"x","pending":true,"posts_on":-1}]}]}',
      /transactions\[0\]\.posts_on: before the transaction day/,
    ],
    [
      'a currency other than the account',
      '{"override_accounts":[{"currency":"USD","transactions":[{"day":0,"amount":1,"description":"x","currency":"EUR"}]}]}',
      /currency EUR differs from the account's USD/,
    ],
    [
      'an event after the removal',
      '{"override_accounts":[{"transactions":[{"day":0,"amount":1,"description":"x","removed_on":1,"corrections":[{"on_day":2,"amount":2}]}]}]}',
      /an event is scripted after removed_on/,
    ],
  ])('refuses %s, naming the problem', (_name, text, message) => {
    const r = parseScript(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('compileScript (the neutral script as a bank life cycle)', () => {
  it('counts days from the link date, in the bank time zone, and keeps Plaid amounts as natural signs', () => {
    const user = compileScript(SCENARIO, 'bank_a', '2026-03-10');
    expect(user.accounts).toHaveLength(1);
    expect(user.accounts[0]).toMatchObject({
      bank: 'bank_a',
      name: 'Everyday',
      mask: '4321',
      currency: 'USD',
      timeZone: 'America/New_York',
      openingBalanceMinor: 100_000,
    });
    const first = user.transactions[0]!.events[0]!;
    expect(first.kind === 'appear' && first.version).toMatchObject({
      date: '2026-02-08',
      amountMinor: 300_000,
      status: 'posted',
      description: 'ACME CORP PAYROLL',
    });
    // Local midnight in New York.
    expect(first.at).toBe('2026-02-08T05:00:00Z');
  });

  it.each(BANKS)('%s: the pending posts on its day (under a new id where the bank does that)', (bank) => {
    const user = compileScript(SCENARIO, bank, '2026-03-10');
    const before = visibleTransactions(user, bank, new Date(Date.parse('2026-03-10T12:00:00Z')));
    const after = visibleTransactions(user, bank, new Date(Date.parse('2026-03-14T12:00:00Z')));
    const cafeBefore = before.find((t) => t.description === 'CORNER CAFE')!;
    const cafeAfter = after.find((t) => t.description === 'CORNER CAFE')!;
    expect(cafeBefore).toMatchObject({ status: 'pending', amountMinor: -4200, date: '2026-03-09' });
    expect(cafeAfter).toMatchObject({ status: 'posted', amountMinor: -4830, date: '2026-03-09' });
    expect(cafeAfter.bankTxnId !== cafeBefore.bankTxnId).toBe(POSTS_UNDER_NEW_ID[bank]);
    expect(before.find((t) => t.description === 'FUEL STOP 12')?.amountMinor).toBe(-6000);
    expect(after.find((t) => t.description === 'FUEL STOP #12')?.amountMinor).toBe(-6500);
    expect(before.some((t) => t.description === 'PARKING')).toBe(true);
    expect(after.some((t) => t.description === 'PARKING')).toBe(false);
    expect(before.filter((t) => t.description === 'STREAMFLIX')).toHaveLength(2);
  });
});

/** One arbitrary scripted transaction, in the neutral form. */
const scriptedTxn = fc.record({
  cents: fc.integer({ min: -5_000_000, max: 5_000_000 }).filter((c) => c !== 0),
  day: fc.integer({ min: -400, max: 0 }),
  description: fc.stringMatching(/^[A-Z0-9][A-Z0-9 *#/.&-]{0,38}[A-Z0-9]$/).filter((s) => !/\s{2}/.test(s)),
  pending: fc.boolean(),
});

describe('rendering then normalizing a scripted transaction (property)', () => {
  it.each(BANKS)('%s: gives back its amount, date and description', (bank) => {
    fc.assert(
      fc.property(fc.array(scriptedTxn, { minLength: 1, maxLength: 5 }), (txns) => {
        const script: ScriptedUser = {
          override_accounts: [
            {
              type: 'depository',
              starting_balance: 0,
              transactions: txns.map((t) => ({
                day: t.day,
                amount: (t.cents / 100).toFixed(2),
                description: t.description,
                pending: t.pending,
              })),
            },
          ],
        };
        const anchor = '2026-06-15';
        const user = compileScript(script, bank, anchor);
        const { module, provider, bankAccounts, accounts } = bankWiring(bank, user);
        const now = new Date(Date.parse('2026-06-15T23:59:00Z'));
        const ctx: RenderContext = { rootUrl: 'http://x/mock-banks', accounts, now };
        const visible = visibleTransactions(user, bank, now);
        expect(visible).toHaveLength(txns.length);
        const currency = user.accounts[0]!.currency;
        const normalized = visible.map((v) =>
          provider.normalizeTransaction(module.dialect.transaction(v, ctx), bankAccounts),
        );
        const got = normalized
          .map(
            (n) =>
              `${n.date}|${formatDecimal({ minor: -n.amountMinor, currency })}|${n.description}|${n.status}`,
          )
          .sort();
        const want = txns
          .map((t) => {
            const day = new Date(Date.parse(`${anchor}T00:00:00Z`) + t.day * 86_400_000)
              .toISOString()
              .slice(0, 10);
            return `${day}|${formatDecimal({ minor: t.cents, currency })}|${t.description}|${t.pending ? 'pending' : 'posted'}`;
          })
          .sort();
        expect(got).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });
});

describe('a scripted user through the bank (in process)', () => {
  it.each(BANKS)(
    '%s: links with user_custom and serves exactly the script, as of the bank clock',
    async (bank) => {
      const { server, client, tokens } = await linkInProcess(MODULES[bank], {
        now: '2026-03-10T12:00:00Z',
        username: 'user_custom',
        password: JSON.stringify(SCENARIO),
      });
      const accounts = await client.fetchAccounts(tokens.accessToken);
      expect(accounts).toHaveLength(1);
      const page = await client.fetchTransactionsPage(tokens.accessToken, null);
      expect(page.records).toHaveLength(8);
      const grant = [...server.state.grants.values()][0]!;
      expect(grant.scripted?.anchor).toBe('2026-03-10');
      expect(grant.userIndex).toBe(-1);
      server.clock.advance(3 * 86_400_000);
      const fresh = await client.refresh(tokens.refreshToken);
      const later = await client.fetchTransactionsPage(fresh.accessToken, null);
      // The bank clock moved three days: the parking charge is gone, the rest stays (the pending posted).
      expect(later.records).toHaveLength(7);
    },
  );

  const consent = async (bank: BankId, password: string) => {
    const server = inProcessBank(MODULES[bank].dialect);
    const fetchImpl = inProcessFetch([server]);
    const client = MODULES[bank].createClient({ baseUrl: TEST_ROOT, fetch: fetchImpl, clock: server.clock });
    const url = client.authorizeUrl({
      state: 's',
      codeChallenge: createPkcePair().challenge,
      redirectUri: TEST_REDIRECT_URI,
    });
    return submitConsent(url, { fetch: fetchImpl, username: 'user_custom', password });
  };

  it('a bad document is refused on the consent page with the problem named', async () => {
    const out = await consent(
      'bank_a',
      '{"override_accounts":[{"transactions":[{"day":"yesterday","amount":1,"description":"x"}]}]}',
    );
    expect(out.status).toBe(400);
    expect(out.code).toBeNull();
    const error = /<p class="error" role="alert" id="error">([^<]*)<\/p>/.exec(out.html)?.[1];
    expect(error).toMatch(
      /^Invalid user_custom configuration: override_accounts\[0\]\.transactions\[0\]\.day: must be an integer day offset/,
    );
  });

  it('force_error refuses the login', async () => {
    const out = await consent('bank_b', JSON.stringify({ ...SCENARIO, force_error: 'ITEM_LOCKED' }));
    expect(out.status).toBe(401);
    expect(out.html).toContain('The bank refused the login: ITEM_LOCKED.');
  });
});
