import { getConfig } from './config';
import { documentClient } from './adapters/dynamodb/client';
import { DynamoStore } from './adapters/dynamodb/store';
import { auroraConnectionFromEnv } from './adapters/postgres/from-env';
import { PostgresStore } from './adapters/postgres/store';
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
    store: cloudStore(config.TABLE_NAME),
    cipher,
    syncQueue: jobQueue<SyncJob>(config.SYNC_QUEUE_URL),
    clock: systemClock,
  };
  return runtime;
}

/**
 * The store of a Lambda: Aurora through the RDS Data API when STORAGE=aurora (the stack's `-c storage=aurora` sets
 * it with DB_CLUSTER_ARN, DB_SECRET_ARN and DB_NAME), else the DynamoDB table. The Data API needs no connection to
 * open, so this stays synchronous.
 */
function cloudStore(tableName: string): Store {
  if (process.env.STORAGE === 'aurora') return new PostgresStore(auroraConnectionFromEnv(process.env));
  return new DynamoStore(documentClient(), tableName);
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
