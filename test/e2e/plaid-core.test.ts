import { CountryCode, Products } from 'plaid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plaidFailure, startPlaidTwin, type PlaidTwin } from '../support/plaid';

/**
 * The Plaid-compatible surface (issue 15) driven by the OFFICIAL `plaid` client against the twin, as an app that
 * switched from Plaid's sandbox to finagg: base URL and credentials, nothing else.
 */

let plaid: PlaidTwin;

beforeAll(async () => {
  plaid = await startPlaidTwin();
});

afterAll(async () => {
  await plaid?.stop();
});

describe('institutions', () => {
  it('finds our banks by id and by search, with request ids', async () => {
    const { data } = await plaid.client.institutionsGetById({
      institution_id: 'ins_bank_a',
      country_codes: [CountryCode.Us],
    });
    expect(data.institution).toMatchObject({
      institution_id: 'ins_bank_a',
      products: ['transactions'],
      country_codes: ['US'],
      oauth: true,
    });
    expect(data.request_id).toMatch(/^[0-9A-Za-z]{15}$/);
    const search = await plaid.client.institutionsSearch({
      query: 'bank',
      country_codes: [CountryCode.Us, CountryCode.Gb],
      products: [Products.Transactions],
    });
    expect(search.data.institutions.map((i) => i.institution_id).sort()).toEqual([
      'ins_bank_a',
      'ins_bank_b',
    ]);
  });

  it('refuses an unknown institution with INVALID_INSTITUTION', async () => {
    const { status, error } = await plaidFailure(
      plaid.client.institutionsGetById({ institution_id: 'ins_nope', country_codes: [CountryCode.Us] }),
    );
    expect(status).toBe(400);
    expect(error).toMatchObject({ error_type: 'INVALID_INPUT', error_code: 'INVALID_INSTITUTION' });
    expect(error.request_id).toBeTruthy();
  });
});

describe('authentication and malformed requests', () => {
  it('refuses a wrong secret and an unknown client_id with INVALID_API_KEYS', async () => {
    for (const client of [
      plaid.clientWith(plaid.clientId, 'x'.repeat(64)),
      plaid.clientWith('0'.repeat(24), plaid.secret),
    ]) {
      const { status, error } = await plaidFailure(
        client.institutionsGetById({ institution_id: 'ins_bank_a', country_codes: [CountryCode.Us] }),
      );
      expect(status).toBe(400);
      expect(error).toMatchObject({ error_type: 'INVALID_INPUT', error_code: 'INVALID_API_KEYS' });
      expect(error.request_id).toBeTruthy();
    }
  });

  it('answers missing credentials MISSING_FIELDS, bad JSON INVALID_BODY, bad fields INVALID_FIELD: never a 500', async () => {
    const post = async (body: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${plaid.url}/plaid/institutions/get_by_id`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const creds = { 'PLAID-CLIENT-ID': plaid.clientId, 'PLAID-SECRET': plaid.secret };
    expect(await post('{}')).toMatchObject({ status: 400, body: { error_code: 'MISSING_FIELDS' } });
    expect(await post('{"nope', creds)).toMatchObject({ status: 400, body: { error_code: 'INVALID_BODY' } });
    expect(await post('[1]', creds)).toMatchObject({ status: 400, body: { error_code: 'INVALID_BODY' } });
    const missing = await post('{}', creds);
    expect(missing).toMatchObject({ status: 400, body: { error_code: 'MISSING_FIELDS' } });
    expect(String(missing.body.error_message)).toContain('institution_id');
    const invalid = await post(JSON.stringify({ institution_id: 7, country_codes: ['US'] }), creds);
    expect(invalid).toMatchObject({ status: 400, body: { error_code: 'INVALID_FIELD' } });
    expect(String(invalid.body.error_message)).toContain('institution_id');
    // Credentials in the body work as well as in the headers.
    const inBody = await post(
      JSON.stringify({
        client_id: plaid.clientId,
        secret: plaid.secret,
        institution_id: 'ins_bank_b',
        country_codes: ['GB'],
      }),
    );
    expect(inBody).toMatchObject({ status: 200, body: { institution: { institution_id: 'ins_bank_b' } } });
  });
});

describe('sandbox link, exchange, item, accounts', () => {
  let accessToken = '';
  let itemId = '';

  it('links without a browser, exchanges the public token once, and reads the item', async () => {
    const created = await plaid.client.sandboxPublicTokenCreate({
      institution_id: 'ins_bank_a',
      initial_products: [Products.Transactions],
      options: { webhook: 'https://app.example.com/hook' },
    });
    expect(created.data.public_token).toMatch(/^public-sandbox-/);
    const exchanged = await plaid.client.itemPublicTokenExchange({ public_token: created.data.public_token });
    accessToken = exchanged.data.access_token;
    itemId = exchanged.data.item_id;
    expect(accessToken).toMatch(/^access-sandbox-[0-9a-f-]{36}$/);
    // Single use.
    const again = await plaidFailure(
      plaid.client.itemPublicTokenExchange({ public_token: created.data.public_token }),
    );
    expect(again.error.error_code).toBe('INVALID_PUBLIC_TOKEN');

    const { data } = await plaid.client.itemGet({ access_token: accessToken });
    expect(data.item).toMatchObject({
      item_id: itemId,
      institution_id: 'ins_bank_a',
      webhook: 'https://app.example.com/hook',
      error: null,
      billed_products: ['transactions'],
    });
    expect(data.request_id).toBeTruthy();
  });

  it("answers the item's accounts and balances in Plaid's shape", async () => {
    const { data } = await plaid.client.accountsGet({ access_token: accessToken });
    expect(data.accounts.length).toBeGreaterThan(0);
    expect(data.item.item_id).toBe(itemId);
    for (const a of data.accounts) {
      expect(a.account_id).toBeTruthy();
      expect(['depository', 'credit', 'loan', 'investment', 'other']).toContain(a.type);
      expect(a.balances.iso_currency_code).toBe('USD');
      expect(typeof a.balances.current).toBe('number');
    }
    const balance = await plaid.client.accountsBalanceGet({
      access_token: accessToken,
      options: { account_ids: [data.accounts[0]!.account_id] },
    });
    expect(balance.data.accounts.map((a) => a.account_id)).toEqual([data.accounts[0]!.account_id]);
    const bad = await plaidFailure(
      plaid.client.accountsGet({ access_token: accessToken, options: { account_ids: ['acc_nope'] } }),
    );
    expect(bad.error.error_code).toBe('INVALID_ACCOUNT_ID');
  });

  it('updates the webhook', async () => {
    const { data } = await plaid.client.itemWebhookUpdate({
      access_token: accessToken,
      webhook: 'https://app.example.com/other',
    });
    expect(data.item.webhook).toBe('https://app.example.com/other');
  });

  it('refuses a bad access token, and another application cannot use this one', async () => {
    for (const token of ['access-sandbox-00000000-0000-4000-8000-000000000000', 'nonsense']) {
      const { status, error } = await plaidFailure(plaid.client.itemGet({ access_token: token }));
      expect(status).toBe(400);
      expect(error).toMatchObject({ error_type: 'INVALID_INPUT', error_code: 'INVALID_ACCESS_TOKEN' });
    }
  });

  it('reset_login makes the item ITEM_LOGIN_REQUIRED: /item/get shows it, /accounts/get refuses', async () => {
    const created = await plaid.client.sandboxPublicTokenCreate({
      institution_id: 'ins_bank_b',
      initial_products: [Products.Transactions],
    });
    const { access_token } = (
      await plaid.client.itemPublicTokenExchange({ public_token: created.data.public_token })
    ).data;
    const reset = await plaid.client.sandboxItemResetLogin({ access_token });
    expect(reset.data.reset_login).toBe(true);
    const item = await plaid.client.itemGet({ access_token });
    expect(item.data.item.error).toMatchObject({
      error_type: 'ITEM_ERROR',
      error_code: 'ITEM_LOGIN_REQUIRED',
    });
    const { status, error } = await plaidFailure(plaid.client.accountsGet({ access_token }));
    expect(status).toBe(400);
    expect(error).toMatchObject({ error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED' });
  });

  it('removes the item: its access token then answers ITEM_NOT_FOUND', async () => {
    const removed = await plaid.client.itemRemove({ access_token: accessToken });
    expect(removed.data.request_id).toBeTruthy();
    const { status, error } = await plaidFailure(plaid.client.accountsGet({ access_token: accessToken }));
    expect(status).toBe(400);
    expect(error).toMatchObject({ error_type: 'ITEM_ERROR', error_code: 'ITEM_NOT_FOUND' });
  });

  it('refuses wrong sandbox credentials, an unknown institution and products it does not serve', async () => {
    const wrong = await plaidFailure(
      plaid.client.sandboxPublicTokenCreate({
        institution_id: 'ins_bank_a',
        initial_products: [Products.Transactions],
        options: { override_username: 'user_good', override_password: 'nope' },
      }),
    );
    expect(wrong.error.error_code).toBe('INVALID_CREDENTIALS');
    const unknown = await plaidFailure(
      plaid.client.sandboxPublicTokenCreate({
        institution_id: 'ins_x',
        initial_products: [Products.Transactions],
      }),
    );
    expect(unknown.error.error_code).toBe('INVALID_INSTITUTION');
    const product = await plaidFailure(
      plaid.client.sandboxPublicTokenCreate({
        institution_id: 'ins_bank_a',
        initial_products: [Products.Auth],
      }),
    );
    expect(product.error.error_code).toBe('INVALID_PRODUCT');
  });
});

describe('link tokens', () => {
  it('creates a link token with a hosted link URL, and reads it back', async () => {
    const created = await plaid.client.linkTokenCreate({
      client_name: 'Budget App',
      language: 'en',
      country_codes: [CountryCode.Us],
      user: { client_user_id: 'user-42' },
      products: [Products.Transactions],
    });
    expect(created.data.link_token).toMatch(/^link-sandbox-/);
    expect(created.data.hosted_link_url).toContain(`${plaid.url}/plaid/link/hosted?token=`);
    const got = await plaid.client.linkTokenGet({ link_token: created.data.link_token });
    expect(got.data.metadata).toMatchObject({ client_name: 'Budget App', country_codes: ['US'] });
    const page = await fetch(created.data.hosted_link_url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('ins_bank_a');
    const bad = await plaidFailure(plaid.client.linkTokenGet({ link_token: 'link-sandbox-nope' }));
    expect(bad.error.error_code).toBe('INVALID_LINK_TOKEN');
  });
});
