import { afterEach, describe, expect, it, vi } from 'vitest';
import { auroraConnectionFromEnv, auroraEnv } from '../../../../shared/adapters/postgres/from-env';
import { PostgresStore } from '../../../../shared/adapters/postgres/store';
import { DynamoStore } from '../../../../shared/adapters/dynamodb/store';
import { resetConfig } from '../../../../shared/config';
import { getRuntime, resetRuntime, storageMode } from '../../../../shared/runtime';

/** What the CDK stack sets on a function with a table grant in storage aurora (lib/constructs/catalogue-function.ts). */
const AURORA = {
  STORAGE: 'aurora',
  DB_CLUSTER_ARN: 'arn:aws:rds:eu-west-1:123456789012:cluster:finagg-dev',
  DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b2c-AbCdEf',
  DB_NAME: 'finagg',
};

describe('Aurora from the environment (shared/adapters/postgres/from-env.ts)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetRuntime();
    resetConfig();
  });

  it('reads the cluster, secret and database the stack sets', async () => {
    expect(auroraEnv(AURORA)).toEqual({
      DB_CLUSTER_ARN: AURORA.DB_CLUSTER_ARN,
      DB_SECRET_ARN: AURORA.DB_SECRET_ARN,
      DB_NAME: 'finagg',
    });
    const conn = await auroraConnectionFromEnv(AURORA);
    expect(conn.driver).toBe('data-api');
    return conn.close();
  });

  it('names every missing or malformed variable', () => {
    expect(() => auroraEnv({ STORAGE: 'aurora' })).toThrow(
      /DB_CLUSTER_ARN[\s\S]*DB_SECRET_ARN[\s\S]*DB_NAME/,
    );
    expect(() => auroraEnv({ ...AURORA, DB_CLUSTER_ARN: 'finagg-dev' })).toThrow(
      /DB_CLUSTER_ARN: an Aurora cluster ARN/,
    );
    expect(() => auroraEnv({ ...AURORA, DB_NAME: 'drop table; --' })).toThrow(/DB_NAME/);
  });

  it('makes the runtime store Aurora when STORAGE=aurora, and DynamoDB otherwise', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    for (const [name, value] of Object.entries(AURORA)) vi.stubEnv(name, value);
    vi.stubEnv('TOKEN_ENCRYPTION_KEY', key);
    // The Postgres half (runtime-postgres.ts) loads on first use: the runtime's store waits for the
    // PostgresStore it opens (through the Data API, no call made), one per process and environment.
    expect(getRuntime().store).not.toBeInstanceOf(DynamoStore);
    const aurora = await vi.waitFor(() => {
      const opened = (globalThis as unknown as { __finaggPostgres?: Map<string, Promise<unknown>> })
        .__finaggPostgres;
      const found = [...(opened?.entries() ?? [])].find(([k]) => k.startsWith('aurora|'));
      if (!found) throw new Error('not opened yet');
      return found;
    });
    expect(await aurora[1]).toBeInstanceOf(PostgresStore);
    resetRuntime();
    vi.stubEnv('STORAGE', 'dynamodb');
    expect(getRuntime().store).toBeInstanceOf(DynamoStore);
  });

  it('refuses a STORAGE other than the one a bundle was built for (lib/bundling.ts BundleStorage)', () => {
    vi.stubEnv('FINAGG_BUNDLE_STORAGE', 'dynamodb');
    expect(storageMode({ STORAGE: 'dynamodb' })).toBe('dynamodb');
    expect(() => storageMode({ STORAGE: 'aurora' })).toThrow(/built for storage dynamodb/);
    vi.stubEnv('FINAGG_BUNDLE_STORAGE', 'aurora');
    expect(storageMode({ STORAGE: 'aurora' })).toBe('aurora');
    expect(() => storageMode({})).toThrow(/STORAGE=dynamodb, but this function was built for storage aurora/);
  });
});
