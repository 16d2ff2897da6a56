import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  SignJWT,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type CryptoKey,
} from 'jose';

/**
 * The local stand-in for the Cognito user pool: it signs ES256 access tokens and verifies them the way API
 * Gateway's JWT authorizer does (signature against the issuer's JWKS, `iss`, `aud`, `exp`, `nbf`).
 */
export class LocalIssuer {
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly issuer: string,
    readonly audience: string,
  ) {
    this.keySet = createLocalJWKSet({ keys: [publicJwk] });
  }

  static async create(opts: { issuer: string; audience: string; keyFile?: string }): Promise<LocalIssuer> {
    if (opts.keyFile && existsSync(opts.keyFile)) {
      const saved = JSON.parse(readFileSync(opts.keyFile, 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
      const key = (await importJWK(saved.privateJwk, 'ES256')) as CryptoKey;
      return new LocalIssuer(key, saved.publicJwk, opts.issuer, opts.audience);
    }
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'local-1', alg: 'ES256', use: 'sig' };
    if (opts.keyFile) {
      mkdirSync(path.dirname(opts.keyFile), { recursive: true });
      writeFileSync(opts.keyFile, JSON.stringify({ privateJwk: await exportJWK(privateKey), publicJwk }), {
        mode: 0o600,
      });
    }
    return new LocalIssuer(privateKey, publicJwk, opts.issuer, opts.audience);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async issue(userId: string, expiresInSeconds: number): Promise<string> {
    return new SignJWT({ token_use: 'access', scope: 'finagg/api' })
      .setProtectedHeader({ alg: 'ES256', kid: 'local-1', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(`${expiresInSeconds}s`)
      .sign(this.privateKey);
  }

  /** The authorizer's check; returns the claims or null. */
  async verify(token: string): Promise<JWTPayload | null> {
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch {
      return null;
    }
  }
}
