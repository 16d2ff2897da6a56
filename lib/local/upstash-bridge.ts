import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis, type ChainableCommander } from 'ioredis';

/**
 * A local stand-in for Upstash's REST endpoint: a real HTTP server on 127.0.0.1 that speaks Upstash's REST
 * protocol and forwards every command to a real Redis (ioredis), so `@upstash/redis` and `@upstash/lock` run
 * unchanged against local Redis in the twin and in integration tests.
 *
 * What it implements (https://upstash.com/docs/redis/features/restapi, and what @upstash/redis 1.39 sends):
 * - `POST /` with a JSON array command → `{"result": …}`, or HTTP 400 `{"error": "ERR …"}`.
 * - `POST /pipeline` with an array of commands → `[{"result": …} | {"error": …}, …]`, in order, not atomic.
 * - `POST /multi-exec` likewise inside MULTI/EXEC (atomic); a transaction discarded as a whole (EXECABORT: a
 *   command rejected when queued) is HTTP 400 with one `{"error"}`.
 * - Path-style commands (`GET|POST /set/foo/bar?EX=100`, a POST body appended as the last argument).
 * - `Authorization: Bearer <token>` or `?_token=`; anything else is HTTP 401.
 * - `Upstash-Encoding: base64` (the client's default): every string in the result is base64 of the raw bytes,
 *   except a bare "OK". Without it, strings are UTF-8 (invalid bytes become U+FFFD).
 * Not implemented: the SSE endpoints (/monitor, /subscribe), `Upstash-Response-Format: resp2`, read-your-writes
 * sync tokens (one local Redis is always consistent). Commands that would change the shared connection's state
 * (SELECT, MULTI, WATCH, SUBSCRIBE, …) are refused; blocking commands run on a connection of their own.
 */
export interface UpstashBridgeOptions {
  /** The Redis to forward to, e.g. redis://127.0.0.1:6379/0 (the database number selects the DB). */
  redisUrl: string;
  /** The bearer token clients must present. Default: a random one (returned). */
  token?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Largest request body accepted. Default 10 MiB. */
  maxBodyBytes?: number;
}

export interface UpstashBridge {
  /** The REST URL to give @upstash/redis (UPSTASH_REDIS_REST_URL). */
  url: string;
  /** The token to give @upstash/redis (UPSTASH_REDIS_REST_TOKEN). */
  token: string;
  stop(): Promise<void>;
}

type Arg = string;
type Command = [string, ...Arg[]];
type JsonValue = string | number | null | JsonValue[];
type Outcome = { result: JsonValue } | { error: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Commands that would change or hijack the state of the shared connection. */
const REFUSED = new Set([
  'select',
  'multi',
  'exec',
  'discard',
  'watch',
  'unwatch',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'monitor',
  'quit',
  'reset',
  'hello',
  'auth',
  'client',
  'shutdown',
  'sync',
  'psync',
  'replicaof',
  'slaveof',
]);

const BLOCKING = new Set([
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'wait',
  'waitaof',
]);

function isBlocking([name, ...args]: Command): boolean {
  const lower = name.toLowerCase();
  if (BLOCKING.has(lower)) return true;
  return (lower === 'xread' || lower === 'xreadgroup') && args.some((a) => a.toLowerCase() === 'block');
}

function refusal(name: string): string | null {
  return REFUSED.has(name.toLowerCase()) ? `ERR Command is not available: '${name}'` : null;
}

/** Redis URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable Redis URL>';
  }
}

export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const redis = new Redis(options.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 5000,
    enableAutoPipelining: false,
  });
  // Without a listener ioredis prints every reconnection error; requests still fail with the error itself.
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => (firstError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const reason = (firstError ?? (error as Error)).message;
    throw new Error(
      `Upstash bridge: Redis is not reachable at ${redactUrl(options.redisUrl)} (${reason}). ` +
        'Start Redis (e.g. `redis-server --daemonize yes`) or point REDIS_URL at one.',
      { cause: error },
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      send(res, status, { error: status === 500 ? `ERR bridge: ${message}` : message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://bridge.local');
    if (!['GET', 'POST', 'PUT', 'HEAD'].includes(req.method ?? '')) {
      throw new HttpError(405, 'ERR method not allowed: use POST');
    }
    authorize(req, url);
    const format = header(req, 'upstash-response-format');
    if (format && format.toLowerCase() !== 'json') {
      throw new HttpError(400, `ERR response format '${format}' is not supported by the local bridge`);
    }
    const base64 = header(req, 'upstash-encoding')?.toLowerCase() === 'base64';
    const body = await readBody(req, maxBodyBytes);
    const encode = (reply: unknown) => toJson(reply, base64);

    if (url.pathname === '/pipeline' || url.pathname === '/multi-exec') {
      const commands = parseCommands(parseJson(body));
      const outcomes =
        url.pathname === '/pipeline'
          ? await runPipeline(commands, encode)
          : await runTransaction(commands, encode);
      send(res, 200, outcomes);
      return;
    }
    const command = url.pathname === '/' ? parseCommand(parseJson(body)) : pathCommand(url, body);
    const outcome = await runOne(command, encode);
    send(res, 'error' in outcome ? 400 : 200, outcome);
  }

  /** A connection of its own for a blocking command, so it does not stall everyone else's. */
  function dedicated(): Redis {
    const connection = redis.duplicate();
    connection.on('error', () => {});
    return connection;
  }

  function authorize(req: IncomingMessage, url: URL): void {
    const auth = header(req, 'authorization');
    const presented = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? url.searchParams.get('_token') ?? '';
    const a = Buffer.from(presented);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new HttpError(401, 'Unauthorized: invalid or missing auth token');
    }
  }

  async function runOne(command: Command, encode: (reply: unknown) => JsonValue): Promise<Outcome> {
    const refused = refusal(command[0]);
    if (refused) return { error: refused };
    const connection = isBlocking(command) ? dedicated() : redis;
    try {
      return { result: encode(await connection.callBuffer(...command)) };
    } catch (error) {
      return { error: replyError(error) };
    } finally {
      if (connection !== redis) connection.disconnect();
    }
  }

  async function runPipeline(commands: Command[], encode: (reply: unknown) => JsonValue): Promise<Outcome[]> {
    const outcomes: (Outcome | undefined)[] = commands.map((c) => {
      const refused = refusal(c[0]);
      return refused ? { error: refused } : undefined;
    });
    const runnable = commands.map((c, i) => ({ c, i })).filter(({ i }) => outcomes[i] === undefined);
    if (runnable.length > 0) {
      const connection = runnable.some(({ c }) => isBlocking(c)) ? dedicated() : redis;
      try {
        const pipeline = connection.pipeline();
        for (const { c } of runnable) pipeline.callBuffer(...c);
        const replies = await execChain(pipeline);
        runnable.forEach(({ i }, k) => {
          const reply = replies[k];
          if (reply) outcomes[i] = outcome(reply, encode);
        });
      } finally {
        if (connection !== redis) connection.disconnect();
      }
    }
    return outcomes.map((o) => o ?? { error: 'ERR bridge: no reply' });
  }

  async function runTransaction(
    commands: Command[],
    encode: (reply: unknown) => JsonValue,
  ): Promise<Outcome[]> {
    for (const [name] of commands) {
      const refused = refusal(name);
      if (refused) throw new HttpError(400, refused);
    }
    const multi = redis.multi();
    for (const c of commands) multi.callBuffer(...c);
    let replies: [Error | null, unknown][];
    try {
      replies = await execChain(multi);
    } catch (error) {
      // EXECABORT: a command was rejected when queued (unknown, wrong arity); nothing ran.
      const previous = (error as { previousErrors?: Error[] }).previousErrors ?? [];
      const reasons = previous.map((e) => e.message.trim()).join('; ');
      throw new HttpError(400, reasons ? `${(error as Error).message} ${reasons}` : replyError(error));
    }
    return replies.map((reply) => outcome(reply, encode));
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    token,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function execChain(chain: ChainableCommander): Promise<[Error | null, unknown][]> {
  const replies = await chain.exec();
  if (!replies) throw new Error('transaction aborted');
  return replies;
}

function outcome([error, reply]: [Error | null, unknown], encode: (reply: unknown) => JsonValue): Outcome {
  return error ? { error: replyError(error) } : { result: encode(reply) };
}

/** A Redis error reply's text ("ERR …", "WRONGTYPE …"), as Upstash returns it. */
function replyError(error: unknown): string {
  if (error instanceof Error) {
    return error.name === 'ReplyError' ? error.message : `ERR bridge: ${error.message}`;
  }
  return `ERR ${String(error)}`;
}

/** A RESP2 reply (Buffers from callBuffer) as Upstash's JSON: strings, integers, null, nested arrays. */
function toJson(reply: unknown, base64: boolean): JsonValue {
  if (reply === null || reply === undefined) return null;
  if (Buffer.isBuffer(reply)) {
    if (!base64) return reply.toString('utf8');
    return reply.length === 2 && reply.toString('latin1') === 'OK' ? 'OK' : reply.toString('base64');
  }
  if (typeof reply === 'string') return toJson(Buffer.from(reply), base64);
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint') return Number(reply);
  if (Array.isArray(reply)) return reply.map((r) => toJson(r, base64));
  // An error nested in an array reply (e.g. in a script's table): its text, as a string.
  if (reply instanceof Error) return toJson(Buffer.from(reply.message), base64);
  // Should ioredis still reshape a reply into an object (field → value), give Redis's flat array back.
  if (typeof reply === 'object')
    return Object.entries(reply).flatMap(([k, v]) => [toJson(k, base64), toJson(v, base64)]);
  return toJson(Buffer.from(String(reply)), base64);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new HttpError(400, `ERR max request size exceeded: limit is ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(body: string): unknown {
  if (body.trim() === '') throw new HttpError(400, 'ERR empty request body: send a JSON array command');
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new HttpError(400, 'ERR failed to parse the request body as JSON');
  }
}

/** `["SET", "k", "v", "EX", 100]` → strings (numbers and booleans as their text, like Upstash). */
function parseCommand(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, 'ERR the command must be a non-empty JSON array: ["COMMAND", "arg", ...]');
  }
  const [name, ...args] = value as unknown[];
  if (typeof name !== 'string' || name === '')
    throw new HttpError(400, 'ERR the command name must be a string');
  return [
    // Redis ignores the case of command names; ioredis does not: it reshapes some replies by lower-case name
    // (HGETALL into an object). Upper case keeps every reply as Redis sent it.
    name.toUpperCase(),
    ...args.map((arg, i) => {
      if (typeof arg === 'string') return arg;
      if (typeof arg === 'number' && Number.isFinite(arg)) return String(arg);
      if (typeof arg === 'boolean') return String(arg);
      throw new HttpError(
        400,
        `ERR argument ${i + 1} of '${name}' must be a string or a number, got ${JSON.stringify(arg)}`,
      );
    }),
  ];
}

function parseCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(
      400,
      'ERR the body must be a non-empty JSON array of commands: [["SET", "k", "v"], ...]',
    );
  }
  return value.map((c) => parseCommand(c));
}

/** `/set/foo/bar?EX=100` → SET foo bar EX 100; a POST body is the last argument before the query's. */
function pathCommand(url: URL, body: string): Command {
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  if (body !== '') segments.push(body);
  for (const [key, value] of url.searchParams) {
    if (key === '_token') continue;
    segments.push(key);
    if (value !== '') segments.push(value);
  }
  return parseCommand(segments);
}
