import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { linkBank } from '../support/sync-helpers';
import { devToken, startTwinProcess } from '../support/twin-process';

const dir = mkdtempSync(path.join(tmpdir(), 'finagg-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start --persist', () => {
  it('keeps data, tokens and keys under the data folder across restarts', async () => {
    const first = await startTwinProcess({ args: ['--persist', '--data-dir', dir] });
    let token: string;
    let connectionId: string;
    try {
      token = await devToken(first.url, 'persistent-user');
      connectionId = await linkBank(new Api(first.url).withToken(token), 'bank_a');
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const second = await startTwinProcess({ args: ['--persist', '--data-dir', dir] });
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
