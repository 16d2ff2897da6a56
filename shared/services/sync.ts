import type { ProviderError as ProviderErrorType, TokenSet } from '../banks/kit/provider';
import { ProviderError } from '../banks/kit/provider';
import { accountId } from '../domain/accounts';
import { cleanMerchant } from '../domain/categorizer/index';
import type { SyncJob } from '../domain/jobs';
import type {
  Account,
  BankAccount,
  BankTransaction,
  Connection,
  QuarantinedRecord,
  SyncRun,
} from '../domain/models';
import { reconcile } from '../domain/reconcile';
import { leaseExpiry } from '../domain/sync-runs';
import {
  chooseListing,
  earliestPending,
  INDEX_VERSION,
  indexCurrent,
  newestDate,
  reconcileWindow,
  storedScope,
  type Listing,
  type SyncState,
} from '../domain/sync-window';
import type { Clock } from '../ports/clock';
import { connectionLockKey, type Lease, type Locks } from '../ports/locks';
import type { TokenCipher } from '../ports/secrets';
import {
  ConflictError,
  type AccountStore,
  type ConnectionStore,
  type SyncRunStore,
  type TransactionStore,
} from '../ports/store';
import type { SyncObserver } from '../ports/sync-observer';
import { logger } from '../logger';
import type { LinkProvider } from './linking';
import { tokenContext } from './linking';
import { failLostSyncRuns } from './sync-runs';

/** A provider the sync can read: its client and the normalizers of its bank's records. */
export interface SyncProvider extends LinkProvider {
  /** Throws (with a reason) on a record it cannot read. `accounts` are the bank's accounts by their bank id. */
  normalizeTransaction(raw: unknown, accounts: ReadonlyMap<string, BankAccount>): BankTransaction;
}

export interface SyncDeps {
  store: ConnectionStore & AccountStore & TransactionStore & SyncRunStore;
  cipher: TokenCipher;
  locks: Locks;
  clock: Clock;
  providers: readonly SyncProvider[];
  /** Waits between retries; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** The per-connection lock's lifetime: longer than any sync. */
  lockTtlMs?: number;
  /** Attempts per bank call before the sync fails (and the queue retries it later). */
  maxAttempts?: number;
  /** Longest Retry-After we wait for inside one sync; longer ones fail the run for the queue to retry. */
  maxRetryAfterMs?: number;
  /** Random in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Records read between two checkpoints (default 2000). */
  checkpointEvery?: number;
  /** Told when a run has ended and its results are stored (the Plaid surface's webhooks listen). */
  observer?: SyncObserver;
}

/** Records read between two checkpoints of a sync's progress. */
const CHECKPOINT_RECORDS = 2000;

/** The sync ended without its work being done, for a reason that is not a bug (and is recorded). */
class LoginRequired extends Error {}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One sync of one connection, as a queue message asks: under the connection's lock, refresh the token if it is
 * due, pull every account and every page of transactions (checkpointing each page so a crashed run resumes where
 * it stopped), normalize (quarantining what does not validate), reconcile with what is stored and write the
 * changes with their events. Safe to run twice: a finished sync id is not run again, and every write is
 * idempotent.
 */
export async function runSync(deps: SyncDeps, job: SyncJob): Promise<SyncRun> {
  const { store, clock } = deps;
  const started = clock.now().toISOString();
  const run: SyncRun = {
    id: job.sync_id,
    userId: job.user_id,
    connectionId: job.connection_id,
    reason: job.reason,
    status: 'running',
    startedAt: started,
    finishedAt: null,
    pages: 0,
    added: 0,
    modified: 0,
    removed: 0,
    merged: 0,
    quarantined: 0,
    errors: [],
  };
  const connection = await store.getConnection(job.user_id, job.connection_id);
  if (!connection || connection.status !== 'active') {
    return {
      ...run,
      status: connection ? 'login_required' : 'failed',
      finishedAt: started,
      errors: ['connection is not active'],
    };
  }
  const provider = deps.providers.find((p) => p.id === connection.provider);
  if (!provider) throw new Error(`no provider ${connection.provider} for connection ${connection.id}`);

  const ttlMs = deps.lockTtlMs ?? 5 * 60_000;
  const lease = await deps.locks.acquire(connectionLockKey(connection.id), { ttlMs });
  if (!lease) {
    const skipped = { ...run, status: 'skipped_locked' as const, finishedAt: clock.now().toISOString() };
    await store.putSyncRun(skipped);
    return skipped;
  }
  let syncState: SyncState | undefined;
  try {
    // Earlier runs of this connection whose worker died (past their lease) end as failed; this one resumes.
    await failLostSyncRuns(deps, { connectionId: connection.id });
    run.leaseExpiresAt = leaseExpiry(clock.now(), ttlMs);
    await store.putSyncRun(run);
    syncState = await syncUnderLock(
      deps,
      provider,
      connection,
      run,
      runLease(deps, run, lease),
      job.full === true,
    );
    run.status = 'succeeded';
  } catch (err) {
    if (err instanceof LoginRequired) {
      run.status = 'login_required';
      run.errors.push(err.message);
    } else {
      run.status = 'failed';
      run.errors.push(err instanceof ProviderError ? `${err.kind}: ${err.message}` : (err as Error).message);
      run.finishedAt = clock.now().toISOString();
      run.leaseExpiresAt = null;
      await store.putSyncRun(run);
      await lease.release().catch(() => false);
      throw err;
    }
  }
  run.finishedAt = clock.now().toISOString();
  run.leaseExpiresAt = null;
  // Two independent writes, side by side (each is safe to repeat, and either failing fails the job, retried).
  await Promise.all([
    store.putSyncRun(run),
    store.updateConnection(connection.userId, connection.id, {
      lastSyncAt: run.finishedAt,
      lastSyncStatus: run.status,
      updatedAt: run.finishedAt,
      ...(syncState ? { syncState } : {}),
    }),
  ]);
  await lease.release().catch(() => false);
  if (deps.observer) {
    try {
      await deps.observer.syncFinished(run, { firstSync: !connection.lastSyncAt });
    } catch (err) {
      logger.error('a sync observer failed', { syncId: run.id, error: err as Error });
    }
  }
  return run;
}

/** The lock's lease, whose renewal also renews the run's lease (its heartbeat, seen by whoever looks for lost runs). */
function runLease(deps: SyncDeps, run: SyncRun, lease: Lease): Lease {
  return {
    key: lease.key,
    token: lease.token,
    release: () => lease.release(),
    isHeld: () => lease.isHeld(),
    async extend(ttlMs) {
      const held = await lease.extend(ttlMs);
      run.leaseExpiresAt = leaseExpiry(deps.clock.now(), ttlMs);
      await deps.store.putSyncRun(run);
      return held;
    },
  };
}

async function syncUnderLock(
  deps: SyncDeps,
  provider: SyncProvider,
  connection: Connection,
  run: SyncRun,
  lease: Lease,
  full: boolean,
): Promise<SyncState> {
  const { store, clock } = deps;
  const session = new BankSession(deps, provider, connection);
  const now = () => clock.now().toISOString();
  // Round trips in turn are most of an incremental sync's time: what does not depend on another runs beside it
  // (this run's checkpoint and the bank's accounts; the accounts' write and the transaction pages).
  const [saved, rawAccounts] = await Promise.all([
    store.loadSyncProgress(connection.id, run.id),
    session.call((token) => provider.client.fetchAccounts(token)),
  ]);
  // Every page of transactions, resuming from this run's checkpoint if it crashed before; a new run lists only
  // what can have changed since the last sync (domain/sync-window.ts).
  const progress = saved ?? {
    cursor: null,
    pages: 0,
    records: [],
    done: false,
    listing: chooseListing(provider.client.listing, connection.syncState, clock.now(), full),
  };
  let listing: Listing = progress.listing ?? { kind: 'all' };
  // A full listing's stored transactions are read while the bank is paged through (both take a while for a long
  // history). A write in between is caught by the version conditions, and the retry below reads afresh.
  const storedAtStart =
    listing.kind === 'all' ? store.listConnectionTransactions(connection.userId, connection.id) : null;
  storedAtStart?.catch(() => undefined); // its failure surfaces where it is awaited, not as an unhandled rejection

  // Accounts and balances.
  const quarantine: QuarantinedRecord[] = [];
  const bankAccounts = new Map<string, BankAccount>();
  for (const raw of rawAccounts) {
    try {
      const a = provider.normalizeAccount(raw);
      bankAccounts.set(a.providerAccountId, a);
    } catch (err) {
      quarantine.push(quarantined(connection, run, 'account', err, raw, now()));
    }
  }
  const stamp = now();
  const accounts: Account[] = [...bankAccounts.values()].map((a) => ({
    ...a,
    id: accountId(connection.id, a.providerAccountId),
    userId: connection.userId,
    connectionId: connection.id,
    provider: provider.id,
    createdAt: stamp,
    updatedAt: stamp,
  }));
  const accountsWritten = store.upsertAccounts(accounts);
  accountsWritten.catch(() => undefined); // its failure surfaces where it is awaited, not as an unhandled rejection

  const records: BankTransaction[] = [...progress.records];
  const removedIds: string[] = [...(progress.removedIds ?? [])];
  let changeToken: string | null = null;
  let cursor = progress.cursor;
  let pages = progress.pages;
  let done = progress.done;
  let unsaved: BankTransaction[] = [];
  let checkpointed = saved !== null;
  while (!done) {
    const page = await fetchPage(session, provider, cursor, listing).catch((err: unknown) => {
      // A change token the bank no longer accepts: list everything instead.
      if (listing.kind !== 'changes' || cursor !== null || !(err instanceof ProviderError)) throw err;
      if (err.kind !== 'bad_request') throw err;
      listing = { kind: 'all' };
      return fetchPage(session, provider, cursor, listing);
    });
    removedIds.push(...(page.removedIds ?? []));
    if (page.nextCursor === null) changeToken = page.changeToken ?? null;
    const good: BankTransaction[] = [];
    for (const raw of page.records) {
      try {
        const t = provider.normalizeTransaction(raw, bankAccounts);
        if (!bankAccounts.has(t.providerAccountId)) throw new Error(`unknown account ${t.providerAccountId}`);
        // The merchant, where the bank names none: the categorization engine's cleaning of the description.
        t.merchantName ??= cleanMerchant(t.description);
        good.push(t);
      } catch (err) {
        quarantine.push(quarantined(connection, run, 'transaction', err, raw, now()));
      }
    }
    pages += 1;
    cursor = page.nextCursor;
    done = cursor === null;
    records.push(...good);
    unsaved.push(...good);
    // A checkpoint every CHECKPOINT_RECORDS records (and at the end): a crash re-reads at most that many. A new
    // run whose listing ends on its first page has nothing worth resuming (a crash re-reads one page): no
    // checkpoint, and the lease taken just before needs no renewal.
    const firstPageOnly = done && saved === null && pages === 1;
    if (!firstPageOnly && (done || unsaved.length >= (deps.checkpointEvery ?? CHECKPOINT_RECORDS))) {
      await store.saveSyncProgress(
        connection.id,
        run.id,
        { cursor, pages, done, listing, removedIds },
        unsaved,
      );
      unsaved = [];
      checkpointed = true;
      await lease.extend(deps.lockTtlMs ?? 5 * 60_000);
    }
  }
  await accountsWritten;
  run.pages = pages;
  run.listed = records.length + quarantine.filter((q) => q.kind === 'transaction').length;
  if (quarantine.length) await store.putQuarantined(quarantine);
  run.quarantined = quarantine.length;

  // Reconcile and write; a lost race on some transaction is retried from fresh state (all of it).
  const accountIds = new Map(accounts.map((a) => [a.providerAccountId, a.id]));
  // A window's reads rely on the current index: until then (a run resumed from before it), read everything.
  const wasCurrent = indexCurrent(connection.syncState);
  const scope = wasCurrent ? storedScope(listing, records, removedIds) : null;
  let pendingFrom: string | null = null;
  let storedBefore = 0;
  for (let attempt = 0; ; attempt++) {
    const stored =
      attempt === 0 && storedAtStart
        ? await storedAtStart
        : attempt === 0 && scope
          ? await store.listConnectionTransactionsWhere(connection.userId, connection.id, scope)
          : await store.listConnectionTransactions(connection.userId, connection.id);
    const result = reconcile({
      userId: connection.userId,
      connectionId: connection.id,
      provider: provider.id,
      accountIdFor: (id) => accountIds.get(id) ?? accountId(connection.id, id),
      stored,
      incoming: records,
      window: reconcileWindow(listing),
      removedIds: listing.kind === 'changes' ? removedIds : null,
      now: now(),
      actor: `sync:${run.id}`,
    });
    if (attempt === 0) storedBefore = stored.length;
    const written = await store.applyTransactionChanges(result.changes);
    pendingFrom = earliestPending(stored, result.changes);
    run.added += result.added;
    run.modified += result.modified;
    run.removed += result.removed;
    run.merged += result.merged;
    if (!written.conflicts.length) break;
    if (attempt >= 4)
      throw new Error(
        `gave up after ${attempt + 1} write conflicts on ${written.conflicts.length} transaction(s)`,
      );
  }
  // An index stored before windows is repaired under the lock (a connection that began empty has none to repair:
  // every item it has was written with the current keys). Once done, later syncs may list windows.
  let indexVersion = connection.syncState?.indexVersion;
  if (!wasCurrent && listing.kind === 'all') {
    if (storedBefore > 0) {
      const renew = async () => void (await lease.extend(deps.lockTtlMs ?? 5 * 60_000));
      await renew();
      // A long repair renews the lock (and the run's lease) as it goes, as the listing does at its checkpoints.
      await store.repairConnectionIndex(connection.userId, connection.id, { progress: renew });
    }
    indexVersion = INDEX_VERSION;
  }
  if (checkpointed) await store.clearSyncProgress(connection.id, run.id);
  const previous = connection.syncState;
  return {
    changeToken: changeToken ?? (listing.kind === 'changes' ? listing.since : null),
    fullAt: listing.kind === 'all' ? now() : (previous?.fullAt ?? now()),
    // A change listing reads only what changed: the earliest pending it knew stays (it only matters to windows).
    pendingFrom:
      listing.kind === 'changes' ? minDate(previous?.pendingFrom ?? null, pendingFrom) : pendingFrom,
    newestDate: newestDate(listing.kind === 'all' ? null : (previous?.newestDate ?? null), records),
    ...(indexVersion !== undefined ? { indexVersion } : {}),
  };
}

const minDate = (a: string | null, b: string | null) => (a === null ? b : b === null || a < b ? a : b);

function fetchPage(session: BankSession, provider: SyncProvider, cursor: string | null, listing: Listing) {
  return session.call((token) => provider.client.fetchTransactionsPage(token, cursor, listing));
}

function quarantined(
  connection: Connection,
  run: SyncRun,
  kind: 'account' | 'transaction',
  err: unknown,
  raw: unknown,
  at: string,
): QuarantinedRecord {
  return { connectionId: connection.id, syncId: run.id, kind, reason: reasonOf(err), raw, at };
}

/** A readable reason from a zod error or any other. */
function reasonOf(err: unknown): string {
  if (
    err &&
    typeof err === 'object' &&
    'issues' in err &&
    Array.isArray((err as { issues: unknown[] }).issues)
  ) {
    return (err as { issues: { path: PropertyKey[]; message: string }[] }).issues
      .map((i) => `${i.path.map(String).join('.') || '(record)'}: ${i.message}`)
      .join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * The bank calls of one sync: a valid access token (refreshed ahead of expiry, or when the bank says it expired),
 * Retry-After honoured, 5xx and network failures retried with jittered exponential backoff.
 */
class BankSession {
  private tokens: { accessToken: string; refreshToken: string } | undefined;
  private expiresAt: string;

  constructor(
    private readonly deps: SyncDeps,
    private readonly provider: SyncProvider,
    private readonly connection: Connection,
  ) {
    this.expiresAt = connection.accessTokenExpiresAt;
  }

  private async current(): Promise<string> {
    if (!this.tokens) {
      this.tokens = JSON.parse(
        await this.deps.cipher.decrypt(
          this.connection.tokens,
          tokenContext(this.connection.userId, this.connection.id),
        ),
      ) as { accessToken: string; refreshToken: string };
    }
    if (Date.parse(this.expiresAt) - this.deps.clock.now().getTime() < 60_000) await this.refresh();
    return this.tokens.accessToken;
  }

  private async refresh(): Promise<void> {
    let next: TokenSet;
    try {
      next = await this.retrying(() => this.provider.client.refresh(this.tokens!.refreshToken));
    } catch (err) {
      if (err instanceof ProviderError && (err.kind === 'invalid_grant' || err.kind === 'invalid_client')) {
        const at = this.deps.clock.now().toISOString();
        // Only an active connection becomes login_required: one the user revoked meanwhile stays revoked.
        await this.deps.store
          .updateConnection(
            this.connection.userId,
            this.connection.id,
            {
              status: 'login_required',
              statusReason: 'The bank no longer accepts this connection. Link it again.',
              updatedAt: at,
            },
            { status: 'active' },
          )
          .catch((conflict: unknown) => {
            if (!(conflict instanceof ConflictError)) throw conflict;
          });
        throw new LoginRequired(`refresh refused by the bank (${err.kind})`);
      }
      throw err;
    }
    this.tokens = { accessToken: next.accessToken, refreshToken: next.refreshToken };
    this.expiresAt = next.expiresAt;
    // Refresh tokens rotate: the new pair must be saved before the old one is forgotten, and only onto a
    // connection that is still active (a revocation meanwhile wins).
    await this.deps.store
      .updateConnection(
        this.connection.userId,
        this.connection.id,
        {
          tokens: await this.deps.cipher.encrypt(
            JSON.stringify(this.tokens),
            tokenContext(this.connection.userId, this.connection.id),
          ),
          accessTokenExpiresAt: next.expiresAt,
          updatedAt: this.deps.clock.now().toISOString(),
        },
        { status: 'active' },
      )
      .catch((conflict: unknown) => {
        if (conflict instanceof ConflictError) throw new LoginRequired('the connection is no longer active');
        throw conflict;
      });
  }

  /** A data call with a valid token; an expired or unknown token is refreshed once and the call repeated. */
  async call<T>(fn: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.current();
    try {
      return await this.retrying(() => fn(token));
    } catch (err) {
      if (err instanceof ProviderError && (err.kind === 'token_expired' || err.kind === 'invalid_token')) {
        await this.refresh();
        return this.retrying(() => fn(this.tokens!.accessToken));
      }
      throw err;
    }
  }

  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    const sleep = this.deps.sleep ?? defaultSleep;
    const max = this.deps.maxAttempts ?? 6;
    const random = this.deps.random ?? Math.random;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof ProviderError) || !err.retryable || attempt >= max) throw err;
        await sleep(this.delay(err, attempt, random));
      }
    }
  }

  private delay(err: ProviderErrorType, attempt: number, random: () => number): number {
    if (err.retryAfterMs !== undefined) {
      if (err.retryAfterMs > (this.deps.maxRetryAfterMs ?? 30_000)) throw err;
      return err.retryAfterMs;
    }
    // Full jitter: uniform in [0, min(cap, base * 2^attempt)].
    return Math.floor(random() * Math.min(10_000, 200 * 2 ** attempt));
  }
}
