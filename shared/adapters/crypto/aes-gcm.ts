import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TokenCipher } from '../../ports/secrets';

/** Canonical, order-independent encoding of an encryption context, used as AES-GCM additional data. */
export function contextAad(context: Record<string, string>): Buffer {
  return Buffer.from(
    JSON.stringify(
      Object.keys(context)
        .sort()
        .map((k) => [k, context[k]]),
    ),
    'utf8',
  );
}

export function sealAesGcm(key: Buffer, plaintext: string, aad: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function openAesGcm(key: Buffer, sealed: string, aad: Buffer): string {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 28) throw new Error('ciphertext is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/**
 * Local token encryption: AES-256-GCM with a key from configuration (TOKEN_ENCRYPTION_KEY, 32 bytes base64).
 * Blobs are `local:v1:<sealed>`, so they can never be mistaken for KMS envelopes.
 */
export class LocalAesCipher implements TokenCipher {
  private readonly key: Buffer;
  constructor(keyBase64: string) {
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  }

  async encrypt(plaintext: string, context: Record<string, string>): Promise<string> {
    return `local:v1:${sealAesGcm(this.key, plaintext, contextAad(context))}`;
  }

  async decrypt(blob: string, context: Record<string, string>): Promise<string> {
    if (!blob.startsWith('local:v1:')) throw new Error('not a local ciphertext');
    return openAesGcm(this.key, blob.slice('local:v1:'.length), contextAad(context));
  }
}
