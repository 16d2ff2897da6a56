import type { KMSClient } from '@aws-sdk/client-kms';
import type { TokenCipher } from '../../ports/secrets';
import { contextAad, openAesGcm, sealAesGcm } from '../crypto/aes-gcm';

/**
 * Envelope encryption with AWS KMS: a fresh AES-256 data key per secret from GenerateDataKey, the secret sealed
 * with AES-256-GCM, and only the KMS-encrypted data key stored beside it. The encryption context is passed to
 * KMS (so CloudTrail shows whose key was used) and bound into the GCM tag.
 * Blob: `kms:v1:<encrypted data key, base64url>:<sealed>`.
 */
export class KmsEnvelopeCipher implements TokenCipher {
  constructor(
    private readonly kms: Pick<KMSClient, 'send'>,
    private readonly keyId: string,
  ) {}

  async encrypt(plaintext: string, context: Record<string, string>): Promise<string> {
    // The client's module is loaded on first use, not at a cold start that may never need it.
    const { GenerateDataKeyCommand } = await import('@aws-sdk/client-kms');
    const out = await this.kms.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
    const key = Buffer.from(out.Plaintext);
    try {
      const sealed = sealAesGcm(key, plaintext, contextAad(context));
      return `kms:v1:${Buffer.from(out.CiphertextBlob).toString('base64url')}:${sealed}`;
    } finally {
      key.fill(0);
    }
  }

  async decrypt(blob: string, context: Record<string, string>): Promise<string> {
    const [scheme, version, wrapped, sealed] = blob.split(':');
    if (scheme !== 'kms' || version !== 'v1' || !wrapped || !sealed) throw new Error('not a KMS envelope');
    const { DecryptCommand } = await import('@aws-sdk/client-kms');
    const out = await this.kms.send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: Buffer.from(wrapped, 'base64url'),
        EncryptionContext: context,
      }),
    );
    if (!out.Plaintext) throw new Error('KMS returned no plaintext');
    const key = Buffer.from(out.Plaintext);
    try {
      return openAesGcm(key, sealed, contextAad(context));
    } finally {
      key.fill(0);
    }
  }
}
