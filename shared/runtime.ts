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

export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const config = getConfig();
  let cipher: TokenCipher;
  if (config.KMS_KEY_ID) cipher = kmsCipher(config.KMS_KEY_ID);
  else if (config.TOKEN_ENCRYPTION_KEY) cipher = new LocalAesCipher(config.TOKEN_ENCRYPTION_KEY);
  else throw new Error('Invalid configuration: set KMS_KEY_ID (cloud) or TOKEN_ENCRYPTION_KEY (local)');
  runtime = {
    store: new DynamoStore(documentClient(), config.TABLE_NAME),
    cipher,
    syncQueue: jobQueue<SyncJob>(config.SYNC_QUEUE_URL),
    clock: systemClock,
  };
  return runtime;
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

/** The Plaid surface's webhook ports: keys and attempt records in the table, the delivery queue, its backoff. */
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
    store: new DynamoWebhookStore(documentClient(), config.TABLE_NAME),
    queue: jobQueue<WebhookJob>(config.PLAID_WEBHOOK_QUEUE_URL),
    redelivery: redeliveryDelay(config.PLAID_WEBHOOK_QUEUE_URL),
  };
  return webhooks;
}
