import { defineConfig } from 'vitest/config';
import TWIN_ONLY from './test/e2e/twin-only.json' with { type: 'json' };

/** `npm run test:deployed`: the e2e tests against the deployment at E2E_BASE_URL (test/support/e2e-target.ts). */
const DEPLOYED_URL = process.env.E2E_BASE_URL;

/**
 * The e2e files that run on PostgreSQL in `npm test` (the e2e-postgres project): budgets, alerts and anomalies
 * through the outbox and its relay (with the test's own writes into the twin's database), and corrections, rules
 * and re-categorization requests. `E2E_POSTGRES=all` runs every e2e file whose behaviour depends on the storage
 * (all but the docs page, served from files) on PostgreSQL: they pass there too, but the two runs together take
 * `npm test` well past its 15-minute budget on a 2-core machine (a twin per file, one file at a time).
 */
const E2E_STORAGE_INDEPENDENT = ['test/e2e/docs.test.ts'];
const E2E_POSTGRES_ALL = process.env.E2E_POSTGRES === 'all';
const E2E_POSTGRES_FILES = E2E_POSTGRES_ALL
  ? ['test/e2e/**/*.test.ts']
  : ['test/e2e/budgets-alerts.test.ts', 'test/e2e/reconcile.test.ts'];

export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', LOG_LEVEL: 'SILENT' },
    // Two files at a time for unit, integration and contract (vitest's default on 2 cores is one): their files
    // mostly wait on DynamoDB Local, PostgreSQL and Redis, each in its own table, database or key prefix. The e2e
    // projects keep their own maxWorkers: 1 (a twin per file).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Synthesizing the whole CDK app (and cdk-nag over it) takes seconds on a loaded 2-core machine.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // One DynamoDB Local for the whole run; each test file makes its own table.
          globalSetup: ['test/support/global-dynamodb.ts'],
          // Sized for a loaded 2-core machine: a full sync into DynamoDB Local can take tens of seconds there (the
          // heaviest tests set their own, longer, timeouts).
          testTimeout: 90_000,
          hookTimeout: 150_000,
        },
      },
      {
        test: {
          name: 'contract',
          // One suite per role written against the port, run on DynamoDB Local, PostgreSQL and PGlite
          // (test/contract/backends.ts); each file opens a fresh table and database of its own.
          include: ['test/contract/**/*.contract.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-dynamodb.ts'],
          testTimeout: 90_000,
          hookTimeout: 150_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Against a deployment (E2E_BASE_URL, `npm run test:deployed`) the files that need the twin itself stay out.
          exclude: DEPLOYED_URL ? Object.keys(TWIN_ONLY) : [],
          environment: 'node',
          // A first request loads the handler's modules; a sync and the stream functions behind it take tens of
          // seconds on a loaded 2-core machine (the tests wait for them with polls that have their own deadlines).
          testTimeout: 180_000,
          // A twin starts in up to 3 minutes on a loaded 2-core machine (test/support/twin-process.ts).
          hookTimeout: 240_000,
          // Installs the system Chromium the browser tests drive when it is missing (apt-get, as root).
          globalSetup: ['test/support/global-chromium.ts', 'test/support/global-e2e.ts'],
          // Each e2e file starts its own twin (a child process with its own DynamoDB Local): keep them few at once.
          maxWorkers: 1,
        },
      },
      {
        test: {
          // The same e2e files against twins on PostgreSQL (E2E_STORAGE=postgres: the machine's server, a fresh
          // database per twin; test/support/twin-process.ts): the store, the outbox and its relay end to end.
          name: 'e2e-postgres',
          include: DEPLOYED_URL ? [] : E2E_POSTGRES_FILES,
          exclude: E2E_STORAGE_INDEPENDENT,
          environment: 'node',
          env: { E2E_STORAGE: 'postgres' },
          testTimeout: 180_000,
          hookTimeout: 240_000,
          globalSetup: ['test/support/global-chromium.ts', 'test/support/global-e2e-postgres.ts'],
          maxWorkers: 1,
        },
      },
    ],
  },
});
