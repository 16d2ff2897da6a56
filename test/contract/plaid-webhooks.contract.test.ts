import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { DynamoWebhookStore } from '../../shared/adapters/dynamodb/plaid-webhooks';
import { rows } from '../../shared/adapters/postgres/db';
import { PgWebhookStore } from '../../shared/adapters/postgres/plaid-webhooks';
import type { WebhookStore } from '../../shared/ports/plaid-webhooks';
import { webhookAttempt as attempt, webhookKey as key } from '../support/plaid-webhooks';
import { forEachBackend, uid, type Backend } from './backends';

/**
 * The WebhookStore contract (shared/ports/plaid-webhooks.ts), written once and run on DynamoDB Local, PostgreSQL
 * and PGlite (backends.ts): webhook signing keys (installed once per environment, rotated atomically from the
 * current one, the old key kept with expiredAt) and delivery attempts (once each, per item, newest first, kept
 * 90 days). Each test uses an environment of its own, since keys are per environment and the store is shared.
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function webhookStore(b: Backend): WebhookStore {
  if (b.dynamo) return new DynamoWebhookStore(b.dynamo.doc, b.dynamo.tableName);
  if (b.conn) return new PgWebhookStore(b.conn);
  throw new Error(`no webhook store for ${b.name}`);
}

forEachBackend('WebhookStore', (backend) => {
  let store: WebhookStore;
  beforeAll(() => {
    store = webhookStore(backend());
  });

  it('installs the first key once, rotates only from the current one, and keeps the old key with expiredAt', async () => {
    const [k1, k1b, k2] = [uid('k1'), uid('k1b'), uid('k2')];
    expect(await store.currentWebhookKey('sandbox')).toBeNull();
    expect(await store.rotateWebhookKey(key(k1, at(0)), null)).toBe(true);
    expect(await store.currentWebhookKey('sandbox')).toEqual(key(k1, at(0)));
    // A second first key, or a rotation from a kid that is not the current one: refused, nothing written.
    expect(await store.rotateWebhookKey(key(k1b, at(0)), null)).toBe(false);
    expect(await store.getWebhookKey(k1b)).toBeNull();
    expect(await store.rotateWebhookKey(key(k2, at(DAY)), uid('k-other'))).toBe(false);
    expect(await store.getWebhookKey(k2)).toBeNull();
    expect((await store.currentWebhookKey('sandbox'))?.kid).toBe(k1);
    expect(await store.getWebhookKey(k1)).toEqual(key(k1, at(0)));

    expect(await store.rotateWebhookKey(key(k2, at(DAY)), k1)).toBe(true);
    expect(await store.currentWebhookKey('sandbox')).toEqual(key(k2, at(DAY)));
    expect(await store.getWebhookKey(k1)).toEqual({ ...key(k1, at(0)), expiredAt: at(DAY) });
    expect(await store.getWebhookKey(k2)).toEqual(key(k2, at(DAY)));
    // Rotating again from the kid that was rotated out: refused, the old key's expiredAt untouched.
    const k3 = uid('k3');
    expect(await store.rotateWebhookKey(key(k3, at(2 * DAY)), k1)).toBe(false);
    expect(await store.getWebhookKey(k1)).toEqual({ ...key(k1, at(0)), expiredAt: at(DAY) });
    expect(await store.getWebhookKey(k3)).toBeNull();
    // A kid is never reused: a rotation that would overwrite an existing key is refused.
    expect(await store.rotateWebhookKey(key(k1, at(2 * DAY)), k2)).toBe(false);
    expect((await store.currentWebhookKey('sandbox'))?.kid).toBe(k2);
    // Other environments have keys of their own.
    expect(await store.currentWebhookKey('development')).toBeNull();
    expect(await store.getWebhookKey(uid('unknown'))).toBeNull();
  });

  it('lets exactly one of two racing writers install the first key, then exactly one of two rotations win', async () => {
    const env = 'production';
    const [a, b] = [uid('ka'), uid('kb')];
    const installs = await Promise.all([
      store.rotateWebhookKey(key(a, at(0), env), null),
      store.rotateWebhookKey(key(b, at(0), env), null),
    ]);
    expect(installs.filter(Boolean)).toHaveLength(1);
    const first = installs[0] ? a : b;
    const loser = installs[0] ? b : a;
    expect((await store.currentWebhookKey(env))?.kid).toBe(first);
    expect(await store.getWebhookKey(loser)).toBeNull();

    const [c, d] = [uid('kc'), uid('kd')];
    const rotations = await Promise.all([
      store.rotateWebhookKey(key(c, at(DAY), env), first),
      store.rotateWebhookKey(key(d, at(2 * DAY), env), first),
    ]);
    expect(rotations.filter(Boolean)).toHaveLength(1);
    const winner = rotations[0] ? key(c, at(DAY), env) : key(d, at(2 * DAY), env);
    expect(await store.currentWebhookKey(env)).toEqual(winner);
    expect(await store.getWebhookKey(rotations[0] ? d : c)).toBeNull();
    // The old key expired at the winner's creation, not the loser's.
    expect(await store.getWebhookKey(first)).toEqual({
      ...key(first, at(0), env),
      expiredAt: winner.createdAt,
    });
  });

  it('records attempts once each and lists an item newest first, with its limit', async () => {
    const [item1, item2] = [uid('item'), uid('item')];
    await store.recordWebhookAttempt(attempt(item1, 1, at(0)));
    await store.recordWebhookAttempt(attempt(item1, 1, at(0)));
    await Promise.all([
      store.recordWebhookAttempt(attempt(item1, 2, at(1000))),
      store.recordWebhookAttempt(attempt(item1, 2, at(1000))),
    ]);
    await store.recordWebhookAttempt(attempt(item1, 3, at(3000), { statusCode: 200, outcome: 'delivered' }));
    await store.recordWebhookAttempt(attempt(item2, 1, at(0)));
    const list = await store.listWebhookAttempts(item1);
    expect(list.map((a) => [a.attempt, a.outcome])).toEqual([
      [3, 'delivered'],
      [2, 'retrying'],
      [1, 'retrying'],
    ]);
    expect(list[0]).toEqual(attempt(item1, 3, at(3000), { statusCode: 200, outcome: 'delivered' }));
    expect(await store.listWebhookAttempts(item1, { limit: 1 })).toEqual([list[0]]);
    expect(await store.listWebhookAttempts(item1, { limit: 2 })).toEqual(list.slice(0, 2));
    expect(await store.listWebhookAttempts(item1, { limit: 3 })).toEqual(list);
    expect(await store.listWebhookAttempts(item1, { limit: 4 })).toEqual(list);
    // Another item's attempts are its own.
    expect(await store.listWebhookAttempts(item2)).toEqual([attempt(item2, 1, at(0))]);
    expect(await store.listWebhookAttempts(uid('item'))).toEqual([]);
  });

  it('orders attempts of the same instant by delivery then attempt number (10 after 9), newest first', async () => {
    const item = uid('item');
    const same = at(5000);
    await store.recordWebhookAttempt(attempt(item, 9, same, { deliveryId: 'd-a' }));
    await store.recordWebhookAttempt(attempt(item, 10, same, { deliveryId: 'd-a' }));
    await store.recordWebhookAttempt(
      attempt(item, 1, same, { deliveryId: 'd-b', error: 'timeout', statusCode: null }),
    );
    const list = await store.listWebhookAttempts(item);
    expect(list.map((a) => [a.deliveryId, a.attempt])).toEqual([
      ['d-b', 1],
      ['d-a', 10],
      ['d-a', 9],
    ]);
    expect(list[0]?.error).toBe('timeout');
    expect(list[0]?.statusCode).toBeNull();
  });

  // Last in the file: its late writes purge every attempt expired by then, other tests' too.
  it('keeps attempts 90 days', async () => {
    const b = backend();
    const old = uid('item');
    await store.recordWebhookAttempt(attempt(old, 1, at(0)));
    if (b.dynamo) {
      // DynamoDB: the table's TTL attribute, 90 days after the attempt (the TTL deletes it some time later).
      expect(await store.listWebhookAttempts(old)).toHaveLength(1);
      const raw = await b.dynamo.doc.send(
        new GetCommand({
          TableName: b.dynamo.tableName,
          Key: { pk: `PLAIDWH#${old}`, sk: `ATTEMPT#${at(0)}#d1#0001` },
        }),
      );
      expect(raw.Item?.expires_at).toBe((T0 + 90 * DAY) / 1000);
      return;
    }
    const conn = b.conn;
    if (!conn) throw new Error('no connection');
    const expiry = await rows<{ expires_at: string }>(
      conn.db,
      sql`SELECT expires_at::text AS expires_at FROM plaid_webhook_attempts WHERE item_id = ${old}`,
    );
    expect(expiry.map((r) => new Date(r.expires_at).toISOString())).toEqual([at(90 * DAY)]);
    // Still there within 90 days (and a day's grace) of it; deleted by a write after that.
    await store.recordWebhookAttempt(attempt(uid('item'), 1, at(90 * DAY)));
    expect(await store.listWebhookAttempts(old)).toHaveLength(1);
    await store.recordWebhookAttempt(attempt(uid('item'), 1, at(92 * DAY)));
    expect(await store.listWebhookAttempts(old)).toEqual([]);
  });
});
