import { randomUUID } from 'node:crypto';
import { Lock } from '@upstash/lock';
import { Redis as UpstashRedis, errors } from '@upstash/redis';
import { Redis as IoRedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstashBridge } from '../../lib/local/upstash-bridge';
import { assertRedisReachable, REDIS_URL, startUpstashHarness, type UpstashHarness } from './upstash-support';

let harness: UpstashHarness;
let p: string;
beforeAll(async () => {
  harness = await startUpstashHarness();
  p = harness.prefix('bridge');
});
afterAll(async () => harness?.close());

/** One raw REST call, as Upstash documents it. */
async function rest(
  path: string,
  body: unknown,
  options: { base64?: boolean; token?: string | null; method?: string } = {},
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = options.token === undefined ? harness.bridge.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.base64) headers['upstash-encoding'] = 'base64';
  const response = await fetch(`${harness.bridge.url}${path}`, {
    method: options.method ?? 'POST',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('REST bridge: the wire protocol', () => {
  it('runs a single command from a JSON array body: {"result": …}', async () => {
    expect(await rest('/', ['SET', `${p}k1`, 'bar'])).toEqual({ status: 200, json: { result: 'OK' } });
    expect(await rest('/', ['GET', `${p}k1`])).toEqual({ status: 200, json: { result: 'bar' } });
    expect(await rest('/', ['GET', `${p}missing`])).toEqual({ status: 200, json: { result: null } });
    expect(await rest('/', ['INCRBY', `${p}n1`, 5])).toEqual({ status: 200, json: { result: 5 } });
    expect(await rest('/', ['RPUSH', `${p}l1`, 'a', 'b'])).toEqual({ status: 200, json: { result: 2 } });
    expect(await rest('/', ['LRANGE', `${p}l1`, 0, -1])).toEqual({
      status: 200,
      json: { result: ['a', 'b'] },
    });
    // Replies keep Redis's shape whatever the command's case (ioredis would turn a lower-case hgetall into an object).
    await rest('/', ['HSET', `${p}h1`, 'f', 'v']);
    expect(await rest('/', ['hgetall', `${p}h1`])).toEqual({ status: 200, json: { result: ['f', 'v'] } });
  });

  it('base64-encodes every string but a bare OK when asked (Upstash-Encoding: base64)', async () => {
    const o = { base64: true };
    expect(await rest('/', ['SET', `${p}k2`, 'bar'], o)).toEqual({ status: 200, json: { result: 'OK' } });
    expect(await rest('/', ['GET', `${p}k2`], o)).toEqual({ status: 200, json: { result: b64('bar') } });
    expect(await rest('/', ['PING'], o)).toEqual({ status: 200, json: { result: b64('PONG') } });
    expect(await rest('/', ['INCR', `${p}n2`], o)).toEqual({ status: 200, json: { result: 1 } });
    await rest('/', ['XADD', `${p}s2`, '5-1', 'f', 'v'], o);
    expect(await rest('/', ['XRANGE', `${p}s2`, '-', '+'], o)).toEqual({
      status: 200,
      json: { result: [[b64('5-1'), [b64('f'), b64('v')]]] },
    });
  });

  it('carries raw bytes in base64, and replaces invalid UTF-8 without it', async () => {
    await harness.raw.set(`${p}bin`, Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    expect(await rest('/', ['GET', `${p}bin`], { base64: true })).toEqual({
      status: 200,
      json: { result: '//4AQQ==' },
    });
    expect(await rest('/', ['GET', `${p}bin`])).toEqual({
      status: 200,
      json: { result: '\ufffd\ufffd\u0000A' },
    });
  });

  it('pipelines: one result or error per command, in order, HTTP 200', async () => {
    const body = [['SET', `${p}k3`, 'x'], ['INCR', `${p}k3`], ['GET', `${p}k3`], ['NOSUCHCOMMAND']];
    const { status, json } = await rest('/pipeline', body);
    expect(status).toBe(200);
    expect(json).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'x' },
      { error: expect.stringMatching(/^ERR unknown command/) },
    ]);
  });

  it('runs /multi-exec as one transaction; runtime errors stay per command', async () => {
    const { status, json } = await rest('/multi-exec', [
      ['SET', `${p}k4`, 'x'],
      ['INCR', `${p}k4`],
      ['SET', `${p}k5`, 'y'],
    ]);
    expect(status).toBe(200);
    expect(json).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'OK' },
    ]);
  });

  it('discards a transaction as a whole when a command is rejected when queued: HTTP 400, one error', async () => {
    const { status, json } = await rest('/multi-exec', [
      ['SET', `${p}k6`, 'x'],
      ['GET', `${p}k6`, 'extra-argument'],
    ]);
    expect(status).toBe(400);
    expect(json).toEqual({ error: expect.stringMatching(/^EXECABORT .*wrong number of arguments/) });
    expect(await harness.raw.exists(`${p}k6`)).toBe(0);
  });

  it('answers a failing single command with HTTP 400 and the Redis error', async () => {
    await harness.raw.set(`${p}k7`, 'text');
    expect(await rest('/', ['INCR', `${p}k7`])).toEqual({
      status: 400,
      json: { error: 'ERR value is not an integer or out of range' },
    });
    expect(await rest('/', ['LPUSH', `${p}k7`, 'a'])).toEqual({
      status: 400,
      json: { error: expect.stringMatching(/^WRONGTYPE/) },
    });
  });

  it('rejects malformed requests with HTTP 400 and an Upstash-style error', async () => {
    for (const body of [
      '{not json',
      '{"a":1}',
      '[]',
      '[[]]',
      '[1]',
      JSON.stringify(['SET', 'k', { a: 1 }]),
    ]) {
      const { status, json } = await rest('/', body);
      expect(status, body).toBe(400);
      expect(json, body).toEqual({ error: expect.stringMatching(/^ERR /) });
    }
    expect((await rest('/pipeline', [['GET', 'x'], 'GET'])).status).toBe(400);
    expect(await rest('/', '')).toEqual({
      status: 400,
      json: { error: expect.stringMatching(/^ERR empty/) },
    });
  });

  it('refuses commands that would change the shared connection, without changing it', async () => {
    await rest('/', ['SET', `${p}k8`, 'here']);
    expect(await rest('/', ['SELECT', 3])).toEqual({
      status: 400,
      json: { error: "ERR Command is not available: 'SELECT'" },
    });
    expect((await rest('/pipeline', [['MULTI'], ['GET', `${p}k8`]])).json).toEqual([
      { error: "ERR Command is not available: 'MULTI'" },
      { result: 'here' },
    ]);
    expect((await rest('/multi-exec', [['WATCH', `${p}k8`]])).status).toBe(400);
    expect(await rest('/', ['GET', `${p}k8`])).toEqual({ status: 200, json: { result: 'here' } });
  });

  it('requires the bearer token (HTTP 401), or accepts it as ?_token=', async () => {
    expect(await rest('/', ['PING'], { token: null })).toEqual({
      status: 401,
      json: { error: expect.stringMatching(/Unauthorized/) },
    });
    expect((await rest('/', ['PING'], { token: 'wrong' })).status).toBe(401);
    expect((await rest('/pipeline', [['PING']], { token: `${harness.bridge.token}x` })).status).toBe(401);
    const viaQuery = await fetch(
      `${harness.bridge.url}/?_token=${encodeURIComponent(harness.bridge.token)}`,
      {
        method: 'POST',
        body: '["PING"]',
      },
    );
    expect(viaQuery.status).toBe(200);
    expect(await viaQuery.json()).toEqual({ result: 'PONG' });
  });

  it('supports path-style commands, query arguments and a POST body value', async () => {
    const token = { token: harness.bridge.token };
    const get = await fetch(`${harness.bridge.url}/set/${encodeURIComponent(`${p}k9`)}/v%2F1?EX=100`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    expect(await get.json()).toEqual({ result: 'OK' });
    expect(await harness.raw.get(`${p}k9`)).toBe('v/1');
    expect(await harness.raw.ttl(`${p}k9`)).toBeGreaterThan(90);
    const post = await rest(`/set/${encodeURIComponent(`${p}k10`)}`, '{"json":"value"}');
    expect(post).toEqual({ status: 200, json: { result: 'OK' } });
    expect(await harness.raw.get(`${p}k10`)).toBe('{"json":"value"}');
    expect((await rest('/', ['PING'], { method: 'DELETE' })).status).toBe(405);
  });

  it('runs a blocking command on its own connection: it does not stall other requests', async () => {
    const list = `${p}queue`;
    const popped = rest('/', ['BLPOP', list, 5]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Were BLPOP on the shared connection, this push would queue behind it and BLPOP would time out (null).
    expect(await rest('/', ['RPUSH', list, 'job-1'])).toEqual({ status: 200, json: { result: 1 } });
    expect(await popped).toEqual({ status: 200, json: { result: [list, 'job-1'] } });
  });

  it('limits the request size', async () => {
    const small = await startUpstashBridge({ redisUrl: REDIS_URL, maxBodyBytes: 1000 });
    try {
      const response = await fetch(small.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${small.token}` },
        body: JSON.stringify(['SET', `${p}big`, 'x'.repeat(2000)]),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/max request size/) });
    } finally {
      await small.stop();
    }
  });
});

describe('REST bridge: @upstash/redis and @upstash/lock unchanged', () => {
  for (const autoPipelining of [true, false]) {
    for (const base64 of [true, false]) {
      it(`works with the SDK (auto-pipelining ${autoPipelining}, base64 ${base64})`, async () => {
        const redis = harness.client({ autoPipelining, base64 });
        const k = `${p}sdk:${autoPipelining}:${base64}:`;
        expect(await redis.set(`${k}s`, 'héllo ✓')).toBe('OK');
        expect(await redis.get(`${k}s`)).toBe('héllo ✓');
        expect(await redis.set(`${k}j`, { a: 1, b: ['x'] })).toBe('OK');
        expect(await redis.get(`${k}j`)).toEqual({ a: 1, b: ['x'] });
        expect(await redis.incr(`${k}n`)).toBe(1);
        expect(await redis.mget(`${k}s`, `${k}none`)).toEqual(['héllo ✓', null]);
        expect(await redis.hset(`${k}h`, { f1: 'v1', f2: 2 })).toBe(2);
        expect(await redis.hgetall(`${k}h`)).toEqual({ f1: 'v1', f2: 2 });
        expect(await redis.set(`${k}nx`, 'a', { nx: true, px: 10_000 })).toBe('OK');
        expect(await redis.set(`${k}nx`, 'b', { nx: true, px: 10_000 })).toBeNull();
        expect(await redis.eval('return {1, "two", {3}}', [], [])).toEqual([1, 'two', [3]]);
        const [a, b, c] = await redis.multi().set(`${k}m`, 1).incr(`${k}m`).get<number>(`${k}m`).exec();
        expect([a, b, c]).toEqual(['OK', 2, 2]);
        const results = await redis
          .pipeline()
          .set(`${k}pl`, 'x')
          .incr(`${k}pl`)
          .get(`${k}pl`)
          .exec({ keepErrors: true });
        expect(results.map((r) => r.error ?? r.result)).toEqual([
          'OK',
          'ERR value is not an integer or out of range',
          'x',
        ]);
        await expect(redis.incr(`${k}s`)).rejects.toThrow(errors.UpstashError);
        await expect(redis.incr(`${k}s`)).rejects.toThrow(/not an integer/);
      });
    }
  }

  it('runs a script by EVALSHA, falling back to EVAL on NOSCRIPT', async () => {
    const redis = harness.client();
    // A script this Redis has never seen: the first EVALSHA must fail with NOSCRIPT.
    const script = redis.createScript<string>(`-- ${randomUUID()}\nreturn ARGV[1] .. KEYS[1]`);
    expect(await script.exec([`${p}key`], ['value-'])).toBe(`value-${p}key`);
    expect(await script.evalsha([`${p}key`], ['again-'])).toBe(`again-${p}key`);
  });

  it('keeps MULTI/EXEC atomic: concurrent readers never see half a transaction', async () => {
    const redis = harness.client({ autoPipelining: false });
    const key = `${p}atomic`;
    await redis.set(key, 0);
    const reads: number[] = [];
    await Promise.all([
      ...Array.from({ length: 30 }, () => redis.multi().incr(key).incr(key).exec()),
      ...Array.from({ length: 30 }, async () => reads.push(Number(await redis.get(key)))),
    ]);
    expect(reads.every((n) => n % 2 === 0)).toBe(true);
    expect(await redis.get(key)).toBe(60);
  });

  it('serves @upstash/lock: SET NX PX, owner-safe release, status', async () => {
    const redis = harness.client();
    const id = `${p}lock:upstash`;
    const mine = new Lock({ id, redis, lease: 10_000 });
    const theirs = new Lock({ id, redis, lease: 10_000, retry: { attempts: 1, delay: 0 } });
    expect(await mine.acquire({ uuid: 'mine' })).toBe(true);
    expect(await theirs.acquire({ uuid: 'theirs' })).toBe(false);
    expect(await mine.getStatus()).toBe('ACQUIRED');
    expect(await harness.raw.get(id)).toBe('mine');
    await harness.raw.set(id, 'someone-else', 'PX', 10_000);
    expect(await mine.release()).toBe(false);
    expect(await harness.raw.get(id)).toBe('someone-else');
    await harness.raw.set(id, 'mine', 'PX', 10_000);
    expect(await mine.release()).toBe(true);
    expect(await mine.getStatus()).toBe('FREE');
  });

  it("shows why UpstashLocks extends with its own script: @upstash/lock's extend needs whole seconds", async () => {
    const redis = harness.client();
    const lock = new Lock({ id: `${p}lock:extend`, redis, lease: 10_000 });
    await lock.acquire();
    expect(await lock.extend(2_000)).toBe(true);
    // 1.5 s becomes EXPIRE <ttl + 1.5>, which Redis refuses (EXPIRE takes an integer).
    await expect(lock.extend(1_500)).rejects.toThrow(/not an integer/);
    await lock.release();
  });

  it('fails a client with a wrong token with the 401 error', async () => {
    const redis = new UpstashRedis({ url: harness.bridge.url, token: 'wrong', retry: false });
    await expect(redis.get(`${p}x`)).rejects.toThrow(/Unauthorized/);
  });
});

describe('REST bridge: lifecycle', () => {
  it('forwards to the database the Redis URL names', async () => {
    const url = new URL(REDIS_URL);
    url.pathname = '/15';
    const bridge = await startUpstashBridge({ redisUrl: url.toString(), token: 'db15-token' });
    const db15 = new IoRedis(url.toString());
    const key = `${p}db15`;
    try {
      expect(bridge.token).toBe('db15-token');
      const redis = new UpstashRedis({ url: bridge.url, token: bridge.token, enableTelemetry: false });
      await redis.set(key, 'in-15');
      expect(await db15.get(key)).toBe('in-15');
      expect(await harness.raw.get(key)).toBeNull();
    } finally {
      await db15.del(key);
      db15.disconnect();
      await bridge.stop();
    }
  });

  it('stops: the port no longer answers', async () => {
    const bridge = await startUpstashBridge({ redisUrl: REDIS_URL });
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await bridge.stop();
    await expect(fetch(bridge.url, { method: 'POST', body: '["PING"]' })).rejects.toThrow();
  });

  it('refuses to start, saying why, when Redis is not reachable', async () => {
    await expect(startUpstashBridge({ redisUrl: 'redis://:secret@127.0.0.1:1/0' })).rejects.toThrow(
      /Redis is not reachable at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0/,
    );
    await expect(assertRedisReachable('redis://127.0.0.1:1')).rejects.toThrow(/need a real Redis/);
  });
});
