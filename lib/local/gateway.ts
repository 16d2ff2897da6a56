import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { compilePath, type FunctionSpec, type RouteSpec } from '../catalogue';
import { invokeWithTimeout, lambdaContext } from './lambda-context';
import type { LocalIssuer } from './jwt';

export type HttpLambda = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<unknown>;

interface CompiledRoute {
  route: RouteSpec;
  fn: FunctionSpec;
  handler: HttpLambda;
  match: (path: string) => Record<string, string> | null;
}

/** API Gateway's payload limit for HTTP APIs (10 MB); functions may set a smaller one per route. */
export const MAX_BODY = 10 * 1024 * 1024;
/** How much more of a refused request's body the twin reads (and drops) so that the client sees the answer. */
const DRAIN_LIMIT = 2 * MAX_BODY;
const TEXTUAL = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml|javascript)|text\/)/i;

/** Most specific first, as API Gateway picks routes: more literal segments win, greedy paths lose. */
function specificity(path: string): number[] {
  const segments = path.split('/').filter(Boolean);
  const literal = segments.filter((s) => !s.startsWith('{')).length;
  const greedy = segments.some((s) => s.endsWith('+}')) ? 0 : 1;
  return [greedy, literal, segments.length];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (b[i] ?? 0) - (a[i] ?? 0);
  return 0;
}

/** Sorts path templates most specific first: the first one that matches a path is the route API Gateway picks. */
export function bySpecificity(a: string, b: string): number {
  return compare(specificity(a), specificity(b));
}

function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

/**
 * Answers a request that is refused before its body is read (too large, an undecodable path). The rest of the
 * body is read and dropped, never kept, so that the client, still sending, gets the answer instead of a reset;
 * a client that sends more than DRAIN_LIMIT after that is cut off.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
): void {
  if (!req.complete) {
    let drained = 0;
    req.removeAllListeners('data');
    req.on('data', (c: Buffer) => {
      drained += c.length;
      if (drained > DRAIN_LIMIT) req.destroy();
    });
    req.on('error', () => undefined);
    req.resume();
  }
  problem(res, status, title, detail);
}

/**
 * The server's `clientError` listener: a request Node cannot parse (a request line and headers over its 16 KB
 * limit, API Gateway's is 10 KB; a malformed request line) is answered with problem+json like every other refusal
 * (431, or 400), instead of Node's bare status line.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, title, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request line and headers are too large.']
      : [400, 'Bad Request', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** An error as one bounded log entry: its stack (or message), at most 4,000 characters. */
export function logged(err: unknown): string {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return text.length > 4000 ? `${text.slice(0, 4000)}…[${text.length - 4000} more characters]` : text;
}

/** Whether the path's percent-encoding decodes (API Gateway decodes the path before it picks a route). */
function decodablePath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * The local API Gateway (HTTP API, payload format 2.0): routes each request to the catalogue function API
 * Gateway would pick, runs the JWT authorizer on protected routes, hands the handler a v2 event and writes
 * its result back as HTTP.
 */
export class LocalGateway {
  private routes: CompiledRoute[] = [];
  private fallback: { fn: FunctionSpec; handler: HttpLambda } | undefined;
  private readonly extra = new Map<string, (req: IncomingMessage, body: Buffer) => Promise<LocalResponse>>();

  constructor(
    private readonly issuer: LocalIssuer,
    private readonly region: string,
  ) {}

  addFunction(fn: FunctionSpec, handler: HttpLambda): void {
    for (const route of fn.routes ?? []) {
      if (route.path === '$default') {
        this.fallback = { fn, handler };
        continue;
      }
      this.routes.push({
        route,
        fn,
        handler,
        match: compilePath(route.path),
      });
    }
    this.routes.sort((a, b) => bySpecificity(a.route.path, b.route.path));
  }

  /** Twin-only endpoints that are not Lambda functions (the local token issuer and its JWKS). */
  addLocalRoute(
    method: string,
    path: string,
    fn: (req: IncomingMessage, body: Buffer) => Promise<LocalResponse>,
  ) {
    this.extra.set(`${method} ${path}`, fn);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    // A path that is not valid percent-encoding (`/budgets/%`) names no route: API Gateway decodes the path
    // before routing and refuses what does not decode, before any function runs. The twin answers 400.
    if (!decodablePath(url.pathname)) {
      return refuse(req, res, 400, 'Bad Request', 'The request path is not valid percent-encoding.');
    }
    // Over API Gateway's payload limit: 413, without reading the body when its length is declared.
    const tooLarge = () => refuse(req, res, 413, 'Payload Too Large', 'The request body exceeds 10 MB.');
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return tooLarge();
    const body = await readBody(req);
    if (body === null) return tooLarge();

    const local = this.extra.get(`${method} ${url.pathname}`);
    if (local) {
      const out = await local(req, body);
      res.writeHead(out.status, out.headers);
      res.end(out.body);
      return;
    }

    let target: { fn: FunctionSpec; handler: HttpLambda; routeKey: string; params?: Record<string, string> };
    let auth = false;
    const hit = this.routes
      .filter((r) => r.route.method === method)
      .map((r) => ({ r, params: r.match(url.pathname) }))
      .find((x) => x.params !== null);
    if (hit) {
      target = {
        fn: hit.r.fn,
        handler: hit.r.handler,
        routeKey: `${method} ${hit.r.route.path}`,
        params: hit.params!,
      };
      auth = hit.r.route.auth ?? true;
    } else if (method === 'OPTIONS') {
      // API Gateway answers CORS preflight for HTTP APIs configured with CORS.
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
        'access-control-allow-headers': 'authorization,content-type',
      });
      res.end();
      return;
    } else if (this.fallback) {
      target = { ...this.fallback, routeKey: '$default' };
    } else {
      return problem(res, 404, 'Not Found', `No route matches ${method} ${url.pathname}.`);
    }

    const headers = lowerHeaders(req);
    let claims: Record<string, string | number | boolean | string[]> | undefined;
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
      const verified = m ? await this.issuer.verify(m[1]!) : null;
      if (!verified) return problem(res, 401, 'Unauthorized', 'A valid bearer token is required.');
      claims = verified as Record<string, string | number | boolean | string[]>;
    }

    const now = new Date();
    const textual = TEXTUAL.test(headers['content-type'] ?? 'application/json');
    const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
      version: '2.0',
      routeKey: target.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      cookies: headers.cookie ? headers.cookie.split(/;\s*/) : undefined,
      headers,
      queryStringParameters: queryParams(url),
      pathParameters: target.params && Object.keys(target.params).length ? target.params : undefined,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? '127.0.0.1',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: target.routeKey,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
      },
      body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
      isBase64Encoded: body.length > 0 && !textual,
      stageVariables: undefined,
    } as APIGatewayProxyEventV2WithJWTAuthorizer;
    if (!auth) delete (event.requestContext as { authorizer?: unknown }).authorizer;

    let result: APIGatewayProxyResultV2;
    try {
      const ctx = lambdaContext(target.fn, this.region);
      result = (await invokeWithTimeout(target.fn, () =>
        target.handler(event, ctx),
      )) as APIGatewayProxyResultV2;
    } catch (err) {
      // The stack, bounded: never the error's own properties whole (a URL error carries the whole input).
      console.error(`[gateway] ${target.fn.name} failed: ${logged(err)}`);
      return problem(res, 500, 'Internal Server Error', 'The function failed.');
    }
    writeResult(res, result);
    if (process.env.TWIN_LOG_REQUESTS === '1') {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(`[gateway] ${method} ${url.pathname} -> ${res.statusCode} ${ms.toFixed(1)}ms`);
    }
  }
}

export interface LocalResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The request body, or null as soon as it grows past MAX_BODY (a chunked body of undeclared length). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The headers as API Gateway passes them: lower-case names, repeated ones joined with commas (own properties only). */
function lowerHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers)
      .filter((e): e is [string, string | string[]] => e[1] !== undefined)
      .map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]),
  );
}

/** API Gateway joins repeated query parameters with commas. */
function queryParams(url: URL): Record<string, string> | undefined {
  // Object.fromEntries defines own properties: a parameter named `__proto__` stays a parameter (as in the JSON event
  // the cloud delivers) instead of setting the object's prototype.
  const out = Object.fromEntries(
    [...new Set(url.searchParams.keys())].map((key) => [key, url.searchParams.getAll(key).join(',')]),
  );
  return Object.keys(out).length ? out : undefined;
}

/** The v2 response rules: a structured result is used as is; anything else becomes a 200 JSON body. */
function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
    if (result.cookies?.length) headers['set-cookie'] = result.cookies;
    res.writeHead(result.statusCode ?? 200, headers);
    const body = result.body ?? '';
    res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(typeof result === 'string' ? result : JSON.stringify(result));
}
