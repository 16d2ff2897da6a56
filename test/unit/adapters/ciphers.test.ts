import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { LocalAesCipher } from '../../../shared/adapters/crypto/aes-gcm';
import { KmsEnvelopeCipher } from '../../../shared/adapters/kms/envelope-cipher';

/**
 * KMS cannot run on this machine, so this stands in for it: a master key that really wraps and unwraps data
 * keys and really checks the encryption context, as KMS does.
 */
class FakeKms {
  private readonly master = randomBytes(32);
  calls: string[] = [];
  async send(command: unknown): Promise<{ Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array }> {
    if (command instanceof GenerateDataKeyCommand) {
      this.calls.push('GenerateDataKey');
      const key = randomBytes(32);
      return { Plaintext: key, CiphertextBlob: this.wrap(key, command.input.EncryptionContext ?? {}) };
    }
    if (command instanceof DecryptCommand) {
      this.calls.push('Decrypt');
      return {
        Plaintext: this.unwrap(
          Buffer.from(command.input.CiphertextBlob!),
          command.input.EncryptionContext ?? {},
        ),
      };
    }
    throw new Error('unexpected command');
  }
  private wrap(key: Buffer, ctx: Record<string, string>): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.master, iv).setAAD(Buffer.from(JSON.stringify(ctx)));
    const body = Buffer.concat([c.update(key), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }
  private unwrap(blob: Buffer, ctx: Record<string, string>): Buffer {
    const d = createDecipheriv('aes-256-gcm', this.master, blob.subarray(0, 12)).setAAD(
      Buffer.from(JSON.stringify(ctx)),
    );
    d.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([d.update(blob.subarray(28)), d.final()]);
  }
}

const ctx = { purpose: 'bank-tokens', userId: 'u1', connectionId: 'c1' };

describe.each([
  ['local AES-256-GCM', () => new LocalAesCipher(randomBytes(32).toString('base64'))],
  ['KMS envelope', () => new KmsEnvelopeCipher(new FakeKms(), 'alias/test')],
])('%s token cipher', (_name, make) => {
  it('round-trips and never contains the plaintext', async () => {
    const cipher = make();
    const secret = JSON.stringify({ accessToken: 'at-secret-123', refreshToken: 'rt-secret-456' });
    const blob = await cipher.encrypt(secret, ctx);
    expect(blob).not.toContain('secret');
    expect(await cipher.decrypt(blob, ctx)).toBe(secret);
    expect(await cipher.encrypt(secret, ctx)).not.toBe(blob);
  });

  it('refuses another context and tampered blobs', async () => {
    const cipher = make();
    const blob = await cipher.encrypt('s3cr3t', ctx);
    await expect(cipher.decrypt(blob, { ...ctx, userId: 'u2' })).rejects.toThrow();
    const tampered = blob.slice(0, -3) + (blob.endsWith('AAA') ? 'BBB' : 'AAA');
    await expect(cipher.decrypt(tampered, ctx)).rejects.toThrow();
  });
});

describe('LocalAesCipher', () => {
  it('requires a 32-byte key', () => {
    expect(() => new LocalAesCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
