import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { collectOperations } from '../../lib/openapi';
import type { Operation } from '../../shared/http/openapi';
import { Api } from '../support/api';
import { asQueryValue, leakIn, malformedOf, oddString, validOf, type JsonSchema } from '../support/fuzz';
import { allTransactions, linkBank, waitForSync } from '../support/sync-helpers';
import { devToken, startTwinProcess, type TwinProcess } from '../support/twin-process';

/**
 * The fuzz and tenancy suite: every operation of the OpenAPI document the twin serves gets malformed bodies,
 * queries, paths and cursors drawn from its own schemas (test/support/fuzz.ts), with a fixed seed; then a second
 * user replays the first user's ids and cursors on every route. It fails on any 5xx, on any internal detail in a
 * body, and on any change to the first user's data (snapshotted through the API before and after the replay).
 *
 * Which answer is right comes from the route's own zod schema (the one its handler validates with): an input it
 * refuses must be a 400 (413 for an oversized body, 415 for a wrong content type) and change nothing, so the first
 * user sends those with their real ids; an input it accepts is sent by a scratch user (or by the first user on a
 * GET), where it may be anything but a 5xx.
 *
 * FUZZ_RUNS (default 20) sets the runs per operation (plus 4 per input field); FUZZ_SEED the seed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

interface OperationObject {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  requestBody?: { required?: boolean; content: { 'application/json': { schema: JsonSchema } } };
}
interface Op {
  key: string;
  method: string;
  path: string;
  auth: boolean;
  html: boolean;
  body?: ZodType;
  query?: ZodType;
  pathSchema?: ZodType;
  doc: OperationObject;
  maxBodyBytes?: number;
}

let twin: TwinProcess;
let ops: Op[] = [];
let servedCount = 0;
const tokens: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
const counts = { total: 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
const failures: string[] = [];

/** User A's ids (every kind) and cursors (by list route), and user B's. */
const idsOf: Record<'a' | 'b', Record<string, string[]>> = { a: {}, b: {} };
const cursorsOf: Record<'a' | 'b', Record<string, string>> = { a: {}, b: {} };

interface Sent {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
  user?: 'a' | 'b' | 'c' | null;
}
interface Answer {
  status: number;
  text: string;
  type: string;
  json: unknown;
}

const describeSent = (r: Sent) =>
  `${r.user ?? 'anonymous'} ${r.method} ${r.path}${r.query ? `?${new URLSearchParams(r.query)}` : ''}` +
  (r.body !== undefined ? ` [${r.contentType ?? 'no content-type'}] ${r.body.slice(0, 300)}` : '');

/** Sends one request, counts it, and checks what every answer must be: no 5xx, no internal detail. */
async function send(r: Sent): Promise<Answer> {
  const qs = r.query && Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : '';
  const headers: Record<string, string> = {};
  if (r.user) headers.authorization = `Bearer ${tokens[r.user]}`;
  if (r.contentType) headers['content-type'] = r.contentType;
  const res = await fetch(`${twin.url}${r.path}${qs}`, {
    method: r.method,
    headers,
    body: r.body,
    redirect: 'manual',
  });
  const text = await res.text();
  counts.total += 1;
  const cls = `${Math.floor(res.status / 100)}xx` as keyof typeof counts;
  if (cls in counts) counts[cls] += 1;
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // an HTML page
  }
  const answer = { status: res.status, text, type: res.headers.get('content-type') ?? '', json };
  const fail = (why: string) => {
    const line = `${describeSent(r)} -> ${res.status}: ${why}\n  ${text.slice(0, 400)}`;
    failures.push(line);
    throw new Error(line);
  };
  if (res.status >= 500) fail('a 5xx');
  // Swagger UI's own script and stylesheet (GET /docs/...) are code shipped to the browser on purpose, not an
  // answer that could carry internal detail: every other body is checked.
  const leak = /^text\/(javascript|css)\b/.test(answer.type) ? null : leakIn(text);
  if (leak) fail(`the body shows ${leak}`);
  if (res.status >= 400 && !answer.type.startsWith('text/html')) {
    if (!answer.type.startsWith('application/problem+json')) fail(`a ${res.status} that is not problem+json`);
    if ((json as { status?: number } | null)?.status !== res.status) fail('a problem whose status differs');
  }
  return answer;
}

/** Concrete path of an operation's template with the given parameters (each encoded as a client would). */
function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? 'x'));
}

const paramsIn = (op: Op, where: 'path' | 'query') => (op.doc.parameters ?? []).filter((p) => p.in === where);

/** The real ids a path parameter can take: user A's of the kind the route names first, then every other kind. */
function realIds(op: Op, name: string, user: 'a' | 'b'): string[] {
  const ids = idsOf[user];
  if (name === 'sync_id') return ids.sync ?? [];
  const kind = op.path.split('/')[1] ?? '';
  const own = ids[kind] ?? [];
  return [
    ...own,
    ...Object.values(ids)
      .flat()
      .filter((id) => !own.includes(id)),
  ];
}

const encodable = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};

/**
 * A path parameter nobody has, in odd shapes. Never empty or a dot segment (those change the route, not the id),
 * nor a lone surrogate (no client can put one in a URL; an undecodable path has its own test below).
 */
const oddId = fc
  .oneof(
    oddString,
    fc.uuid(),
    fc.integer({ min: 129, max: 400 }).map((n) => 'i'.repeat(n)),
    fc.constantFrom(
      'a/b',
      'null',
      'undefined',
      '0',
      '-1',
      '1e999',
      'txn_',
      'USER#fuzz-a',
      'CONN#x',
      '%',
      '..a',
    ),
  )
  .filter((s) => s.length > 0 && !/^\.+$/.test(s) && !/^\s*$/.test(s) && encodable(s));

/** Whether the route's schema accepts the value; a schema that throws (a bug the route would answer 500) does not. */
function zodAccepts(schema: ZodType | undefined, value: unknown): boolean {
  try {
    return !schema || schema.safeParse(value ?? {}).success;
  } catch {
    return false;
  }
}

/** A request to `op` from the generator, and whether the route's own schemas accept it. */
interface Drawn {
  sent: Omit<Sent, 'user'>;
  valid: boolean;
  /** The expected statuses when it is not valid. */
  refusedWith: number[];
}

/** RUNS per operation, and 4 more per input field: each field gets its share of malformed values. */
function runsFor(op: Op): number {
  const body = op.doc.requestBody?.content['application/json'].schema.properties ?? {};
  return RUNS + 4 * (Object.keys(body).length + (op.doc.parameters ?? []).length);
}

const urlBytes = (op: Op, params: Record<string, string>, query: Record<string, string>) =>
  Buffer.byteLength(`${fill(op.path, params)}?${new URLSearchParams(query)}`);

function requestArb(op: Op): fc.Arbitrary<Drawn> {
  const pathParams = paramsIn(op, 'path');
  const queryParams = paramsIn(op, 'query');
  const bodySchema = op.doc.requestBody?.content['application/json'].schema;
  // A body the document marks optional (`required: false`) may be left out: no body is then a valid request.
  const bodyOptional = op.doc.requestBody?.required === false;

  const pathArb = (malformed: boolean) =>
    fc.record(
      Object.fromEntries(
        pathParams.map((p) => {
          const real = realIds(op, p.name, 'a');
          const good = real.length ? fc.oneof(fc.constantFrom(...real), oddId) : oddId;
          return [p.name, malformed ? fc.oneof(oddId, good) : good];
        }),
      ),
    ) as fc.Arbitrary<Record<string, string>>;

  const queryArb = (malformed: boolean) => {
    const entries = queryParams.map(
      (p) =>
        [
          p.name,
          (malformed ? fc.oneof(validOf(p.schema), malformedOf(p.schema)) : validOf(p.schema)).map(
            asQueryValue,
          ),
        ] as const,
    );
    const base = fc.record(Object.fromEntries(entries), { requiredKeys: [] }) as fc.Arbitrary<
      Record<string, string>
    >;
    if (!malformed) return base;
    return fc.oneof(
      base,
      fc
        .tuple(base, fc.constantFrom('zzz', 'user_id', 'limit', 'cursor', '__proto__'), oddString)
        .map(([q, k, v]) => ({
          ...q,
          [k]: v,
        })),
    );
  };

  type Part = 'body' | 'query' | 'path' | 'raw';
  const parts: Part[] = [];
  if (bodySchema) parts.push('body', 'raw');
  if (queryParams.length || op.method === 'GET') parts.push('query');
  if (pathParams.length) parts.push('path');
  if (!parts.length) parts.push('query');

  return fc.constantFrom(...parts).chain((part) => {
    const body: fc.Arbitrary<{ text?: string; type?: string; raw: boolean }> = bodySchema
      ? part === 'body'
        ? malformedOf(bodySchema).map((v) => ({
            text: JSON.stringify(v) ?? 'null',
            type: 'application/json',
            raw: false,
          }))
        : part === 'raw'
          ? fc.oneof(
              fc
                .constantFrom('{', '{"a":', 'nul', '[1,]', '\u0000', '{"a":1}}', "{'a':1}", 'NaN', '')
                .map((text) => ({ text, type: 'application/json', raw: true })),
              validOf(bodySchema).map((v) => ({
                text: JSON.stringify(v),
                type: 'text/plain',
                raw: true,
              })),
              fc.constant({ text: undefined, type: undefined, raw: true }),
            )
          : validOf(bodySchema).map((v) => ({
              text: JSON.stringify(v),
              type: 'application/json',
              raw: false,
            }))
      : fc.constant({ raw: false });
    return fc.tuple(pathArb(part === 'path'), queryArb(part === 'query'), body).map(([params, query, b]) => {
      let parsedBody: unknown;
      try {
        parsedBody = b.text === undefined ? undefined : JSON.parse(b.text);
      } catch {
        parsedBody = undefined;
      }
      const bytes = b.text === undefined ? 0 : Buffer.byteLength(b.text);
      const tooLarge = bytes > (op.maxBodyBytes ?? 1024 * 1024);
      // No body, or an empty one, where the body is optional: the request as if it had none (handler.ts).
      const absent = bodyOptional && (b.text === undefined || b.text === '');
      const valid =
        (!b.raw || absent) &&
        !tooLarge &&
        zodAccepts(op.pathSchema, params) &&
        zodAccepts(op.query, query) &&
        (!op.body || absent || zodAccepts(op.body, parsedBody));
      return {
        sent: {
          method: op.method,
          path: fill(op.path, params),
          query,
          body: b.text,
          contentType: b.type,
        },
        valid,
        // A request line over the twin's (Node's) 16 KB header limit is refused before routing: 431.
        refusedWith: tooLarge
          ? [413]
          : b.raw && !absent
            ? [400, 415]
            : urlBytes(op, params, query) > 8000
              ? [400, 431]
              : [400],
      };
    });
  });
}

async function snapshotA(): Promise<unknown> {
  const api = new Api(twin.url).withToken(tokens.a);
  const get = async (path: string) => {
    const r = await api.get(path);
    expect(r.status, path).toBe(200);
    return r.body;
  };
  const conn = idsOf.a.connections![0]!;
  const txns = idsOf.a.transactions!;
  const budgets = (await get('/budgets')) as { budgets: Record<string, unknown>[] };
  return {
    connections: await get('/connections'),
    accounts: await get('/accounts'),
    transactions: await allTransactions(api),
    details: await Promise.all(txns.map((id) => get(`/transactions/${id}`))),
    audits: await Promise.all(txns.map((id) => get(`/transactions/${id}/audit`))),
    feed: await get('/transactions/sync?count=500'),
    // Without what the calendar moves (the current period), so that the test passes across midnight too.
    budgets: budgets.budgets.map(({ spent: _s, remaining: _r, period_start: _p, period_end: _e, ...b }) => b),
    rules: await get('/rules'),
    settings: await get('/settings'),
    alerts: await get('/alerts'),
    syncs: await get(`/connections/${conn}/syncs`),
  };
}

/** Whether a cursor decodes to a position in the same list and partition as one of `originals` (decoded cursors). */
function ownPosition(cursor: string, originals: string[]): boolean {
  const parse = (text: string): { s?: unknown; p?: unknown } | null => {
    try {
      return JSON.parse(text) as { s?: unknown; p?: unknown };
    } catch {
      return null;
    }
  };
  const mutated = parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!mutated) return false;
  return originals.some((text) => {
    const original = parse(text)!;
    if (mutated.s !== original.s) return false;
    if (typeof original.p !== 'object' || original.p === null) return typeof mutated.p === typeof original.p;
    if (typeof mutated.p !== 'object' || mutated.p === null || Array.isArray(mutated.p)) return false;
    const o = original.p as Record<string, unknown>;
    const m = mutated.p as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return (
      JSON.stringify(Object.keys(m).sort()) === JSON.stringify(keys) &&
      keys.filter((k) => k.endsWith('pk')).every((k) => m[k] === o[k])
    );
  });
}

/** Snapshots A until two snapshots a moment apart agree: the stream processors have caught up. */
async function settledSnapshotA(): Promise<unknown> {
  let last = JSON.stringify(await snapshotA());
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const next = JSON.stringify(await snapshotA());
    if (next === last) return JSON.parse(next);
    last = next;
  }
  throw new Error("user A's data did not settle within 40 s");
}

/** The list routes that take a cursor, and a query that returns one for them. */
const LIST_ROUTES: Record<string, (ids: Record<string, string[]>) => string> = {
  'GET /connections': () => '/connections?limit=1',
  'GET /transactions': () => '/transactions?limit=1',
  'GET /transactions/sync': () => '/transactions/sync?count=1',
  'GET /alerts': () => '/alerts?limit=1',
  'GET /budgets': () => '/budgets?limit=1',
  'GET /rules': () => '/rules?limit=1',
  'GET /connections/{id}/syncs': (ids) => `/connections/${ids.connections![0]}/syncs?limit=1`,
};
const listPath = (key: string, user: 'a' | 'b') => {
  const url = new URL(LIST_ROUTES[key]!(idsOf[user]), 'http://x');
  return url.pathname;
};

async function setUpUser(user: 'a' | 'b', bank: string): Promise<void> {
  const api = new Api(twin.url).withToken(tokens[user]);
  const since = new Date(Date.now() - 1000).toISOString();
  const marks: string[] = [];
  let t = Date.now();
  const mark = (what: string) => {
    marks.push(`${what} ${Date.now() - t} ms`);
    t = Date.now();
  };
  const conn = await linkBank(api, bank);
  mark('link');
  expect(await waitForSync(api, conn, since, 60_000)).toBe('succeeded');
  mark('sync');
  const txns = await allTransactions(api);
  expect(txns.length).toBeGreaterThan(2);
  const budgets: string[] = [];
  for (const category of ['FOOD_AND_DRINK', 'GENERAL_MERCHANDISE']) {
    const b = await api.post<{ id: string }>('/budgets', {
      category,
      period: 'monthly',
      limit: '1.00',
      currency: 'USD',
    });
    expect(b.status).toBe(201);
    budgets.push(b.body.id);
  }
  const rules: string[] = [];
  for (const merchant of ['Fuzz Coffee', 'Fuzz Books']) {
    const r = await api.post<{ id: string }>('/rules', {
      match: { merchant },
      category: { primary: 'FOOD_AND_DRINK' },
    });
    expect(r.status).toBe(201);
    rules.push(r.body.id);
  }
  mark('budgets and rules');
  expect((await api.call('PUT', '/settings', { time_zone: 'Europe/London' })).status).toBe(200);
  const corrected = await api.post(`/transactions/${txns[0]!.id}/reconcile`, {
    note: 'fuzz',
    category: 'TRAVEL',
  });
  expect(corrected.status).toBe(200);
  mark('correction');
  console.info(`[fuzz] ${user}: ${marks.join(', ')}`);
  const syncs = await api.get<{ syncs: { id: string }[] }>(`/connections/${conn}/syncs`);
  const alerts = await api.get<{ alerts: { id: string }[] }>('/alerts');
  const accounts = await api.get<{ accounts: { id: string }[] }>('/accounts');
  idsOf[user] = {
    connections: [conn],
    accounts: accounts.body.accounts.map((a) => a.id).slice(0, 2),
    transactions: [txns[0]!.id, txns[1]!.id],
    budgets,
    rules,
    sync: syncs.body.syncs.map((s) => s.id).slice(0, 2),
    alerts: alerts.body.alerts.map((a) => a.id).slice(0, 2),
  };
}

async function collectCursors(user: 'a' | 'b'): Promise<void> {
  const api = new Api(twin.url).withToken(tokens[user]);
  for (const [key, path] of Object.entries(LIST_ROUTES)) {
    const r = await api.get<{ next_cursor: string | null }>(path(idsOf[user]));
    expect(r.status, key).toBe(200);
    if (r.body.next_cursor) cursorsOf[user][key] = r.body.next_cursor;
  }
}

beforeAll(async () => {
  twin = await startTwinProcess();
  for (const [user, id] of [
    ['a', 'fuzz-alice'],
    ['b', 'fuzz-bob'],
    ['c', 'fuzz-carol'],
  ] as const) {
    tokens[user] = await devToken(twin.url, id);
  }
  const served = (await (await fetch(`${twin.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, OperationObject>>;
  };
  // The Plaid surface (/plaid/...) answers Plaid's error object, not problem+json, and authenticates with an
  // application's credentials: it has its own fuzz below (plaidOps).
  servedCount = Object.values(served.paths)
    .flatMap((methods) => Object.values(methods))
    .filter((op) => !op.security?.some((s) => 'plaidClientId' in s)).length;
  const operations: Operation[] = (await collectOperations()).filter((o) => !o.spec?.plaid);
  ops = operations.map((o) => ({
    key: `${o.method} ${o.path}`,
    method: o.method,
    path: o.path,
    auth: o.auth,
    html: o.spec?.produces === 'text/html',
    body: o.spec?.body,
    query: o.spec?.query,
    pathSchema: o.spec?.path,
    maxBodyBytes: o.spec?.maxBodyBytes,
    doc: served.paths[o.path]![o.method.toLowerCase()]!,
  }));
  const t0 = Date.now();
  await setUpUser('a', 'bank_b');
  const t1 = Date.now();
  await setUpUser('b', 'bank_c');
  const t2 = Date.now();
  await collectCursors('a');
  await collectCursors('b');
  console.info(`[fuzz] set up: A ${t1 - t0} ms, B ${t2 - t1} ms, cursors ${Date.now() - t2} ms`);
}, 240_000);

afterAll(async () => {
  console.info(
    `[fuzz] ${counts.total} requests tried: 2xx ${counts['2xx']}, 3xx ${counts['3xx']}, 4xx ${counts['4xx']}, ` +
      `5xx ${counts['5xx']} (seed ${SEED}, ${RUNS} runs per operation)`,
  );
  await twin?.stop();
});

describe('fuzz: every operation of the OpenAPI document, with inputs drawn from its own schemas', () => {
  it('covers every operation the twin serves', () => {
    expect(ops.length).toBe(servedCount);
    expect(ops.length).toBeGreaterThan(30);
    expect(Object.keys(LIST_ROUTES).every((k) => ops.some((o) => o.key === k))).toBe(true);
  });

  it('answers malformed bodies, queries and paths with 4xx problem+json, never a 5xx or an internal detail', async () => {
    for (const [n, op] of ops.entries()) {
      await fc.assert(
        fc.asyncProperty(requestArb(op), async (drawn) => {
          // What the schema refuses goes with A's real ids and must change nothing; what it accepts is sent by
          // a scratch user unless it is a read.
          const user = !op.auth ? null : drawn.valid && op.method !== 'GET' ? 'c' : 'a';
          const answer = await send({ ...drawn.sent, user });
          if (!drawn.valid && !op.html) {
            expect(
              drawn.refusedWith,
              `${describeSent({ ...drawn.sent, user })}\n${answer.text.slice(0, 300)}`,
            ).toContain(answer.status);
          }
        }),
        { seed: SEED + n, numRuns: runsFor(op), endOnFailure: true },
      );
    }
  }, 300_000);

  it('refuses garbage, truncated, forged and misplaced cursors with 400 on every list', async () => {
    const mine = cursorsOf.a;
    expect(
      Object.keys(mine).length,
      `lists with a next page: ${Object.keys(mine).join(', ')}`,
    ).toBeGreaterThanOrEqual(5);
    const originals = Object.values(mine).map((c) => Buffer.from(c, 'base64url').toString('utf8'));
    // A's own scope tag, taken from A's own cursor: a forged cursor with it and another shape.
    const tagged = (key: string) => {
      const envelope = JSON.parse(
        Buffer.from(mine[key] ?? Object.values(mine)[0]!, 'base64url').toString(),
      ) as {
        s: string;
      };
      return (p: unknown) => Buffer.from(JSON.stringify({ s: envelope.s, p }), 'utf8').toString('base64url');
    };
    for (const key of Object.keys(LIST_ROUTES)) {
      const path = listPath(key, 'a');
      const own = mine[key];
      const cursorArb = fc.oneof(
        fc.base64String({ minLength: 1, maxLength: 200 }).map((s) => s.replace(/=+$/, '')),
        fc.string({ minLength: 1, maxLength: 100 }),
        fc.constantFrom('bnVsbA', 'e30', 'W10', 'x', 'A'.repeat(2048), '%', '....'),
        fc.jsonValue({ maxDepth: 3 }).map((p) => tagged(key)(p)),
        fc
          .dictionary(
            fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'o', 'x'),
            fc.oneof(fc.string(), fc.integer()),
          )
          .map((p) => tagged(key)(p)),
        own
          ? fc
              .tuple(fc.nat(own.length - 1), fc.constantFrom('A', '_', '-', 'z', '0', ''))
              .map(([i, c]) => own.slice(0, i) + c + own.slice(i + 1))
          : fc.constant('AAAA'),
        own ? fc.nat(own.length - 1).map((n) => own.slice(0, Math.max(1, n))) : fc.constant('AAAA'),
      );
      await fc.assert(
        fc.asyncProperty(cursorArb, async (cursor) => {
          const answer = await send({ method: 'GET', path, query: { cursor }, user: 'a' });
          // A mutation of A's own cursor that is still a position in A's own list (same list tag, same key
          // attributes, same partition: another connection id, another offset) is a cursor A may send.
          if (!ownPosition(cursor, originals)) {
            expect(answer.status, `${key} cursor ${cursor.slice(0, 80)}`).toBe(400);
          }
        }),
        { seed: SEED, numRuns: Math.max(10, RUNS), endOnFailure: true },
      );
      // Every other list's cursor, A's own: another route's cursor is refused too.
      for (const [other, cursor] of Object.entries(mine)) {
        if (other === key) continue;
        const answer = await send({ method: 'GET', path, query: { cursor }, user: 'a' });
        expect(answer.status, `${other}'s cursor on ${key}`).toBe(400);
      }
    }
  }, 300_000);

  it("answers a foreign sync_id under one's own connection with 404", async () => {
    const conn = idsOf.a.connections![0]!;
    for (const sync of [...idsOf.b.sync!, '00000000-0000-4000-8000-000000000000']) {
      const answer = await send({
        method: 'GET',
        path: `/connections/${conn}/syncs/${encodeURIComponent(sync)}/quarantined`,
        user: 'a',
      });
      expect(answer.status).toBe(404);
    }
    const own = await send({
      method: 'GET',
      path: `/connections/${conn}/syncs/${idsOf.a.sync![0]}/quarantined`,
      user: 'a',
    });
    expect(own.status).toBe(200);
  });

  it('answers the probe findings at the twin: an undecodable path 400, a body over 10 MB 413', async () => {
    for (const path of ['/budgets/%', '/transactions/%E0%A4%A', '/%zz']) {
      const answer = await send({ method: 'GET', path, user: 'a' });
      expect(answer.status, path).toBe(400);
    }
    const big = await send({
      method: 'POST',
      path: '/budgets',
      body: `{"category":"${'x'.repeat(11 * 1024 * 1024)}"}`,
      contentType: 'application/json',
      user: 'a',
    });
    expect(big.status).toBe(413);
    expect(big.type).toContain('application/problem+json');
    // Over the route's own limit (16 KiB for linking), under API Gateway's: the function's 413.
    const linking = await send({
      method: 'POST',
      path: '/auth/link-bank',
      body: JSON.stringify({ provider: 'bank_a', redirect_uri: `https://x.test/${'a'.repeat(1_000_000)}` }),
      contentType: 'application/json',
      user: 'a',
    });
    expect(linking.status).toBe(413);
    const notUrl = await send({
      method: 'POST',
      path: '/auth/link-bank',
      body: JSON.stringify({ provider: 'bank_a', redirect_uri: 'not a url' }),
      contentType: 'application/json',
      user: 'a',
    });
    expect(notUrl.status).toBe(400);
    expect(notUrl.text).toContain('body.redirect_uri');
  });
});

describe("tenancy: a second user replays the first user's ids and cursors on every route", () => {
  it("never reaches A's data, and A's data does not change", async () => {
    const before = await settledSnapshotA();
    let replayed = 0;
    for (const op of ops.filter((o) => o.auth)) {
      const pathParams = paramsIn(op, 'path');
      const bodySchema = op.doc.requestBody?.content['application/json'].schema;
      // A body the route accepts, so that only the ids can make B's request fail.
      const bodies = bodySchema
        ? fc
            .sample(validOf(bodySchema), { seed: SEED, numRuns: 20 })
            .filter((v) => zodAccepts(op.body, JSON.parse(JSON.stringify(v))))
            .slice(0, 1)
        : [undefined];
      const body = bodies[0];
      if (bodySchema && body === undefined) continue;
      const text = body === undefined ? undefined : JSON.stringify(body);
      if (pathParams.length) {
        const first = pathParams[0]!.name;
        for (const id of realIds(op, first, 'a')) {
          const params: Record<string, string> = { [first]: id };
          for (const p of pathParams.slice(1)) params[p.name] = realIds(op, p.name, 'a')[0] ?? 'x';
          const answer = await send({
            method: op.method,
            path: fill(op.path, params),
            body: text,
            contentType: text === undefined ? undefined : 'application/json',
            user: 'b',
          });
          replayed += 1;
          expect(
            [400, 404],
            `B ${op.key} with A's ${JSON.stringify(params)}: ${answer.text.slice(0, 200)}`,
          ).toContain(answer.status);
        }
      }
      if (paramsIn(op, 'query').some((p) => p.name === 'cursor')) {
        const path = LIST_ROUTES[op.key] ? listPath(op.key, 'b') : fill(op.path, {});
        for (const [from, cursor] of Object.entries(cursorsOf.a)) {
          const answer = await send({ method: 'GET', path, query: { cursor }, user: 'b' });
          replayed += 1;
          expect(answer.status, `B ${op.key} with A's ${from} cursor`).toBe(400);
        }
      }
    }
    expect(replayed).toBeGreaterThan(50);
    const after = await settledSnapshotA();
    expect(after).toEqual(before);
  }, 300_000);

  it('tried every request without a 5xx (counts in the log)', () => {
    console.info(
      `[fuzz] ${counts.total} requests: 2xx ${counts['2xx']}, 3xx ${counts['3xx']}, 4xx ${counts['4xx']}, 5xx ${counts['5xx']}`,
    );
    expect(failures).toEqual([]);
    expect(counts['5xx']).toBe(0);
    expect(counts.total).toBeGreaterThan(500);
  });
});
