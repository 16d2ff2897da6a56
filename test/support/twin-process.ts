import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, ROOT } from '../../lib/local/dynamodb-local';

export interface TwinProcess {
  url: string;
  port: number;
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
  opts: { env?: Record<string, string>; args?: string[]; timeoutMs?: number; crashable?: boolean } = {},
): Promise<TwinProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/local.ts', '--port', String(port), ...(opts.args ?? [])],
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

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    async stop(signal = 'SIGINT') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async crash() {
      if (!opts.crashable) throw new Error('start the twin with crashable: true to crash it');
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
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
