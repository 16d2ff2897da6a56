import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { handler as linkHandler } from '../../../functions/http/link';
import { isUserId } from '../../../shared/domain/user-id';
import { httpRoute, json, type HttpEvent, type HttpResult } from '../../../shared/http/handler';
import { MAX_LOGGED_STRING, redactingReplacer } from '../../../shared/logger';

const context = { awsRequestId: 'r1', functionName: 'test' } as Context;

function event(over: { sub?: string; body?: string; routeKey?: string } = {}): HttpEvent {
  return {
    version: '2.0',
    routeKey: over.routeKey ?? 'POST /things',
    rawPath: '/things',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body: over.body,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'r1',
      routeKey: over.routeKey ?? 'POST /things',
      http: { method: 'POST', path: '/things', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' },
      authorizer: { jwt: { claims: over.sub === undefined ? {} : { sub: over.sub }, scopes: [] } },
    },
  } as unknown as HttpEvent;
}

const problemOf = (r: HttpResult) => ({
  status: r.statusCode,
  type: r.headers?.['content-type'],
  body: JSON.parse(String(r.body)) as { detail: string; errors?: { path: string; message: string }[] },
});

describe('httpRoute', () => {
  let calls = 0;
  const route = httpRoute(
    { body: z.object({ name: z.string() }), maxBodyBytes: 1000 },
    async ({ userId }) => {
      calls += 1; // stands for the store call a route makes
      return json(200, { userId });
    },
  );

  it("refuses a token whose sub is not a user id with 401, before the route's code runs", async () => {
    for (const sub of ['x'.repeat(2048), 'a#b', 'ü', 'a b', '']) {
      const before = calls;
      const r = problemOf(await route(event({ sub, body: '{"name":"n"}' }), context));
      expect(r.status, sub.slice(0, 20)).toBe(401);
      expect(r.type).toBe('application/problem+json');
      expect(calls).toBe(before);
    }
    expect((await route(event({ sub: 'u-1@x.example', body: '{"name":"n"}' }), context)).statusCode).toBe(
      200,
    );
  });

  it('defines the user id shape once: what /dev/token issues, a UUID, nothing over 128 characters', () => {
    expect(isUserId('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(true);
    expect(isUserId('x'.repeat(128))).toBe(true);
    expect(isUserId('x'.repeat(129))).toBe(false);
  });

  it("refuses a NUL character in any string of the input with 400 naming it, before the route's code runs", async () => {
    const nested = httpRoute(
      { body: z.object({ name: z.string(), tags: z.array(z.string()) }) },
      async () => {
        calls += 1;
        return json(200, {});
      },
    );
    const before = calls;
    const r = problemOf(
      await route(event({ sub: 'u1', body: JSON.stringify({ name: 'a\u0000b' }) }), context),
    );
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'body.name', message: expect.stringContaining('NUL') }]);
    const deep = JSON.stringify({ name: 'n', tags: ['ok', '\u0000'] });
    const d = problemOf(await nested(event({ sub: 'u1', body: deep }), context));
    expect(d.status).toBe(400);
    expect(d.body.errors?.[0]?.path).toBe('body.tags.1');
    expect(calls).toBe(before);
    // The characters around it are fine: "%00" as text, other control characters.
    expect(
      (await route(event({ sub: 'u1', body: JSON.stringify({ name: '%00\u0001' }) }), context)).statusCode,
    ).toBe(200);
  });

  it("refuses a body over the route's limit with 413 before parsing it", async () => {
    const r = problemOf(
      await route(event({ sub: 'u1', body: JSON.stringify({ name: 'x'.repeat(2000) }) }), context),
    );
    expect(r.status).toBe(413);
    expect(r.body.detail).toContain('1000 bytes');
  });
});

describe('httpRoute with bodyOptional', () => {
  const seen: unknown[] = [];
  const route = httpRoute(
    { body: z.strictObject({ full: z.boolean().optional() }), bodyOptional: true },
    async ({ body }) => {
      seen.push(body);
      return json(202, body);
    },
  );
  const bare = (body?: string, contentType?: string): HttpEvent => {
    const e = event({ sub: 'u1', ...(body === undefined ? {} : { body }) });
    return { ...e, headers: contentType ? { 'content-type': contentType } : {} };
  };

  it('takes no body, or an empty one, with or without a content type, as {}', async () => {
    for (const e of [bare(), bare(''), bare(undefined, 'application/json'), bare('', 'text/plain')]) {
      const r = await route(e, context);
      expect(r.statusCode).toBe(202);
      expect(JSON.parse(String(r.body))).toEqual({});
    }
  });

  it('parses and validates a body that is there', async () => {
    expect(
      JSON.parse(String((await route(bare('{"full":true}', 'application/json'), context)).body)),
    ).toEqual({
      full: true,
    });
    expect((await route(bare('{"full":"yes"}', 'application/json'), context)).statusCode).toBe(400);
    expect((await route(bare('{"other":1}', 'application/json'), context)).statusCode).toBe(400);
    expect((await route(bare('{"full":', 'application/json'), context)).statusCode).toBe(400);
    expect((await route(bare('{"full":true}', 'text/plain'), context)).statusCode).toBe(415);
  });
});

describe('POST /auth/link-bank redirect_uri', () => {
  const post = async (redirect_uri: string) =>
    problemOf(
      await linkHandler(
        event({
          sub: 'u1',
          routeKey: 'POST /auth/link-bank',
          body: JSON.stringify({ provider: 'bank_a', redirect_uri }),
        }),
        context,
      ),
    );

  it('answers a value that is not a URL with 400 naming the field (it was a 500)', async () => {
    for (const bad of [
      'not a url',
      'http://[::1',
      'ftp://x/y',
      'http://a/#frag',
      `https://a/${'x'.repeat(3000)}`,
    ]) {
      const r = await post(bad);
      expect(r.status, bad.slice(0, 30)).toBe(400);
      expect(r.body.errors?.[0]?.path).toBe('body.redirect_uri');
    }
  });

  it('bounds the body: a megabyte redirect_uri is a 413', async () => {
    expect((await post('x'.repeat(1_000_000))).status).toBe(413);
  });
});

describe('the logger', () => {
  it('never prints a request value whole: strings and arrays are cut', () => {
    const error = Object.assign(new TypeError('Invalid URL'), { input: 'x'.repeat(1_000_000) });
    const line = JSON.stringify(
      {
        error: { name: error.name, message: error.message, input: error.input },
        list: Array(10_000).fill(1),
      },
      redactingReplacer,
    );
    expect(line.length).toBeLessThan(MAX_LOGGED_STRING + 1000);
    expect(line).toContain('more characters');
    expect(line).toContain('more items');
  });
});
