import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  delivered,
  digestsEqual,
  itemError,
  itemLoginRequired,
  plaidJwk,
  requestBodySha256,
  retryDelaySeconds,
  serializeWebhook,
  syncUpdatesAvailable,
  WebhookBodySchema,
  webhookClaims,
} from '../../../../shared/domain/plaid/webhooks';

describe('Plaid webhook bodies', () => {
  it("SYNC_UPDATES_AVAILABLE has Plaid's fields", () => {
    const body = syncUpdatesAvailable({
      itemId: 'item-1',
      environment: 'sandbox',
      initialUpdateComplete: true,
      historicalUpdateComplete: false,
    });
    expect(JSON.parse(serializeWebhook(body))).toEqual({
      webhook_type: 'TRANSACTIONS',
      webhook_code: 'SYNC_UPDATES_AVAILABLE',
      item_id: 'item-1',
      initial_update_complete: true,
      historical_update_complete: false,
      environment: 'sandbox',
    });
    expect(WebhookBodySchema.parse(body)).toEqual(body);
  });

  it('ITEM ERROR carries the error object with ITEM_LOGIN_REQUIRED', () => {
    const body = itemError('item-1', 'sandbox', itemLoginRequired('req-1'));
    expect(body).toMatchObject({
      webhook_type: 'ITEM',
      webhook_code: 'ERROR',
      error: { error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED', request_id: 'req-1' },
    });
    expect(WebhookBodySchema.safeParse(body).success).toBe(true);
  });
});

describe('signature claims', () => {
  it('request_body_sha256 is the hex SHA-256 of the exact bytes; iat is seconds', () => {
    expect(requestBodySha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(webhookClaims('{"a":1}', new Date('2026-03-01T00:00:01.900Z'))).toEqual({
      iat: Date.parse('2026-03-01T00:00:01Z') / 1000,
      request_body_sha256: requestBodySha256('{"a":1}'),
    });
  });

  it('digestsEqual is equality (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const x = requestBodySha256(a);
        const y = requestBodySha256(b);
        expect(digestsEqual(x, y)).toBe(x === y);
        expect(digestsEqual(x, x.slice(1))).toBe(false);
      }),
    );
  });
});

describe('the verification key as Plaid returns it', () => {
  it('has alg, crv, kid, kty, use, x, y and epoch-second times', () => {
    expect(
      plaidJwk({
        kid: 'k1',
        environment: 'sandbox',
        publicJwk: { kty: 'EC', crv: 'P-256', x: 'X', y: 'Y' },
        privateKeyEncrypted: 'secret',
        createdAt: '2026-03-01T00:00:00.000Z',
        expiredAt: null,
      }),
    ).toEqual({
      alg: 'ES256',
      crv: 'P-256',
      kid: 'k1',
      kty: 'EC',
      use: 'sig',
      x: 'X',
      y: 'Y',
      created_at: Date.parse('2026-03-01T00:00:00Z') / 1000,
      expired_at: null,
    });
  });
});

describe('delivery policy', () => {
  it('backs off exponentially, capped', () => {
    const policy = { maxAttempts: 8, baseDelaySeconds: 30, maxDelaySeconds: 3600 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelaySeconds(n, policy))).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3600,
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (n) => {
        expect(retryDelaySeconds(n + 1, policy)).toBeGreaterThanOrEqual(retryDelaySeconds(n, policy));
        expect(retryDelaySeconds(n, policy)).toBeLessThanOrEqual(3600);
      }),
    );
  });

  it('only a 2xx is delivered', () => {
    expect([200, 204, 299, 300, 302, 404, 500, null].map(delivered)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
