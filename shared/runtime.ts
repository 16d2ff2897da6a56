import { KMSClient } from '@aws-sdk/client-kms';
import { getConfig } from './config';
import { documentClient } from './adapters/dynamodb/client';
import { DynamoStore } from './adapters/dynamodb/store';
import { LocalAesCipher } from './adapters/crypto/aes-gcm';
import { KmsEnvelopeCipher } from './adapters/kms/envelope-cipher';
import { jobQueue } from './adapters/sqs/queue';
import { systemClock, type Clock } from './ports/clock';
import type { JobQueue } from './ports/queue';
import type { TokenCipher } from './ports/secrets';
import type { Store } from './ports/store';
import type { SyncJob } from './domain/jobs';

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
  if (config.KMS_KEY_ID) cipher = new KmsEnvelopeCipher(new KMSClient({}), config.KMS_KEY_ID);
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

/** Tests and the twin replace parts of the runtime (a manual clock, say). */
export function setRuntime(overrides: Partial<Runtime>): void {
  runtime = { ...getRuntime(), ...overrides };
}

export function resetRuntime(): void {
  runtime = undefined;
}
