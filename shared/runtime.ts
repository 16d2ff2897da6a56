import { getConfig } from './config';
import { documentClient } from './adapters/dynamodb/client';
import { DynamoStore } from './adapters/dynamodb/store';
import { auroraConnectionFromEnv } from './adapters/postgres/from-env';
import { LocalAesCipher } from './adapters/crypto/aes-gcm';
import { jobQueue } from './adapters/sqs/queue';
import { systemClock, type Clock } from './ports/clock';
import type { JobQueue } from './ports/queue';
import type { TokenCipher } from './ports/secrets';
import type { Store } from './ports/store';
import type { SyncJob } from './domain/jobs';
import type { AlertSink } from './ports/alerts';
import type { Locks } from './ports/locks';
import { MemoryAlertStream } from './adapters/memory/alert-stream';
import { MemoryLocks } from './adapters/memory/locks';
import { createUpstashPorts, upstashPortsFromEnv } from './adapters/upstash';
import { localEventPublisher } from './adapters/memory/events';
import type { EventPublisher } from './ports/events';
import { connectPostgres, type PgConnection } from './adapters/postgres/db';
import { PostgresStore } from './adapters/postgres/store';
import { PgChangeFeed } from './adapters/postgres/change-feed';
import type { ChangeFeed, ChangeNudge, ChangeSink } from './ports/change-feed';
import { DynamoWebhookStore } from './adapters/dynamodb/plaid-webhooks';
import { PgWebhookStore } from './adapters/postgres/plaid-webhooks';
import { redeliveryDelay } from './adapters/sqs/visibility';
import type { WebhookJob } from './domain/plaid/webhooks';
import type { RedeliveryDelay, WebhookStore } from './ports/plaid-webhooks';

/**
 * The composition root: builds the adapters the configuration asks for, once per Lambda container.
 * Handlers ask for what they need here; services receive it as arguments.
 */
export interface Runtime {
  store: Store;
  cipher: TokenCipher;
  syncQueue: JobQueue<SyncJob>;
  clock: Clock;
}

let runtime: Runtime | undefined;

export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const config = getConfig();
  let cipher: TokenCipher;
  if (config.KMS_KEY_ID) cipher = kmsCipher(config.KMS_KEY_ID);
  else if (config.TOKEN_ENCRYPTION_KEY) cipher = new LocalAesCipher(config.TOKEN_ENCRYPTION_KEY);
  else throw new Error('Invalid configuration: set KMS_KEY_ID (cloud) or TOKEN_ENCRYPTION_KEY (local)');
  runtime = {
    // The connection the twin opened and handed over (one PGlite, one pool, shared with its relay), else the one
    // the environment names.
    store: handedOver ? new PostgresStore(handedOver) : storeFromEnv(config.TABLE_NAME),
    cipher,
    syncQueue: jobQueue<SyncJob>(config.SYNC_QUEUE_URL),
    clock: systemClock,
  };
  return runtime;
}

/**
 * The store the environment names: DynamoDB (the default, TABLE_NAME), or PostgreSQL with STORAGE=postgres
 * (DATABASE_URL), pglite (PGLITE_DIR, in memory without it) or aurora (the Data API: DB_CLUSTER_ARN, DB_SECRET_ARN,
 * DB_NAME). The PostgreSQL adapter and its drivers are loaded on the first call, not at cold start, and one
 * connection (one embedded PGlite) serves every function of the process whatever resets the runtime.
 */
function storeFromEnv(tableName: string): Store {
  const storage = process.env.STORAGE ?? 'dynamodb';
  if (storage === 'dynamodb') return new DynamoStore(documentClient(), tableName);
  return deferred<Store>(openedPostgresStore(storage), 'Store');
}

/**
 * The PostgresStore of the environment's Postgres storage, opened (and migrated, see open.ts) once per process
 * and shared by everything built on its connection (the Store, the webhook store).
 */
function openedPostgresStore(storage: string): Promise<PostgresStore> {
  const env = { ...process.env };
  const key = [storage, env.DATABASE_URL, env.PGLITE_DIR, env.DB_CLUSTER_ARN, env.DB_NAME].join('|');
  const g = globalThis as unknown as { __finaggPostgres?: Map<string, Promise<PostgresStore>> };
  const opened = (g.__finaggPostgres ??= new Map());
  let store = opened.get(key);
  if (!store) {
    store = import('./adapters/postgres/open').then((m) => m.openPostgresStore(env));
    // A failed connection is tried again by the next call, not remembered.
    store.catch(() => opened.delete(key));
    opened.set(key, store);
  }
  return store;
}

/** A port whose (async) calls wait for the real adapter. */
function deferred<T extends object>(ready: Promise<T>, name: string): T {
  return new Proxy({} as T, {
    get(_target, method) {
      // Not a port method: a promise check (`then`) or a serializer looking (`toJSON`) must not call the adapter.
      if (typeof method !== 'string' || method === 'then' || method === 'toJSON') return undefined;
      return async (...args: unknown[]) => {
        const target = (await ready) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        const fn = target[method];
        if (typeof fn !== 'function') throw new TypeError(`${name} has no method ${method}`);
        return fn.apply(target, args);
      };
    },
  });
}

/**
 * The runtime's clock without building the rest of the runtime: what request schemas need ("a year from today"),
 * so that validating a request never needs the store's configuration. The system clock until a runtime with
 * another clock is set.
 */
export function runtimeClock(): Clock {
  return runtime?.clock ?? systemClock;
}

/** Tests and the twin replace parts of the runtime (a manual clock, say). */
export function setRuntime(overrides: Partial<Runtime>): void {
  runtime = { ...getRuntime(), ...overrides };
}

export function resetRuntime(): void {
  runtime = undefined;
  nudge = undefined;
  sink = undefined;
  redis = undefined;
  events = undefined;
  webhooks = undefined;
}

export interface RedisPorts {
  locks: Locks;
  alerts: AlertSink;
}

let redis: Promise<RedisPorts> | undefined;

/**
 * The Redis-backed ports: Upstash from UPSTASH_REDIS_REST_URL/TOKEN (the twin's bridge to local Redis), or from
 * the Secrets Manager secret UPSTASH_REDIS_SECRET_ARN (the cloud), else in-memory ones, shared by every function
 * of this process (the local twin without Redis). The cloud never falls back to memory.
 */
export function redisPorts(): Promise<RedisPorts> {
  redis ??= (async (): Promise<RedisPorts> => {
    const fromEnv = upstashPortsFromEnv(process.env);
    if (fromEnv) return fromEnv;
    if (process.env.UPSTASH_REDIS_SECRET_ARN) {
      const { readRedisSecret } = await import('./adapters/secrets/redis-secret');
      const secret = await readRedisSecret(process.env.UPSTASH_REDIS_SECRET_ARN);
      return createUpstashPorts({ url: secret.url, token: secret.token, alertStreamMaxLen: 1000 });
    }
    if (getConfig().STAGE !== 'local') {
      throw new Error('Invalid configuration: set UPSTASH_REDIS_REST_URL/TOKEN or UPSTASH_REDIS_SECRET_ARN');
    }
    const g = globalThis as unknown as { __finaggMemoryRedis?: RedisPorts };
    g.__finaggMemoryRedis ??= { locks: new MemoryLocks(), alerts: new MemoryAlertStream() };
    return g.__finaggMemoryRedis;
  })();
  return redis;
}

let events: EventPublisher | undefined;

/**
 * The event bus: EventBridge (EVENT_BUS_NAME) in the cloud; in the local twin (STAGE=local) an in-memory bus
 * shared by every function of the process, logged and shown at `GET /dev/events`.
 */
export function eventPublisher(): EventPublisher {
  events ??= getConfig().STAGE === 'local' ? localEventPublisher() : eventBridge(getConfig().EVENT_BUS_NAME);
  return events;
}

/*
 * The AWS SDK clients that only some calls of some functions need are imported on first use, not at cold start:
 * parsing a client a function never calls is most of a cold start's time (`npm run bench -- --only cold-init`).
 */

/** KMS envelope encryption, its client loaded on the first encrypt or decrypt. */
function kmsCipher(keyId: string): TokenCipher {
  let loaded: Promise<TokenCipher> | undefined;
  const load = () =>
    (loaded ??= Promise.all([import('@aws-sdk/client-kms'), import('./adapters/kms/envelope-cipher')]).then(
      ([kms, adapter]) => new adapter.KmsEnvelopeCipher(new kms.KMSClient({}), keyId),
    ));
  return {
    encrypt: async (plaintext, context) => (await load()).encrypt(plaintext, context),
    decrypt: async (blob, context) => (await load()).decrypt(blob, context),
  };
}

/** The EventBridge publisher, its client loaded on the first publish. */
function eventBridge(busName: string): EventPublisher {
  let loaded: Promise<EventPublisher> | undefined;
  const load = () =>
    (loaded ??= Promise.all([
      import('@aws-sdk/client-eventbridge'),
      import('./adapters/eventbridge/publisher'),
    ]).then(([eb, adapter]) => new adapter.EventBridgePublisher(new eb.EventBridgeClient({}), busName)));
  return { publish: async (events) => (await load()).publish(events) };
}

/** How long the migration step waits for an Aurora Serverless v2 instance resuming from 0 ACU (~15 s). */
const RESUME_WAIT_MS = 90_000;

/**
 * The migration step's work (functions/ops/migrate.ts): applies the migration files not applied yet to the database
 * the environment names (STORAGE=aurora through the Data API; postgres or pglite too), waiting out a cluster that is
 * resuming. `migrate` serializes concurrent runs and records each file once: running it again is harmless.
 */
export async function migrateDatabase(): Promise<{ applied: string[]; known: string[] }> {
  const [{ connectFromEnv }, { loadMigrations, migrate }] = await Promise.all([
    import('./adapters/postgres/db'),
    import('./adapters/postgres/migrate'),
  ]);
  const migrations = loadMigrations();
  const conn = await connectFromEnv(process.env);
  if (!conn) throw new Error('Migrations need Postgres storage (STORAGE=aurora, postgres or pglite)');
  try {
    const deadline = Date.now() + RESUME_WAIT_MS;
    for (;;) {
      try {
        const applied = await migrate(conn, migrations);
        return { applied, known: migrations.map((m) => m.name) };
      } catch (err) {
        if (!isResuming(err) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
  } finally {
    await conn.close();
  }
}

/** The Data API's answer while an Aurora Serverless v2 instance resumes from 0 ACU (possibly wrapped by drizzle). */
function isResuming(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.name === 'DatabaseResumingException' || e.message.includes('DatabaseResumingException'))
      return true;
  }
  return false;
}

/** Where the data lives (STORAGE): the DynamoDB table (default), or PostgreSQL (a server, PGlite, Aurora). */
export type StorageMode = 'dynamodb' | 'postgres' | 'pglite' | 'aurora';

export function storageMode(env: NodeJS.ProcessEnv = process.env): StorageMode {
  const mode = env.STORAGE ?? 'dynamodb';
  if (mode === 'dynamodb' || mode === 'postgres' || mode === 'pglite' || mode === 'aurora') return mode;
  throw new Error(`Invalid configuration: STORAGE=${mode} (dynamodb, postgres, pglite or aurora)`);
}

let pg: PgConnection | undefined;
let handedOver: PgConnection | undefined;

/**
 * The PostgreSQL connection of Postgres storage, once per container: STORAGE=postgres (DATABASE_URL, a pool) or
 * aurora (the Data API: DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME) are built here; an embedded PGlite (STORAGE=pglite)
 * is opened by its owner (the local twin: it is one process's database) and handed over with setPgConnection.
 * Undefined with DynamoDB storage.
 */
export function pgConnection(): PgConnection | undefined {
  const mode = storageMode();
  if (mode === 'dynamodb') return undefined;
  if (pg) return pg;
  const env = process.env;
  if (mode === 'postgres') {
    if (!env.DATABASE_URL) throw new Error('Invalid configuration: STORAGE=postgres needs DATABASE_URL');
    pg = connectPostgres(env.DATABASE_URL);
  } else if (mode === 'aurora') {
    // The variables the stack sets (lib/constructs/catalogue-function.ts), validated and named when wrong.
    pg = auroraConnectionFromEnv(env);
  } else {
    throw new Error('STORAGE=pglite: the process that opens PGlite hands it over (setPgConnection)');
  }
  nudgeAfterCommits(pg);
  return pg;
}

/**
 * Every committed SQL transaction (the writes of the feed's entities append their outbox rows in one) nudges the
 * outbox relay (changeNudge: an asynchronous invoke in the cloud). One nudge in flight at a time per container;
 * commits meanwhile are covered by one more nudge after it, and the relay itself looks again before it lets go.
 */
function nudgeAfterCommits(conn: PgConnection): void {
  const transaction = conn.db.transaction.bind(conn.db);
  let inFlight: Promise<void> | undefined;
  let again = false;
  const fire = (): void => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = changeNudge()
      .nudge()
      .finally(() => {
        inFlight = undefined;
        if (again) {
          again = false;
          fire();
        }
      });
  };
  conn.db.transaction = (async (...args: Parameters<typeof transaction>) => {
    const out = await transaction(...args);
    fire();
    return out;
  }) as typeof conn.db.transaction;
}

/** The twin (and tests) hand over the connection they opened; undefined forgets it (it is not closed here). */
export function setPgConnection(conn: PgConnection | undefined): void {
  pg = conn;
  handedOver = conn;
  runtime = undefined;
  webhooks = undefined;
}

/** The change feed of Postgres storage (the outbox), for its relay. */
export function changeFeed(): ChangeFeed {
  const conn = pgConnection();
  if (!conn) throw new Error('The change feed (outbox) exists with Postgres storage only (STORAGE)');
  return new PgChangeFeed(conn);
}

let sink: ChangeSink | undefined;

/** The change queues the relay sends to (CHANGES_QUEUE_URLS: comma-separated SQS FIFO queue URLs). */
export function changeQueues(): ChangeSink {
  if (sink) return sink;
  const urls = (process.env.CHANGES_QUEUE_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (!urls.length) throw new Error('Invalid configuration: the outbox relay needs CHANGES_QUEUE_URLS');
  let loaded: Promise<ChangeSink> | undefined;
  const load = () =>
    (loaded ??= Promise.all([import('@aws-sdk/client-sqs'), import('./adapters/sqs/change-queues')]).then(
      ([sqs, adapter]) => adapter.sqsChangeSink(new sqs.SQSClient({}), urls),
    ));
  sink = { deliver: async (changes) => (await load()).deliver(changes) };
  return sink;
}

let nudge: ChangeNudge | undefined;

/**
 * Tells the outbox relay that changes were written: an asynchronous invoke of CHANGES_RELAY_FUNCTION (Postgres
 * storage in the cloud); nothing where it is unset (DynamoDB storage, whose stream needs no relay; the twin, whose
 * relay LISTENs).
 */
export function changeNudge(): ChangeNudge {
  if (nudge) return nudge;
  const fn = process.env.CHANGES_RELAY_FUNCTION;
  if (!fn) return (nudge = { nudge: async () => undefined });
  let loaded: Promise<ChangeNudge> | undefined;
  const load = () =>
    (loaded ??= Promise.all([import('@aws-sdk/client-lambda'), import('./adapters/lambda/relay-nudge')]).then(
      ([lambda, adapter]) => new adapter.LambdaRelayNudge(new lambda.LambdaClient({}), fn),
    ));
  nudge = { nudge: async () => (await load()).nudge() };
  return nudge;
}

/**
 * The Plaid surface's webhook ports: keys and attempt records where the data lives (the table with DynamoDB
 * storage; PostgreSQL otherwise, on the Store's connection), the delivery queue, its backoff.
 */
export interface WebhookPorts {
  store: WebhookStore;
  queue: JobQueue<WebhookJob>;
  redelivery: RedeliveryDelay;
}

let webhooks: WebhookPorts | undefined;

export function webhookPorts(): WebhookPorts {
  if (webhooks) return webhooks;
  const config = getConfig();
  webhooks = {
    store: webhookStoreFromEnv(config.TABLE_NAME),
    queue: jobQueue<WebhookJob>(config.PLAID_WEBHOOK_QUEUE_URL),
    redelivery: redeliveryDelay(config.PLAID_WEBHOOK_QUEUE_URL),
  };
  return webhooks;
}

/** The webhook store beside the Store getRuntime builds: the same storage, the same connection. */
function webhookStoreFromEnv(tableName: string): WebhookStore {
  if (handedOver) return new PgWebhookStore(handedOver);
  const storage = storageMode();
  if (storage === 'dynamodb') return new DynamoWebhookStore(documentClient(), tableName);
  return deferred<WebhookStore>(
    openedPostgresStore(storage).then((store) => new PgWebhookStore(store.conn)),
    'WebhookStore',
  );
}
