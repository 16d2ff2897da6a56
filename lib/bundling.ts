import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Lambda is bundled, in ONE place: the stack (lib/constructs/catalogue-function.ts) turns it into
 * NodejsFunction bundling options and the bundle-size benchmark (test/bench/bundle-size.ts) into esbuild options,
 * so the size the benchmark reports is the size that is deployed.
 */

/** The repository root (this file lives in lib/). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda runtime's Node.js major version; the stack picks the matching `nodejsNN.x` runtime. */
export const NODE_MAJOR = 22;

/**
 * ESM bundles of CommonJS dependencies call `require` for Node built-ins; ESM has no `require`, so every bundle
 * starts by creating one. The import is aliased so that it cannot collide with a bundled `createRequire`.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __finaggCreateRequire } from 'node:module'; const require = __finaggCreateRequire(import.meta.url);";

/**
 * What every bundle runs before its own modules (esbuild `inject`): stack traces mapped to the sources when one is
 * printed (shared/stack-trace.ts). The functions run without `--enable-source-maps`: it parses a bundle's whole
 * source map at every cold start (20-70 ms here), where this reads it only when a stack is printed.
 */
export const LAMBDA_INIT = 'shared/lambda-init.ts';

export const BUNDLE = {
  target: `node${NODE_MAJOR}`,
  format: 'esm',
  minify: true,
  sourceMap: true,
  /** Stack traces only need the mappings: leaving the sources out keeps the deployment package small. */
  sourcesContent: false,
  /**
   * What stays out of the bundle and is loaded from the AWS SDK v3 the Node.js Lambda runtime ships: only the SDK
   * parts the code imports on first use (`await import(...)`), never at cold start. Everything a function imports
   * statically is bundled, the DynamoDB client included: one minified, tree-shaken ESM file starts far faster than
   * the runtime's CommonJS SDK (hundreds of files resolved, read and compiled one by one), and parsing the clients
   * a function only needs on rare paths (KMS, SQS, EventBridge, Secrets Manager) would cost every cold start.
   * The credential providers past the environment one are external too: Lambda gives a function its credentials
   * in the environment, the first provider of the default chain; the others (SSO, ini files, web identity,
   * container and instance metadata, with the STS/SSO clients they use) are imported by the chain only when the
   * environment has none, as on a developer's machine, where they resolve from node_modules.
   */
  external: [
    '@aws-sdk/client-kms',
    '@aws-sdk/client-sqs',
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-dynamodb-streams',
    '@aws-sdk/client-lambda',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/credential-provider-http',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/nested-clients',
    '@aws-sdk/token-providers',
    '@smithy/credential-provider-imds',
  ],
  /** Prefer packages' ESM builds (better tree-shaking), fall back to CommonJS. */
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  inject: [resolve(PROJECT_ROOT, LAMBDA_INIT)],
} as const;

/**
 * The storage a bundle is built for: `process.env.FINAGG_BUNDLE_STORAGE` becomes that constant in the bundle
 * (esbuild `define`), and the code branches on it (shared/runtime.ts storeFromEnv, shared/adapters/postgres/db.ts
 * connectFromEnv): esbuild drops every other storage's branch with what it imports. A `dynamodb` bundle holds no
 * PostgreSQL adapter, drizzle or driver; an `aurora` one the adapter, drizzle and the Data API client, no
 * node-postgres or PGlite. The stack builds for its storage (`-c storage`); `postgres` (node-postgres) is for
 * running a bundle on a PostgreSQL server (the benchmarks, the packaging tests). Without it (undefined), every
 * storage stays reachable and STORAGE picks one at run time, as in the twin and the tests.
 */
export type BundleStorage = 'dynamodb' | 'aurora' | 'postgres';

export const BUNDLE_STORAGE_DEFINE = 'process.env.FINAGG_BUNDLE_STORAGE';

function storageDefine(storage: BundleStorage | undefined): Record<string, string> | undefined {
  return storage ? { [BUNDLE_STORAGE_DEFINE]: JSON.stringify(storage) } : undefined;
}

/** Shell-quotes one argument for the bundling hooks (they run in a local shell). */
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * A `bundleFiles` source for `cp`: quoted, except a last path segment that is a plain wildcard pattern
 * (`migrations/*.sql`), which the shell expands.
 */
function source(inputDir: string, file: string): string {
  const slash = file.lastIndexOf('/');
  const name = file.slice(slash + 1);
  if (/[*?]/.test(name) && /^[\w.*?-]+$/.test(name)) {
    return `${quote(`${inputDir}/${file.slice(0, slash + 1)}`)}${name}`;
  }
  return quote(`${inputDir}/${file}`);
}

/**
 * The NodejsFunction bundling options: the local esbuild, never Docker. `files` (the catalogue's `bundleFiles`) are
 * copied into the deployment package after bundling: folder → files relative to the repository root (a file name
 * may be a wildcard pattern: `shared/adapters/postgres/migrations/*.sql`).
 */
export function cdkBundlingOptions(
  files: Record<string, string[]> = {},
  storage?: BundleStorage,
): BundlingOptions {
  const define = storageDefine(storage);
  return {
    ...(define ? { define } : {}),
    ...(Object.keys(files).length
      ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (inputDir: string, outputDir: string) =>
              Object.entries(files).flatMap(([folder, list]) => [
                `mkdir -p ${quote(`${outputDir}/${folder}`)}`,
                ...list.map((f) => `cp ${source(inputDir, f)} ${quote(`${outputDir}/${folder}/`)}`),
              ]),
          },
        }
      : {}),
    forceDockerBundling: false,
    target: BUNDLE.target,
    format: OutputFormat.ESM,
    minify: BUNDLE.minify,
    sourceMap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    externalModules: [...BUNDLE.external],
    mainFields: [...BUNDLE.mainFields],
    banner: BUNDLE.banner,
    inject: [...BUNDLE.inject],
  };
}

/**
 * The esbuild options equivalent to what NodejsFunction runs (`esbuild --bundle <entry> --target --platform=node
 * --format=esm --outfile=index.mjs --minify --sourcemap --sources-content=false --external --main-fields
 * --banner:js --inject --define`), for building in memory.
 */
export function esbuildOptions(entry: string, storage?: BundleStorage): BuildOptions {
  const define = storageDefine(storage);
  return {
    ...(define ? { define } : {}),
    entryPoints: [resolve(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    target: BUNDLE.target,
    format: BUNDLE.format,
    outfile: 'index.mjs',
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    external: [...BUNDLE.external],
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    inject: [...BUNDLE.inject],
    logLevel: 'silent',
  };
}
