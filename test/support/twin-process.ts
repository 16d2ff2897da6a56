import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, ROOT } from '../../lib/local/dynamodb-local';

/**
 * The storage the e2e twins run on: E2E_STORAGE = dynamodb (default), postgres (the machine's PostgreSQL, a fresh
 * database per twin: the e2e-postgres project) or pglite. A test may reach the twin's storage itself: `storageOf`.
 */
export type TwinStorageMode = 'dynamodb' | 'postgres' | 'pglite';
export const E2E_STORAGE = (process.env.E2E_STORAGE ?? 'dynamodb') as TwinStorageMode;
export const E2E_PG_ADMIN_URL =
  process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The prefix of the databases e2e twins make (test/support/global-e2e-postgres.ts drops what is left). */
export const E2E_DB_PREFIX = 'finagg_e2e_';

export async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: E2E_PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Storage `postgres`: the database of a twin. One of its own per start, dropped when it stops; with `--data-dir`
 * (a twin restarted on its data), one per data folder, kept across restarts (the global teardown drops it).
 */
async function e2eDatabase(args: readonly string[]): Promise<{ url: string; drop?: () => Promise<void> }> {
  const at = args.indexOf('--data-dir');
  const dir = at >= 0 ? args[at + 1] : undefined;
  const name =
    E2E_DB_PREFIX +
    (dir
      ? createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16)
      : randomBytes(8).toString('hex'));
  try {
    await pgAdmin(`CREATE DATABASE ${name}`);
    // Kept across restarts: the global teardown drops it (test/support/global-e2e-postgres.ts).
    if (dir && process.env.E2E_DB_LIST) appendFileSync(process.env.E2E_DB_LIST, `${name}\n`);
  } catch (err) {
    if (!(dir && /already exists/.test((err as Error).message))) throw err;
  }
  const url = new URL(E2E_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: dir ? undefined : () => pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface TwinProcess {
  url: string;
  port: number;
  /** Storage `postgres`: the twin's database. */
  databaseUrl?: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /**
   * SIGKILL to the twin's whole process tree at once (tsx, node, DynamoDB Local): a crash, nothing runs its
   * shutdown. Needs `crashable: true` (the tree gets its own process group).
   */
  crash(): Promise<void>;
}

/** The twin waits up to 120 s for its DynamoDB Local on a loaded machine; then it has its own start-up. */
const START_TIMEOUT_MS = 180_000;

/**
 * Starts the local twin exactly as a user does (`npm start` runs `node --import tsx bin/local.ts`), as a child
 * process, and resolves when it prints its `listening` line. Node itself runs the twin, not the `tsx` wrapper: the
 * wrapper relays a signal and SIGKILLs its child when the child has not acknowledged it within 30 ms, which a
 * busy machine misses (the twin then dies mid-write and exits 130 instead of stopping cleanly).
 */
export async function startTwinProcess(
  opts: {
    env?: Record<string, string>;
    args?: string[];
    timeoutMs?: number;
    crashable?: boolean;
    /** The twin's storage, when not the project's (E2E_STORAGE): a benchmark compares the three in one run. */
    storage?: TwinStorageMode;
  } = {},
): Promise<TwinProcess> {
  const port = await freePort();
  const storage = opts.storage ?? E2E_STORAGE;
  const storageArgs: string[] = [];
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (storage === 'postgres') {
    const db = await e2eDatabase(opts.args ?? []);
    storageArgs.push('--storage', 'postgres', '--database-url', db.url);
    dropDatabase = db.drop;
    databaseUrl = db.url;
  } else if (storage === 'pglite') {
    storageArgs.push('--storage', 'pglite');
  }
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/local.ts', '--port', String(port), ...storageArgs, ...(opts.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.crashable ?? false,
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the twin did not print "listening" within ${opts.timeoutMs ?? START_TIMEOUT_MS} ms:\n${out}`,
        ),
      );
    }, opts.timeoutMs ?? START_TIMEOUT_MS);
    const check = () => {
      if (/listening/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the twin exited with ${code} before listening:\n${out}`));
    });
  });
  const dropAfter = async <T>(code: T): Promise<T> => {
    const drop = dropDatabase;
    dropDatabase = undefined;
    await drop?.().catch(() => undefined);
    return code;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    databaseUrl,
    child,
    output: () => out,
    async stop(signal = 'SIGINT') {
      if (child.exitCode !== null) return dropAfter(child.exitCode);
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return dropAfter(code);
    },
    async crash() {
      if (!opts.crashable) throw new Error('start the twin with crashable: true to crash it');
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
      await dropAfter(null);
    },
  };
}

export async function devToken(baseUrl: string, userId: string, expiresIn?: number): Promise<string> {
  const res = await fetch(`${baseUrl}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(expiresIn ? { user_id: userId, expires_in: expiresIn } : { user_id: userId }),
  });
  if (res.status !== 200) throw new Error(`POST /dev/token answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
