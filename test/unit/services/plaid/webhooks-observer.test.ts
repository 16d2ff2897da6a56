import { describe, expect, it } from 'vitest';
import type { SyncRun } from '../../../../shared/domain/models';
import type { PlaidItem } from '../../../../shared/domain/plaid/models';
import type { WebhookJob } from '../../../../shared/domain/plaid/webhooks';
import { ManualClock } from '../../../../shared/ports/clock';
import { firedWebhook, plaidWebhookObserver } from '../../../../shared/services/plaid/webhooks-observer';

const item = (over: Partial<PlaidItem> = {}): PlaidItem => ({
  itemId: 'item-1',
  clientId: 'app',
  clientUserId: 'u',
  userId: 'plaid:app:u',
  connectionId: 'conn-1',
  institutionId: 'ins_bank_a',
  products: ['transactions'],
  webhook: 'http://127.0.0.1:9/hook',
  status: 'active',
  errorCode: null,
  accessTokenHash: 'h',
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
  ...over,
});
const run = (over: Partial<SyncRun> = {}): SyncRun => ({
  id: 'sync-1',
  userId: 'plaid:app:u',
  connectionId: 'conn-1',
  reason: 'schedule',
  status: 'succeeded',
  startedAt: '2026-03-01T00:00:00.000Z',
  finishedAt: '2026-03-01T00:00:01.000Z',
  pages: 1,
  added: 0,
  modified: 0,
  removed: 0,
  merged: 0,
  quarantined: 0,
  errors: [],
  ...over,
});

function observer(found: PlaidItem | null) {
  const sent: WebhookJob[] = [];
  const o = plaidWebhookObserver({
    store: { getPlaidItemByConnection: async () => found },
    queue: { send: async (j) => void sent.push(j) },
    clock: new ManualClock('2026-03-01T00:00:02Z'),
  });
  return { o, sent, bodies: () => sent.map((j) => JSON.parse(j.body) as Record<string, unknown>) };
}

describe('the Plaid webhook observer of syncs', () => {
  it('sends SYNC_UPDATES_AVAILABLE after the first sync, even with nothing in it', async () => {
    const { o, sent, bodies } = observer(item());
    await o.syncFinished(run(), { firstSync: true });
    expect(bodies()).toEqual([
      {
        webhook_type: 'TRANSACTIONS',
        webhook_code: 'SYNC_UPDATES_AVAILABLE',
        item_id: 'item-1',
        initial_update_complete: true,
        historical_update_complete: true,
        environment: 'sandbox',
      },
    ]);
    expect(sent[0]).toMatchObject({ delivery_id: 'sync:sync-1', url: 'http://127.0.0.1:9/hook' });
  });

  it('later, only when a sync added, modified or removed something', async () => {
    const { o, bodies } = observer(item());
    await o.syncFinished(run(), { firstSync: false });
    expect(bodies()).toEqual([]);
    await o.syncFinished(run({ id: 's2', modified: 1 }), { firstSync: false });
    await o.syncFinished(run({ id: 's3', removed: 2 }), { firstSync: false });
    expect(bodies().map((b) => b.webhook_code)).toEqual(['SYNC_UPDATES_AVAILABLE', 'SYNC_UPDATES_AVAILABLE']);
  });

  it('a bank refusing the token: ITEM ERROR with ITEM_LOGIN_REQUIRED', async () => {
    const { o, bodies } = observer(item());
    await o.syncFinished(run({ status: 'login_required' }), { firstSync: false });
    expect(bodies()).toEqual([
      expect.objectContaining({
        webhook_type: 'ITEM',
        webhook_code: 'ERROR',
        error: expect.objectContaining({ error_code: 'ITEM_LOGIN_REQUIRED', error_type: 'ITEM_ERROR' }),
      }),
    ]);
  });

  it('nothing for a connection without an item, an item without a webhook, or a removed item', async () => {
    for (const found of [null, item({ webhook: null }), item({ status: 'revoked' })]) {
      const { o, sent } = observer(found);
      await o.syncFinished(run({ added: 3 }), { firstSync: true });
      expect(sent).toEqual([]);
    }
  });

  it('fire_webhook knows the codes it fires', () => {
    expect(firedWebhook(item(), 'LOGIN_REPAIRED')).toMatchObject({
      webhook_type: 'ITEM',
      webhook_code: 'LOGIN_REPAIRED',
    });
    expect(firedWebhook(item(), 'PENDING_DISCONNECT')).toMatchObject({
      reason: 'INSTITUTION_TOKEN_EXPIRATION',
    });
    expect(firedWebhook(item(), 'NOPE')).toBeNull();
  });
});
