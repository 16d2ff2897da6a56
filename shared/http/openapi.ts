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
  requestBody?: { required: true; content: { 'application/json': { schema: JsonSchema } } };
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

export function buildOpenApi(
  operations: readonly Operation[],
  info: { version: string; description: string },
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
    if (spec.body || spec.query || spec.path) responses['400'] = problemResponse('The request is invalid.');
    if (op.auth) responses['401'] = problemResponse('The bearer token is missing or not valid.');
    if (hasPathId) responses['404'] = problemResponse("No such resource (or another user's).");
    const parameterList = [...parameters(spec.path, 'path'), ...parameters(spec.query, 'query')];
    const operation: OperationObject = {
      operationId: operationId(op.method, op.path),
      summary: spec.summary ?? op.fallbackSummary,
      tags: [tag],
      ...(op.auth ? {} : { security: [] }),
      ...(parameterList.length ? { parameters: parameterList } : {}),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: inputSchema(spec.body) } },
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
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: PROBLEM },
    },
  };
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A self-contained HTML page of the document (no scripts, no CDN): one section per operation. */
export function renderDocsHtml(doc: OpenApiDocument): string {
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td>` +
            `<td><code>${escape(JSON.stringify(p.schema))}</code></td></tr>`,
        )
        .join('');
      const [successCode, success] = Object.entries(op.responses).find(([c]) => c.startsWith('2')) ?? [];
      const answer = success?.content?.['application/json']?.schema;
      sections.push(
        `<section id="${escape(op.operationId)}"><h3><span class="m">${method.toUpperCase()}</span> ` +
          `<code>${escape(path)}</code>${op.security ? ' <small>(public)</small>' : ''}</h3>` +
          `<p>${escape(op.summary)}</p>` +
          (params
            ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params}</table>`
            : '') +
          (op.requestBody
            ? `<p>Request body (application/json):</p><pre>${escape(
                JSON.stringify(op.requestBody.content['application/json'].schema, null, 2),
              )}</pre>`
            : '') +
          (answer && Object.keys(answer).length
            ? `<p>Response body (${successCode}, application/json):</p><pre>${escape(
                JSON.stringify(answer, null, 2),
              )}</pre>`
            : '') +
          `<p>Responses: ${Object.entries(op.responses)
            .map(([code, r]) => `<b>${code}</b> ${escape(r.description)}`)
            .join(' · ')}</p></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}
section{border-top:1px solid #ddd;padding:.5em 0}.m{display:inline-block;min-width:4.5em;color:#0b5}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
pre{background:#f6f6f6;padding:.5em;overflow:auto}</style></head><body>
<h1>${escape(doc.info.title)} <small>${escape(doc.info.version)}</small></h1>
<p>${escape(doc.info.description)}</p>
<p>The machine-readable contract: <a href="openapi.json">openapi.json</a> (OpenAPI ${doc.openapi}).</p>
${sections.join('\n')}
</body></html>`;
}
