import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Where one consumer (an event source mapping) got to in one shard: the last sequence number whose batch was fully
 * handled (delivered, or given to the on-failure destination), and whether the shard is closed and fully handled.
 */
export interface StreamCheckpoint {
  consumer: string;
  shardId: string;
  /** Null when nothing of the shard has been handled yet (a closed, empty shard can still be `finished`). */
  sequenceNumber: string | null;
  finished: boolean;
}

/** Durable storage of the local event source mappings' checkpoints. */
export interface CheckpointStore {
  load(): Promise<StreamCheckpoint[]>;
  save(checkpoints: readonly StreamCheckpoint[]): Promise<void>;
}

/**
 * The partition key of the twin's checkpoint items. Only the twin writes it (Lambda keeps its own checkpoints
 * outside the table); no entity of the application uses a `TWIN#` key, and the stream poller never hands these
 * items' stream records to a consumer.
 */
export const CHECKPOINT_PK = 'TWIN#STREAM_CHECKPOINTS';

/**
 * The checkpoints as items of the table itself, under a twin-only key. They live and die with the data they
 * describe: the same DynamoDB Local database (so the same durability; a wiped or replaced data folder or another
 * `--dynamodb-endpoint` takes its checkpoints with it), and each item names the stream it belongs to, so a
 * re-created table (a new stream) starts afresh instead of trusting another stream's sequence numbers.
 */
export class TableCheckpoints implements CheckpointStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly streamArn: string,
  ) {}

  async load(): Promise<StreamCheckpoint[]> {
    const out: StreamCheckpoint[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': CHECKPOINT_PK },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.stream_arn !== this.streamArn) continue;
        out.push({
          consumer: String(item.consumer),
          shardId: String(item.shard_id),
          sequenceNumber: typeof item.sequence_number === 'string' ? item.sequence_number : null,
          finished: item.finished === true,
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async save(checkpoints: readonly StreamCheckpoint[]): Promise<void> {
    const at = new Date().toISOString();
    for (let i = 0; i < checkpoints.length; i += 25) {
      let items: Record<string, unknown>[] | undefined = checkpoints.slice(i, i + 25).map((c) => ({
        PutRequest: {
          Item: {
            pk: CHECKPOINT_PK,
            sk: `${c.consumer}#${c.shardId}`,
            entity: 'twin_stream_checkpoint',
            stream_arn: this.streamArn,
            consumer: c.consumer,
            shard_id: c.shardId,
            sequence_number: c.sequenceNumber,
            finished: c.finished,
            updated_at: at,
          },
        },
      }));
      for (let attempt = 0; items?.length; attempt++) {
        const out = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: items as never } }),
        );
        items = out.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
        if (items?.length && attempt > 8) throw new Error('stream checkpoints: writes left unprocessed');
        if (items?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }
}

/** Compares two sequence numbers of one shard (decimal strings of any length). */
export function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
