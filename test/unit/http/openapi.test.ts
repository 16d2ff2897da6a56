import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { catalogue } from '../../../lib/catalogue';
import { bundledInputs } from '../../support/bundled';
import { OPENAPI_FILE, generateOpenApi, serialize } from '../../../lib/openapi';
import {
  DOCS_ASSETS,
  DOCS_SCRIPT,
  buildOpenApi,
  operationId,
  renderDocsHtml,
} from '../../../shared/http/openapi';
import { pageOfList } from '../../../shared/http/schemas';
import { InvalidCursorError } from '../../../shared/ports/store';

const version = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

describe('OpenAPI document', () => {
  it('is committed as the handlers’ schemas give it (run `npm run openapi` after changing a schema)', async () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(serialize(await generateOpenApi(version)));
  });

  it('documents every public route of the catalogue, and only those', async () => {
    const doc = await generateOpenApi(version);
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const expected = catalogue
      .flatMap((f) => f.routes ?? [])
      .filter((r) => r.path !== '$default' && !r.path.startsWith('/mock-banks/'))
      .map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(expected.sort());
    for (const methods of Object.values(doc.paths))
      for (const op of Object.values(methods)) expect(op.summary.length).toBeGreaterThan(5);
  });

  it('takes parameters, bodies and statuses from the zod schemas', async () => {
    const doc = await generateOpenApi(version);
    const list = doc.paths['/transactions']!.get!;
    const limit = list.parameters!.find((p) => p.name === 'limit')!;
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', maximum: 500 } });
    const create = doc.paths['/budgets']!.post!;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401']));
    expect(create.requestBody!.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['category', 'period', 'limit', 'currency']),
    });
    expect(doc.paths['/budgets/{id}']!.delete!.responses['204']).toEqual({ description: 'No content' });
    expect(doc.paths['/health']!.get!.security).toEqual([]);
    expect(doc.paths['/transactions/{id}']!.get!.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
  });

  it('builds operations from specs (pure)', () => {
    const doc = buildOpenApi(
      [
        {
          method: 'POST',
          path: '/things/{id}',
          auth: true,
          fallbackSummary: 'fallback',
          spec: {
            summary: 'Make a thing',
            status: 201,
            path: z.object({ id: z.string() }),
            query: z.object({ dry_run: z.enum(['yes', 'no']).optional().describe('Only check') }),
            body: z.strictObject({ name: z.string().min(1) }),
          },
        },
        { method: 'GET', path: '/open', auth: false, fallbackSummary: 'An open route' },
      ],
      { version: '1', description: 'test' },
    );
    const op = doc.paths['/things/{id}']!.post!;
    expect(op.operationId).toBe('postThingsId');
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      {
        name: 'dry_run',
        in: 'query',
        required: false,
        description: 'Only check',
        schema: { type: 'string', enum: ['yes', 'no'] },
      },
    ]);
    expect(Object.keys(op.responses).sort()).toEqual(['201', '400', '401', '404']);
    expect(doc.paths['/open']!.get!).toMatchObject({ summary: 'An open route', security: [] });
    expect(doc.paths['/open']!.get!.responses).not.toHaveProperty('401');
    expect(operationId('GET', '/analytics/spending')).toBe('getAnalyticsSpending');
  });

  it('documents a success body from the response schema’s output side, and anything without one (pure)', () => {
    const doc = buildOpenApi(
      [
        {
          method: 'GET',
          path: '/things',
          auth: true,
          fallbackSummary: 'Things',
          spec: {
            response: z.strictObject({
              count: z.number().int().default(0),
              next_cursor: z.string().nullable(),
              label: z.string().transform((s) => s.length),
            }),
          },
        },
        { method: 'GET', path: '/other', auth: true, fallbackSummary: 'Other' },
        {
          method: 'GET',
          path: '/page',
          auth: false,
          fallbackSummary: 'A page',
          spec: { produces: 'text/html', response: z.object({ ignored: z.string() }) },
        },
      ],
      { version: '1', description: 'test' },
    );
    expect(doc.paths['/things']!.get!.responses['200']).toEqual({
      description: 'OK',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              count: {
                type: 'integer',
                default: 0,
                minimum: Number.MIN_SAFE_INTEGER,
                maximum: Number.MAX_SAFE_INTEGER,
              },
              next_cursor: { type: ['string', 'null'] },
              label: {},
            },
            required: ['count', 'next_cursor', 'label'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(doc.paths['/other']!.get!.responses['200']!.content).toEqual({
      'application/json': { schema: {} },
    });
    expect(doc.paths['/page']!.get!.responses['200']!.content).toEqual({
      'text/html': { schema: { type: 'string' } },
    });
  });

  it('documents the response body of every route that answers JSON', async () => {
    const doc = await generateOpenApi(version);
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods)) {
        const success = Object.entries(op.responses).find(([code]) => code.startsWith('2'))!;
        const json = success[1].content?.['application/json'];
        if (success[0] === '204' || !json) continue;
        const route = `${method.toUpperCase()} ${path}`;
        expect(Object.keys(json.schema).length, `${route} documents no response body`).toBeGreaterThan(0);
        expect(json.schema, route).not.toHaveProperty('$schema');
      }
    const detail =
      doc.paths['/transactions/{id}']!.get!.responses['200']!.content!['application/json']!.schema;
    expect(detail).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: expect.arrayContaining(['id', 'amount', 'category', 'reconciled', 'original', 'history']),
      properties: {
        amount: { type: 'string' },
        merchant_name: { type: ['string', 'null'] },
        status: { enum: ['pending', 'posted'] },
      },
    });
    const list = doc.paths['/budgets']!.get!.responses['200']!.content!['application/json']!.schema;
    expect(list).toMatchObject({ required: ['budgets', 'next_cursor'] });
    expect(doc.paths['/health']!.get!.responses['200']!.content!['application/json']!.schema).toEqual({
      type: 'object',
      properties: { status: { type: 'string', const: 'ok' } },
      required: ['status'],
      additionalProperties: false,
    });
  });

  it('keeps the response schemas out of every Lambda, and zod out of Health, Me and Docs', async () => {
    const http = catalogue.filter((f) => f.routes?.length);
    const bundled = await bundledInputs(http);
    expect(bundled.size).toBe(new Set(http.map((f) => f.entry)).size);
    for (const [entry, files] of bundled) {
      expect(files.length, entry).toBeGreaterThan(0);
      expect(
        files.filter((file) => /shared\/http\/(plaid-)?responses\.ts$/.test(file)),
        entry,
      ).toEqual([]);
    }
    for (const name of ['Health', 'Me', 'Docs']) {
      const entry = catalogue.find((f) => f.name === name)!.entry;
      expect(
        bundled.get(entry)!.filter((file) => file.includes('node_modules/zod/')),
        name,
      ).toEqual([]);
    }
    // One esbuild of every HTTP bundle: 29 s measured with the two cores at a load average of 8.5.
  }, 180_000);

  it('renders the /docs page: Swagger UI from the Docs function\u2019s own files, escaping what it shows', async () => {
    const doc = await generateOpenApi(version);
    const page = renderDocsHtml(doc);
    const refs = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.sort()).toEqual([
      'docs/docs.js',
      'docs/swagger-ui-bundle.js',
      'docs/swagger-ui.css',
      'openapi.json',
    ]);
    for (const name of Object.keys(DOCS_ASSETS))
      expect(doc.paths[`/docs/${name}`]?.get, name).toMatchObject({ security: [] });
    expect(DOCS_SCRIPT).toContain('spec.servers = [{ url: base');
    const evil = buildOpenApi([{ method: 'GET', path: '/x', auth: true, fallbackSummary: 's' }], {
      version: '<img src=x>',
      description: 'd',
    });
    expect(renderDocsHtml(evil)).toContain('&lt;img src=x&gt;');
    expect(renderDocsHtml(evil)).not.toContain('<img');
  });

  it('has a request example, accepted by its body schema, for every route that takes a body', async () => {
    const doc = await generateOpenApi(version);
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods))
        if (op.requestBody)
          expect(op.requestBody.content['application/json'].examples, `${method} ${path}`).toHaveProperty(
            'example.value',
          );
    const body = z.object({ n: z.number().int() });
    const op = { method: 'POST', path: '/n', auth: true, fallbackSummary: 's', spec: { body } };
    const info = { version: '1', description: 'd' };
    expect(
      buildOpenApi([op], info, { 'POST /n': { summary: 'one', value: { n: 1 } } }).paths['/n']!.post!
        .requestBody,
    ).toMatchObject({ content: { 'application/json': { examples: { example: { value: { n: 1 } } } } } });
    expect(() => buildOpenApi([op], info, { 'POST /n': { summary: 'bad', value: { n: 1.5 } } })).toThrow(
      /POST \/n does not match its body schema/,
    );
  });
});

describe('pageOfList', () => {
  it('pages any list whole, in order, with any limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 25 }),
        (items, limit) => {
          const seen: number[] = [];
          let cursor: string | undefined;
          for (let guard = 0; guard < 100; guard++) {
            const page = pageOfList(items, { limit, cursor }, { list: 'l', owner: 'u' });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            seen.push(...page.items);
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          expect(seen).toEqual(items);
        },
      ),
    );
  });

  it('rejects a cursor it did not make', () => {
    const scope = { list: 'budgets', owner: 'u1' };
    expect(() => pageOfList([1, 2], { limit: 1, cursor: 'bogus' }, scope)).toThrow(InvalidCursorError);
    const mine = pageOfList([1, 2], { limit: 1 }, scope).nextCursor!;
    expect(pageOfList([1, 2], { limit: 1, cursor: mine }, scope).items).toEqual([2]);
    // Another user's, or another list's, cursor is refused.
    expect(() => pageOfList([1, 2], { limit: 1, cursor: mine }, { ...scope, owner: 'u2' })).toThrow(
      InvalidCursorError,
    );
    expect(() => pageOfList([1, 2], { limit: 1, cursor: mine }, { ...scope, list: 'rules' })).toThrow(
      InvalidCursorError,
    );
  });
});
