import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { newClientId, newSecret } from '../../shared/domain/plaid/ids';
import type { Clock } from '../../shared/ports/clock';
import type { PlaidStore } from '../../shared/ports/plaid';
import { ensureApplication } from '../../shared/services/plaid/applications';

/** The credentials of the twin's sandbox application (what a Plaid client is configured with). */
export interface SandboxCredentials {
  clientId: string;
  secret: string;
}

const Saved = z.object({ client_id: z.string(), secret: z.string() });

export const SANDBOX_APP_NAME = 'finagg sandbox';

/**
 * The twin's sandbox Plaid application, created at start: its credentials are FINAGG_SANDBOX_CLIENT_ID and
 * FINAGG_SANDBOX_SECRET when set (a test fixes them), else the ones saved beside the persisted data
 * (`<dataDir>/plaid-sandbox.json`), else new ones (saved there when the twin persists).
 */
export async function ensureSandboxApplication(
  deps: { store: PlaidStore; clock: Clock },
  opts: { dataDir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<SandboxCredentials> {
  const env = opts.env ?? process.env;
  const file = opts.dataDir ? path.join(opts.dataDir, 'plaid-sandbox.json') : undefined;
  let creds: SandboxCredentials;
  if (env.FINAGG_SANDBOX_CLIENT_ID || env.FINAGG_SANDBOX_SECRET) {
    if (!env.FINAGG_SANDBOX_CLIENT_ID || !env.FINAGG_SANDBOX_SECRET)
      throw new Error('Set both FINAGG_SANDBOX_CLIENT_ID and FINAGG_SANDBOX_SECRET, or neither.');
    creds = { clientId: env.FINAGG_SANDBOX_CLIENT_ID, secret: env.FINAGG_SANDBOX_SECRET };
  } else if (file && existsSync(file)) {
    const saved = Saved.parse(JSON.parse(readFileSync(file, 'utf8')));
    creds = { clientId: saved.client_id, secret: saved.secret };
  } else {
    creds = { clientId: newClientId(), secret: newSecret() };
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ client_id: creds.clientId, secret: creds.secret }), {
        mode: 0o600,
      });
    }
  }
  await ensureApplication(deps, { name: SANDBOX_APP_NAME, ...creds });
  return creds;
}
