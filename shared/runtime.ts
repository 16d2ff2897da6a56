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
    store: storeFromEnv(config.TABLE_NAME),
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
  const env = { ...process.env };
  const key = [storage, env.DATABASE_URL, env.PGLITE_DIR, env.DB_CLUSTER_ARN, env.DB_NAME].join('|');
  const g = globalThis as unknown as { __finaggPostgres?: Map<string, Promise<Store>> };
  const opened = (g.__finaggPostgres ??= new Map());
  let store = opened.get(key);
  if (!store) {
    store = import('./adapters/postgres/open').then((m) => m.openPostgresStore(env));
    // A failed connection is tried again by the next call, not remembered.
    store.catch(() => opened.delete(key));
    opened.set(key, store);
  }
  return deferredStore(store);
}

/** A Store whose calls wait for the real one. */
function deferredStore(ready: Promise<Store>): Store {
  return new Proxy({} as Store, {
    get(_target, method) {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return async (...args: unknown[]) => {
        const store = (await ready) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        const fn = store[method];
        if (typeof fn !== 'function') throw new TypeError(`Store has no method ${method}`);
        return fn.apply(store, args);
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
  redis = undefined;
  events = undefined;
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
