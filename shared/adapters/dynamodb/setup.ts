import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLE, createTableInput } from './table-definition';

/**
 * Creates the table from the shared definition if it is missing, waits until ACTIVE, and enables TTL.
 * `stream: false` leaves the table's stream out (tests that never read it: DynamoDB Local finds a stream's first
 * sequence number by scanning every stream record it holds, of all its tables, on each request to a table with a
 * stream, so a long test run on one DynamoDB Local slows down with every write to such a table).
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  opts: { stream?: boolean } = {},
): Promise<{ streamArn: string | undefined }> {
  const stream = opts.stream ?? true;
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    try {
      const input = createTableInput(tableName);
      if (!stream) delete input.StreamSpecification;
      await client.send(new CreateTableCommand(input));
    } catch (createErr) {
      if ((createErr as Error).name !== 'ResourceInUseException') throw createErr;
    }
  }
  for (let i = 0; ; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.LatestStreamArn || !stream)) {
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
      return { streamArn: Table.LatestStreamArn };
    }
    if (i > 100) throw new Error(`Table ${tableName} did not become ACTIVE`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
