import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bank_a } from '../../shared/banks/bank_a';
import { bank_b } from '../../shared/banks/bank_b';
import { bank_c } from '../../shared/banks/bank_c';
import { createPkcePair } from '../../shared/banks/kit/crypto';
import { submitConsent } from '../../shared/banks/kit/testing';
import { withNormalizers } from '../../shared/services/providers';
import { startBankHttp, type BankHttp } from '../support/bank-http';
import { allTransactionPages } from '../support/bank-wiring';
import { SCENARIO } from '../support/scripted';
import { bankAdmin } from '../support/sync-helpers';

/**
 * Scripted sandbox users (`user_custom`) against the real bank Lambda handlers over real HTTP, their state (the
 * script and its link date, on the code and the grant) in DynamoDB Local: every bank serves exactly the script in
 * its own dialect, and moving the bank clock brings the scripted events.
 */
const CLOCK = '2026-03-10T12:00:00.000Z';
const REDIRECT = 'http://127.0.0.1:9/link/callback';
let gateway: BankHttp;
let url: string;

beforeAll(async () => {
  gateway = await startBankHttp('banks-scripted');
  ({ url } = gateway);
});

afterAll(async () => {
  await gateway?.close();
});

describe.each([bank_a, bank_b, bank_c])('$protocol.id: a scripted user over HTTP', (bank) => {
  const id = bank.protocol.id;

  beforeAll(async () => {
    await bankAdmin(url, id, 'reset', {});
    await bankAdmin(url, id, 'clock', { set: CLOCK, freeze: true });
  });

  it('links through the consent form and serves the script as of the bank clock, in the bank dialect', async () => {
    const client = bank.createClient({ baseUrl: `${url}/mock-banks`, pageSize: 3 });
    const provider = withNormalizers({ id, name: id, client });
    const pkce = createPkcePair();
    const consent = await submitConsent(
      client.authorizeUrl({ state: 's', codeChallenge: pkce.challenge, redirectUri: REDIRECT }),
      { username: 'user_custom', password: JSON.stringify(SCENARIO) },
    );
    expect(consent.status).toBe(302);
    const tokens = await client.exchangeCode({
      code: consent.code!,
      codeVerifier: pkce.verifier,
      redirectUri: REDIRECT,
    });
    const accounts = (await client.fetchAccounts(tokens.accessToken)).map((a) =>
      provider.normalizeAccount(a),
    );
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ name: 'Everyday', mask: '4321', type: 'depository' });
    const byId = new Map(accounts.map((a) => [a.providerAccountId, a]));
    const read = async (token: string) =>
      (await allTransactionPages(client, token)).records
        .map((r) => provider.normalizeTransaction(r, byId))
        .map((t) => `${t.date} ${t.status} ${t.amountMinor} ${t.description}`)
        .sort();
    expect(await read(tokens.accessToken)).toEqual([
      '2026-02-08 posted 300000 ACME CORP PAYROLL',
      '2026-02-09 posted -120000 RENT MAPLE APARTMENTS',
      '2026-02-28 posted -1550 STREAMFLIX',
      '2026-02-28 posted -1550 STREAMFLIX',
      '2026-03-05 posted -90000 GADGET WORLD',
      '2026-03-07 posted -6000 FUEL STOP 12',
      '2026-03-08 posted -2000 PARKING',
      '2026-03-09 pending -4200 CORNER CAFE',
    ]);

    await bankAdmin(url, id, 'clock', { advance_days: 3 });
    const fresh = await client.refresh(tokens.refreshToken);
    expect(await read(fresh.accessToken)).toEqual([
      '2026-02-08 posted 300000 ACME CORP PAYROLL',
      '2026-02-09 posted -120000 RENT MAPLE APARTMENTS',
      '2026-02-28 posted -1550 STREAMFLIX',
      '2026-02-28 posted -1550 STREAMFLIX',
      '2026-03-05 posted -90000 GADGET WORLD',
      '2026-03-07 posted -6500 FUEL STOP #12',
      '2026-03-09 posted -4830 CORNER CAFE',
    ]);
  });

  it('a bad configuration is a 400 consent page naming the problem', async () => {
    const client = bank.createClient({ baseUrl: `${url}/mock-banks` });
    const out = await submitConsent(
      client.authorizeUrl({ state: 's', codeChallenge: createPkcePair().challenge, redirectUri: REDIRECT }),
      { username: 'user_custom', password: '{"override_accounts":[{"type":"savings"}]}' },
    );
    expect(out.status).toBe(400);
    expect(out.html).toContain('Invalid user_custom configuration: override_accounts[0].type:');
  });
});
