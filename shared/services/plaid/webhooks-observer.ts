import type { SyncRun } from '../../domain/models';
import { PLAID_ENV } from '../../domain/plaid/ids';
import type { PlaidItem } from '../../domain/plaid/models';
import {
  itemError,
  itemLoginRequired,
  loginRepaired,
  pendingDisconnect,
  syncUpdatesAvailable,
  type PlaidEnvironment,
  type WebhookBody,
  type WebhookJob,
} from '../../domain/plaid/webhooks';
import { logger } from '../../logger';
import type { Clock } from '../../ports/clock';
import type { PlaidStore } from '../../ports/plaid';
import type { JobQueue } from '../../ports/queue';
import type { Store } from '../../ports/store';
import { webhookPorts } from '../../runtime';
import type { SyncObserver } from '../../ports/sync-observer';
import { enqueueWebhook, type EnqueueDeps } from './webhooks';

/**
 * What makes the Plaid surface send webhooks: a sync of an item's connection that changed its transactions (or
 * was the first: `initial_update_complete`), the bank refusing the connection (`ITEM` `ERROR`
 * ITEM_LOGIN_REQUIRED), an item's status changing (reset_login, re-link), and `/sandbox/item/fire_webhook`.
 */
export interface ItemWebhookDeps extends EnqueueDeps {
  store: Pick<PlaidStore, 'getPlaidItemByConnection'>;
  environment?: PlaidEnvironment;
}

const target = (item: PlaidItem, environment: PlaidEnvironment) => ({
  itemId: item.itemId,
  url: item.webhook,
  environment,
});

/** Queues `body` for the item's webhook URL (nothing without one, or for a removed item). */
export function sendItemWebhook(
  deps: EnqueueDeps & { environment?: PlaidEnvironment },
  item: PlaidItem,
  body: WebhookBody,
  deliveryId: string,
): Promise<WebhookJob | null> {
  if (item.status === 'revoked') return Promise.resolve(null);
  return enqueueWebhook(deps, target(item, deps.environment ?? PLAID_ENV), body, deliveryId);
}

/** The sync side's observer: SYNC_UPDATES_AVAILABLE after a sync that changed the item's transactions. */
export function plaidWebhookObserver(deps: ItemWebhookDeps): SyncObserver {
  const environment = deps.environment ?? PLAID_ENV;
  return {
    async syncFinished(run: SyncRun, { firstSync }) {
      const item = await deps.store.getPlaidItemByConnection(run.connectionId);
      if (!item || item.status === 'revoked' || !item.webhook) return;
      if (run.status === 'succeeded') {
        if (!firstSync && run.added + run.modified + run.removed === 0) return;
        // A first sync pulls the whole history at once: both the initial and the historical update are done.
        const body = syncUpdatesAvailable({
          itemId: item.itemId,
          environment,
          initialUpdateComplete: true,
          historicalUpdateComplete: true,
        });
        await sendItemWebhook(deps, item, body, `sync:${run.id}`);
      } else if (run.status === 'login_required') {
        await sendItemWebhook(
          deps,
          item,
          itemError(item.itemId, environment, itemLoginRequired()),
          `login:${run.id}`,
        );
      }
    },
  };
}

/** The webhook `/sandbox/item/fire_webhook` fires for `code`, or null for a code it does not fire. */
export function firedWebhook(
  item: PlaidItem,
  code: string,
  environment: PlaidEnvironment = PLAID_ENV,
): WebhookBody | null {
  switch (code) {
    case 'SYNC_UPDATES_AVAILABLE':
      return syncUpdatesAvailable({
        itemId: item.itemId,
        environment,
        initialUpdateComplete: true,
        historicalUpdateComplete: true,
      });
    case 'ERROR':
      return itemError(item.itemId, environment, itemLoginRequired());
    case 'LOGIN_REPAIRED':
      return loginRepaired(item.itemId, environment);
    case 'PENDING_DISCONNECT':
      return pendingDisconnect(item.itemId, environment);
    default:
      return null;
  }
}

/** `ITEM` `ERROR` ITEM_LOGIN_REQUIRED for an item whose login broke (reset_login, a refused token). */
export function itemLoginRequiredWebhook(
  deps: EnqueueDeps,
  item: PlaidItem,
  cause: string,
): Promise<WebhookJob | null> {
  return sendItemWebhook(deps, item, itemError(item.itemId, PLAID_ENV, itemLoginRequired()), cause);
}

/** `ITEM` `LOGIN_REPAIRED` for an item the user signed in to again (update mode). */
export function loginRepairedWebhook(
  deps: EnqueueDeps,
  item: PlaidItem,
  cause: string,
): Promise<WebhookJob | null> {
  return sendItemWebhook(deps, item, loginRepaired(item.itemId, PLAID_ENV), cause);
}

/**
 * For a new item: if its connection's first sync already finished (it raced ahead of the item's creation, so the
 * sync observer found no item to tell), the initial SYNC_UPDATES_AVAILABLE goes out now. Never fails the link.
 */
export async function initialUpdateWebhook(
  deps: { store: Pick<Store, 'getConnection'>; clock: Clock; queue?: JobQueue<WebhookJob> },
  item: PlaidItem,
): Promise<WebhookJob | null> {
  if (!item.webhook) return null;
  try {
    const connection = await deps.store.getConnection(item.userId, item.connectionId);
    if (!connection?.lastSyncAt || connection.lastSyncStatus !== 'succeeded') return null;
    const body = syncUpdatesAvailable({
      itemId: item.itemId,
      environment: PLAID_ENV,
      initialUpdateComplete: true,
      historicalUpdateComplete: true,
    });
    const queue = deps.queue ?? webhookPorts().queue;
    return await sendItemWebhook({ queue, clock: deps.clock }, item, body, `initial:${item.itemId}`);
  } catch (err) {
    logger.error('the initial webhook of a new item could not be queued', {
      itemId: item.itemId,
      error: err as Error,
    });
    return null;
  }
}
