import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Endpoints come from the SDK's own environment variables (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB`),
 * so the same code talks to AWS, LocalStack or DynamoDB Local.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  // An endpoint override means an emulator (DynamoDB Local, LocalStack). DynamoDB Local answers a 500 ("timed out
  // ... waiting for a lock. This request will succeed in actual DynamoDB API") when a loaded machine runs several
  // transactions at once; the SDK retries it like any 5xx, and an emulator gets more attempts to outlast the load.
  const emulated = Boolean(
    config.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL,
  );
  const client = new DynamoDBClient({ maxAttempts: emulated ? 10 : 5, ...config });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

let shared: DynamoDBDocumentClient | undefined;

/** One client per Lambda container (reused across invocations). */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= createDocumentClient();
  return shared;
}
