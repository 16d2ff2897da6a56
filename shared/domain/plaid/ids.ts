import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { USER_ID_PATTERN } from '../user-id';

/**
 * Identifiers and secrets of the Plaid surface: their formats (as Plaid's look), how they are hashed for storage,
 * and the finagg user behind an application's end user.
 */

/** The environment word Plaid puts in its tokens. */
export const PLAID_ENV = 'sandbox';

/** SHA-256 hex of a token or secret: what the store keeps. Tokens and secrets are 128+ random bits, so no salt. */
export function hashSecret(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** True when `value` hashes to `hash`, compared in constant time. */
export function secretMatches(value: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(value), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new client_id: 24 hex characters, as Plaid's. */
export const newClientId = () => randomBytes(12).toString('hex');
/** A new secret: 32 random bytes, 64 hex characters. */
export const newSecret = () => randomBytes(32).toString('hex');

const token = (kind: string) => `${kind}-${PLAID_ENV}-${randomUuid()}`;
function randomUuid(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const newLinkToken = () => token('link');
export const newPublicToken = () => token('public');
export const newAccessToken = () => token('access');

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A Plaid-looking opaque id (item ids, request ids): base62 characters. */
export function base62Id(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const v = bytes[i]!;
    if (v < 248) out += BASE62[v % 62]; // 248 = 4 * 62: unbiased
  }
  while (out.length < length) out += BASE62[randomBytes(1)[0]! % 62];
  return out;
}

export const newItemId = () => base62Id(37);
export const newRequestId = () => base62Id(15);

export const LINK_TOKEN_PATTERN = /^link-(sandbox|development|production)-[0-9a-f-]{36}$/;
export const PUBLIC_TOKEN_PATTERN = /^public-(sandbox|development|production)-[0-9a-f-]{36}$/;
export const ACCESS_TOKEN_PATTERN = /^access-(sandbox|development|production)-[0-9a-f-]{36}$/;

/**
 * The finagg user id of an application's end user: deterministic per (client_id, client_user_id), so the same
 * end user of the same app always reaches the same data, and different apps' users never share any. Of the shape
 * every finagg user id has (USER_ID_PATTERN): `plaid.<client_id>.<40 hex of SHA-256>`.
 */
export function plaidUserId(clientId: string, clientUserId: string): string {
  const digest = createHash('sha256').update(`${clientId}\u001f${clientUserId}`, 'utf8').digest('hex');
  const id = `plaid.${clientId}.${digest.slice(0, 40)}`;
  if (!USER_ID_PATTERN.test(id))
    throw new Error(`client_id ${JSON.stringify(clientId)} makes no valid user id`);
  return id;
}

/** Plaid institution ids of finagg's providers: `bank_a` ↔ `ins_bank_a`. */
export const institutionId = (providerId: string) => `ins_${providerId}`;
export function providerOfInstitution(id: string): string | null {
  return id.startsWith('ins_') && id.length > 4 ? id.slice(4) : null;
}
