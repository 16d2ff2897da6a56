import { getConfig } from './config';
import { documentClient } from './adapters/dynamodb/client';
import { DynamoStore } from './adapters/dynamodb/store';
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
import type * as PostgresHalf from './runtime-postgres';
import { handedOverStorage, storageMode, type HandedOverStorage } from './storage';
import { resetChangeNudge } from './change-nudge';

export { storageMode, handOverStorage, type StorageMode, type HandedOverStorage } from './storage';
export { changeNudge } from './change-nudge';
import type { ChangeSink } from './ports/change-feed';
import { DynamoWebhookStore } from './adapters/dynamodb/plaid-webhooks';
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
/** The storage handed over when the runtime was built (a new hand-over rebuilds it). */
let builtOn: HandedOverStorage | undefined;

export function getRuntime(): Runtime {
  const handedOver = handedOverStorage();
  if (runtime && builtOn === handedOver) return runtime;
  builtOn = handedOver;
  const config = getConfig();
  let cipher: TokenCipher;
  if (config.KMS_KEY_ID) cipher = kmsCipher(config.KMS_KEY_ID);
  else if (config.TOKEN_ENCRYPTION_KEY) cipher = new LocalAesCipher(config.TOKEN_ENCRYPTION_KEY);
  else throw new Error('Invalid configuration: set KMS_KEY_ID (cloud) or TOKEN_ENCRYPTION_KEY (local)');
  runtime = {
    // The connection the twin opened and handed over (one PGlite, one pool, shared with its relay), else the one
    // the environment names.
    store: handedOver ? handedOver.store() : storeFromEnv(config.TABLE_NAME),
    cipher,
    syncQueue: jobQueue<SyncJob>(config.SYNC_QUEUE_URL),
    clock: systemClock,
  };
  return runtime;
}

/**
 * The store the environment names: DynamoDB (the default, TABLE_NAME), or PostgreSQL with STORAGE=postgres
 * (DATABASE_URL), pglite (PGLITE_DIR, in memory without it) or aurora (the Data API: DB_CLUSTER_ARN, DB_SECRET_ARN,
 * DB_NAME). The PostgreSQL half (runtime-postgres.ts) and its drivers are loaded on the first call, not at
 * cold start, and one connection (one embedded PGlite) serves every function of the process whatever resets the
 * runtime.
 *
 * `process.env.FINAGG_BUNDLE_STORAGE` is the storage a Lambda bundle was built for (lib/bundling.ts
 * `BUNDLE_STORAGE`), a constant esbuild folds: a DynamoDB bundle drops the Postgres branches, and with them the
 * adapter, drizzle and the drivers. Unbundled (the twin, tests) it is unset and every storage is reachable.
 */
function storeFromEnv(tableName: string): Store {
  return portFromEnv<Store>(
    () => new DynamoStore(documentClient(), tableName),
    (pg, storage) => pg.openedPostgresStore(storage),
    'Store',
  );
}

/**
 * A port in the storage the environment names: `dynamo()` for DynamoDB, else the Postgres half's opener (see
 * postgresPort). The literal FINAGG_BUNDLE_STORAGE checks stay here, where esbuild folds them: a bundle keeps only
 * its storage's branch.
 */
function portFromEnv<T extends object>(
  dynamo: () => T,
  postgres: (pg: PostgresRuntime, storage: Exclude<ReturnType<typeof storageMode>, 'dynamodb'>) => Promise<T>,
  name: string,
): T {
  const storage = storageMode();
  if (storage === 'dynamodb') {
    if (process.env.FINAGG_BUNDLE_STORAGE === undefined || process.env.FINAGG_BUNDLE_STORAGE === 'dynamodb')
      return dynamo();
  } else if (process.env.FINAGG_BUNDLE_STORAGE !== 'dynamodb') {
    return postgresPort<T>((pg) => postgres(pg, storage), name);
  }
  throw new Error(`STORAGE=${storage}: unreachable (storageMode checks the bundle's storage)`);
}

type PostgresRuntime = typeof PostgresHalf;

/**
 * A port of the Postgres half, opened now (its module loaded, its connection opened once per process) and waited
 * for by each call. Only called in branches that a DynamoDB bundle drops (see storeFromEnv).
 */
function postgresPort<T extends object>(open: (pg: PostgresRuntime) => Promise<T>, name: string): T {
  const ready = import('./runtime-postgres').then(open);
  // A failure is each call's to report, not an unhandled rejection of its own.
  ready.catch(() => undefined);
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
  resetChangeNudge();
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

let webhooksOn: HandedOverStorage | undefined;

export function webhookPorts(): WebhookPorts {
  const handedOver = handedOverStorage();
  if (webhooks && webhooksOn === handedOver) return webhooks;
  webhooksOn = handedOver;
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
  const handedOver = handedOverStorage();
  if (handedOver) return handedOver.webhookStore();
  return portFromEnv<WebhookStore>(
    () => new DynamoWebhookStore(documentClient(), tableName),
    (pg, storage) => pg.openedWebhookStore(storage),
    'WebhookStore',
  );
}
