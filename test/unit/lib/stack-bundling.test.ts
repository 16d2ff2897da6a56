import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../../lib/catalogue';
import { LAMBDA_INIT, PROJECT_ROOT, type BundleStorage } from '../../../lib/bundling';
import { BUNDLE, cdkBundlingOptions, esbuildOptions, LAMBDA_RUNTIME } from '../../../lib/stack';
import { PG_ADMIN_URL } from '../../support/postgres';

const dir = mkdtempSync(join(tmpdir(), 'finagg-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Bundles with the stack's options into a folder of its own (index.mjs and its map, as in the deployment package),
 * where nothing from node_modules can be resolved.
 */
async function bundle(entry: string, name: string, storage?: BundleStorage): Promise<string> {
  const result = await build({ ...esbuildOptions(entry, storage), write: false });
  const out = join(dir, name);
  mkdirSync(out);
  for (const f of result.outputFiles) writeFileSync(join(out, basename(f.path)), f.contents);
  return join(out, 'index.mjs');
}

/** Invokes the bundle's handler in a fresh Node.js process, as Lambda would: plain Node ESM, no test runner. */
function invoke(file: string, event: unknown = {}, env: Record<string, string> = {}): unknown {
  const script = [
    `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    `const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 10000 };`,
    `process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, context)));`,
  ].join('\n');
  const stdout = execFileSync(
    process.execPath,
    // As deployed: no --enable-source-maps (lib/bundling.ts LAMBDA_INIT maps stacks when one is printed).
    ['--input-type=module', '-e', script],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'SILENT', ...env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as unknown;
}

describe('Lambda bundling (lib/bundling.ts)', () => {
  it('gives NodejsFunction and the benchmark the same options', () => {
    const cdk = cdkBundlingOptions();
    const es = esbuildOptions('functions/http/health.ts');
    expect(cdk.forceDockerBundling).toBe(false);
    expect(cdk.format).toBe(OutputFormat.ESM);
    expect(es.format).toBe('esm');
    expect(es.outfile).toBe('index.mjs'); // what NodejsFunction names an ESM bundle
    expect(cdk.target).toBe(es.target);
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${String(BUNDLE.target).replace('node', '')}.x`);
    expect([cdk.minify, es.minify]).toEqual([true, true]);
    expect([cdk.sourceMap, es.sourcemap]).toEqual([true, true]);
    expect(cdk.sourcesContent).toBe(es.sourcesContent);
    expect(cdk.externalModules).toEqual(es.external);
    expect(cdk.externalModules).toContain('@aws-sdk/client-kms');
    expect(cdk.externalModules).not.toContain('@aws-sdk/client-dynamodb');
    expect(cdk.mainFields).toEqual(es.mainFields);
    expect(cdk.banner).toBe(es.banner?.js);
    expect(cdk.inject).toEqual(es.inject);
    expect(cdk.inject).toEqual([join(PROJECT_ROOT, LAMBDA_INIT)]);
  });

  it('prints stack traces at their source positions without --enable-source-maps, from the map beside the bundle', async () => {
    const file = await bundle('test/support/bundles/throws.ts', 'throws');
    const { stack } = invoke(file) as { stack: string };
    const lines = stack.split('\n');
    expect(lines[0]).toBe('Error: failed: on purpose');
    expect(lines[1]).toMatch(/^ {4}at \S+ \(test\/support\/bundles\/throws\.ts:3:10\)$/);
    expect(lines[2]).toMatch(/^ {4}at \S+ \(test\/support\/bundles\/throws\.ts:7:19\)$/);
    // Without its map (a package built without one), the bundled positions, as Node prints them.
    rmSync(`${file}.map`);
    const bare = (invoke(file) as { stack: string }).stack.split('\n');
    expect(bare[0]).toBe('Error: failed: on purpose');
    expect(bare[1]).toMatch(new RegExp(`\\(${pathToFileURL(file).href}:\\d+:\\d+\\)$`));
  });

  it('produces an ESM bundle of a real handler that runs on its own', async () => {
    const file = await bundle('functions/http/health.ts', 'health');
    const event = {
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        http: {
          method: 'GET',
          path: '/health',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'test',
        },
        requestId: 'r1',
        routeKey: 'GET /health',
        stage: '$default',
      },
    };
    const res = invoke(file, event) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('builds each storage\u2019s bundle with only that storage\u2019s adapter and drivers (BundleStorage)', async () => {
    /** The packages and the adapter folders a built bundle holds (its metafile's inputs with bytes in it). */
    const contents = async (entry: string, storage?: BundleStorage) => {
      const result = await build({ ...esbuildOptions(entry, storage), write: false, metafile: true });
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)!;
      const held = new Set<string>();
      for (const [file, input] of Object.entries(output.inputs)) {
        if (!input.bytesInOutput) continue;
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
        held.add(pkg ?? (/^shared\/adapters\/[^/]+/.exec(file)?.[0] || file));
      }
      return held;
    };
    const postgres = ['pg', 'pg-protocol', '@electric-sql/pglite', 'drizzle-orm', '@aws-sdk/client-rds-data'];
    // A function with a store (Accounts) and one that reaches Postgres state itself (a mock bank).
    for (const entry of ['functions/http/accounts.ts', 'functions/banks/bank_a.ts']) {
      const dynamo = await contents(entry, 'dynamodb');
      expect(dynamo).toContain('shared/adapters/dynamodb');
      for (const held of [...postgres, 'shared/adapters/postgres']) expect(dynamo).not.toContain(held);
      const aurora = await contents(entry, 'aurora');
      for (const held of ['drizzle-orm', '@aws-sdk/client-rds-data', 'shared/adapters/postgres'])
        expect(aurora).toContain(held);
      for (const held of ['pg', 'pg-protocol', '@electric-sql/pglite']) expect(aurora).not.toContain(held);
      // Unbundled-like (no storage): STORAGE picks at run time, so everything but PGlite's WASM build (the
      // twin's, loaded on first use) is there.
      const any = await contents(entry);
      for (const held of ['pg', 'drizzle-orm', '@aws-sdk/client-rds-data']) expect(any).toContain(held);
    }
  }, 180_000);

  it('copies the catalogue\u2019s bundleFiles into the package: the Docs function serves Swagger UI from there', async () => {
    const docs = catalogue.find((f) => f.name === 'Docs')!;
    const file = await bundle(docs.entry, 'docs');
    const hooks = cdkBundlingOptions(docs.bundleFiles).commandHooks!;
    for (const command of hooks.afterBundling(PROJECT_ROOT, dirname(file)))
      execFileSync('sh', ['-c', command]);
    const get = (path: string) =>
      invoke(file, {
        version: '2.0',
        routeKey: `GET ${path}`,
        rawPath: path,
        rawQueryString: '',
        headers: {},
        isBase64Encoded: false,
        requestContext: {
          http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
          requestId: 'r1',
          routeKey: `GET ${path}`,
          stage: '$default',
        },
      }) as { statusCode: number; headers: Record<string, string>; body: string };
    // The bundle's folder is outside the repository: nothing resolves from node_modules there.
    const css = get('/docs/swagger-ui.css');
    expect([css.statusCode, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    expect(css.body).toContain('.swagger-ui');
    const js = get('/docs/swagger-ui-bundle.js');
    expect([js.statusCode, js.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(js.body).toContain('SwaggerUIBundle');
    expect(get('/docs').body).toContain('docs/swagger-ui-bundle.js');
  });

  it('lets bundled CommonJS call require (the banner) and leaves the SDK clients loaded on first use external', async () => {
    writeFileSync(join(dir, 'dep.cjs'), "module.exports = require('node:path').posix.join('a', 'b');");
    writeFileSync(
      join(dir, 'entry.ts'),
      [
        "import joined from './dep.cjs';",
        "export const sdk = () => import('@aws-sdk/client-kms');",
        'export const handler = async () => joined;',
      ].join('\n'),
    );
    const file = await bundle(join(dir, 'entry.ts'), 'cjs');
    expect(invoke(file)).toBe('a/b');
    expect(readFileSync(file, 'utf8')).toMatch(/import\(\s*["']@aws-sdk\/client-kms["']\s*\)/);
  });

  it('packages the migration step with its migration files; the package migrates a fresh database, once', async () => {
    const spec = catalogue.find((f) => f.runOnDeploy)!;
    expect(spec.name).toBe('Migrate');
    // Built for a PostgreSQL server (node-postgres), where the stack builds it for the Data API.
    const file = await bundle(spec.entry, 'migrate', 'postgres');
    const out = dirname(file);
    for (const command of cdkBundlingOptions(spec.bundleFiles).commandHooks!.afterBundling(PROJECT_ROOT, out))
      execFileSync('sh', ['-c', command]);
    const sources = readdirSync(join(PROJECT_ROOT, 'shared/adapters/postgres/migrations'))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(sources.length).toBeGreaterThan(0);
    expect(readdirSync(join(out, 'migrations')).sort()).toEqual(sources);
    // The Lambda runtime provides the AWS SDK v3 (external to every bundle); nothing else resolves here.
    mkdirSync(join(out, 'node_modules'));
    symlinkSync(join(PROJECT_ROOT, 'node_modules/@aws-sdk'), join(out, 'node_modules/@aws-sdk'));

    // The same handler the deploy trigger invokes, on the machine's PostgreSQL instead of the Data API.
    const name = `finagg_test_migrate_${process.pid}_${Date.now()}`;
    const adminQuery = async (statement: string) => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    await adminQuery(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${name}`;
      const env = { STORAGE: 'postgres', DATABASE_URL: url.toString() };
      const first = invoke(file, {}, env) as { applied: string[]; known: string[] };
      expect(first.known).toEqual(sources.map((f) => f.replace(/\.sql$/, '')));
      expect(first.applied).toEqual(first.known);
      const again = invoke(file, {}, env) as { applied: string[]; known: string[] };
      expect(again.applied).toEqual([]);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }, 120_000);
});
