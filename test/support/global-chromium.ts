import { ensureChromium } from './chromium';

/**
 * The e2e project's globalSetup: the browser tests drive the system Chromium, which a fresh machine lacks. Installs
 * Debian's `chromium` with apt-get when it is missing and this process may (root or passwordless sudo); otherwise
 * says once which command provides it, and the browser tests fail with the same command.
 */
export default function setup(): void {
  const got = ensureChromium((line) => console.log(`[e2e setup] ${line}`));
  if (got.reason) console.warn(`[e2e setup] the browser tests will fail: ${got.reason}`);
}
