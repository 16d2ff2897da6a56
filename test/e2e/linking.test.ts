import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, submitConsent } from '../support/api';
import { devToken, startTwinProcess, type TwinProcess } from '../support/twin-process';

let twin: TwinProcess;
let api: Api;

beforeAll(async () => {
  twin = await startTwinProcess();
  api = new Api(twin.url).withToken(await devToken(twin.url, 'alice'));
});
afterAll(async () => twin?.stop());

const CALLBACK = 'http://127.0.0.1:9/my-app/callback';

async function link(provider: string, client = api) {
  const started = await client.post<{
    authorize_url: string;
    state: string;
    link_id: string;
    expires_at: string;
  }>('/auth/link-bank', { provider, redirect_uri: CALLBACK });
  expect(started.status).toBe(201);
  const consent = await submitConsent(started.body.authorize_url);
  expect(consent.status).toBe(302);
  const back = new URL(consent.location!);
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
  expect(back.searchParams.get('state')).toBe(started.body.state);
  return { state: started.body.state, code: back.searchParams.get('code')!, started: started.body };
}

describe('linking banks over HTTP', () => {
  it('lists the providers', async () => {
    const res = await api.get<{ providers: { id: string; name: string }[] }>('/providers');
    expect(res.status).toBe(200);
    expect(res.body.providers.map((p) => p.id)).toEqual(
      expect.arrayContaining(['bank_a', 'bank_b', 'bank_c']),
    );
  });

  it.each(['bank_a', 'bank_b', 'bank_c'])(
    'links %s through its consent form and shows its accounts',
    async (provider) => {
      const { state, code, started } = await link(provider);
      expect(new Date(started.expires_at).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
      const done = await api.post<{
        connection: { id: string; provider: string; status: string };
        accounts: unknown[];
      }>('/auth/callback', { state, code });
      expect(done.status).toBe(201);
      expect(done.body.connection).toMatchObject({ provider, status: 'active' });
      expect(done.body.accounts.length).toBeGreaterThan(0);
      expect(JSON.stringify(done.body)).not.toMatch(/token/i);
      const one = await api.get(`/connections/${done.body.connection.id}`);
      expect(one.status).toBe(200);
      expect(JSON.stringify(one.body)).not.toMatch(/token/i);
    },
  );

  it('lists connections, and revokes one at the bank', async () => {
    const list = await api.get<{ connections: { id: string; status: string; provider: string }[] }>(
      '/connections',
    );
    expect(list.status).toBe(200);
    expect(list.body.connections.map((c) => c.provider).sort()).toEqual(['bank_a', 'bank_b', 'bank_c']);
    const target = list.body.connections[0]!;
    const revoked = await api.delete<{ status: string }>(`/connections/${target.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect((await api.get<{ status: string }>(`/connections/${target.id}`)).body.status).toBe('revoked');
    expect((await api.delete<{ status: string }>(`/connections/${target.id}`)).status).toBe(200);
    expect((await api.post(`/connections/${target.id}/sync`)).status).toBe(409);
  });

  it('refuses a reused state and a made-up state with 400', async () => {
    const { state, code } = await link('bank_a');
    expect((await api.post('/auth/callback', { state, code })).status).toBe(201);
    const again = await api.post<{ status: number; detail: string }>('/auth/callback', { state, code });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.post('/auth/callback', { state: 'not-a-state', code: 'x' })).status).toBe(400);
  });

  it("does not let another user complete someone's link, nor use it up: the owner's callback still succeeds", async () => {
    const { state, code } = await link('bank_b');
    const mallory = api.withToken(await devToken(twin.url, 'mallory'));
    const theirs = await mallory.post<Record<string, unknown>>('/auth/callback', { state, code });
    expect(theirs.status).toBe(400);
    expect(theirs.headers.get('content-type')).toContain('application/problem+json');
    // The same answer as for a state that does not exist: nothing tells mallory that this one does.
    const unknown = await mallory.post<Record<string, unknown>>('/auth/callback', {
      state: 'not-a-state',
      code,
    });
    expect(theirs.body).toEqual(unknown.body);
    expect((await mallory.get<{ connections: unknown[] }>('/connections')).body.connections).toEqual([]);

    const mine = await api.post<{ connection: { id: string; provider: string } }>('/auth/callback', {
      state,
      code,
    });
    expect(mine.status).toBe(201);
    expect(mine.body.connection.provider).toBe('bank_b');
    expect((await api.post('/auth/callback', { state, code })).status).toBe(400);
    expect((await mallory.post('/auth/callback', { state, code })).body).toEqual(unknown.body);
  });

  it('a made-up code on the default callback page does not use up the link: the real redirect still links', async () => {
    const started = await api.post<{ authorize_url: string; state: string }>('/auth/link-bank', {
      provider: 'bank_a',
    });
    const consent = await submitConsent(started.body.authorize_url);
    const forged = new URL(consent.location!);
    forged.searchParams.set('code', 'made-up-code');
    const refused = await fetch(forged);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Linking failed');
    const page = await fetch(consent.location!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Bank linked');
  });

  it('shows the form again with an error for a wrong password (401)', async () => {
    const started = await api.post<{ authorize_url: string }>('/auth/link-bank', {
      provider: 'bank_c',
      redirect_uri: CALLBACK,
    });
    const wrong = await submitConsent(started.body.authorize_url, { password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toMatch(/<form/i);
    expect(wrong.location).toBeNull();
  });

  it('returns access_denied when the user denies consent', async () => {
    const started = await api.post<{ authorize_url: string; state: string }>('/auth/link-bank', {
      provider: 'bank_a',
      redirect_uri: CALLBACK,
    });
    const denied = await submitConsent(started.body.authorize_url, { decision: 'deny' });
    expect(denied.status).toBe(302);
    const back = new URL(denied.location!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe(started.body.state);
  });

  it('refuses an unknown provider, a bad redirect and bad bodies with 400', async () => {
    const bad = await api.post<{ errors: { path: string }[] }>('/auth/link-bank', { provider: 'bank_zz' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.path).toBe('body.provider');
    expect(
      (await api.post('/auth/link-bank', { provider: 'bank_a', redirect_uri: 'javascript:alert(1)' })).status,
    ).toBe(400);
    expect((await api.post('/auth/link-bank', { provider: 'bank_a', extra: 1 })).status).toBe(400);
    expect((await api.call('POST', '/auth/link-bank', '{not json')).status).toBe(400);
    expect((await new Api(twin.url).post('/auth/link-bank', { provider: 'bank_a' })).status).toBe(401);
  });

  it('finishes a link on the default callback page when no redirect_uri is given', async () => {
    const started = await api.post<{ authorize_url: string }>('/auth/link-bank', { provider: 'bank_b' });
    const consent = await submitConsent(started.body.authorize_url);
    expect(consent.location).toContain(`${twin.url}/link/callback?`);
    const page = await fetch(consent.location!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Bank linked');
    expect(html).not.toMatch(/access_token|refresh_token/);
    const reused = await fetch(consent.location!);
    expect(reused.status).toBe(400);
  });

  it('refuses a state used after it expired', async () => {
    const short = await startTwinProcess({ env: { LINK_STATE_TTL_SECONDS: '2' } });
    try {
      const client = new Api(short.url).withToken(await devToken(short.url, 'bob'));
      const started = await client.post<{ authorize_url: string; state: string; expires_at: string }>(
        '/auth/link-bank',
        { provider: 'bank_a', redirect_uri: CALLBACK },
      );
      const consent = await submitConsent(started.body.authorize_url);
      const code = new URL(consent.location!).searchParams.get('code')!;
      await new Promise((r) => setTimeout(r, Date.parse(started.body.expires_at) - Date.now() + 300));
      const late = await client.post('/auth/callback', { state: started.body.state, code });
      expect(late.status).toBe(400);
    } finally {
      await short.stop();
    }
  });

  it('never logs a token', () => {
    expect(twin.output()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(twin.output()).not.toMatch(/"(access|refresh)_?[tT]oken":"[^[]/);
  });
});
