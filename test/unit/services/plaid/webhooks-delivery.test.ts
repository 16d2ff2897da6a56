import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAesCipher } from '../../../../shared/adapters/crypto/aes-gcm';
import { MemoryWebhookStore } from '../../../../shared/adapters/memory/plaid-webhooks';
import { syncUpdatesAvailable, type WebhookJob } from '../../../../shared/domain/plaid/webhooks';
import { ManualClock } from '../../../../shared/ports/clock';
import { deliverWebhook, enqueueWebhook, webhookAttempts } from '../../../../shared/services/plaid/webhooks';
import { webhookVerificationKey } from '../../../../shared/services/plaid/webhooks-keys';
import { plaidWebhookVerifier } from '../../../support/plaid-webhook-verifier';

/** A receiver on a random port that answers with the next status of `plan` (then 200), or hangs for `hang`. */
let server: Server;
let url: string;
let plan: (number | 'hang')[] = [];
const received: { body: string; headers: IncomingHttpHeaders }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      const next = plan.shift() ?? 200;
      if (next === 'hang') return;
      res.writeHead(next).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hook`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** A generous receiver timeout (a loaded machine), or a short one where the test waits for it to pass. */
function setup(timeoutMs = 10_000) {
  const store = new MemoryWebhookStore();
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const cipher = new LocalAesCipher(randomBytes(32).toString('base64'));
  const deps = { keys: store, log: store, cipher, clock, timeoutMs };
  const verify = plaidWebhookVerifier(async (kid) => (await webhookVerificationKey({ keys: store }, kid))!, {
    now: () => clock.now(),
  });
  return { store, clock, deps, verify };
}

async function queued(clock: ManualClock): Promise<WebhookJob> {
  const jobs: WebhookJob[] = [];
  await enqueueWebhook(
    { queue: { send: async (j) => void jobs.push(j) }, clock },
    { itemId: 'item-1', url, environment: 'sandbox' },
    syncUpdatesAvailable({
      itemId: 'item-1',
      environment: 'sandbox',
      initialUpdateComplete: true,
      historicalUpdateComplete: true,
    }),
    'd-1',
  );
  return jobs[0]!;
}

describe('webhook delivery', () => {
  it('queues nothing for an item without a webhook URL', async () => {
    const { clock } = setup();
    const sent: unknown[] = [];
    const out = await enqueueWebhook(
      { queue: { send: async (j) => void sent.push(j) }, clock },
      { itemId: 'i', url: null, environment: 'sandbox' },
      syncUpdatesAvailable({
        itemId: 'i',
        environment: 'sandbox',
        initialUpdateComplete: true,
        historicalUpdateComplete: true,
      }),
      'd',
    );
    expect(out).toBeNull();
    expect(sent).toEqual([]);
  });

  it('posts the exact body, signed; 500 twice then 200: three attempts recorded, each verifiable', async () => {
    const { deps, clock, verify } = setup();
    const job = await queued(clock);
    received.length = 0;
    plan = [500, 500];
    const outcomes = [];
    for (let n = 1; n <= 3; n++) {
      outcomes.push((await deliverWebhook(deps, job, n)).outcome);
      clock.advance(1000);
    }
    expect(outcomes).toEqual(['retrying', 'retrying', 'delivered']);
    expect(received).toHaveLength(3);
    for (const r of received) {
      expect(r.body).toBe(job.body);
      expect(r.headers['content-type']).toBe('application/json');
      await expect(verify(r.body, r.headers)).resolves.toMatchObject({ body: JSON.parse(job.body) });
    }
    await expect(verify(received[0]!.body.replace('true', 'false'), received[0]!.headers)).rejects.toThrow(
      /request_body_sha256/,
    );
    const attempts = await webhookAttempts({ log: deps.log }, 'item-1');
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [3, 200, 'delivered'],
      [2, 500, 'retrying'],
      [1, 500, 'retrying'],
    ]);
    expect(attempts[2]).toMatchObject({
      deliveryId: 'd-1',
      webhookType: 'TRANSACTIONS',
      webhookCode: 'SYNC_UPDATES_AVAILABLE',
      url,
      at: '2026-03-01T12:00:00.000Z',
      error: 'the receiver answered 500',
    });
  });

  it('a receiver that does not answer in time is a failure; the last attempt is marked failed', async () => {
    const { deps, clock } = setup();
    const job = await queued(clock);
    plan = ['hang'];
    const slow = await deliverWebhook({ ...deps, timeoutMs: 300 }, job, 1);
    expect(slow).toMatchObject({ statusCode: null, outcome: 'retrying', error: 'no answer within 300 ms' });
    plan = [503];
    expect(await deliverWebhook(deps, job, 8)).toMatchObject({ statusCode: 503, outcome: 'failed' });
    const refused = await deliverWebhook(deps, { ...job, url: 'http://127.0.0.1:9/closed' }, 2);
    expect(refused.statusCode).toBeNull();
    expect(refused.error).toMatch(/fetch failed/);
  });
});
