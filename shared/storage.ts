import type { Store } from './ports/store';
import type { WebhookStore } from './ports/plaid-webhooks';

/** Where the data lives (STORAGE): the DynamoDB table (default), or PostgreSQL (a server, PGlite, Aurora). */
export type StorageMode = 'dynamodb' | 'postgres' | 'pglite' | 'aurora';

export function storageMode(env: NodeJS.ProcessEnv = process.env): StorageMode {
  const mode = env.STORAGE ?? 'dynamodb';
  if (mode !== 'dynamodb' && mode !== 'postgres' && mode !== 'pglite' && mode !== 'aurora') {
    throw new Error(`Invalid configuration: STORAGE=${mode} (dynamodb, postgres, pglite or aurora)`);
  }
  // A Lambda bundle holds only the storage it was built for (lib/bundling.ts BundleStorage).
  const built = process.env.FINAGG_BUNDLE_STORAGE;
  if (built !== undefined && built !== mode) {
    throw new Error(
      `Invalid configuration: STORAGE=${mode}, but this function was built for storage ${built}`,
    );
  }
  return mode;
}

/** What the process that opened a storage hands over (shared/runtime-postgres.ts setPgConnection). */
export interface HandedOverStorage {
  store(): Store;
  webhookStore(): WebhookStore;
}

let handedOver: HandedOverStorage | undefined;

/**
 * The twin (and tests) hand over the storage they opened (the Postgres half does: setPgConnection); the runtime
 * and the webhook ports are built on it from then on (shared/runtime.ts). Undefined forgets it.
 */
export function handOverStorage(storage: HandedOverStorage | undefined): void {
  handedOver = storage;
}

/** The storage handed over, if any. */
export function handedOverStorage(): HandedOverStorage | undefined {
  return handedOver;
}
