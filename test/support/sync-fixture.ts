import { randomBytes, randomUUID } from 'node:crypto';
import { LocalAesCipher } from '../../shared/adapters/crypto/aes-gcm';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { MemoryLocks } from '../../shared/adapters/memory/locks';
import { bankEnv } from '../../shared/banks/kit/config';
import { defaultDataSource, type BankDataSource } from '../../shared/banks/kit/data-source';
import { FaultConfigSchema, type FaultConfigInput } from '../../shared/banks/kit/faults';
import { TEST_ROOT, inProcessFetch, linkInProcess, type InProcessBank } from '../../shared/banks/kit/testing';
import { getBank } from '../../shared/banks/registry';
import type { Connection, StoredTransaction } from '../../shared/domain/models';
import { reconcile, type TxnChange } from '../../shared/domain/reconcile';
import { effective } from '../../shared/domain/transactions';
import { formatDecimal } from '../../shared/domain/money';
import type { SyncJob } from '../../shared/domain/jobs';
import type { Locks } from '../../shared/ports/locks';
import type { Store } from '../../shared/ports/store';
import { tokenContext } from '../../shared/services/linking';
import { withNormalizers } from '../../shared/services/providers';
import { runSync, type SyncDeps } from '../../shared/services/sync';
import { key } from './sync-helpers';

/**
 * An active connection holding a link's tokens, sealed as the linking service seals them (tokenContext), stored.
 */
export async function putLinkedConnection(
  store: Pick<Store, 'putConnection'>,
  cipher: LocalAesCipher,
  o: {
    userId: string;
    provider: string;
    tokens: Awaited<ReturnType<typeof linkInProcess>>['tokens'];
    at: string;
  },
): Promise<Connection> {
  const connection: Connection = {
    id: randomUUID(),
    userId: o.userId,
    provider: o.provider,
    status: 'active',
    tokens: '',
    accessTokenExpiresAt: o.tokens.expiresAt,
    createdAt: o.at,
    updatedAt: o.at,
  };
  connection.tokens = await cipher.encrypt(
    JSON.stringify({ accessToken: o.tokens.accessToken, refreshToken: o.tokens.refreshToken }),
    tokenContext(o.userId, connection.id),
  );
  await store.putConnection(connection);
  return connection;
}

/**
 * Stored transactions as the changes that would write them into an empty store (each new, with its creation
 * events): what the sync bench's plain-write baselines write, the same rows as the sync's.
 */
export function storedAsNewChanges(
  stored: readonly StoredTransaction[],
  o: { userId: string; connectionId: string; provider: string },
): TxnChange[] {
  return reconcile({
    userId: o.userId,
    connectionId: o.connectionId,
    provider: o.provider,
    accountIdFor: (id) => id,
    stored: [],
    incoming: stored.map((s) => ({
      ...s.original,
      providerTxnId: s.providerTxnIds[0]!,
      providerAccountId: s.accountId,
      pendingTxnId: null,
    })),
    window: null,
    now: new Date().toISOString(),
    actor: 'sync:baseline',
  }).changes;
}

/**
 * One bank running in process (the real bank code, generated user 0, a manual clock), our real provider client
 * and normalizers talking to it, a connection linked through its real OAuth flow, and the real DynamoDB store.
 */
export async function syncFixture(
  bankId: string,
  opts: {
    store: Store;
    now: string;
    faults?: FaultConfigInput;
    locks?: Locks;
    userId?: string;
    pageSize?: number;
    /** The bank's users (default: the generator's, as the twin serves them). */
    data?: BankDataSource;
  },
) {
  const module = getBank(bankId)!;
  const env = bankEnv({ STAGE: 'local' });
  const linked = await linkInProcess(module, { data: opts.data ?? defaultDataSource(env), now: opts.now });
  const bank: InProcessBank = linked.server;
  const fetchImpl = inProcessFetch([bank]);
  const client = module.createClient({
    baseUrl: TEST_ROOT,
    fetch: fetchImpl,
    clock: bank.clock,
    pageSize: opts.pageSize ?? 10,
  });
  const provider = withNormalizers({ id: module.protocol.id, name: module.protocol.name, client });
  const cipher = new LocalAesCipher(randomBytes(32).toString('base64'));
  const userId = opts.userId ?? `user-${randomUUID().slice(0, 8)}`;
  const connection = await putLinkedConnection(opts.store, cipher, {
    userId,
    provider: bankId,
    tokens: linked.tokens,
    at: opts.now,
  });
  if (opts.faults) await bank.state.saveFaults(FaultConfigSchema.parse(opts.faults));

  const sleeps: number[] = [];
  const deps: SyncDeps = {
    store: opts.store,
    cipher,
    locks: opts.locks ?? new MemoryLocks(),
    clock: bank.clock,
    providers: [provider],
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    maxAttempts: 12,
    checkpointEvery: 1,
    random: () => 0.5,
  };
  const job = (syncId: string = randomUUID()): SyncJob => ({
    type: 'sync',
    sync_id: syncId,
    user_id: userId,
    connection_id: connection.id,
    reason: 'manual',
    requested_at: opts.now,
  });
  return {
    bank,
    deps,
    connection,
    userId,
    sleeps,
    job,
    sync: (syncId?: string, over: Partial<SyncDeps> = {}) => runSync({ ...deps, ...over }, job(syncId)),
    /**
     * Revokes the connection's grant at the bank (the refresh token it holds now) and lets its access token
     * expire on the bank clock: the next sync finds it needs the user to log in again.
     */
    async revokeGrant(): Promise<void> {
      const stored = await opts.store.getConnection(userId, connection.id);
      if (!stored) throw new Error(`connection ${connection.id} is not stored`);
      const tokens = JSON.parse(await cipher.decrypt(stored.tokens, tokenContext(userId, connection.id))) as {
        refreshToken: string;
      };
      await client.revoke(tokens.refreshToken);
      bank.clock.advance(2 * 3600_000);
    },
    /** The user's live transactions as comparable keys (same shape as expectedFromTruth). */
    async stored(): Promise<string[]> {
      const txns: StoredTransaction[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<Store['listTransactions']>> = await opts.store.listTransactions(
          userId,
          {},
          { limit: 500, cursor },
        );
        txns.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return txns
        .map((t) => {
          const e = effective(t);
          return key(
            e.currency,
            e.date,
            formatDecimal({ minor: e.amountMinor, currency: e.currency }),
            e.description,
            e.status,
          );
        })
        .sort();
    },
  };
}

export function storeFor(doc: ConstructorParameters<typeof DynamoStore>[0], tableName: string): DynamoStore {
  return new DynamoStore(doc, tableName);
}
