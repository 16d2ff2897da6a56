/**
 * `npm start`: the local twin. Serves every catalogue function on 127.0.0.1:$PORT over the chosen storage
 * (`--storage`, or STORAGE):
 *
 * - `dynamodb` (default): starts DynamoDB Local (Java 17) with the table the stack deploys; its stream feeds the
 *   processors.
 * - `postgres`: the PostgreSQL server at `--database-url` (or DATABASE_URL), migrated at start; the outbox, relayed
 *   in process (LISTEN/NOTIFY, and a poll every second), feeds the processors.
 * - `pglite`: PostgreSQL embedded in the process (PGlite): neither Java nor a server. Migrated at start.
 *
 * `--persist` (or TWIN_PERSIST=1) keeps data under .data/ (DynamoDB Local's files, or PGlite's under .data/pglite).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../lib/local/dynamodb-local';
import { startTwin, type TwinStorage } from '../lib/local/twin';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    persist: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'dynamodb-endpoint': { type: 'string' },
    'schedule-seconds': { type: 'string' },
    storage: { type: 'string' },
    'database-url': { type: 'string' },
  },
});

const STORAGES: readonly TwinStorage[] = ['dynamodb', 'postgres', 'pglite'];
const storage = (values.storage ?? process.env.STORAGE ?? 'dynamodb') as TwinStorage;
if (!STORAGES.includes(storage)) {
  console.error(`--storage must be one of ${STORAGES.join(', ')} (got ${storage})`);
  process.exit(2);
}
const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
if (storage === 'postgres' && !databaseUrl) {
  console.error(
    '--storage postgres needs --database-url (or DATABASE_URL), e.g. postgres://postgres@127.0.0.1:5432/finagg',
  );
  process.exit(2);
}

const persist = values.persist || process.env.TWIN_PERSIST === '1';
const port = Number(values.port ?? process.env.PORT ?? 3000);
const scheduleSeconds = values['schedule-seconds'] ?? process.env.SCHEDULE_SECONDS;

try {
  const started = Date.now();
  const twin = await startTwin({
    port,
    storage,
    databaseUrl,
    ownsDatabase: persist,
    dataDir: persist
      ? path.resolve(values['data-dir'] ?? process.env.TWIN_DATA_DIR ?? path.join(ROOT, '.data'))
      : undefined,
    dynamoEndpoint: values['dynamodb-endpoint'] ?? process.env.DYNAMODB_ENDPOINT,
    scheduleMs: scheduleSeconds ? Number(scheduleSeconds) * 1000 : undefined,
  });
  // Before the `listening` line, which tests wait for.
  console.log(
    `Plaid sandbox application: client_id ${twin.plaidSandbox.clientId} secret ${twin.plaidSandbox.secret} ` +
      `(a Plaid client's basePath: ${twin.url}/plaid)`,
  );
  console.log(
    `finagg local twin listening on ${twin.url} (storage ${twin.storage}: ${twin.where}` +
      `${storage === 'dynamodb' ? (persist ? ', persistent' : ', in memory') : ''}; ` +
      `ready in ${Date.now() - started} ms)`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the local twin`);
    twin
      .stop()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (err) {
  console.error(`The local twin could not start: ${(err as Error).message}`);
  process.exit(1);
}
