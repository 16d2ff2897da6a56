import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UserRule } from '../../domain/categorizer/user-rules';
import { keys } from './keys';

/**
 * A user's categorization rules: `pk USER#<uid>`, `sk RULE#<id>`, entity `user_rule`. Writes replace the rule
 * with the same id (ids are deterministic where a retried request must find its own rule).
 *
 * A re-categorization request: `pk USER#<uid>`, `sk RECATEGORIZE`, entity `recategorize` (one item per user,
 * rewritten with a new request id by every request, expires after a day). Its stream record triggers the
 * Categorizer's pass over the user's transactions (functions/stream/categorizer.ts).
 */
export async function putUserRule(
  doc: DynamoDBDocumentClient,
  tableName: string,
  rule: UserRule,
): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: keys.user(rule.user_id), sk: keys.rule(rule.id), entity: 'user_rule', ...rule },
    }),
  );
}

export async function listUserRules(
  doc: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
): Promise<UserRule[]> {
  const out: UserRule[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': keys.user(userId), ':sk': keys.rulePrefix },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, entity: _e, ...rule } = item;
      out.push(rule as UserRule);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** True when the rule existed. */
export async function deleteUserRule(
  doc: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  id: string,
): Promise<boolean> {
  const out = await doc.send(
    new DeleteCommand({
      TableName: tableName,
      Key: { pk: keys.user(userId), sk: keys.rule(id) },
      ReturnValues: 'ALL_OLD',
    }),
  );
  return Boolean(out.Attributes);
}

/** The stream entity of a re-categorization request. */
export const RECATEGORIZE_ENTITY = 'recategorize';
const RECATEGORIZE_TTL_SECONDS = 86_400;

export async function requestRecategorization(
  doc: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  at: string,
  reason: string,
): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: keys.user(userId),
        sk: keys.recategorize,
        entity: RECATEGORIZE_ENTITY,
        userId,
        requestedAt: at,
        // Unique: DynamoDB writes no stream record for a put that changes nothing.
        requestId: randomUUID(),
        reason,
        expires_at: Math.floor(new Date(at).getTime() / 1000) + RECATEGORIZE_TTL_SECONDS,
      },
    }),
  );
}
