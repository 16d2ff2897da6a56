import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Api, submitConsent } from '../support/api';
import { SCENARIO } from '../support/scripted';
import { allTransactions, waitForSync } from '../support/sync-helpers';
import { devToken, startTwinProcess, type TwinProcess } from '../support/twin-process';

/**
 * A scripted sandbox user (`user_custom`, its JSON configuration typed into the consent form's password field)
 * through finagg's own link flow and API, on a twin started with --persist and restarted in the middle: the first
 * sync shows exactly the scripted transactions; the bank clock moves three days; the next sync has the pending
 * posted (at its new amount), the bank's correction recorded as an event, and the removed charge gone.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'finagg-scripted-'));
const BANK = 'bank_a';
const CLOCK = '2026-03-10T12:00:00.000Z';
let twin: TwinProcess | undefined;
afterAll(async () => {
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function bankClock(url: string, body: Record<string, unknown>) {
  const res = await fetch(`${url}/mock-banks/${BANK}/admin/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': 'local-admin' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

const summary = (ts: { date: string; status: string; amount: string; description: string }[]) =>
  ts.map((t) => `${t.date} ${t.status} ${t.amount} ${t.description}`).sort();

describe('a scripted sandbox user through finagg', () => {
  it('links with user_custom, syncs exactly the script, and follows the bank clock across a restart', async () => {
    twin = await startTwinProcess({ args: ['--persist', '--data-dir', dir] });
    const token = await devToken(twin.url, 'scripted-alice');
    let api = new Api(twin.url).withToken(token);
    await bankClock(twin.url, { set: CLOCK, freeze: true });

    const started = await api.post<{ authorize_url: string; state: string }>('/auth/link-bank', {
      provider: BANK,
      redirect_uri: 'http://127.0.0.1:9/cb',
    });
    expect(started.status).toBe(201);
    // A bad configuration first: the consent page says what is wrong.
    const bad = await submitConsent(started.body.authorize_url, {
      username: 'user_custom',
      password: '{"override_accounts":[{"transactions":[{"day":0,"amount":"12.345","description":"x"}]}]}',
    });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('override_accounts[0].transactions[0].amount: USD has 2 decimal places');
    const consent = await submitConsent(started.body.authorize_url, {
      username: 'user_custom',
      password: JSON.stringify(SCENARIO),
    });
    expect(consent.status).toBe(302);
    const done = await api.post<{ connection: { id: string }; accounts: { name: string }[] }>(
      '/auth/callback',
      { state: started.body.state, code: new URL(consent.location!).searchParams.get('code')! },
    );
    expect(done.status).toBe(201);
    const connectionId = done.body.connection.id;
    expect(await waitForSync(api, connectionId, '1970-01-01T00:00:00Z', 60_000)).toBe('succeeded');

    expect(summary(await allTransactions(api))).toEqual([
      '2026-02-08 posted 3000.00 ACME CORP PAYROLL',
      '2026-02-09 posted -1200.00 RENT MAPLE APARTMENTS',
      '2026-02-28 posted -15.50 STREAMFLIX',
      '2026-02-28 posted -15.50 STREAMFLIX',
      '2026-03-05 posted -900.00 GADGET WORLD',
      '2026-03-07 posted -60.00 FUEL STOP 12',
      '2026-03-08 posted -20.00 PARKING',
      '2026-03-09 pending -42.00 CORNER CAFE',
    ]);
    const accounts = await api.get<{ accounts: { name: string; balance: { current: string } }[] }>(
      '/accounts',
    );
    expect(accounts.body.accounts).toEqual([
      expect.objectContaining({
        name: 'Everyday',
        balance: expect.objectContaining({ current: '1789.00', available: '1747.00' }),
      }),
    ]);

    // The scripted user lives in the bank's persisted state: restart the twin, then move the bank clock.
    expect(await twin.stop()).toBe(0);
    twin = await startTwinProcess({ args: ['--persist', '--data-dir', dir] });
    api = new Api(twin.url).withToken(token);
    await bankClock(twin.url, { advance_days: 3 });
    const before = new Date().toISOString();
    const sync = await api.post<{ sync_id: string }>(`/connections/${connectionId}/sync`, {});
    expect(sync.status).toBe(202);
    expect(await waitForSync(api, connectionId, before, 60_000)).toBe('succeeded');

    const after = await allTransactions(api);
    expect(summary(after)).toEqual([
      '2026-02-08 posted 3000.00 ACME CORP PAYROLL',
      '2026-02-09 posted -1200.00 RENT MAPLE APARTMENTS',
      '2026-02-28 posted -15.50 STREAMFLIX',
      '2026-02-28 posted -15.50 STREAMFLIX',
      '2026-03-05 posted -900.00 GADGET WORLD',
      '2026-03-07 posted -65.00 FUEL STOP #12',
      '2026-03-09 posted -48.30 CORNER CAFE',
    ]);
    const fuel = after.find((t) => t.description === 'FUEL STOP #12')!;
    const detail = await api.get<{ history: { kind: string }[]; original: Record<string, unknown> }>(
      `/transactions/${fuel.id}`,
    );
    expect(detail.status).toBe(200);
    const kinds = detail.body.history.map((h) => h.kind);
    expect(kinds[0]).toBe('created');
    expect(kinds.slice(1).some((k) => /amount|description|changed|updated/.test(k))).toBe(true);
  });
});
