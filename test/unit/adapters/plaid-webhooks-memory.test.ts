import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryWebhookStore } from '../../../shared/adapters/memory/plaid-webhooks';
import type { WebhookStore } from '../../../shared/ports/plaid-webhooks';
import { webhookAttempt as attempt, webhookKey as key } from '../../support/plaid-webhooks';

/**
 * The in-memory WebhookStore (the unit tests' double) on the cases the real adapters' contract runs
 * (test/contract/plaid-webhooks.contract.test.ts: DynamoDB Local, PostgreSQL, PGlite).
 */
describe('MemoryWebhookStore', () => {
  let store: WebhookStore;
  beforeAll(() => {
    store = new MemoryWebhookStore();
  });

  it('installs the first key once, rotates only from the current one, and keeps the old key with expiredAt', async () => {
    expect(await store.currentWebhookKey('sandbox')).toBeNull();
    expect(await store.rotateWebhookKey(key('k1', '2026-03-01T00:00:00.000Z'), null)).toBe(true);
    expect(await store.rotateWebhookKey(key('k1b', '2026-03-01T00:00:00.000Z'), null)).toBe(false);
    expect((await store.currentWebhookKey('sandbox'))?.kid).toBe('k1');
    expect(await store.rotateWebhookKey(key('k2', '2026-03-02T00:00:00.000Z'), 'k-other')).toBe(false);
    expect(await store.rotateWebhookKey(key('k2', '2026-03-02T00:00:00.000Z'), 'k1')).toBe(true);
    expect(await store.currentWebhookKey('sandbox')).toEqual(key('k2', '2026-03-02T00:00:00.000Z'));
    expect(await store.getWebhookKey('k1')).toEqual({
      ...key('k1', '2026-03-01T00:00:00.000Z'),
      expiredAt: '2026-03-02T00:00:00.000Z',
    });
    expect(await store.getWebhookKey('k1b')).toBeNull();
    expect(await store.currentWebhookKey('production')).toBeNull();
  });

  it('records attempts once each and lists an item newest first', async () => {
    await store.recordWebhookAttempt(attempt('item-1', 1, '2026-03-01T00:00:00.000Z'));
    await store.recordWebhookAttempt(attempt('item-1', 1, '2026-03-01T00:00:00.000Z'));
    await store.recordWebhookAttempt(attempt('item-1', 2, '2026-03-01T00:00:01.000Z'));
    await store.recordWebhookAttempt(
      attempt('item-1', 3, '2026-03-01T00:00:03.000Z', { statusCode: 200, outcome: 'delivered' }),
    );
    await store.recordWebhookAttempt(attempt('item-2', 1, '2026-03-01T00:00:00.000Z'));
    const list = await store.listWebhookAttempts('item-1');
    expect(list.map((a) => [a.attempt, a.outcome])).toEqual([
      [3, 'delivered'],
      [2, 'retrying'],
      [1, 'retrying'],
    ]);
    expect(await store.listWebhookAttempts('item-1', { limit: 1 })).toHaveLength(1);
  });
});
