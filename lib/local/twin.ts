import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { catalogue, type FunctionSpec } from '../catalogue';
import { ensureTable } from '../../shared/adapters/dynamodb/setup';
import { registerLocalQueue } from '../../shared/adapters/local/queue-registry';
import { resetConfig } from '../../shared/config';
import { USER_ID_PATTERN, USER_ID_RULE } from '../../shared/domain/user-id';
import { ROOT, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { answerClientError, LocalGateway, logged, type HttpLambda } from './gateway';
import { LocalIssuer } from './jwt';
import { LocalQueue, type QueueLambda } from './queue';
import { LocalScheduler, type ScheduledLambda } from './scheduler';
import { startUpstashBridge, type UpstashBridge } from './upstash-bridge';
import { eventPublisher, getRuntime, redisPorts, resetRuntime } from '../../shared/runtime';
import { setPgConnection } from '../../shared/runtime-postgres';
import { connectPglite, connectPostgres, type PgConnection } from '../../shared/adapters/postgres/db';
import { migrate } from '../../shared/adapters/postgres/migrate';
import { CategorizeBatch } from '../../shared/services/categorizer-processor';
import { processorSink } from '../../shared/services/change-consumers';
import { insightsBatch } from '../../shared/services/insights-processor';
import { CHANGE_CONSUMERS } from '../../shared/stream/consumers';
import { startOutboxFeed, type OutboxFeed } from './outbox-feed';
import { failLostSyncRuns } from '../../shared/services/sync-runs';
import { localEventPublisher } from '../../shared/adapters/memory/events';
import { StreamPoller, streamsClient, type StreamLambda } from './stream-poller';
import { TableCheckpoints } from './stream-checkpoints';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { lambdaContext } from './lambda-context';
import { ensureSandboxApplication, type SandboxCredentials } from './plaid-sandbox';

/** Where the twin keeps its data. */
export type TwinStorage = 'dynamodb' | 'postgres' | 'pglite';

export interface TwinOptions {
  port?: number;
  /**
   * DynamoDB Local (default), a PostgreSQL server (`databaseUrl`), or PGlite embedded in this process (in memory,
   * or under `dataDir`/pglite): neither Java nor a server.
   */
  storage?: TwinStorage;
  /** The PostgreSQL database of storage `postgres`. */
  databaseUrl?: string;
  /**
   * Storage `postgres`: this twin is the only process that runs syncs on that database (`--persist`), so a sync run
   * still `running` at start lost its worker (as with a data folder).
   */
  ownsDatabase?: boolean;
  /** Keep DynamoDB data and the signing key under this folder across restarts (default: in memory). */
  dataDir?: string;
  /** Use an already running DynamoDB instead of starting DynamoDB Local. */
  dynamoEndpoint?: string;
  tableName?: string;
  /** Override of every schedule's rate, in ms. */
  scheduleMs?: number;
  /** Disable the schedule timer (tests fire it explicitly). */
  schedule?: boolean;
  region?: string;
}

export interface Twin {
  url: string;
  port: number;
  storage: TwinStorage;
  /** Where the data is, in words (the start line). */
  where: string;
  /** DynamoDB storage: the endpoint and table. */
  dynamoEndpoint?: string;
  tableName: string;
  issuer: LocalIssuer;
  /** The Plaid sandbox application's credentials (lib/local/plaid-sandbox.ts). */
  plaidSandbox: SandboxCredentials;
  queues: Map<string, LocalQueue>;
  /** DynamoDB storage: the table stream's event sources. */
  poller?: StreamPoller;
  /** Postgres storage: the outbox relay to the processors. */
  outbox?: OutboxFeed;
  scheduler: LocalScheduler;
  /** Fires a scheduled function now. */
  fire(name: string): Promise<unknown>;
  /** Waits until queues and stream consumers have nothing left to do. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const DevTokenBody = z
  .object({
    user_id: z.string().regex(USER_ID_PATTERN, `must be ${USER_ID_RULE}`),
    expires_in: z.number().int().min(1).max(86_400).default(3600),
  })
  .strict();

async function load<T>(fn: FunctionSpec): Promise<T> {
  const mod = (await import(path.join(ROOT, fn.entry))) as Record<string, unknown>;
  const handler = mod[fn.handler ?? 'handler'];
  if (typeof handler !== 'function')
    throw new Error(`${fn.entry} does not export ${fn.handler ?? 'handler'}`);
  return handler as T;
}

/**
 * Starts the whole system on 127.0.0.1 from the catalogue: DynamoDB Local with the deployed table definition,
 * the API Gateway twin with the JWT authorizer, the stream event sources, the queues and the schedule.
 */
export async function startTwin(opts: TwinOptions = {}): Promise<Twin> {
  const region = opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const tableName = opts.tableName ?? process.env.TABLE_NAME ?? 'finagg-local';
  const storage = opts.storage ?? 'dynamodb';
  let ddb: DynamoDbLocal | undefined;
  let pgConn: PgConnection | undefined;
  let dynamoEndpoint: string | undefined;
  let where: string;
  if (storage === 'dynamodb') {
    dynamoEndpoint =
      opts.dynamoEndpoint ??
      (ddb = await startDynamoDbLocal({
        dataDir: opts.dataDir ? path.join(opts.dataDir, 'dynamodb') : undefined,
      })).endpoint;
    where = `DynamoDB at ${dynamoEndpoint}, table ${tableName}`;
  } else if (storage === 'pglite') {
    const dir = opts.dataDir ? path.join(opts.dataDir, 'pglite') : undefined;
    pgConn = await connectPglite(dir);
    where = `PGlite ${dir ? `in ${dir}` : 'in memory'}`;
  } else {
    if (!opts.databaseUrl)
      throw new Error('storage postgres needs a database URL (--database-url or DATABASE_URL)');
    pgConn = await connectPostgres(opts.databaseUrl);
    const u = new URL(opts.databaseUrl);
    where = `PostgreSQL at ${u.host}${u.pathname}`;
  }

  const server: Server = createServer();
  // Idle keep-alive connections stay open a minute (Node's default is 5 s). A client that was busy for more than 5 s
  // (a test computing what it expects) sends its next request on a pooled connection the twin has just closed, and
  // gets "other side closed" / ECONNRESET; API Gateway and load balancers keep idle connections longer too.
  server.keepAliveTimeout = 60_000;
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3000, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `http://127.0.0.1:${port}`;

  // Redis when configured (through a local Upstash REST bridge, so the real Upstash adapters run), else the
  // functions use in-memory locks and alert streams.
  let upstash: UpstashBridge | undefined;
  if (process.env.REDIS_URL && !process.env.UPSTASH_REDIS_REST_URL) {
    upstash = await startUpstashBridge({ redisUrl: process.env.REDIS_URL });
  }

  // The functions read the same variables in the cloud; here they point at the local services.
  Object.assign(process.env, {
    ...(upstash ? { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token } : {}),
    TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY ?? localTokenKey(opts.dataDir),
    MOCK_BANK_ADMIN_TOKEN: process.env.MOCK_BANK_ADMIN_TOKEN ?? 'local-admin',
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    ...(dynamoEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint } : {}),
    STORAGE: storage,
    ...(opts.databaseUrl && storage === 'postgres' ? { DATABASE_URL: opts.databaseUrl } : {}),
    TABLE_NAME: tableName,
    EVENT_BUS_NAME: process.env.EVENT_BUS_NAME ?? 'finagg-local',
    SYNC_QUEUE_URL: 'local://sync',
    PLAID_WEBHOOK_QUEUE_URL: 'local://plaid-webhooks',
    STAGE: 'local',
    PUBLIC_BASE_URL: url,
  });
  resetConfig();
  resetRuntime();

  let streamArn: string | undefined;
  if (dynamoEndpoint) {
    const admin = new DynamoDBClient({ endpoint: dynamoEndpoint, region });
    ({ streamArn } = await ensureTable(admin, tableName));
    admin.destroy();
  }
  if (pgConn) {
    // The schema the stack's migration step applies in the cloud, applied at every start (each file once).
    const applied = await migrate(pgConn);
    if (applied.length) console.error(`[storage] migrations applied: ${applied.join(', ')}`);
    setPgConnection(pgConn);
  }

  // The twin is the only process that runs its syncs: when it starts on data it owns, no worker of a run still
  // `running` survives (the process was killed mid-sync). Those runs end as failed now, not at their lease's end.
  const owned =
    storage === 'postgres' ? Boolean(opts.ownsDatabase) : Boolean(opts.dataDir && !opts.dynamoEndpoint);
  if (owned) {
    // (Before any schedule, queue or request can start a new one.)
    const lost = await failLostSyncRuns(getRuntime(), {
      workersGone: 'the local twin stopped while it ran (restarted)',
    });
    for (const r of lost)
      console.error(`[sync] run ${r.id} of connection ${r.connectionId}: worker lost (ended as failed)`);
  }

  // The Plaid surface's sandbox application (issue 15): what a Plaid client is configured with here.
  const plaidSandbox = await ensureSandboxApplication(getRuntime(), { dataDir: opts.dataDir });

  const issuer = await LocalIssuer.create({
    issuer: process.env.LOCAL_JWT_ISSUER ?? 'https://finagg.local/issuer',
    audience: process.env.LOCAL_JWT_AUDIENCE ?? 'finagg-api',
    keyFile: opts.dataDir ? path.join(opts.dataDir, 'jwt-key.json') : undefined,
  });

  const gateway = new LocalGateway(issuer, region);
  gateway.addLocalRoute('POST', '/dev/token', async (_req, body) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return problem(400, 'The request body is not valid JSON.');
    }
    const input = DevTokenBody.safeParse(parsed);
    if (!input.success) {
      return problem(
        400,
        'The request body is invalid.',
        input.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message })),
      );
    }
    const token = await issuer.issue(input.data.user_id, input.data.expires_in);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: input.data.expires_in }),
    };
  });
  gateway.addLocalRoute('GET', '/.well-known/jwks.json', async () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(issuer.jwks()),
  }));
  // The local event bus (what EventBridge receives in the cloud): `?detail_type=` filters.
  gateway.addLocalRoute('GET', '/dev/events', async (req) => {
    const wanted = new URL(req.url ?? '/', 'http://local').searchParams.get('detail_type');
    const events = localEventPublisher().events.filter((e) => !wanted || e.detailType === wanted);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    };
  });

  const queues = new Map<string, LocalQueue>();
  // When the data outlives this process (a data folder, or a DynamoDB we did not start), each stream consumer
  // resumes where its saved checkpoint says, as Lambda's event source mapping does; in memory, every start is a
  // fresh table and reading from TRIM_HORIZON is all there is.
  const durable = Boolean(opts.dataDir || opts.dynamoEndpoint);
  const checkpointDoc =
    dynamoEndpoint && streamArn ? createDocumentClient({ endpoint: dynamoEndpoint, region }) : undefined;
  const poller =
    dynamoEndpoint && streamArn
      ? new StreamPoller(streamsClient(dynamoEndpoint, region), streamArn, region, {
          startAt: 'TRIM_HORIZON',
          checkpoints:
            durable && checkpointDoc ? new TableCheckpoints(checkpointDoc, tableName, streamArn) : undefined,
        })
      : undefined;
  const scheduler = new LocalScheduler(region, opts.scheduleMs);
  const scheduled = new Map<string, { fn: FunctionSpec; handler: ScheduledLambda }>();

  // The functions of this storage kind (the table stream's consumers with DynamoDB; with Postgres storage the
  // cloud's outbox relay and change-queue consumers are played by the in-process relay below, and the migration
  // step by the migrate() above).
  const kind = storage === 'dynamodb' ? 'dynamodb' : 'postgres';
  const functions = catalogue.filter(
    (fn) =>
      (fn.storage ?? kind) === kind &&
      !fn.changes &&
      !fn.runOnDeploy &&
      !fn.nudgedByWriters &&
      !fn.grants.includes('changes:send'),
  );
  for (const fn of functions) {
    if (fn.routes?.length) gateway.addFunction(fn, await load<HttpLambda>(fn));
    if (fn.stream && poller) poller.addConsumer(fn, await load<StreamLambda>(fn));
    if (fn.queue) {
      let q = queues.get(fn.queue.name);
      if (!q) {
        q = new LocalQueue(fn.queue.name, region);
        queues.set(fn.queue.name, q);
        const queue = q;
        registerLocalQueue(fn.queue.name, (b) => queue.send(b));
      }
      q.setConsumer(fn, await load<QueueLambda>(fn));
    }
    if (!fn.routes?.length && !fn.stream && !fn.queue && !fn.schedule) {
      // An operator's function (no trigger): what `aws lambda invoke` does in the cloud.
      const handler = await load<(event: unknown, context: Context) => Promise<unknown>>(fn);
      gateway.addLocalRoute('POST', `/dev/invoke/${fn.name}`, async (_req, body) => {
        let payload: unknown;
        try {
          payload = JSON.parse(body.toString('utf8') || '{}');
        } catch {
          return problem(400, 'The payload is not valid JSON.');
        }
        try {
          const result = await handler(payload, lambdaContext(fn, region));
          return {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(result ?? null),
          };
        } catch (err) {
          return problem(500, `${fn.name} failed: ${(err as Error).message}`);
        }
      });
    }
    if (fn.schedule) {
      const handler = await load<ScheduledLambda>(fn);
      scheduled.set(fn.name, { fn, handler });
      if (opts.schedule !== false) scheduler.add(fn, handler);
    }
  }
  poller?.start();

  let outbox: OutboxFeed | undefined;
  if (pgConn) {
    const runtime = getRuntime();
    const { alerts } = await redisPorts();
    const deps = { store: runtime.store, clock: runtime.clock };
    const insights = { ...deps, sink: alerts, events: eventPublisher() };
    const sink = processorSink(
      [
        { name: 'Categorizer', filters: CHANGE_CONSUMERS.categorizer, unit: () => new CategorizeBatch(deps) },
        { name: 'Insights', filters: CHANGE_CONSUMERS.insights, unit: () => insightsBatch(insights) },
      ],
      (consumer, change, err) =>
        console.error(
          `[outbox] ${consumer}: change ${change.id} (${change.entity} of user ${change.userId}) failed: ` +
            `${(err as Error)?.message ?? String(err)}`,
        ),
    );
    outbox = await startOutboxFeed({
      conn: pgConn,
      databaseUrl: storage === 'postgres' ? opts.databaseUrl : undefined,
      sink,
      clock: runtime.clock,
      // The twin is its database's only relay: a short lease, so that a restart after a crash resumes soon; batches
      // as large as the Insights stream consumer's (a first sync's thousands of changes in a few passes).
      relay: { leaseMs: 15_000, batchSize: 500 },
    });
  }

  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    gateway.handle(req, res).catch((err: Error) => {
      console.error(`[gateway] unexpected failure: ${logged(err)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    storage,
    where,
    dynamoEndpoint,
    tableName,
    issuer,
    plaidSandbox,
    queues,
    poller,
    outbox,
    scheduler,
    fire(name) {
      const s = scheduled.get(name);
      if (!s) throw new Error(`No scheduled function named ${name}`);
      return scheduler.fire(s.fn, s.handler);
    },
    async settle(timeoutMs = 30_000) {
      for (let i = 0; i < 3; i++) {
        await Promise.all([...queues.values()].map((q) => q.drain(timeoutMs)));
        await new Promise((r) => setTimeout(r, 250));
        await poller?.drain(timeoutMs);
        await outbox?.drain(timeoutMs);
      }
    },
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await scheduler.stop();
        await Promise.all([...queues.values()].map((q) => q.stop()));
        await poller?.stop();
        await outbox?.stop();
        checkpointDoc?.destroy();
        await upstash?.stop();
        await ddb?.stop();
        if (pgConn) {
          setPgConnection(undefined);
          await pgConn.close();
        }
      })();
      return stopping;
    },
  };
}

/** The local AES key for bank tokens: random per run, or kept beside the data when persisting. */
function localTokenKey(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64');
  const file = path.join(dataDir, 'token-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

function problem(status: number, detail: string, errors?: { path: string; message: string }[]) {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: 'about:blank',
      title: status === 400 ? 'Bad Request' : 'Function error',
      status,
      detail,
      ...(errors ? { errors } : {}),
    }),
  };
}
