import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptions, PROJECT_ROOT } from '../../lib/bundling';
import { catalogue, type FunctionSpec } from '../../lib/catalogue';
import type { Benchmark, Figure } from './types';

const run = promisify(execFile);
/** Fresh processes per function; the figure is their median. */
const RUNS = 5;

/**
 * Each catalogue function's cold start: its deployed bundle (lib/bundling.ts), written where Node finds the AWS
 * SDK the Lambda runtime ships (node_modules), imported by a fresh Node process that then handles one event. The
 * figure is the time from the import's start to the event's answer, in the child's own clock: what Lambda bills
 * as init plus the first invocation, without Node's own start. The events touch no network: an HTTP function
 * gets a request without a token (401) or to an unknown bank path (404); queue and stream functions an empty
 * batch; the schedule an event whose DynamoDB call is refused at once.
 */
function eventFor(spec: FunctionSpec): unknown {
  const route = spec.routes?.[0];
  if (route) {
    const path = route.path.replace('{proxy+}', 'cold-init-probe').replace(/\{[^}]+\}/g, 'x');
    return {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: path,
      rawQueryString: '',
      headers: { host: 'cold.test', 'x-forwarded-proto': 'https' },
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
      },
      pathParameters: Object.fromEntries(
        [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => [
          m[1]!,
          m[1] === 'proxy' ? 'cold-init-probe' : 'x',
        ]),
      ),
      isBase64Encoded: false,
    };
  }
  if (spec.schedule)
    return { version: '0', id: 'cold', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
  return { Records: [] };
}

const CHILD = `
const t0 = performance.now();
const mod = await import(process.env.COLD_BUNDLE);
const t1 = performance.now();
const context = { awsRequestId: 'cold-init', functionName: 'cold', getRemainingTimeInMillis: () => 30000 };
let ok = true;
try { await mod[process.env.COLD_HANDLER](JSON.parse(process.env.COLD_EVENT), context); } catch { ok = false; }
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, totalMs: t2 - t0, ok }));
process.exit(0);
`;

async function coldInit(spec: FunctionSpec, dir: string): Promise<Figure[]> {
  const outDir = join(dir, spec.name);
  mkdirSync(outDir, { recursive: true });
  await build({
    ...esbuildOptions(spec.entry),
    outfile: join(outDir, 'index.mjs'),
    write: true,
  });
  const bundle = join(outDir, 'index.mjs');
  const samples: { importMs: number; totalMs: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        COLD_BUNDLE: bundle,
        COLD_HANDLER: spec.handler ?? 'handler',
        COLD_EVENT: JSON.stringify(eventFor(spec)),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'cold',
        AWS_SECRET_ACCESS_KEY: 'cold',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_MAX_ATTEMPTS: '1',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        LOG_LEVEL: 'SILENT',
      },
      maxBuffer: 1 << 20,
    });
    samples.push(JSON.parse(stdout.slice(stdout.lastIndexOf('{'))) as { importMs: number; totalMs: number });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const r = (n: number) => Math.round(n * 10) / 10;
  return [
    {
      name: `cold-init ${spec.name}: import + first event`,
      value: r(median(samples.map((s) => s.totalMs))),
      unit: 'ms',
    },
    { name: `cold-init ${spec.name}: import`, value: r(median(samples.map((s) => s.importMs))), unit: 'ms' },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'cold-init',
    async run(): Promise<Figure[]> {
      const dir = join(PROJECT_ROOT, '.cache', 'cold-init');
      rmSync(dir, { recursive: true, force: true });
      const figures: Figure[] = [];
      // One at a time: the figure is a process starting alone, not several competing for the cores.
      for (const spec of catalogue) figures.push(...(await coldInit(spec, dir)));
      rmSync(dir, { recursive: true, force: true });
      return figures;
    },
  },
];
