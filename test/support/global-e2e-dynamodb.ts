import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { E2E_DYNAMODB_ENDPOINT_VAR } from './twin-process';

/**
 * The e2e project (storage `dynamodb`): one DynamoDB Local for all its files, started once, instead of one JVM per
 * twin (a JVM takes seconds to start on a 2-core machine, tens of seconds under load). Each twin on it has a table
 * of its own (test/support/twin-process.ts); twins that keep data in a folder (`--persist`) or test the twin's own
 * DynamoDB Local start their own. With E2E_BASE_URL (a deployment) there is no twin, and nothing starts; with
 * DYNAMODB_ENDPOINT, the twins share that one.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.E2E_BASE_URL || process.env[E2E_DYNAMODB_ENDPOINT_VAR]) return undefined;
  // One started outside (e.g. under `faketime`, where Java does not start): the twins share it.
  if (process.env.DYNAMODB_ENDPOINT) {
    process.env[E2E_DYNAMODB_ENDPOINT_VAR] = process.env.DYNAMODB_ENDPOINT;
    return undefined;
  }
  const ddb = await startDynamoDbLocal();
  process.env[E2E_DYNAMODB_ENDPOINT_VAR] = ddb.endpoint;
  return async () => {
    delete process.env[E2E_DYNAMODB_ENDPOINT_VAR];
    await ddb.stop();
  };
}
