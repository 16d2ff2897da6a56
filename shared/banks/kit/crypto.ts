import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret as hex: codes and tokens are stored and looked up by this, never in clear. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A random URL-safe secret (codes, tokens): 32 bytes = 256 bits of entropy by default. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
export const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is the base64url (no padding) of 32 bytes: 43 characters. */
export const PKCE_S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** A fresh PKCE verifier and its S256 challenge (what a client does before redirecting to a bank). */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomSecret(48);
  return { verifier, challenge: pkceS256(verifier) };
}

/** Constant-time comparison of two secrets of any length (compares their digests). */
export function secretsEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/**
 * A deterministic number in [0, 1) from its inputs: the mock banks' only source of "randomness" (fault rates,
 * which record gets malformed), so a seed and a request number always give the same outcome.
 */
export function seededUnit(...parts: (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('\u001f'), 'utf8').digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** A deterministic pick from a non-empty list. */
export function seededPick<T>(items: readonly T[], ...parts: (string | number)[]): T {
  const i = Math.floor(seededUnit(...parts) * items.length);
  return items[Math.min(i, items.length - 1)]!;
}
