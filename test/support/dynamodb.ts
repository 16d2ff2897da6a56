import { randomUUID } from 'node:crypto';
import { DynamoDBClient, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../shared/adapters/dynamodb/setup';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';

export const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * A fresh table with the deployed definition on the run's DynamoDB Local, and clients for it. Its stream only
 * with `stream: true` (the tests that read it): every request to a table with a stream costs DynamoDB Local a scan
 * of all the stream records of the run so far (shared/adapters/dynamodb/setup.ts), which made the late, write-heavy
 * files of the integration project minutes slower.
 */
export async function freshTable(prefix = 'test', opts: { stream?: boolean } = {}) {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({ endpoint, region, credentials });
  const { streamArn: arn } = await ensureTable(raw, tableName, { stream: opts.stream ?? false });
  const doc = createDocumentClient({ endpoint, region, credentials });
  return {
    endpoint,
    tableName,
    get streamArn(): string {
      if (!arn)
        throw new Error(`${tableName} has no stream: make it with freshTable(prefix, { stream: true })`);
      return arn;
    },
    raw,
    doc,
    async drop() {
      await raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      doc.destroy();
      raw.destroy();
    },
  };
}
