import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import {
  keyContext,
  plaidJwk,
  requestBodySha256,
  type PlaidEnvironment,
  type PlaidJwk,
  type WebhookKey,
} from '../../domain/plaid/webhooks';
import type { Clock } from '../../ports/clock';
import type { WebhookKeyStore } from '../../ports/plaid-webhooks';
import type { TokenCipher } from '../../ports/secrets';

/**
 * The webhook signing keys: one ES256 key pair per environment, made on first use, its private half encrypted at
 * rest with the envelope cipher (KMS in the cloud, AES-GCM locally), rotatable (the old key stays readable, with
 * `expired_at`, so what it signed still verifies). A key's `kid` never changes.
 */
export interface WebhookKeyDeps {
  keys: WebhookKeyStore;
  cipher: TokenCipher;
  clock: Clock;
}

/** Decrypted private keys by kid, per container (a key's private half never changes). */
const privateKeys = new Map<string, Promise<CryptoKey>>();

async function makeKey(deps: WebhookKeyDeps, environment: PlaidEnvironment): Promise<WebhookKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const pub = await exportJWK(publicKey);
  const priv = await exportJWK(privateKey);
  if (!pub.x || !pub.y) throw new Error('the generated key has no public point');
  const kid = randomUUID();
  return {
    kid,
    environment,
    publicJwk: { kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y },
    privateKeyEncrypted: await deps.cipher.encrypt(JSON.stringify(priv), keyContext(kid)),
    createdAt: deps.clock.now().toISOString(),
    expiredAt: null,
  };
}

/** Replaces the current key (if `previousKid` is still it) by a new one; the winner of a race is returned. */
async function install(
  deps: WebhookKeyDeps,
  environment: PlaidEnvironment,
  previousKid: string | null,
): Promise<WebhookKey> {
  const key = await makeKey(deps, environment);
  if (await deps.keys.rotateWebhookKey(key, previousKid)) return key;
  const winner = await deps.keys.currentWebhookKey(environment);
  if (!winner) throw new Error(`no current webhook key for ${environment} after a lost rotation`);
  return winner;
}

/** The key new webhooks of `environment` are signed with (made on first use). */
export async function currentWebhookKey(
  deps: WebhookKeyDeps,
  environment: PlaidEnvironment,
): Promise<WebhookKey> {
  return (await deps.keys.currentWebhookKey(environment)) ?? install(deps, environment, null);
}

/** A new current key; the previous one stays readable with `expired_at` set. */
export async function rotateWebhookKey(
  deps: WebhookKeyDeps,
  environment: PlaidEnvironment,
): Promise<WebhookKey> {
  const current = await deps.keys.currentWebhookKey(environment);
  return install(deps, environment, current?.kid ?? null);
}

function privateKeyOf(deps: WebhookKeyDeps, key: WebhookKey): Promise<CryptoKey> {
  let hit = privateKeys.get(key.kid);
  if (!hit) {
    hit = (async () => {
      const jwk = JSON.parse(await deps.cipher.decrypt(key.privateKeyEncrypted, keyContext(key.kid))) as JWK;
      const imported = await importJWK(jwk, 'ES256');
      if (imported instanceof Uint8Array) throw new Error('a webhook key must be an EC key');
      return imported;
    })();
    hit.catch(() => privateKeys.delete(key.kid));
    privateKeys.set(key.kid, hit);
  }
  return hit;
}

/**
 * The `Plaid-Verification` header for `body` (the exact bytes that will be posted): an ES256 JWT with header
 * `{alg: 'ES256', kid, typ: 'JWT'}` and claims `iat` and `request_body_sha256`, as Plaid signs.
 */
export async function signWebhookBody(
  deps: WebhookKeyDeps,
  environment: PlaidEnvironment,
  body: string,
): Promise<{ jwt: string; kid: string }> {
  const key = await currentWebhookKey(deps, environment);
  const jwt = await new SignJWT({ request_body_sha256: requestBodySha256(body) })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuedAt(Math.floor(deps.clock.now().getTime() / 1000))
    .sign(await privateKeyOf(deps, key));
  return { jwt, kid: key.kid };
}

/** `/webhook_verification_key/get`: the public key by kid (current or expired), or null if unknown. */
export async function webhookVerificationKey(
  deps: Pick<WebhookKeyDeps, 'keys'>,
  kid: string,
): Promise<PlaidJwk | null> {
  const key = await deps.keys.getWebhookKey(kid);
  return key ? plaidJwk(key) : null;
}
