import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SyncJob } from '../domain/jobs';
import type { Clock } from '../ports/clock';
import type { JobQueue } from '../ports/queue';
import type { TokenCipher } from '../ports/secrets';
import type { AccountStore, ConnectionStore, LinkSessionStore } from '../ports/store';
import { HttpProblem, badRequest, notFound } from '../http/problem';
import type { Provider, ProviderTokens } from '../banks/kit/provider';
import { ProviderError } from '../banks/kit/provider';
import type { Account, BankAccount, Connection, QuarantinedRecord, SyncRun } from '../domain/models';
import { accountId, accountView } from '../domain/accounts';

/** A provider with the normalizer of its bank's account records (throws on a record it cannot read). */
export interface LinkProvider extends Provider {
  normalizeAccount(raw: unknown): BankAccount;
}

export interface LinkingDeps {
  store: LinkSessionStore & ConnectionStore & AccountStore;
  cipher: TokenCipher;
  syncQueue: JobQueue<SyncJob>;
  clock: Clock;
  providers: readonly LinkProvider[];
  publicBaseUrl: string;
  stateTtlSeconds: number;
}

/** What the API shows of a connection: never its tokens. */
export function connectionView(c: Connection) {
  return {
    id: c.id,
    provider: c.provider,
    status: c.status,
    status_reason: c.statusReason ?? null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    last_sync_at: c.lastSyncAt ?? null,
    last_sync_status: c.lastSyncStatus ?? null,
  };
}

/** A sync run as the API shows it (`GET /connections/{id}/syncs`). */
export function syncRunView(r: SyncRun) {
  return {
    id: r.id,
    reason: r.reason,
    status: r.status,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    pages: r.pages,
    added: r.added,
    modified: r.modified,
    removed: r.removed,
    merged: r.merged,
    quarantined: r.quarantined,
    errors: r.errors,
  };
}

/** A record the sync could not read, with why (`GET /connections/{id}/syncs/{sync_id}/quarantined`). */
export function quarantinedView(q: QuarantinedRecord) {
  return { kind: q.kind, reason: q.reason, raw: q.raw, at: q.at };
}

export function defaultRedirectUri(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/link/callback`;
}

const b64url = (buf: Buffer) => buf.toString('base64url');

function findProvider(deps: LinkingDeps, id: string): LinkProvider {
  const provider = deps.providers.find((p) => p.id === id);
  if (!provider) {
    throw badRequest(`Unknown provider ${JSON.stringify(id)}.`, [
      { path: 'body.provider', message: `must be one of ${deps.providers.map((p) => p.id).join(', ')}` },
    ]);
  }
  return provider;
}

/** The encryption context of a connection's tokens: a blob for one connection decrypts for no other. */
export const tokenContext = (userId: string, connectionId: string) => ({
  purpose: 'bank-tokens',
  userId,
  connectionId,
});
const pkceContext = (userId: string, state: string) => ({ purpose: 'pkce', userId, state });

/** Step 1: an authorization URL at the bank, with a single-use state and a PKCE S256 challenge. */
export async function startLink(
  deps: LinkingDeps,
  userId: string,
  input: { provider: string; redirect_uri?: string },
) {
  const provider = findProvider(deps, input.provider);
  const now = deps.clock.now();
  const state = b64url(randomBytes(32));
  const verifier = b64url(randomBytes(48));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const redirectUri = input.redirect_uri ?? defaultRedirectUri(deps.publicBaseUrl);
  const expiresAt = new Date(now.getTime() + deps.stateTtlSeconds * 1000).toISOString();
  const linkId = randomUUID();
  await deps.store.putLinkSession({
    state,
    userId,
    provider: provider.id,
    redirectUri,
    codeVerifier: await deps.cipher.encrypt(verifier, pkceContext(userId, state)),
    createdAt: now.toISOString(),
    expiresAt,
  });
  return {
    link_id: linkId,
    authorize_url: provider.client.authorizeUrl({ state, codeChallenge: challenge, redirectUri }),
    state,
    expires_at: expiresAt,
  };
}

const INVALID_STATE = 'The link state is unknown, expired or already used. Start the link again.';

/**
 * Step 2: exchanges the bank's code for tokens (with the PKCE verifier), stores them encrypted, creates the
 * connection and queues its first sync. `userId` null means "whoever started the link" (the default callback
 * page, which has no bearer token: the single-use state and the bank's code are the proof).
 *
 * Nothing uses the session up before it is proven: a caller who is not its owner gets the answer an unknown state
 * gets (nothing tells that the state exists), and a code the bank refuses leaves it too, so the owner's own
 * callback still succeeds. Only then is the session taken, in one conditional write on its owner: of two callbacks
 * racing, one links and the other gets the unknown-state answer (the tokens it got are revoked at the bank).
 */
export async function completeLink(
  deps: LinkingDeps,
  userId: string | null,
  input: { state: string; code: string },
) {
  const session = await deps.store.getLinkSession(input.state, deps.clock.now());
  if (!session || (userId !== null && session.userId !== userId)) throw badRequest(INVALID_STATE);
  const provider = findProvider(deps, session.provider);
  const verifier = await deps.cipher.decrypt(
    session.codeVerifier,
    pkceContext(session.userId, session.state),
  );

  let tokens: ProviderTokens;
  try {
    tokens = await provider.client.exchangeCode({
      code: input.code,
      codeVerifier: verifier,
      redirectUri: session.redirectUri,
    });
  } catch (err) {
    throw providerProblem(err, 'exchanging the authorization code');
  }
  if (!(await deps.store.consumeLinkSession(session.state, deps.clock.now(), session.userId))) {
    await revokeQuietly(provider, tokens);
    throw badRequest(INVALID_STATE);
  }

  const now = deps.clock.now().toISOString();
  const connection: Connection = {
    id: randomUUID(),
    userId: session.userId,
    provider: provider.id,
    status: 'active',
    tokens: '',
    accessTokenExpiresAt: tokens.expiresAt,
    createdAt: now,
    updatedAt: now,
  };
  connection.tokens = await deps.cipher.encrypt(
    JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
    tokenContext(connection.userId, connection.id),
  );

  let raw: unknown[];
  try {
    raw = await provider.client.fetchAccounts(tokens.accessToken);
  } catch (err) {
    throw providerProblem(err, 'reading the accounts');
  }
  // Accounts the bank sent that we cannot read are left to the first sync, which quarantines them with a reason.
  const accounts: Account[] = [];
  for (const record of raw) {
    try {
      const a = provider.normalizeAccount(record);
      accounts.push({
        ...a,
        id: accountId(connection.id, a.providerAccountId),
        userId: connection.userId,
        connectionId: connection.id,
        provider: provider.id,
        createdAt: now,
        updatedAt: now,
      });
    } catch {
      continue;
    }
  }
  await deps.store.putConnection(connection);
  await deps.store.upsertAccounts(accounts);
  await deps.syncQueue.send({
    type: 'sync',
    sync_id: randomUUID(),
    user_id: connection.userId,
    connection_id: connection.id,
    reason: 'link',
    requested_at: now,
  });
  return {
    connection: { id: connection.id, provider: connection.provider, status: connection.status },
    accounts: accounts.map(accountView),
  };
}

/** Revokes tokens nobody will use (a callback that lost the race for its session); a bank that fails is let be. */
async function revokeQuietly(provider: LinkProvider, tokens: ProviderTokens): Promise<void> {
  try {
    await provider.client.revoke(tokens.refreshToken);
    await provider.client.revoke(tokens.accessToken);
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
  }
}

function providerProblem(err: unknown, doing: string): HttpProblem {
  if (err instanceof ProviderError) {
    if (err.kind === 'invalid_grant')
      return badRequest(`The bank refused the authorization code while ${doing}.`);
    return new HttpProblem(502, `The bank failed while ${doing} (${err.kind}). Try again.`);
  }
  throw err;
}

export async function getConnectionOr404(
  store: ConnectionStore,
  userId: string,
  id: string,
): Promise<Connection> {
  const c = await store.getConnection(userId, id);
  if (!c) throw notFound('No such connection.');
  return c;
}

/** Revokes the tokens at the bank and stops syncing. Safe to repeat: a revoked connection stays revoked. */
export async function revokeConnection(deps: LinkingDeps, userId: string, id: string): Promise<Connection> {
  const connection = await getConnectionOr404(deps.store, userId, id);
  if (connection.status === 'revoked') return connection;
  const provider = deps.providers.find((p) => p.id === connection.provider);
  // A connection whose tokens are gone (revoked before, or a sync raced a revocation) has nothing to revoke.
  if (provider && connection.tokens) {
    try {
      const tokens = JSON.parse(
        await deps.cipher.decrypt(connection.tokens, tokenContext(userId, connection.id)),
      ) as { accessToken: string; refreshToken: string };
      await provider.client.revoke(tokens.refreshToken);
      await provider.client.revoke(tokens.accessToken);
    } catch (err) {
      // The user's intent is to disconnect: a bank that is down does not keep the connection alive.
      if (!(err instanceof ProviderError)) throw err;
    }
  }
  return deps.store.updateConnection(userId, id, {
    status: 'revoked',
    statusReason: 'Disconnected by the user.',
    tokens: '',
    updatedAt: deps.clock.now().toISOString(),
  });
}
