import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { catalogue } from '../../lib/catalogue';
import { OPENAPI_FILE, generateOpenApi, serialize } from '../../lib/openapi';
import { buildOpenApi, operationId, renderDocsHtml } from '../../shared/http/openapi';
import { pageOfList } from '../../shared/http/schemas';
import { InvalidCursorError } from '../../shared/ports/store';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
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

  it('renders an HTML page with every operation, escaping what it shows', async () => {
    const doc = await generateOpenApi(version);
    const page = renderDocsHtml(doc);
    expect(page).toContain('<code>/transactions/{id}/audit</code>');
    expect(page).not.toContain('<script');
    const evil = buildOpenApi([{ method: 'GET', path: '/x', auth: true, fallbackSummary: '<img src=x>' }], {
      version: '1',
      description: 'd',
    });
    expect(renderDocsHtml(evil)).toContain('&lt;img src=x&gt;');
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
            const page = pageOfList(items, { limit, cursor });
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
    expect(() => pageOfList([1, 2], { limit: 1, cursor: 'bogus' })).toThrow(InvalidCursorError);
  });
});
