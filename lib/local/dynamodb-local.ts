import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * The official DynamoDB Local, as shipped inside the npm package `amplify-dynamodb-simulator` (folder emulator/).
 * We do not install that package (it drags in the Amplify CLI); we `npm pack` the pinned version once into
 * .cache/, check its integrity, and run the jar with the machine's Java 17.
 */
const PACKAGE = 'amplify-dynamodb-simulator';
const VERSION = '2.9.30';
const INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Fails with a clear message unless `java` is Java 17 or newer. */
export function checkJava(): void {
  const res = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new Error(
      'Java 17 or newer is required to run DynamoDB Local, and `java` was not found on PATH.\n' +
        'Install it (Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`) or point DYNAMODB_ENDPOINT at a running DynamoDB.',
    );
  }
  const out = `${res.stderr}${res.stdout}`;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(out);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
  if (major < 17) {
    throw new Error(`Java 17 or newer is required to run DynamoDB Local; found: ${out.split('\n')[0]}`);
  }
}

/** The emulator folder (with DynamoDBLocal.jar and DynamoDBLocal_lib/), fetched into .cache/ on first use. */
export function ensureEmulator(): string {
  const candidates = [
    process.env.DYNAMODB_LOCAL_DIR,
    path.join(ROOT, 'node_modules', PACKAGE, 'emulator'),
    path.join(ROOT, '.cache', 'dynamodb-local', VERSION, 'package', 'emulator'),
  ].filter((c): c is string => Boolean(c));
  for (const dir of candidates) if (existsSync(path.join(dir, 'DynamoDBLocal.jar'))) return dir;

  const target = path.join(ROOT, '.cache', 'dynamodb-local', VERSION);
  mkdirSync(path.dirname(target), { recursive: true });
  const work = mkdtempSync(path.join(path.dirname(target), 'fetch-'));
  try {
    const pack = spawnSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', work, '--silent'], {
      encoding: 'utf8',
    });
    if (pack.status !== 0) {
      throw new Error(`Could not fetch ${PACKAGE}@${VERSION} with npm pack: ${pack.stderr || pack.stdout}`);
    }
    const tgz = path.join(work, `${PACKAGE}-${VERSION}.tgz`);
    const digest = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    if (digest !== INTEGRITY) throw new Error(`${PACKAGE}@${VERSION} failed its integrity check (${digest})`);
    const untar = spawnSync('tar', ['xzf', tgz, '-C', work, 'package/emulator'], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`Could not unpack ${tgz}: ${untar.stderr}`);
    rmSync(tgz);
    try {
      renameSync(work, target);
    } catch (err) {
      // Another process won the race; its copy is as good as ours.
      if (!existsSync(path.join(target, 'package', 'emulator', 'DynamoDBLocal.jar'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return path.join(target, 'package', 'emulator');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts DynamoDB Local on 127.0.0.1. In memory by default; with `dataDir`, on disk there. The JVM runs under a
 * small shell watchdog that kills it when this Node process goes away, however it goes.
 */
export async function startDynamoDbLocal(
  opts: { port?: number; dataDir?: string; javaOptions?: string[] } = {},
): Promise<DynamoDbLocal> {
  checkJava();
  const emulator = ensureEmulator();
  const port = opts.port ?? (await freePort());
  const storage = opts.dataDir ? ['-dbPath', opts.dataDir] : ['-inMemory'];
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const javaArgs = [
    // Small and quick to start for the twin and the tests; benchmarks that load 100k+ items pass more heap.
    ...(opts.javaOptions ?? ['-Xmx768m', '-XX:+UseSerialGC']),
    `-Djava.library.path=${path.join(emulator, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(emulator, 'DynamoDBLocal.jar'),
    ...storage,
    '-sharedDb',
    '-port',
    String(port),
  ];
  const watchdog =
    'java "$@" & j=$!; trap \'kill $j 2>/dev/null; wait $j; exit 0\' TERM INT; ' +
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 $j 2>/dev/null; do sleep 0.5; done; ` +
    'kill $j 2>/dev/null; wait $j';
  const child: ChildProcess = spawn('sh', ['-c', watchdog, 'sh', ...javaArgs], {
    cwd: emulator,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // A JVM can take a minute to start on a loaded 2-core machine.
  const startTimeoutMs = 120_000;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local exited during start-up:\n${output}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        // SIGTERM: the watchdog's trap stops Java too (a SIGKILL would leave Java running without it).
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${startTimeoutMs / 1000} s:\n${output}`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();

  return {
    endpoint,
    port,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}
