import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, E2E_STORAGE, startTwinProcess, type TwinProcess } from '../support/twin-process';

let twin: TwinProcess;

beforeAll(async () => {
  twin = await startTwinProcess();
});

afterAll(async () => {
  await twin?.stop();
});

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(`${twin.url}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

describe('the local twin, started as a user starts it', () => {
  it('answers GET /health', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('serves the OpenAPI document and its HTML page without a token', async () => {
    const res = await fetch(`${twin.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/transactions/sync']).toHaveProperty('get');
    const page = await fetch(`${twin.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('docs/swagger-ui-bundle.js');
  });

  it('invokes an operator function (no trigger) at POST /dev/invoke/<name>, as aws lambda invoke does', async () => {
    const invoke = (name: string, payload: string) =>
      call(`/dev/invoke/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
    const ok = await invoke('Replay', JSON.stringify({ user_ids: ['nobody'] }));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ users: 1, transactions: 0 });
    const bad = await invoke('Replay', JSON.stringify({ user_ids: 'nobody' }));
    expect(bad.status).toBe(500);
    expect(String(bad.body!.detail)).toContain('invalid payload: user_ids');
    expect((await invoke('Replay', '{not json')).status).toBe(400);
    expect((await invoke('SyncWorker', '{}')).status).toBe(404);
  });

  it('issues a token at POST /dev/token that an authenticated route accepts', async () => {
    const res = await call('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'u1' }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const token = res.body!.access_token as string;
    const me = await call('/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user_id: 'u1' });
  });

  it('rejects a missing, tampered, foreign or expired token with 401 problem+json', async () => {
    const token = await devToken(twin.url, 'u1');
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'u2' })).toString('base64url')}.${s}`;
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('A') ? 'B' : 'A'}A`;
    for (const auth of [undefined, `Bearer ${forged}`, `Bearer ${flipped}`, `Bearer nonsense`, token]) {
      const res = await call('/me', { headers: auth ? { authorization: auth } : {} });
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
    const short = await devToken(twin.url, 'u1', 1);
    // Accepted until it expires (a second on the twin's clock), then refused: polled, with a deadline.
    const deadline = Date.now() + 30_000;
    let status = 200;
    while (status !== 401 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await call('/me', { headers: { authorization: `Bearer ${short}` } })).status;
    }
    expect(status).toBe(401);
  });

  it('answers unknown routes 404 and wrong methods 405, as problem+json', async () => {
    const missing = await call('/no/such/route');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body).toMatchObject({ status: 404, title: 'Not Found' });
    const wrong = await call('/health', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('answers bad JSON and invalid bodies with 400 problem+json', async () => {
    const bad = await call('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(bad.status).toBe(400);
    const invalid = await call('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: '' }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ status: 400 });
    expect((invalid.body!.errors as { path: string }[])[0]!.path).toBe('body.user_id');
  });

  it('stops everything it started (DynamoDB Local\u2019s Java included) on Ctrl-C', async () => {
    // In DynamoDB mode the twin starts its own DynamoDB Local, and must stop it.
    const other = await startTwinProcess();
    const pid = other.child.pid!;
    const before = descendants(pid);
    expect(before.filter((p) => p.comm === 'java').length).toBe(E2E_STORAGE === 'dynamodb' ? 1 : 0);
    expect(await other.stop('SIGINT')).toBe(0);
    const pids = [pid, ...before.map((p) => p.pid)];
    const deadline = Date.now() + 20_000;
    while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const p of before) expect(isAlive(p.pid), `${p.comm} ${p.pid} still running`).toBe(false);
  });
});

/** The processes in the process tree under `pid` (not `pid` itself). */
function descendants(pid: number): { pid: number; comm: string }[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  const rows = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map(([p, pp, c]) => ({ pid: Number(p), ppid: Number(pp), comm: c ?? '' }));
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows) {
      if (tree.has(r.ppid) && !tree.has(r.pid)) {
        tree.add(r.pid);
        grew = true;
      }
    }
  }
  return rows.filter((r) => r.pid !== pid && tree.has(r.pid)).map(({ pid: p, comm }) => ({ pid: p, comm }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
