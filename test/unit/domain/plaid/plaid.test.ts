import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plaidAccount, plaidAmount, plaidTransactionAmount } from '../../../../shared/domain/plaid/accounts';
import { PLAID_ERROR_CODES, PlaidError } from '../../../../shared/domain/plaid/errors';
import {
  ACCESS_TOKEN_PATTERN,
  hashSecret,
  newAccessToken,
  newItemId,
  newRequestId,
  plaidUserId,
  secretMatches,
} from '../../../../shared/domain/plaid/ids';
import { plaidInstitution, searchInstitutions } from '../../../../shared/domain/plaid/institutions';
import { isUserId } from '../../../../shared/domain/user-id';

describe('Plaid ids and secrets', () => {
  it('derives a valid, deterministic finagg user id per (client_id, client_user_id), distinct across both', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{24}$/),
        fc.string({ minLength: 1, maxLength: 128 }),
        fc.string({ minLength: 1, maxLength: 128 }),
        (client, a, b) => {
          const id = plaidUserId(client, a);
          expect(isUserId(id)).toBe(true);
          expect(plaidUserId(client, a)).toBe(id);
          if (a !== b) expect(plaidUserId(client, b)).not.toBe(id);
          const other = `${client.slice(1)}${client[0] === 'f' ? '0' : 'f'}`;
          if (other !== client) expect(plaidUserId(other, a)).not.toBe(id);
        },
      ),
    );
  });

  it('matches a secret against its hash only', () => {
    const hash = hashSecret('s3cret-value');
    expect(secretMatches('s3cret-value', hash)).toBe(true);
    expect(secretMatches('s3cret-valuf', hash)).toBe(false);
    expect(secretMatches('s3cret-value', 'nothex')).toBe(false);
  });

  it("makes tokens and ids of Plaid's formats", () => {
    expect(newAccessToken()).toMatch(ACCESS_TOKEN_PATTERN);
    expect(newItemId()).toMatch(/^[0-9A-Za-z]{37}$/);
    expect(newRequestId()).toMatch(/^[0-9A-Za-z]{15}$/);
  });
});

describe('Plaid errors', () => {
  it("carries Plaid's type and status for each code", () => {
    expect(new PlaidError('INVALID_API_KEYS', 'x')).toMatchObject({ type: 'INVALID_INPUT', status: 400 });
    expect(new PlaidError('ITEM_LOGIN_REQUIRED', 'x')).toMatchObject({ type: 'ITEM_ERROR', status: 400 });
    expect(new PlaidError('RATE_LIMIT_EXCEEDED', 'x').status).toBe(429);
    expect(new PlaidError('INTERNAL_SERVER_ERROR', 'x')).toMatchObject({ type: 'API_ERROR', status: 500 });
    const body = new PlaidError('INVALID_ACCESS_TOKEN', 'bad').toObject('req1');
    expect(body).toMatchObject({
      error_type: 'INVALID_INPUT',
      error_code: 'INVALID_ACCESS_TOKEN',
      error_message: 'bad',
      display_message: null,
      request_id: 'req1',
      status: 400,
      error_code_reason: null,
      suggested_action: null,
    });
    for (const code of Object.keys(PLAID_ERROR_CODES)) {
      expect(
        new PlaidError(code as keyof typeof PLAID_ERROR_CODES, 'm').toObject('r').documentation_url,
      ).toMatch(/^https:\/\/plaid\.com\/docs\/errors\//);
    }
  });
});

describe('Plaid shapes', () => {
  it("gives amounts in major units, transactions with Plaid's sign (positive = money out)", () => {
    expect(plaidAmount(12345, 'USD')).toBe(123.45);
    expect(plaidAmount(-5, 'USD')).toBe(-0.05);
    expect(plaidAmount(100, 'JPY')).toBe(100);
    expect(plaidTransactionAmount(-2500, 'USD')).toBe(25);
    expect(plaidTransactionAmount(2500, 'GBP')).toBe(-25);
    expect(Object.is(plaidTransactionAmount(0, 'USD'), 0)).toBe(true);
  });

  it('maps an account with its balances', () => {
    const a = plaidAccount({
      id: 'acc_1',
      userId: 'u',
      connectionId: 'c',
      provider: 'bank_a',
      providerAccountId: 'p',
      name: 'Checking',
      mask: '1234',
      type: 'depository',
      subtype: 'Checking',
      currency: 'USD',
      timeZone: null,
      balanceCurrentMinor: 100050,
      balanceAvailableMinor: null,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-02T00:00:00Z',
    });
    expect(a).toMatchObject({
      account_id: 'acc_1',
      subtype: 'checking',
      balances: {
        current: 1000.5,
        available: null,
        iso_currency_code: 'USD',
        unofficial_currency_code: null,
      },
    });
  });

  it('searches institutions by words, country and product', () => {
    const all = [
      plaidInstitution({ id: 'bank_a', name: 'Acorn Bank' }),
      plaidInstitution({ id: 'bank_b', name: 'Birch & Co. Bank' }),
    ];
    const ids = (q: Parameters<typeof searchInstitutions>[1]) =>
      searchInstitutions(all, q).map((i) => i.institution_id);
    expect(ids({ query: 'bank', countryCodes: ['US', 'GB'] })).toEqual(['ins_bank_a', 'ins_bank_b']);
    expect(ids({ query: 'ACORN', countryCodes: ['US'] })).toEqual(['ins_bank_a']);
    expect(ids({ query: 'acorn', countryCodes: ['GB'] })).toEqual([]);
    expect(ids({ query: 'bank', countryCodes: ['US'], products: ['auth'] })).toEqual([]);
  });
});
