import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLE, createTableInput } from './table-definition';

/** Creates the table from the shared definition if it is missing, waits until ACTIVE, and enables TTL. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<{ streamArn: string }> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (createErr) {
      if ((createErr as Error).name !== 'ResourceInUseException') throw createErr;
    }
  }
  for (let i = 0; ; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE' && Table.LatestStreamArn) {
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
