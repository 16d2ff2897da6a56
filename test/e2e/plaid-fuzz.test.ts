import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { collectOperations } from '../../lib/openapi';
import { leakIn, malformedOf, validOf, type JsonSchema } from '../support/fuzz';
import { startPlaidTwin, type PlaidTwin } from '../support/plaid';

/**
 * The fuzz of the Plaid surface (test/e2e/fuzz.test.ts fuzzes finagg's own API, whose errors are problem+json):
 * every `/plaid` operation of the OpenAPI document gets bodies drawn from its own schema, malformed ones and raw
 * garbage, sent with the sandbox application's credentials (a fixed seed). Every answer must be Plaid's: never a
 * 5xx, never an internal detail, every error Plaid's error object (error_type, error_code, request_id, the HTTP
 * status in `status`), every success with a request_id, and a body the route's schema refuses a 400.
 *
 * FUZZ_RUNS (default 20) sets the runs per operation; FUZZ_SEED the seed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

interface PlaidOp {
  key: string;
  path: string;
  body: ZodType;
  schema: JsonSchema;
}

let plaid: PlaidTwin;
let ops: PlaidOp[] = [];
const counts = { total: 0, '2xx': 0, '4xx': 0, '5xx': 0 };
const failures: string[] = [];

beforeAll(async () => {
  plaid = await startPlaidTwin();
  const served = (await (await fetch(`${plaid.url}/openapi.json`)).json()) as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content: { 'application/json': { schema: JsonSchema } } } }>
    >;
  };
  ops = (await collectOperations())
    .filter((o) => o.spec?.plaid && o.spec.body)
    .map((o) => ({
      key: `${o.method} ${o.path}`,
      path: o.path,
      body: o.spec!.body!,
      schema: served.paths[o.path]!.post!.requestBody!.content['application/json'].schema,
    }));
});

afterAll(async () => {
  console.info(
    `[plaid-fuzz] ${counts.total} requests: 2xx ${counts['2xx']}, 4xx ${counts['4xx']}, 5xx ${counts['5xx']}`,
  );
  await plaid?.stop();
});

interface Answer {
  status: number;
  json: Record<string, unknown> | null;
}

/** Sends one request and checks what every answer of the Plaid surface must be. */
async function send(
  path: string,
  body: string | undefined,
  headers: Record<string, string> = { 'PLAID-CLIENT-ID': plaid.clientId, 'PLAID-SECRET': plaid.secret },
): Promise<Answer> {
  const res = await fetch(`${plaid.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  counts.total += 1;
  if (res.status >= 500) counts['5xx'] += 1;
  else if (res.status >= 400) counts['4xx'] += 1;
  else if (res.status >= 200 && res.status < 300) counts['2xx'] += 1;
  const fail = (why: string) => {
    const line = `POST ${path} ${body?.slice(0, 300)} -> ${res.status}: ${why}\n  ${text.slice(0, 400)}`;
    failures.push(line);
    throw new Error(line);
  };
  if (res.status >= 500) fail('a 5xx');
  const leak = leakIn(text);
  if (leak) fail(`the body shows ${leak}`);
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    fail('not JSON');
  }
  if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) fail('not application/json');
  if (typeof json?.request_id !== 'string' || !json.request_id) fail('no request_id');
  if (res.status >= 400) {
    if (typeof json?.error_code !== 'string' || typeof json.error_type !== 'string')
      fail('not a Plaid error');
    if (json?.status !== res.status) fail('an error whose status differs');
  }
  return { status: res.status, json };
}

const zodAccepts = (schema: ZodType, value: unknown) => {
  try {
    return schema.safeParse(value).success;
  } catch {
    return false;
  }
};

describe('fuzz: every /plaid operation, with bodies drawn from its own schema', () => {
  it('covers the Plaid surface', () => {
    expect(ops.length).toBeGreaterThanOrEqual(12);
  });

  it("answers every body with Plaid's objects, a refused one with 400, never a 5xx", async () => {
    for (const [n, op] of ops.entries()) {
      // Valid bodies with the credentials in the body: the route's schema decides whether it is a 400.
      const drawn = fc.oneof(
        malformedOf(op.schema).map((v) => ({ value: v, raw: undefined as string | undefined })),
        validOf(op.schema).map((v) => ({ value: v, raw: undefined as string | undefined })),
        fc
          .constantFrom('{', '{"a":', 'nul', '[1,]', '\u0000', '{"a":1}}', "{'a':1}", 'NaN', '"x"', '[]', '7')
          .map((raw) => ({ value: undefined as unknown, raw })),
      );
      await fc.assert(
        fc.asyncProperty(drawn, async ({ value, raw }) => {
          // The document's body schema has client_id/secret optional; the headers carry the real ones.
          const sent =
            value && typeof value === 'object' && !Array.isArray(value)
              ? Object.fromEntries(
                  Object.entries(value as Record<string, unknown>).filter(
                    ([k]) => k !== 'client_id' && k !== 'secret',
                  ),
                )
              : value;
          const text = raw ?? JSON.stringify(sent) ?? 'null';
          const answer = await send(op.path, text);
          const isObject = typeof sent === 'object' && sent !== null && !Array.isArray(sent);
          if (raw !== undefined || !isObject) {
            expect(answer.status, `${op.key} ${text.slice(0, 100)}`).toBe(400);
            expect(answer.json?.error_code).toBe('INVALID_BODY');
          } else if (!zodAccepts(op.body, sent)) {
            expect(answer.status, `${op.key} ${text.slice(0, 200)}`).toBe(400);
            expect(['INVALID_FIELD', 'MISSING_FIELDS']).toContain(answer.json?.error_code);
          }
        }),
        { seed: SEED + n, numRuns: RUNS, endOnFailure: true },
      );
    }
  }, 600_000);

  it('refuses missing and wrong credentials on every operation before reading the body', async () => {
    for (const op of ops) {
      const missing = await send(op.path, '{}', {});
      expect(missing.json?.error_code, op.key).toBe('MISSING_FIELDS');
      const wrong = await send(op.path, '{}', { 'PLAID-CLIENT-ID': plaid.clientId, 'PLAID-SECRET': 'wrong' });
      expect(wrong.json?.error_code, op.key).toBe('INVALID_API_KEYS');
      const typed = await send(op.path, JSON.stringify({ client_id: 7, secret: [] }), {});
      expect(typed.json?.error_code, op.key).toBe('INVALID_FIELD');
    }
  }, 300_000);

  it('tried every request without a 5xx', () => {
    expect(failures).toEqual([]);
    expect(counts['5xx']).toBe(0);
  });
});
