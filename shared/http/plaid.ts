import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import type { ZodType } from 'zod';
import { PlaidError, internalServerError, invalidField, missingFields } from '../domain/plaid/errors';
import { newRequestId } from '../domain/plaid/ids';
import type { PlaidApplication } from '../domain/plaid/models';
import { logger } from '../logger';
import { getRuntime } from '../runtime';
import { authenticate } from '../services/plaid/applications';
import { resolveItem, type ResolvedItem } from '../services/plaid/items';
import type { DocumentedSpec, HttpEvent, HttpResult } from './handler';
import { HttpProblem } from './problem';

/**
 * The middy pieces of the Plaid-compatible surface (`/plaid/...`), where every route is a POST of a JSON body
 * carrying the application's `client_id` and `secret` (or the `PLAID-CLIENT-ID` / `PLAID-SECRET` headers), and
 * every answer, success or error, carries a `request_id`. Errors are Plaid's error object (domain/plaid/errors.ts)
 * with Plaid's status codes, never problem+json: a validation failure is INVALID_FIELD / MISSING_FIELDS /
 * INVALID_BODY, bad credentials INVALID_API_KEYS, anything unexpected INTERNAL_SERVER_ERROR (logged, no detail).
 */

/**
 * What a Plaid route declares. Its success body's schema is not here: it is documentation and the e2e tests'
 * contract, never checked at run time, and lives in shared/http/plaid-responses.ts `PLAID_RESPONSES`, which no
 * Lambda bundles (the OpenAPI generator attaches it).
 */
export interface PlaidRouteSpec<B extends ZodType> {
  /** The request body's schema, without `client_id` and `secret` (the route adds and checks those). */
  body: B;
  /** One line for the OpenAPI document. */
  summary: string;
  /**
   * A request example for the document, without client_id and secret (the route adds them): the body schema must
   * accept it (`npm run openapi` checks).
   */
  example: { summary: string; value: Record<string, unknown> };
  /** The largest body the route takes (default 256 KB). */
  maxBodyBytes?: number;
}

export interface PlaidRequest<B> {
  body: B;
  /** The authenticated application. */
  app: PlaidApplication;
  requestId: string;
  event: HttpEvent;
  context: Context;
}

/** What a Plaid route's Lambda is: the handler, carrying its documented spec (read by the OpenAPI generator). */
export type PlaidRouteHandler = middy.MiddyfiedHandler<HttpEvent, HttpResult, Error, Context> & {
  readonly spec: DocumentedSpec;
};

const DEFAULT_MAX_BODY = 256 * 1024;

/** Placeholder credentials of the document's examples (the twin prints its sandbox application's). */
const EXAMPLE_CLIENT_ID = '5f2a9c0e7b1d4e3a8c6b9f01';
const EXAMPLE_SECRET = 'your-secret';

/** The request id of the current invocation, set first thing by the middleware. */
const REQUEST_ID = Symbol('plaidRequestId');
type WithRequestId = { [REQUEST_ID]?: string };

export function plaidJson(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Any error as Plaid's error object: PlaidError as is, the shared services' HttpProblem by status, else a 500. */
export function toPlaidError(error: unknown): PlaidError {
  if (error instanceof PlaidError) return error;
  if (error instanceof HttpProblem) {
    if (error.status === 429) return new PlaidError('RATE_LIMIT_EXCEEDED', error.message);
    if (error.status === 413) return new PlaidError('INVALID_BODY', error.message);
    if (error.status === 502 || error.status === 503 || error.status === 504)
      return new PlaidError('INSTITUTION_NOT_RESPONDING', error.message);
    if (error.status >= 400 && error.status < 500) return new PlaidError('INVALID_FIELD', error.message);
  }
  logger.error('Unhandled error', { error: error as Error });
  return internalServerError();
}

export function plaidErrorResponse(error: unknown, requestId: string): HttpResult {
  const e = toPlaidError(error);
  return plaidJson(e.status, e.toObject(requestId));
}

const plaidErrors = (): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    const requestId = (request.context as WithRequestId)[REQUEST_ID] ?? newRequestId();
    request.response = plaidErrorResponse(request.error, requestId);
  },
});

/** The body as a JSON object; INVALID_BODY when it is not one. */
export function parsePlaidBody(event: HttpEvent, maxBytes = DEFAULT_MAX_BODY): Record<string, unknown> {
  if (event.body === undefined || event.body === null || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new PlaidError('INVALID_BODY', `request body exceeds the limit of ${maxBytes} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PlaidError('INVALID_BODY', 'body could not be parsed as valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PlaidError('INVALID_BODY', 'body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** The request's client_id and secret: the body's, else the PLAID-CLIENT-ID / PLAID-SECRET headers. */
export function plaidCredentials(
  event: HttpEvent,
  body: Record<string, unknown>,
): { clientId: string; secret: string } {
  const header = (name: string) => {
    const headers = event.headers ?? {};
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    return key ? headers[key] : undefined;
  };
  const clientId: unknown = body.client_id ?? header('plaid-client-id');
  const secret: unknown = body.secret ?? header('plaid-secret');
  const missing = [
    clientId === undefined ? 'client_id' : null,
    secret === undefined ? 'secret' : null,
  ].filter((f): f is string => f !== null);
  if (missing.length) throw missingFields(missing);
  if (typeof clientId !== 'string') throw invalidField('client_id must be a string');
  if (typeof secret !== 'string') throw invalidField('secret must be a string');
  return { clientId, secret };
}

/** The body validated by its schema: MISSING_FIELDS for absent required fields, else INVALID_FIELD naming each. */
export function validatePlaidBody<S extends ZodType>(schema: S, body: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined) missing.push(path);
    else invalid.push(`${path || 'body'}: ${issue.message}`);
  }
  if (missing.length) throw missingFields([...new Set(missing)]);
  throw invalidField(invalid.join('; '));
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The fields every Plaid request may carry, for the OpenAPI document (the headers are the other way). */
const CREDENTIALS = {
  client_id: z.string().optional().describe('Your client_id (or the PLAID-CLIENT-ID header).'),
  secret: z.string().optional().describe('Your secret (or the PLAID-SECRET header).'),
};

/**
 * One route of the Plaid surface: Powertools logging, the body parsed and its credentials checked
 * (INVALID_API_KEYS), the rest validated with `spec.body`, and the answer (`fn`'s object) sent with a
 * `request_id`. Errors become Plaid's error object.
 */
export function plaidRoute<B extends ZodType>(
  spec: PlaidRouteSpec<B>,
  fn: (req: PlaidRequest<z.output<B>>) => Promise<Record<string, unknown>>,
): PlaidRouteHandler {
  const core = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const requestId = newRequestId();
    (context as WithRequestId)[REQUEST_ID] = requestId;
    const raw = parsePlaidBody(event, spec.maxBodyBytes ?? DEFAULT_MAX_BODY);
    const { clientId, secret } = plaidCredentials(event, raw);
    const { store, clock } = getRuntime();
    const app = await authenticate({ store, clock }, clientId, secret);
    const { client_id: _c, secret: _s, ...rest } = raw;
    const body = validatePlaidBody(spec.body, rest);
    const out = await fn({ body, app, requestId, event, context });
    return plaidJson(200, { ...out, request_id: requestId });
  };
  const documentedBody =
    spec.body instanceof z.ZodObject ? (spec.body as z.ZodObject).extend(CREDENTIALS) : spec.body;
  const documented: DocumentedSpec = {
    body: documentedBody,
    summary: spec.summary,
    maxBodyBytes: spec.maxBodyBytes ?? DEFAULT_MAX_BODY,
    auth: false,
    plaid: true,
    example: {
      summary: spec.example.summary,
      value: { client_id: EXAMPLE_CLIENT_ID, secret: EXAMPLE_SECRET, ...spec.example.value },
    },
  };
  const handler = middy<HttpEvent, HttpResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(plaidErrors());
  return Object.assign(handler.handler(core), { spec: documented });
}

/** The item of a request's access token (see services/plaid/items.ts `resolveItem` for the errors it throws). */
export function itemOfAccessToken(
  app: PlaidApplication,
  accessToken: string,
  opts: { allowLoginRequired?: boolean } = {},
): Promise<ResolvedItem> {
  return resolveItem(getRuntime().store, app, accessToken, opts);
}

/** Zod pieces every Plaid schema uses. */
export const AccessToken = z.string().min(1).max(200).describe('The access token of an item.');
