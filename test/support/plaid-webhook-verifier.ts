import { timingSafeEqual, createHash } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';

/**
 * A webhook receiver's verification, step by step as Plaid's documentation tells one to verify a webhook
 * ("Verify webhooks"): written from the receiver's side, independent of how finagg signs.
 *
 *  1. Take the `Plaid-Verification` header (case-insensitive) and decode the JWT's header WITHOUT verifying it.
 *  2. Refuse unless `alg` is ES256.
 *  3. Fetch the key by the header's `kid` with `/webhook_verification_key/get` (cached by kid, as Plaid suggests).
 *  4. Verify the JWT's signature with that key.
 *  5. Refuse a token whose `iat` is more than five minutes old.
 *  6. Compute the SHA-256 of the raw body and compare it with the `request_body_sha256` claim in constant time.
 */
export type KeyFetcher = (kid: string) => Promise<JWK & { expired_at?: number | null }>;

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

export interface VerifiedWebhook {
  kid: string;
  iat: number;
  body: unknown;
}

export function plaidWebhookVerifier(fetchKey: KeyFetcher, opts: { now?: () => Date } = {}) {
  const cache = new Map<string, JWK>();
  return async function verify(
    rawBody: string | Buffer,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<VerifiedWebhook> {
    const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === 'plaid-verification')?.[1];
    const token = Array.isArray(entry) ? entry[0] : entry;
    if (!token) throw new WebhookVerificationError('no Plaid-Verification header');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new WebhookVerificationError('the Plaid-Verification header is not a JWT');
    }
    if (header.alg !== 'ES256') throw new WebhookVerificationError(`alg ${String(header.alg)} is not ES256`);
    if (!header.kid) throw new WebhookVerificationError('the JWT header has no kid');
    let jwk = cache.get(header.kid);
    if (!jwk) {
      jwk = await fetchKey(header.kid);
      cache.set(header.kid, jwk);
    }
    const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ES256');
    const now = opts.now?.() ?? new Date();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: ['ES256'], currentDate: now }));
    } catch (err) {
      throw new WebhookVerificationError(`bad signature: ${(err as Error).message}`);
    }
    const iat = payload.iat;
    if (typeof iat !== 'number') throw new WebhookVerificationError('no iat claim');
    if (now.getTime() / 1000 - iat > 5 * 60)
      throw new WebhookVerificationError('the signature is older than 5 minutes');
    const claimed = payload.request_body_sha256;
    if (typeof claimed !== 'string') throw new WebhookVerificationError('no request_body_sha256 claim');
    const actual = createHash('sha256').update(rawBody).digest('hex');
    const a = Buffer.from(actual);
    const b = Buffer.from(claimed);
    if (a.length !== b.length || !timingSafeEqual(a, b))
      throw new WebhookVerificationError('the body does not match request_body_sha256');
    return { kid: header.kid, iat, body: JSON.parse(rawBody.toString()) as unknown };
  };
}
