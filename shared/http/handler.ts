import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { z, ZodType } from 'zod';
import { isUserId } from '../domain/user-id';
import { logger } from '../logger';
import { InvalidCursorError } from '../ports/store';
import { HttpProblem, badRequest, problemResponse, unauthorized, zodFieldErrors } from './problem';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

type Out<S> = S extends ZodType ? z.output<S> : undefined;

export interface RouteSpec<
  B extends ZodType | undefined,
  Q extends ZodType | undefined,
  P extends ZodType | undefined,
> {
  /** zod schema of the JSON body; when set, the body is required and must be JSON (unless `bodyOptional`). */
  body?: B;
  /**
   * The body may be left out (no body, or an empty one): the route then validates `{}` against `body`. A body
   * that is there must still be JSON.
   */
  bodyOptional?: boolean;
  /** zod schema of the query string parameters. */
  query?: Q;
  /** zod schema of the path parameters. */
  path?: P;
  /** whether the route needs a verified JWT (default true). */
  auth?: boolean;
  /**
   * The largest request body the route takes, in bytes (default DEFAULT_MAX_BODY_BYTES): a larger one is a 413
   * before it is parsed. API Gateway itself refuses bodies over its 10 MB payload limit.
   */
  maxBodyBytes?: number;
  /** One line for the OpenAPI document (shared/http/openapi.ts). */
  summary?: string;
  /** The status of a successful answer, for the OpenAPI document (default 200). */
  status?: number;
  /** The media type of a successful answer, for the OpenAPI document (default application/json). */
  produces?: 'application/json' | 'text/html' | 'text/css' | 'text/javascript';
  /**
   * A route of the Plaid-compatible surface (shared/http/plaid.ts): authenticated by an application's client_id
   * and secret, answering Plaid's error object rather than problem+json. For the OpenAPI document.
   */
  plaid?: boolean;
  /** The route's request example for the document (else shared/http/request-examples.ts has it). */
  example?: { summary: string; value: unknown };
}

/**
 * What the OpenAPI document reads off a route: its schemas and summary, and the zod schema of the body of a
 * successful JSON answer. Routes do not declare that one (it is documentation and the e2e tests' contract, never
 * checked at run time): the generator takes it from shared/http/responses.ts `RESPONSES` (Plaid's, from
 * shared/http/plaid-responses.ts), which no Lambda bundles.
 */
export type DocumentedSpec = RouteSpec<ZodType | undefined, ZodType | undefined, ZodType | undefined> & {
  response?: ZodType;
};

/** A route's Lambda handler, carrying the spec it validates with (read by the OpenAPI generator). */
export type RouteHandler = HttpHandler & { readonly spec: DocumentedSpec };

export interface RouteRequest<B, Q, P> {
  body: B;
  query: Q;
  path: P;
  /** The caller: the verified JWT's `sub`. Empty string on public routes. */
  userId: string;
  event: HttpEvent;
  context: Context;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function html(statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

/** The largest request body a route takes unless it says otherwise (`maxBodyBytes`). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function bodyBytes(event: HttpEvent): number {
  if (event.body === undefined || event.body === null) return 0;
  return event.isBase64Encoded
    ? Buffer.byteLength(event.body, 'base64')
    : Buffer.byteLength(event.body, 'utf8');
}

/** Refuses a body over the route's limit with 413, before it is parsed. */
const bodyLimit = (max: number): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  before: async (request) => {
    if (bodyBytes(request.event) > max) {
      throw new HttpProblem(413, `The request body exceeds this route's limit of ${max} bytes.`);
    }
  },
});

function validate<S extends ZodType | undefined>(
  schema: S | undefined,
  value: unknown,
  location: string,
): Out<S> {
  if (!schema) return undefined as Out<S>;
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw badRequest(`The request ${location} is invalid.`, zodFieldErrors(result.error, location));
  }
  const nul = nulAt(result.data, location);
  if (nul) {
    throw badRequest(`The request ${location} is invalid.`, [
      { path: nul, message: 'must not contain the NUL character (U+0000)' },
    ]);
  }
  return result.data as Out<S>;
}

/**
 * Where a string of the input holds U+0000, if anywhere. No id, name or text of the API has one, and PostgreSQL
 * text cannot store one (DynamoDB can): refused as a 400 in every storage mode, before any store call.
 */
function nulAt(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = nulAt(v, `${at}.${i}`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nulAt(v, `${at}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Maps every error to application/problem+json; unexpected ones are logged and answered 500 without details. */
const problemErrors = (): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    const error = request.error as (Error & { statusCode?: number; cause?: { package?: string } }) | null;
    let problem: HttpProblem;
    if (error instanceof HttpProblem) {
      problem = error;
    } else if (error instanceof InvalidCursorError) {
      problem = badRequest(error.message, [{ path: 'query.cursor', message: error.message }]);
    } else if (error?.cause?.package === '@middy/http-json-body-parser') {
      problem =
        error.statusCode === 415 && !/malformed/i.test(error.message)
          ? new HttpProblem(415, 'The request body must be application/json.')
          : badRequest(
              request.event.body === undefined
                ? 'A JSON request body is required.'
                : 'The request body is not valid JSON.',
            );
    } else {
      logger.error('Unhandled error', { error: error as Error });
      problem = new HttpProblem(500, 'An unexpected error occurred. It has been logged.');
    }
    request.response = problemResponse(problem);
  },
});

/**
 * The one handler convention for HTTP routes: Powertools logging with the request id, CORS, JSON body parsing,
 * zod validation of body/query/path, the caller from the verified JWT, and errors as problem+json.
 */
export function httpRoute<
  B extends ZodType | undefined = undefined,
  Q extends ZodType | undefined = undefined,
  P extends ZodType | undefined = undefined,
>(
  spec: RouteSpec<B, Q, P>,
  fn: (req: RouteRequest<Out<B>, Out<Q>, Out<P>>) => Promise<HttpResult>,
): middy.MiddyfiedHandler<HttpEvent, HttpResult, Error, Context> & { readonly spec: DocumentedSpec } {
  const needsAuth = spec.auth ?? true;
  const core = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const claims = event.requestContext.authorizer?.jwt?.claims;
    const sub = typeof claims?.sub === 'string' ? claims.sub : '';
    if (needsAuth && !sub) throw unauthorized();
    // A verified token whose subject is not a user id this API can have (too long for a store key, or with
    // characters keys are built with): the token names no caller, so 401 (not 400: no change to the request
    // can fix it), before any store call.
    if (needsAuth && !isUserId(sub)) throw unauthorized("The token's subject is not a valid user id.");
    return fn({
      body: validate(spec.body, event.body, 'body'),
      query: validate(spec.query, event.queryStringParameters, 'query'),
      path: validate(spec.path, event.pathParameters, 'path'),
      userId: sub,
      event,
      context,
    });
  };

  const handler = middy<HttpEvent, HttpResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpCors({ origin: process.env.CORS_ORIGIN ?? '*', headers: 'authorization,content-type' }))
    .use(problemErrors())
    .use(bodyLimit(spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
  if (spec.body) {
    const parser = httpJsonBodyParser({ disableContentTypeError: false });
    handler.use(
      spec.bodyOptional
        ? {
            before: async (request: middy.Request<HttpEvent, HttpResult, Error, Context>) => {
              if (bodyBytes(request.event)) return parser.before?.(request);
              request.event.body = undefined; // left out: validated as {}
            },
          }
        : parser,
    );
  }
  return Object.assign(handler.handler(core), { spec: spec as DocumentedSpec });
}
