import * as z from 'zod';
import type { StoredTransaction } from '../domain/models';

/**
 * A `transaction` item as it appears on the table's stream (shared/adapters/dynamodb/store.ts writes it). The
 * fields the stream functions read are validated; the others pass through untouched, so the categorizer and the
 * corrections can add fields without breaking the processors.
 */
const ProviderValues = z
  .object({
    status: z.enum(['pending', 'posted']),
    date: z.iso.date(),
    occurredAt: z.string().nullable(),
    amountMinor: z.number().int(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    description: z.string(),
    merchantName: z.string().nullable(),
  })
  .loose();

const Overlay = z
  .object({
    amountMinor: z.number().int().optional(),
    description: z.string().optional(),
    merchantName: z.string().nullable().optional(),
    date: z.iso.date().optional(),
  })
  .loose();

const Category = z
  .object({
    primary: z.string().regex(/^[A-Z0-9_]+$/),
    detailed: z
      .string()
      .regex(/^[A-Z0-9_]+$/)
      .nullable()
      .optional(),
  })
  .loose();

export const TransactionImageSchema = z
  .object({
    entity: z.literal('transaction'),
    id: z.string().min(1),
    userId: z.string().min(1),
    accountId: z.string().min(1),
    connectionId: z.string().min(1),
    original: ProviderValues,
    removed: z.boolean(),
    category: Category.nullish(),
    overlay: Overlay.nullish(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .loose()
  // Validated above where the processors read it; the rest is the stored transaction as written.
  .transform((t) => t as unknown as StoredTransaction);

/** The user a transaction record belongs to (from either image). */
export function userOf(change: {
  before: StoredTransaction | null;
  after: StoredTransaction | null;
}): string {
  const t = change.after ?? change.before;
  if (!t) throw new Error('a change without images');
  return t.userId;
}
