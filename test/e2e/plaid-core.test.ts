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
  await plaid?.twin.stop();
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
