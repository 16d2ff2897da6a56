import * as z from 'zod';
import type { ZodType } from 'zod';
import type { DocumentedSpec } from './handler';

/**
 * The OpenAPI 3.1 document of the public API, built from the zod schemas each route validates with (API.md: "the
 * OpenAPI document the project generates from its zod schemas is the full contract"). Pure: `bin/openapi.ts` feeds
 * it the catalogue's routes and the handlers' specs and writes shared/http/openapi.json, which the Docs function
 * serves at `GET /openapi.json` and renders at `GET /docs`.
 */

export interface Operation {
  method: string;
  /** API Gateway path template: `/transactions/{id}`. */
  path: string;
  /** Behind the JWT authorizer. */
  auth: boolean;
  /** What the route validates (absent for a route whose handler declares nothing). */
  spec?: DocumentedSpec;
  /** The function's description in the catalogue, when the route has no summary of its own. */
  fallbackSummary: string;
}

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  security: Record<string, string[]>[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OperationObject>>;
  components: { securitySchemes: Record<string, JsonSchema>; schemas: Record<string, JsonSchema> };
}

export interface OperationObject {
  operationId: string;
  summary: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: {
    name: string;
    in: 'path' | 'query';
    required: boolean;
    description?: string;
    schema: JsonSchema;
  }[];
  requestBody?: {
    required: true;
    content: {
      'application/json': {
        schema: JsonSchema;
        examples?: Record<string, { summary: string; value: unknown }>;
      };
    };
  };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
}

const PROBLEM: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json).',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'For validation failures: each invalid field and what is wrong with it.',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemRef } },
});

/** Plaid's error object (shared/domain/plaid/errors.ts): every error of the `/plaid` surface. */
const PLAID_ERROR: JsonSchema = {
  type: 'object',
  description: "Plaid's error object (application/json), with a request_id.",
  required: ['error_type', 'error_code', 'error_message', 'display_message', 'request_id'],
  properties: {
    error_type: { type: 'string' },
    error_code: { type: 'string' },
    error_code_reason: { type: ['string', 'null'] },
    error_message: { type: 'string' },
    display_message: { type: ['string', 'null'] },
    request_id: { type: 'string' },
    causes: { type: 'array', items: {} },
    status: { type: 'integer' },
    documentation_url: { type: 'string' },
    suggested_action: { type: ['string', 'null'] },
  },
};

const plaidErrorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/PlaidError' } } },
});

/**
 * The Plaid surface's authentication: an application's client_id and secret, in the PLAID-CLIENT-ID and
 * PLAID-SECRET headers (as the official client's `baseOptions.headers`) or in the body (`client_id`, `secret`).
 */
const PLAID_SECURITY_SCHEMES: Record<string, JsonSchema> = {
  plaidClientId: {
    type: 'apiKey',
    in: 'header',
    name: 'PLAID-CLIENT-ID',
    description: "The application's client_id (or `client_id` in the body).",
  },
  plaidSecret: {
    type: 'apiKey',
    in: 'header',
    name: 'PLAID-SECRET',
    description: "The application's secret (or `secret` in the body).",
  },
};
const PLAID_SECURITY = [{ plaidClientId: [], plaidSecret: [] }];

const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

function jsonSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** JSON Schema of what a client sends (the schema's input side), without the draft marker. */
export function inputSchema(schema: ZodType): JsonSchema {
  return jsonSchema(schema, 'input');
}

/** JSON Schema of what a route answers (the schema's output side), without the draft marker. */
export function outputSchema(schema: ZodType): JsonSchema {
  return jsonSchema(schema, 'output');
}

/** The schema of a successful answer's body: text for a page, the route's response schema, or anything. */
function successSchema(spec: DocumentedSpec): JsonSchema {
  if (spec.produces && spec.produces !== 'application/json') return { type: 'string' };
  return spec.response ? outputSchema(spec.response) : {};
}

function parameters(
  schema: ZodType | undefined,
  where: 'path' | 'query',
): NonNullable<OperationObject['parameters']> {
  if (!schema) return [];
  const json = inputSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** `GET /transactions/{id}/audit` → `getTransactionsIdAudit`. */
export function operationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => segment.replace(/[{}+]/g, '').split(/[-_]/));
  return method.toLowerCase() + words.map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : '')).join('');
}

/** A request example for the document: the route's body schema must accept it. */
export interface RequestExample {
  summary: string;
  value: unknown;
}

function checkedExample(key: string, body: ZodType, example: RequestExample): RequestExample {
  const parsed = body.safeParse(example.value);
  if (!parsed.success)
    throw new Error(
      `the request example of ${key} does not match its body schema:\n${z.prettifyError(parsed.error)}`,
    );
  return example;
}

export function buildOpenApi(
  operations: readonly Operation[],
  info: { version: string; description: string },
  /** Request examples by `METHOD /path` (shared/http/request-examples.ts), each checked against the body schema. */
  examples: Readonly<Record<string, RequestExample>> = {},
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  const sorted = [...operations].sort(
    (a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
  );
  for (const op of sorted) {
    const tag = op.path.split('/').filter(Boolean)[0] ?? 'root';
    tags.add(tag);
    const spec = op.spec ?? {};
    const status = spec.status ?? 200;
    const hasPathId = op.path.includes('{');
    const responses: OperationObject['responses'] = {
      [String(status)]:
        status === 204
          ? { description: SUCCESS[status]! }
          : {
              description: SUCCESS[status] ?? 'OK',
              content: { [spec.produces ?? 'application/json']: { schema: successSchema(spec) } },
            },
    };
    if (spec.plaid) {
      // The Plaid surface answers Plaid's error object, with Plaid's status codes.
      responses['400'] = plaidErrorResponse(
        'A Plaid error: INVALID_REQUEST (INVALID_FIELD, MISSING_FIELDS, INVALID_BODY), INVALID_INPUT ' +
          '(INVALID_API_KEYS, INVALID_ACCESS_TOKEN ...), ITEM_ERROR (ITEM_LOGIN_REQUIRED, ITEM_NOT_FOUND ...).',
      );
      responses['429'] = plaidErrorResponse('RATE_LIMIT_EXCEEDED.');
      responses['500'] = plaidErrorResponse('API_ERROR INTERNAL_SERVER_ERROR.');
    } else {
      if (spec.body || spec.query || spec.path) responses['400'] = problemResponse('The request is invalid.');
      if (op.auth) responses['401'] = problemResponse('The bearer token is missing or not valid.');
      if (hasPathId) responses['404'] = problemResponse("No such resource (or another user's).");
    }
    const parameterList = [...parameters(spec.path, 'path'), ...parameters(spec.query, 'query')];
    const key = `${op.method} ${op.path}`;
    const given = examples[key] ?? spec.example;
    const example = spec.body && given ? checkedExample(key, spec.body, given) : undefined;
    const operation: OperationObject = {
      operationId: operationId(op.method, op.path),
      summary: spec.summary ?? op.fallbackSummary,
      tags: [tag],
      ...(spec.plaid ? { security: PLAID_SECURITY } : op.auth ? {} : { security: [] }),
      ...(parameterList.length ? { parameters: parameterList } : {}),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: inputSchema(spec.body),
                  ...(example ? { examples: { example } } : {}),
                },
              },
            },
          }
        : {}),
      responses,
    };
    (paths[op.path] ??= {})[op.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Personal-finance aggregation API', ...info },
    servers: [{ url: '/', description: 'This deployment (API Gateway HTTP API, or the local twin)' }],
    security: [{ bearer: [] }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        ...(sorted.some((op) => op.spec?.plaid) ? PLAID_SECURITY_SCHEMES : {}),
      },
      schemas: {
        Problem: PROBLEM,
        ...(sorted.some((op) => op.spec?.plaid) ? { PlaidError: PLAID_ERROR } : {}),
      },
    },
  };
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The files of the /docs page besides the page itself, served by the Docs function at `GET /docs/<name>`: Swagger
 * UI's browser bundle and stylesheet from the npm package `swagger-ui-dist` (no CDN), and the page's own script.
 */
export const DOCS_ASSETS = {
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript' },
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css' },
  'docs.js': { type: 'text/javascript' },
} as const;

/**
 * The /docs page's script: Swagger UI over this deployment's own `openapi.json`, with "Try it out" against the
 * API's own base URL (whatever host and stage the page is served from) and the bearer scheme's Authorize dialog,
 * where a user pastes a token (kept across reloads).
 */
export const DOCS_SCRIPT = `(async () => {
  const base = new URL('.', location.href).href.replace(/\\/$/, '');
  const res = await fetch(base + '/openapi.json');
  const spec = await res.json();
  spec.servers = [{ url: base, description: 'This deployment' }];
  window.ui = SwaggerUIBundle({
    spec,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
`;

/**
 * The /docs page: Swagger UI (its assets at `docs/<name>`, relative, so the page works under any stage path) over
 * `openapi.json`; a link to the document for readers without JavaScript.
 */
export function renderDocsHtml(doc: OpenApiDocument): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)} ${escape(doc.info.version)}</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<style>body{margin:0}</style></head><body>
<noscript><p>${escape(doc.info.title)}: this page needs JavaScript; the contract is
<a href="openapi.json">openapi.json</a> (OpenAPI ${doc.openapi}).</p></noscript>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/docs.js"></script>
</body></html>
`;
}
