import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The system Chromium the browser tests drive with playwright-core (Debian's `chromium` package; `CHROMIUM_PATH`
 * overrides). The e2e project's globalSetup (`global-chromium.ts`) installs it when it is missing and it can.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The one command that provides what the browser tests need, for the error message. */
export const INSTALL_CHROMIUM = 'sudo apt-get update && sudo apt-get install -y chromium';

export function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return CANDIDATES.find((p) => existsSync(p));
}

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    ok: res.status === 0,
    output: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error?.message ?? ''}`,
  };
}

/**
 * Chromium's path, installing Debian's `chromium` with apt-get first when it is missing and this process may
 * (root, or passwordless sudo). Returns a reason instead when it cannot.
 */
export function ensureChromium(log: (line: string) => void = console.log): {
  path?: string;
  reason?: string;
} {
  const found = findChromium();
  if (found) return existsSync(found) ? { path: found } : { reason: `CHROMIUM_PATH=${found} does not exist` };
  if (!run('sh', ['-c', 'command -v apt-get']).ok)
    return {
      reason: `Chromium is not installed and there is no apt-get here: install Chromium, set CHROMIUM_PATH`,
    };
  const root = process.getuid?.() === 0;
  const sudo = !root && run('sudo', ['-n', 'true']).ok;
  if (!root && !sudo) return { reason: `Chromium is not installed; run: ${INSTALL_CHROMIUM}` };
  const prefix = root ? [] : ['sudo', '-n'];
  const exec = (args: string[]) => {
    const [cmd, ...rest] = [...prefix, ...args];
    return run(cmd!, rest);
  };
  log('Chromium is missing: installing Debian\u2019s chromium with apt-get (once; a minute or two)');
  const update = exec(['apt-get', 'update', '-qq']);
  if (!update.ok)
    return {
      reason: `apt-get update failed (${update.output.trim().slice(-500)}); run: ${INSTALL_CHROMIUM}`,
    };
  const install = exec(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  if (!install.ok)
    return {
      reason: `apt-get install chromium failed (${install.output.trim().slice(-500)}); run: ${INSTALL_CHROMIUM}`,
    };
  const installed = findChromium();
  return installed
    ? { path: installed }
    : { reason: `chromium was installed but not found; run: ${INSTALL_CHROMIUM}` };
}

/** Flags that work headless as root in a container: no sandbox, no GPU, nothing phoning home. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches the system Chromium headless; playwright-core gives each launch a fresh, temporary --user-data-dir.
 * Fails with the command that installs Chromium when it is missing.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath || !existsSync(executablePath))
    throw new Error(
      `Chromium is required for the browser tests; run: ${INSTALL_CHROMIUM} (or set CHROMIUM_PATH)`,
    );
  return chromium.launch({ executablePath, headless: true, args: FLAGS });
}
