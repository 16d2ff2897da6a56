/**
 * `npm start`: the local twin. Starts DynamoDB Local (Java 17), creates the table the stack deploys, and serves
 * every catalogue function on 127.0.0.1:$PORT. `--persist` (or TWIN_PERSIST=1) keeps data under .data/.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../lib/local/dynamodb-local';
import { startTwin } from '../lib/local/twin';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    persist: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'dynamodb-endpoint': { type: 'string' },
    'schedule-seconds': { type: 'string' },
  },
});

const persist = values.persist || process.env.TWIN_PERSIST === '1';
const port = Number(values.port ?? process.env.PORT ?? 3000);
const scheduleSeconds = values['schedule-seconds'] ?? process.env.SCHEDULE_SECONDS;

try {
  const started = Date.now();
  const twin = await startTwin({
    port,
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
    `finagg local twin listening on ${twin.url} (DynamoDB at ${twin.dynamoEndpoint}, table ${twin.tableName}, ` +
      `${persist ? 'persistent' : 'in memory'}; ready in ${Date.now() - started} ms)`,
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
