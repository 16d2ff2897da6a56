import { randomUUID } from 'node:crypto';
import { DynamoDBClient, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../shared/adapters/dynamodb/setup';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';

export const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A fresh table with the deployed definition on the run's DynamoDB Local, and clients for it. */
export async function freshTable(prefix = 'test') {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({ endpoint, region, credentials });
  const { streamArn } = await ensureTable(raw, tableName);
  const doc = createDocumentClient({ endpoint, region, credentials });
  return {
    endpoint,
    tableName,
    streamArn,
    raw,
    doc,
    async drop() {
      await raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      doc.destroy();
      raw.destroy();
    },
  };
}
