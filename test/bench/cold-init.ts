import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { cdkBundlingOptions, esbuildOptions, PROJECT_ROOT, type BundleStorage } from '../../lib/bundling';
import { catalogue, type FunctionSpec, type RouteSpec } from '../../lib/catalogue';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { ensureTable } from '../../shared/adapters/dynamodb/setup';
import { freshPostgres } from '../support/postgres';
import type { Benchmark, Figure } from './types';

const run = promisify(execFile);
/** Fresh processes per function; the figures are their medians. */
const RUNS = 7;
const USER = 'cold-init-user';
const say = (message: string) => process.stderr.write(`[cold-init] ${message}\n`);

/**
 * Each catalogue function's cold start: its deployed bundle (lib/bundling.ts, the options `cdk synth` uses, built
 * for DynamoDB storage, the default) with the files the catalogue packages beside it (`bundleFiles`), written where
 * Node finds the SDK parts the bundle leaves external (node_modules, as the Lambda runtime's SDK), imported by a
 * fresh Node process (no NODE_OPTIONS, as deployed), that then handles one real event against DynamoDB Local.
 * The functions deployed with Postgres storage only (the migration step, the outbox relay, the change-queue
 * consumers) are built for a PostgreSQL server (node-postgres, where the cloud's use the Data API) and run
 * against a fresh, migrated database on the machine's PostgreSQL. The figure is the time from the import's start
 * to the event's answer, in the child's own clock: what Lambda bills as init plus the first invocation, without
 * Node's own start. `StackFloor` (test/bench/fixtures/cold-init-floor.ts), measured the same way, is the stack's
 * own share: what a catalogue function takes beyond it is finagg's.
 *
 * The events are what a real client sends: an HTTP function gets an authenticated request (the JWT authorizer's
 * claims, as API Gateway passes them) to its first read route, so that it builds its store and makes its first
 * DynamoDB call (the child counts its HTTP requests, printed beside the status); a mock bank gets a data request
 * with a bearer token it must look up. Queue and stream functions get an empty batch; the schedule a tick whose
 * fan-out lists the (empty) table's active connections.
 */
interface Probe {
  route: RouteSpec;
  proxy?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Functions whose first read route is not the request worth measuring. */
const PROBES: Record<string, Omit<Probe, 'route'> & { routeKey?: string }> = {
  // Link's pages need no store; starting a link writes the link state (a DynamoDB put).
  Link: { routeKey: 'POST /auth/link-bank', body: { provider: 'bank_a' } },
  // Enrich has one route: categorize one raw transaction with the caller's rules (read from the store).
  Enrich: {
    body: {
      transactions: [
        { id: 't1', description: 'STARBUCKS STORE 1234 SEATTLE WA', amount: '-4.50', currency: 'USD' },
      ],
    },
  },
  MockBankA: { proxy: 'accounts', headers: { authorization: 'Bearer cold-init-token' } },
  MockBankB: { proxy: 'accounts', headers: { authorization: 'Bearer cold-init-token' } },
  MockBankC: { proxy: 'accounts', headers: { authorization: 'Bearer cold-init-token' } },
};

/** The reference: the least an HTTP function of this stack does (test/bench/fixtures/cold-init-floor.ts). */
const FLOOR: FunctionSpec = {
  name: 'StackFloor',
  description: 'middy + zod + one DynamoDB document-client query, no finagg code',
  entry: 'test/bench/fixtures/cold-init-floor.ts',
  routes: [{ method: 'GET', path: '/floor' }],
  grants: ['table:read'],
};

function probeFor(spec: FunctionSpec): Probe | undefined {
  const routes = spec.routes ?? [];
  if (!routes.length) return undefined;
  const override = PROBES[spec.name] ?? {};
  const route =
    routes.find((r) => `${r.method} ${r.path}` === override.routeKey) ??
    routes.find((r) => r.method === 'GET' && r.auth !== false) ??
    routes[0]!;
  return { route, ...override };
}

function httpEvent(probe: Probe): unknown {
  const { route } = probe;
  const proxy = probe.proxy ?? 'cold-init-probe';
  const path = route.path.replace('{proxy+}', proxy).replace(/\{[^}]+\}/g, 'x');
  const auth = route.auth !== false;
  const body = probe.body === undefined ? undefined : JSON.stringify(probe.body);
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      host: 'cold.test',
      'x-forwarded-proto': 'https',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth ? { authorization: 'Bearer verified-by-api-gateway' } : {}),
      ...probe.headers,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'cold',
      domainName: 'cold.test',
      domainPrefix: 'cold',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'cold-init',
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
      ...(auth
        ? {
            authorizer: {
              principalId: '',
              integrationLatency: 0,
              jwt: { claims: { sub: USER }, scopes: null },
            },
          }
        : {}),
    },
    pathParameters: Object.fromEntries(
      [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => [m[1]!, m[1] === 'proxy' ? proxy : 'x']),
    ),
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

function eventFor(spec: FunctionSpec): { event: unknown; label: string } {
  const probe = probeFor(spec);
  if (probe) {
    const label = `${probe.route.method} ${probe.route.path.replace('{proxy+}', probe.proxy ?? 'cold-init-probe')}`;
    return { event: httpEvent(probe), label };
  }
  if (spec.schedule)
    return {
      event: { version: '0', id: 'cold', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} },
      label: 'schedule tick',
    };
  if (spec.queue || spec.stream || spec.changes) return { event: { Records: [] }, label: 'empty batch' };
  // Operator-invoked (Replay): one user's replay.
  return { event: { user_ids: [USER] }, label: 'operator payload' };
}

/** The child: counts its outgoing HTTP requests, times the import and the first event, wall clock and CPU. */
const CHILD = `
import dc from 'node:diagnostics_channel';
let requests = 0;
dc.subscribe('http.client.request.start', () => { requests++; });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(process.env.COLD_BUNDLE);
const t1 = performance.now();
const context = { awsRequestId: 'cold-init', functionName: 'cold', getRemainingTimeInMillis: () => 30000 };
let ok = true;
let status;
try {
  const res = await mod[process.env.COLD_HANDLER](JSON.parse(process.env.COLD_EVENT), context);
  status = res && typeof res === 'object' ? res.statusCode : undefined;
} catch (err) { ok = false; status = String(err); }
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ importMs: t1 - t0, totalMs: t2 - t0, cpuMs: (cpu.user + cpu.system) / 1000, ok, status, requests }));
process.exit(0);
`;

interface Sample {
  importMs: number;
  totalMs: number;
  cpuMs: number;
  ok: boolean;
  status?: number | string;
  requests: number;
}

async function coldInit(
  spec: FunctionSpec,
  dir: string,
  env: Record<string, string>,
  storage: BundleStorage,
): Promise<{ figures: Figure[]; worstTotal: number }> {
  const outDir = join(dir, spec.name);
  mkdirSync(outDir, { recursive: true });
  await build({ ...esbuildOptions(spec.entry, storage), outfile: join(outDir, 'index.mjs'), write: true });
  const bundle = join(outDir, 'index.mjs');
  // What the deployment packages beside the bundle (the migration files, Swagger UI's assets), as cdk does.
  const hooks = cdkBundlingOptions(spec.bundleFiles).commandHooks;
  for (const command of hooks?.afterBundling(PROJECT_ROOT, outDir) ?? []) execFileSync('sh', ['-c', command]);
  const { event, label } = eventFor(spec);
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ...env,
        AWS_LAMBDA_FUNCTION_NAME: spec.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb ?? 512),
        COLD_BUNDLE: bundle,
        COLD_HANDLER: spec.handler ?? 'handler',
        COLD_EVENT: JSON.stringify(event),
      },
      maxBuffer: 1 << 20,
    });
    samples.push(JSON.parse(stdout.slice(stdout.lastIndexOf('{'))) as Sample);
  }
  const last = samples.at(-1)!;
  if (!last.ok || (typeof last.status === 'number' && last.status >= 500)) {
    throw new Error(`${spec.name} failed its cold-init event (${label}): ${String(last.status)}`);
  }
  const kib = Math.round((statSync(bundle).size / 1024) * 10) / 10;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const r = (n: number) => Math.round(n * 10) / 10;
  const total = r(median(samples.map((s) => s.totalMs)));
  say(
    `${spec.name.padEnd(18)} ${String(kib).padStart(6)} KiB  ${String(total).padStart(6)} ms  ` +
      `(${label} → ${String(last.status ?? 'ok')}, ${last.requests} HTTP request(s)` +
      `${storage === 'dynamodb' ? '' : `, storage ${storage}`})`,
  );
  return {
    worstTotal: total,
    figures: [
      { name: `cold-init ${spec.name}: import + first event`, value: total, unit: 'ms' },
      {
        name: `cold-init ${spec.name}: import`,
        value: r(median(samples.map((s) => s.importMs))),
        unit: 'ms',
      },
      {
        name: `cold-init ${spec.name}: CPU time, import + first event`,
        value: r(median(samples.map((s) => s.cpuMs))),
        unit: 'ms',
      },
      { name: `cold-init ${spec.name}: bundle`, value: kib, unit: 'KiB' },
    ],
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'cold-init',
    async run(): Promise<Figure[]> {
      const dir = join(PROJECT_ROOT, '.cache', 'cold-init');
      rmSync(dir, { recursive: true, force: true });
      const db = await startDynamoDbLocal();
      const tableName = `cold-${randomUUID().slice(0, 8)}`;
      const credentials = { accessKeyId: 'cold', secretAccessKey: 'cold' };
      const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
      // The Postgres-only functions' database, created when the catalogue has one.
      const pg = catalogue.some((s) => s.storage === 'postgres')
        ? await freshPostgres({ max: 1 })
        : undefined;
      try {
        await ensureTable(raw, tableName);
        // What the stack tells every function (lib/stack.ts), pointed at DynamoDB Local; credentials in the
        // environment, as Lambda gives them. STAGE local: the in-process queue and in-memory Redis ports.
        const env = {
          STAGE: 'local',
          LOG_LEVEL: 'SILENT',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          POWERTOOLS_SERVICE_NAME: 'finagg',
          // As deployed: no NODE_OPTIONS (none of the parent's, tsx's loader included).
          NODE_OPTIONS: '',
          TABLE_NAME: tableName,
          TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_SESSION_TOKEN: 'cold',
          AWS_ENDPOINT_URL: db.endpoint,
          AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        };
        const figures: Figure[] = [];
        let worstHttp = 0;
        // One at a time: the figure is a process starting alone, not several competing for the cores.
        // COLD_INIT_ONLY=Enrich,Rules: those functions only (a quicker look at a few).
        const only = process.env.COLD_INIT_ONLY?.split(',').filter(Boolean);
        for (const spec of catalogue.filter((s) => !only || only.includes(s.name))) {
          const postgres = spec.storage === 'postgres';
          const { figures: f, worstTotal } = await coldInit(
            spec,
            dir,
            postgres
              ? // The outbox relay sends nothing (an empty outbox), but needs its queues named.
                { ...env, STORAGE: 'postgres', DATABASE_URL: pg!.url!, CHANGES_QUEUE_URLS: 'local://changes' }
              : env,
            postgres ? 'postgres' : 'dynamodb',
          );
          figures.push(...f);
          if (spec.routes?.length) worstHttp = Math.max(worstHttp, worstTotal);
        }
        // The stack's floor, measured the same way: middy, zod and one document-client query, no finagg code.
        if (!only || only.includes(FLOOR.name)) {
          const { figures: f } = await coldInit(FLOOR, dir, env, 'dynamodb');
          figures.push(...f);
        }
        figures.push({
          name: 'cold-init slowest HTTP function: import + first event',
          value: worstHttp,
          unit: 'ms',
        });
        return figures;
      } finally {
        await pg?.drop();
        raw.destroy();
        await db.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
