import type { Clock } from '../../ports/clock';
import type { PlaidStore } from '../../ports/plaid';
import { ConflictError } from '../../ports/store';
import { invalidApiKeys } from '../../domain/plaid/errors';
import { hashSecret, newClientId, newSecret, secretMatches } from '../../domain/plaid/ids';
import type { PlaidApplication } from '../../domain/plaid/models';

/**
 * Plaid applications (a client app's backend): creation with a client_id and a secret shown once, rotation, and
 * authentication of a request's credentials. Used by the Plaid middleware, the twin (its sandbox application) and
 * the operator command (bin/plaid-app.ts).
 */

export interface ApplicationDeps {
  store: PlaidStore;
  clock: Clock;
}

/** What a client_id may look like (ours are 24 hex; an operator may fix another of this shape). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** What a secret may look like (ours are 64 hex; an operator may fix another of this shape). */
export const SECRET_PATTERN = /^[\x21-\x7e]{16,256}$/;

export interface CreatedApplication {
  application: PlaidApplication;
  /** The secret in clear: shown once, never stored. */
  secret: string;
}

export async function createApplication(
  deps: ApplicationDeps,
  input: { name: string; clientId?: string; secret?: string; allowedRedirectUris?: string[] },
): Promise<CreatedApplication> {
  const clientId = input.clientId ?? newClientId();
  const secret = input.secret ?? newSecret();
  checkCredentials(clientId, secret);
  const now = deps.clock.now().toISOString();
  const application: PlaidApplication = {
    clientId,
    name: input.name,
    secretHash: hashSecret(secret),
    secretCreatedAt: now,
    allowedRedirectUris: input.allowedRedirectUris ?? [],
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.putPlaidApplication(application);
  return { application, secret };
}

function checkCredentials(clientId: string, secret: string): void {
  if (!CLIENT_ID_PATTERN.test(clientId))
    throw new Error('A client_id must be 8 to 64 letters, digits, _ or -.');
  if (!SECRET_PATTERN.test(secret)) throw new Error('A secret must be 16 to 256 printable ASCII characters.');
}

/**
 * The application with these credentials, created if absent (the twin's sandbox application, whose credentials
 * may be fixed by FINAGG_SANDBOX_CLIENT_ID/SECRET): an existing one whose secret differs gets this secret.
 */
export async function ensureApplication(
  deps: ApplicationDeps,
  input: { name: string; clientId: string; secret: string },
): Promise<PlaidApplication> {
  checkCredentials(input.clientId, input.secret);
  const existing = await deps.store.getPlaidApplication(input.clientId);
  if (existing) {
    if (secretMatches(input.secret, existing.secretHash)) return existing;
    return (await rotateSecret(deps, input.clientId, input.secret)).application;
  }
  try {
    return (await createApplication(deps, input)).application;
  } catch (err) {
    // Another process created it meanwhile: theirs stands (with this secret, rotated in above if it differs).
    if (!(err instanceof ConflictError)) throw err;
    return ensureApplication(deps, input);
  }
}

/** A new secret for the application; the previous one stops working at once. */
export async function rotateSecret(
  deps: ApplicationDeps,
  clientId: string,
  secret: string = newSecret(),
): Promise<CreatedApplication> {
  checkCredentials(clientId, secret);
  const now = deps.clock.now().toISOString();
  try {
    const application = await deps.store.updatePlaidApplication(clientId, {
      secretHash: hashSecret(secret),
      secretCreatedAt: now,
      updatedAt: now,
    });
    return { application, secret };
  } catch (err) {
    if (err instanceof ConflictError) throw new Error(`No application has client_id ${clientId}.`);
    throw err;
  }
}

/**
 * The application of a request's credentials; INVALID_API_KEYS when the client_id is unknown or the secret is not
 * its live one (compared in constant time; an unknown client_id costs the same hash).
 */
export async function authenticate(
  deps: ApplicationDeps,
  clientId: string,
  secret: string,
): Promise<PlaidApplication> {
  const app = CLIENT_ID_PATTERN.test(clientId) ? await deps.store.getPlaidApplication(clientId) : null;
  const matches = secretMatches(secret, app?.secretHash ?? '0'.repeat(64));
  if (!app || !matches) throw invalidApiKeys();
  return app;
}
