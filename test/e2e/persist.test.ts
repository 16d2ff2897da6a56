import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { linkBank } from '../support/sync-helpers';
import { devToken, E2E_STORAGE, startTwinProcess } from '../support/twin-process';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * The storages `--persist` is tested on: DynamoDB Local's files under the data folder (the e2e project); in the
 * Postgres mode (e2e-postgres), PGlite's files under the data folder, and the machine's PostgreSQL, where the data
 * stays in the database (one per data folder, test/support/twin-process.ts) and the folder keeps the twin's keys.
 */
const STORAGES = E2E_STORAGE === 'dynamodb' ? (['dynamodb'] as const) : (['pglite', 'postgres'] as const);
/** Where the data is, under the data folder (none for a PostgreSQL server). */
const DATA_UNDER: Record<(typeof STORAGES)[number], string | undefined> = {
  dynamodb: 'dynamodb',
  pglite: 'pglite',
  postgres: undefined,
};

describe.each(STORAGES)('npm start --persist (storage %s)', (storage) => {
  it('keeps data, tokens and keys under the data folder across restarts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'finagg-persist-'));
    dirs.push(dir);
    const start = () => startTwinProcess({ storage, args: ['--persist', '--data-dir', dir] });
    const first = await start();
    let token: string;
    let connectionId: string;
    try {
      token = await devToken(first.url, 'persistent-user');
      connectionId = await linkBank(new Api(first.url).withToken(token), 'bank_a');
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const under = DATA_UNDER[storage];
    if (under) expect(existsSync(path.join(dir, under)), `${under}/ in the data folder`).toBe(true);
    const second = await start();
    try {
      const api = new Api(second.url).withToken(token);
      // The token issued before the restart still verifies (the signing key persisted), and the data is there.
      const list = await api.get<{ connections: { id: string; status: string }[] }>('/connections');
      expect(list.status).toBe(200);
      expect(list.body.connections.map((c) => c.id)).toContain(connectionId);
      // The bank tokens still decrypt (the encryption key persisted): revoking at the bank works.
      expect((await api.delete<{ status: string }>(`/connections/${connectionId}`)).body.status).toBe(
        'revoked',
      );
    } finally {
      await second.stop();
    }
  });
});
