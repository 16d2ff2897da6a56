import { bankANormalizer } from '../banks/bank_a/normalize';
import { bankBNormalizer } from '../banks/bank_b/normalize';
import { bankCNormalizer } from '../banks/bank_c/normalize';
import type { Normalizer } from '../banks/kit/normalizer';
import type { Provider } from '../banks/kit/provider';
import { providers } from '../banks/registry';
import { getConfig } from '../config';
import { getRuntime, redisPorts, webhookPorts } from '../runtime';
import { plaidWebhookObserver } from './plaid/webhooks-observer';
import type { LinkingDeps } from './linking';
import type { SyncDeps, SyncProvider } from './sync';

const NORMALIZERS: Record<string, Normalizer> = {
  bank_a: bankANormalizer,
  bank_b: bankBNormalizer,
  bank_c: bankCNormalizer,
};

/** A provider with its bank's normalizers: what linking and syncing use. */
export function withNormalizers(p: Provider): SyncProvider {
  const n = NORMALIZERS[p.id];
  if (!n) throw new Error(`provider ${p.id} has no normalizer`);
  return {
    ...p,
    normalizeAccount: (raw) => n.account(raw),
    normalizeTransaction: (raw, accounts) => n.transaction(raw, accounts),
  };
}

let cached: SyncProvider[] | undefined;

/** Every registered provider with its bank's normalizers. */
export function syncProviders(): SyncProvider[] {
  cached ??= providers.map(withNormalizers);
  return cached;
}

export function linkingDeps(): LinkingDeps {
  const { store, cipher, syncQueue, clock } = getRuntime();
  const config = getConfig();
  return {
    store,
    cipher,
    syncQueue,
    clock,
    providers: syncProviders(),
    publicBaseUrl: config.PUBLIC_BASE_URL,
    stateTtlSeconds: config.LINK_STATE_TTL_SECONDS,
  };
}

export async function syncDeps(): Promise<SyncDeps> {
  const { store, cipher, clock } = getRuntime();
  const { locks } = await redisPorts();
  // The Plaid surface's webhooks hear of every finished sync (an item's connection whose data changed).
  const observer = plaidWebhookObserver({ store, queue: webhookPorts().queue, clock });
  return { store, cipher, clock, locks, providers: syncProviders(), observer };
}
