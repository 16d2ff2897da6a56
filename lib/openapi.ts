import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ZodType } from 'zod';
import type { DocumentedSpec } from '../shared/http/handler';
import { buildOpenApi, type OpenApiDocument, type Operation } from '../shared/http/openapi';
import { REQUEST_EXAMPLES } from '../shared/http/request-examples';
import { PLAID_RESPONSES } from '../shared/http/plaid-responses';
import { RESPONSES } from '../shared/http/responses';
import { catalogue } from './catalogue';
import { ROOT } from './local/dynamodb-local';

/** Where the generated document lives: bundled into the Docs function, checked for drift by the tests. */
export const OPENAPI_FILE = path.join(ROOT, 'shared', 'http', 'openapi.json');

type Documented = { spec?: DocumentedSpec; routes?: Record<string, { spec?: DocumentedSpec }> };

/**
 * Every public API route of the catalogue (not the $default catch-all, not the mock banks) with its handler's spec
 * and its response schema (shared/http/responses.ts and shared/http/plaid-responses.ts, kept out of the Lambdas).
 */
export async function collectOperations(): Promise<Operation[]> {
  const operations: Operation[] = [];
  const responses = allResponses();
  for (const fn of catalogue) {
    const routes = (fn.routes ?? []).filter(
      (r) => r.path !== '$default' && !r.path.startsWith('/mock-banks/'),
    );
    if (!routes.length) continue;
    const mod = (await import(pathToFileURL(path.join(ROOT, fn.entry)).href)) as Record<string, unknown>;
    const handler = mod[fn.handler ?? 'handler'] as Documented | undefined;
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      if (handler?.routes && !handler.routes[key]) throw new Error(`${fn.entry} has no route ${key}`);
      let spec = handler?.routes ? handler.routes[key]?.spec : handler?.spec;
      const response = responses.get(key);
      responses.delete(key);
      if (response) spec = { ...spec, response };
      operations.push({
        method: route.method,
        path: route.path,
        auth: route.auth ?? true,
        spec,
        fallbackSummary: fn.description,
      });
    }
  }
  if (responses.size) throw new Error(`response schemas of no documented route: ${[...responses.keys()]}`);
  return operations;
}

/** Every route's response schema by route key: finagg's and the Plaid surface's; a key in both is an error. */
function allResponses(): Map<string, ZodType> {
  const both = Object.keys(PLAID_RESPONSES).filter((key) => Object.hasOwn(RESPONSES, key));
  if (both.length)
    throw new Error(`response schemas declared twice (responses.ts, plaid-responses.ts): ${both}`);
  return new Map([...Object.entries(RESPONSES), ...Object.entries(PLAID_RESPONSES)]);
}

export async function generateOpenApi(version: string): Promise<OpenApiDocument> {
  const operations = await collectOperations();
  for (const key of Object.keys(REQUEST_EXAMPLES))
    if (!operations.some((op) => `${op.method} ${op.path}` === key && op.spec?.body))
      throw new Error(`shared/http/request-examples.ts: ${key} is not a route that takes a body`);
  return buildOpenApi(
    operations,
    {
      version,
      description:
        'Link bank accounts, read normalized accounts and transactions, correct them, and get categories, budgets, ' +
        'alerts and anomalies. Generated from the zod schemas the handlers validate with; see API.md for conventions.',
    },
    REQUEST_EXAMPLES,
  );
}

/** The file's text: stable key order and a trailing newline, as Prettier leaves JSON. */
export function serialize(doc: OpenApiDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
