import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../lib/local/dynamodb-local';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { systemClock } from '../../shared/ports/clock';
import { authenticate } from '../../shared/services/plaid/applications';
import { freshTable, region } from '../support/dynamodb';

const run = promisify(execFile);
let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;

beforeAll(async () => {
  table = await freshTable('plaidcli');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

/** `npm run plaid:app -- ...` as an operator runs it, against this file's table. */
async function cli(...args: string[]): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bin/plaid-app.ts', ...args, '--json'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TABLE_NAME: table.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, string>;
}

describe('npm run plaid:app (the operator command)', () => {
  it('creates an application whose credentials authenticate, and rotates its secret', async () => {
    const created = await cli(
      'create',
      '--name',
      'Budget App',
      '--redirect-uri',
      'https://app.example.com/r',
    );
    expect(created.client_id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    const deps = { store, clock: systemClock };
    const app = await authenticate(deps, created.client_id!, created.secret!);
    expect(app).toMatchObject({ name: 'Budget App', allowedRedirectUris: ['https://app.example.com/r'] });
    // Only the hash is stored.
    expect(JSON.stringify(app)).not.toContain(created.secret);

    const rotated = await cli('rotate', '--client-id', created.client_id!);
    expect(rotated.secret).not.toBe(created.secret);
    await expect(authenticate(deps, created.client_id!, created.secret!)).rejects.toMatchObject({
      code: 'INVALID_API_KEYS',
    });
    expect((await authenticate(deps, created.client_id!, rotated.secret!)).clientId).toBe(created.client_id);
    expect((await cli('list')).client_id).toBe(created.client_id);
  });
});
