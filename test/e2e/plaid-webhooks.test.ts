import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxItemFireWebhookRequestWebhookCodeEnum, type PlaidApi } from 'plaid';
import { plaidFailure, startPlaidTwin, type PlaidTwin } from '../support/plaid';
import { plaidWebhookVerifier } from '../support/plaid-webhook-verifier';
import { SCENARIO } from '../support/scripted';

/**
 * Plaid webhooks with the OFFICIAL `plaid` client against the twin: a receiver on a random port is the item's
 * webhook; it verifies every delivery exactly as Plaid documents (the key from /webhook_verification_key/get);
 * a tampered body is refused; a receiver answering 500 twice gets the delivery on the third attempt, which the
 * item's attempt records show; fire_webhook and reset_login send theirs.
 */
interface Delivery {
  body: string;
  headers: IncomingHttpHeaders;
  status: number;
}

let plaid: PlaidTwin;
let client: PlaidApi;
let server: Server;
let hookUrl: string;
const deliveries: Delivery[] = [];
/** Statuses the receiver answers with next (then 200). */
let plan: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const status = plan.shift() ?? 200;
      deliveries.push({ body, headers: req.headers, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  hookUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/plaid/webhook`;
  plaid = await startPlaidTwin();
  client = plaid.client;
});
afterAll(async () => {
  await plaid?.twin?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

/** Verifies as Plaid documents, fetching keys with the official client. */
const verify = () =>
  plaidWebhookVerifier(async (kid) => (await client.webhookVerificationKeyGet({ key_id: kid })).data.key);

async function waitFor(pred: (d: Delivery, body: Record<string, unknown>) => boolean, what: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const hit = deliveries.find((d) => pred(d, JSON.parse(d.body) as Record<string, unknown>));
    if (hit) return hit;
    if (Date.now() > deadline)
      throw new Error(
        `no ${what} arrived; got ${JSON.stringify(deliveries.map((d) => d.body))}\n${plaid.twin?.output() ?? ''.slice(-3000)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function attempts(accessToken: string) {
  const res = await fetch(`${plaid.url}/plaid/item/webhook/attempts/get`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: plaid.clientId, secret: plaid.secret, access_token: accessToken }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    item_id: string;
    attempts: {
      delivery_id: string;
      webhook_code: string;
      attempt: number;
      status_code: number | null;
      outcome: string;
      duration_ms: number;
      at: string;
      error: string | null;
    }[];
  };
}

describe('Plaid webhooks (official client)', () => {
  let accessToken: string;
  let itemId: string;

  it('sends SYNC_UPDATES_AVAILABLE after the first sync, signed as Plaid signs; a tampered body is refused', async () => {
    const created = await client.sandboxPublicTokenCreate({
      institution_id: 'ins_bank_a',
      initial_products: ['transactions' as never],
      options: {
        webhook: hookUrl,
        override_username: 'user_custom',
        override_password: JSON.stringify(SCENARIO),
      },
    });
    const exchanged = await client.itemPublicTokenExchange({ public_token: created.data.public_token });
    accessToken = exchanged.data.access_token;
    itemId = exchanged.data.item_id;

    const hit = await waitFor(
      (_d, b) => b.webhook_code === 'SYNC_UPDATES_AVAILABLE' && b.item_id === itemId,
      'SYNC_UPDATES_AVAILABLE',
    );
    expect(JSON.parse(hit.body)).toEqual({
      webhook_type: 'TRANSACTIONS',
      webhook_code: 'SYNC_UPDATES_AVAILABLE',
      item_id: itemId,
      initial_update_complete: true,
      historical_update_complete: true,
      environment: 'sandbox',
    });
    const check = verify();
    const verified = await check(hit.body, hit.headers);
    const key = (await client.webhookVerificationKeyGet({ key_id: verified.kid })).data.key;
    expect(key).toMatchObject({
      alg: 'ES256',
      crv: 'P-256',
      kty: 'EC',
      use: 'sig',
      kid: verified.kid,
      expired_at: null,
    });
    expect(typeof key.created_at).toBe('number');

    const tampered = hit.body.replace(
      '"historical_update_complete":true',
      '"historical_update_complete":false',
    );
    expect(tampered).not.toBe(hit.body);
    await expect(check(tampered, hit.headers)).rejects.toThrow(/request_body_sha256/);

    const unknown = await plaidFailure(client.webhookVerificationKeyGet({ key_id: 'no-such-key' }));
    expect(unknown).toMatchObject({
      status: 400,
      error: { error_code: 'INVALID_WEBHOOK_VERIFICATION_KEY_ID' },
    });
  });

  it('retries a receiver answering 500 twice: the third attempt delivers, and the attempt records show it', async () => {
    plan = [500, 500];
    const before = deliveries.length;
    const fired = await client.sandboxItemFireWebhook({
      access_token: accessToken,
      webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.LoginRepaired,
    });
    expect(fired.data.webhook_fired).toBe(true);
    await waitFor(
      (d, b) => b.webhook_code === 'LOGIN_REPAIRED' && d.status === 200,
      'a delivered LOGIN_REPAIRED',
    );
    const tries = deliveries
      .slice(before)
      .filter((d) => JSON.parse(d.body).webhook_code === 'LOGIN_REPAIRED');
    expect(tries.map((d) => d.status)).toEqual([500, 500, 200]);
    // Each attempt is signed afresh, and each verifies.
    const check = verify();
    for (const d of tries)
      await expect(check(d.body, d.headers)).resolves.toMatchObject({ body: { item_id: itemId } });

    const records = await attempts(accessToken);
    expect(records.item_id).toBe(itemId);
    const repaired = records.attempts.filter((a) => a.webhook_code === 'LOGIN_REPAIRED');
    expect(repaired.map((a) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [3, 200, 'delivered'],
      [2, 500, 'retrying'],
      [1, 500, 'retrying'],
    ]);
    expect(new Set(repaired.map((a) => a.delivery_id)).size).toBe(1);
    expect(repaired[1]!.error).toBe('the receiver answered 500');
    expect(
      records.attempts.some((a) => a.webhook_code === 'SYNC_UPDATES_AVAILABLE' && a.outcome === 'delivered'),
    ).toBe(true);
  });

  it('fire_webhook SYNC_UPDATES_AVAILABLE, and reset_login sends ITEM ERROR with ITEM_LOGIN_REQUIRED', async () => {
    const before = deliveries.length;
    await client.sandboxItemFireWebhook({
      access_token: accessToken,
      webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.SyncUpdatesAvailable,
    });
    await waitFor(
      (d, b) => deliveries.indexOf(d) >= before && b.webhook_code === 'SYNC_UPDATES_AVAILABLE',
      'a fired SYNC_UPDATES_AVAILABLE',
    );
    await client.sandboxItemResetLogin({ access_token: accessToken });
    const error = await waitFor((_d, b) => b.webhook_code === 'ERROR', 'ITEM ERROR');
    expect(JSON.parse(error.body)).toMatchObject({
      webhook_type: 'ITEM',
      webhook_code: 'ERROR',
      item_id: itemId,
      error: { error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED' },
    });
    await expect(verify()(error.body, error.headers)).resolves.toBeDefined();
  });
});
