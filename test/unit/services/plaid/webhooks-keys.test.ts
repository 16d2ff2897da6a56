import { randomBytes } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { LocalAesCipher } from '../../../../shared/adapters/crypto/aes-gcm';
import { MemoryWebhookStore } from '../../../../shared/adapters/memory/plaid-webhooks';
import { ManualClock } from '../../../../shared/ports/clock';
import {
  rotateWebhookKey,
  signWebhookBody,
  webhookVerificationKey,
} from '../../../../shared/services/plaid/webhooks-keys';
import { plaidWebhookVerifier } from '../../../support/plaid-webhook-verifier';

function setup() {
  const keys = new MemoryWebhookStore();
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const deps = { keys, cipher: new LocalAesCipher(randomBytes(32).toString('base64')), clock };
  const fetchKey = async (kid: string) => {
    const key = await webhookVerificationKey(deps, kid);
    if (!key) throw new Error(`unknown kid ${kid}`);
    return key;
  };
  return { deps, keys, clock, verify: plaidWebhookVerifier(fetchKey, { now: () => clock.now() }) };
}

const BODY = '{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"i1"}';

describe('webhook signing keys', () => {
  it('signs as Plaid does, and a receiver verifying as Plaid documents accepts it', async () => {
    const { deps, keys, verify } = setup();
    const { jwt, kid } = await signWebhookBody(deps, 'sandbox', BODY);
    const [header] = jwt.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({
      alg: 'ES256',
      kid,
      typ: 'JWT',
    });
    const out = await verify(BODY, { 'Plaid-Verification': jwt });
    expect(out.kid).toBe(kid);
    // The private half is encrypted at rest.
    const stored = keys.keys.get(kid)!;
    expect(stored.privateKeyEncrypted).toMatch(/^local:v1:/);
    expect(stored.privateKeyEncrypted).not.toContain('"d"');
  });

  it('rejects a tampered body, a stale signature, another alg and a foreign key', async () => {
    const { deps, clock, verify } = setup();
    const { jwt } = await signWebhookBody(deps, 'sandbox', BODY);
    await expect(verify(BODY.replace('i1', 'i2'), { 'plaid-verification': jwt })).rejects.toThrow(
      /does not match request_body_sha256/,
    );
    await expect(verify(`${BODY} `, { 'plaid-verification': jwt })).rejects.toThrow(/request_body_sha256/);
    await expect(verify(BODY, {})).rejects.toThrow(/no Plaid-Verification/);

    clock.advance(5 * 60_000 + 1000);
    await expect(verify(BODY, { 'plaid-verification': jwt })).rejects.toThrow(/older than 5 minutes/);

    const hs = await new SignJWT({ request_body_sha256: 'x' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k' })
      .setIssuedAt()
      .sign(randomBytes(32));
    await expect(verify(BODY, { 'plaid-verification': hs })).rejects.toThrow(/not ES256/);

    // Signed by another key under the real kid: the signature check fails.
    const { privateKey } = await generateKeyPair('ES256');
    const fresh = await signWebhookBody(deps, 'sandbox', BODY);
    const forged = await new SignJWT({ request_body_sha256: 'x' })
      .setProtectedHeader({ alg: 'ES256', kid: fresh.kid, typ: 'JWT' })
      .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
      .sign(privateKey);
    await expect(verify(BODY, { 'plaid-verification': forged })).rejects.toThrow(/bad signature/);
  });

  it('one key per environment, rotatable: the kid is stable, the old key still verifies and shows expired_at', async () => {
    const { deps, clock, verify } = setup();
    const first = await signWebhookBody(deps, 'sandbox', BODY);
    expect((await signWebhookBody(deps, 'sandbox', BODY)).kid).toBe(first.kid);
    const production = await signWebhookBody(deps, 'production', BODY);
    expect(production.kid).not.toBe(first.kid);

    clock.advance(60_000);
    const rotated = await rotateWebhookKey(deps, 'sandbox');
    expect(rotated.kid).not.toBe(first.kid);
    const after = await signWebhookBody(deps, 'sandbox', BODY);
    expect(after.kid).toBe(rotated.kid);
    expect(await webhookVerificationKey(deps, first.kid)).toMatchObject({
      kid: first.kid,
      expired_at: Math.floor(clock.now().getTime() / 1000),
    });
    expect((await webhookVerificationKey(deps, rotated.kid))?.expired_at).toBeNull();
    await expect(verify(BODY, { 'plaid-verification': first.jwt })).resolves.toMatchObject({
      kid: first.kid,
    });
    await expect(verify(BODY, { 'plaid-verification': after.jwt })).resolves.toMatchObject({
      kid: rotated.kid,
    });
  });

  it('two first signers at once agree on one key', async () => {
    const { deps } = setup();
    const kids = await Promise.all([1, 2, 3, 4].map(() => signWebhookBody(deps, 'sandbox', BODY)));
    expect(new Set(kids.map((k) => k.kid)).size).toBe(1);
  });
});
