import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { getRuntime } from '../../shared/runtime';
import { CategorizeBatch } from '../../shared/services/categorizer-processor';
import { processStreamBatch } from '../../shared/stream/dynamodb-batch';

/**
 * Categorizer (table stream: transaction items, and re-categorization requests): the engine's category with
 * the user's rules, written with a `categorized` event when it changes
 * (shared/services/categorizer-processor.ts).
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const { store, clock } = getRuntime();
  return processStreamBatch(event, context, new CategorizeBatch({ store, clock }));
};
