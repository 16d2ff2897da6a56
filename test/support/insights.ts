import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredTransaction, TxnCategory, TxnEvent } from '../../shared/domain/models';
import type { Store } from '../../shared/ports/store';

/** The category the categorizer would give a primary (detailed: `<PRIMARY>_OTHER` unless given). */
export function category(primary: string, detailed: string | null = null): TxnCategory {
  return { primary, detailed, source: 'rules', confidence: 0.95, ruleId: `builtin:test:${primary}` };
}

let seq = 0;

/** A stored transaction as the sync writes it (then categorized, where `category` is given). */
export function txn(
  userId: string,
  over: {
    id?: string;
    date: string;
    amountMinor: number;
    currency?: string;
    description?: string;
    merchantName?: string | null;
    category?: TxnCategory | null;
    accountId?: string;
    occurredAt?: string | null;
    status?: 'pending' | 'posted';
  },
): StoredTransaction {
  seq += 1;
  const id = over.id ?? `txn_${userId}_${String(seq).padStart(6, '0')}`;
  const at = `${over.date}T12:00:00.000Z`;
  return {
    id,
    userId,
    connectionId: `conn_${userId}`,
    accountId: over.accountId ?? `acc_${userId}`,
    provider: 'bank_a',
    providerTxnIds: [`p_${id}`],
    original: {
      status: over.status ?? 'posted',
      date: over.date,
      occurredAt: over.occurredAt === undefined ? at : over.occurredAt,
      amountMinor: over.amountMinor,
      currency: over.currency ?? 'USD',
      description: over.description ?? 'CARD PURCHASE',
      merchantName: over.merchantName ?? null,
    },
    fingerprint: `fp_${id}`,
    removed: false,
    category: over.category ?? null,
    overlay: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

function created(t: StoredTransaction): TxnEvent {
  return {
    txnId: t.id,
    seq: 1,
    at: t.createdAt,
    actor: 'sync:test',
    kind: 'created',
    before: null,
    after: { amount_minor: t.original.amountMinor, date: t.original.date },
  };
}

/** Writes new transactions exactly as the sync does (DynamoStore.applyTransactionChanges, with their events). */
export async function insert(store: Store, txns: readonly StoredTransaction[]): Promise<void> {
  const { conflicts } = await store.applyTransactionChanges(
    txns.map((t) => ({ txn: t, expectedVersion: null, events: [created(t)] })),
  );
  if (conflicts.length) throw new Error(`conflicts: ${conflicts.join(', ')}`);
}

/** Sets a transaction's category as the categorizer does (the category field, the version bumped). */
export async function setCategory(
  doc: DynamoDBDocumentClient,
  tableName: string,
  t: Pick<StoredTransaction, 'userId' | 'id'>,
  value: TxnCategory | null,
  at = new Date().toISOString(),
): Promise<void> {
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: `USER#${t.userId}`, sk: `TXN#${t.id}` },
      UpdateExpression: 'SET category = :c, version = version + :one, updatedAt = :at',
      ExpressionAttributeValues: { ':c': value, ':one': 1, ':at': at },
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/** Lays a user's correction over a transaction (the overlay field, the version bumped). */
export async function setOverlay(
  doc: DynamoDBDocumentClient,
  tableName: string,
  t: Pick<StoredTransaction, 'userId' | 'id'>,
  overlay: StoredTransaction['overlay'],
  at = new Date().toISOString(),
): Promise<void> {
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: `USER#${t.userId}`, sk: `TXN#${t.id}` },
      UpdateExpression: 'SET overlay = :o, version = version + :one, updatedAt = :at',
      ExpressionAttributeValues: { ':o': overlay, ':one': 1, ':at': at },
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}
