/**
 * Envelope encryption of secrets at rest (bank tokens, PKCE verifiers). The context is authenticated (bound to
 * the ciphertext): a blob encrypted for one connection does not decrypt for another.
 */
export interface TokenCipher {
  encrypt(plaintext: string, context: Record<string, string>): Promise<string>;
  decrypt(blob: string, context: Record<string, string>): Promise<string>;
}
