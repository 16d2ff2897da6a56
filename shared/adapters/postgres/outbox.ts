// TEMPORARY stand-in for pg-core's outbox.ts (PG-CONTRACT.md), replaced by theirs at the merge of pg-core.
import { sql } from 'drizzle-orm';
import type { Queryable } from './sql-rows';

export interface OutboxChange {
  userId: string;
  entity: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export async function appendOutbox(tx: Queryable, changes: readonly OutboxChange[]): Promise<void> {
  for (const c of changes) {
    await tx.execute(
      sql`INSERT INTO outbox (user_id, entity, event_name, before, after)
          VALUES (${c.userId}, ${c.entity}, ${c.eventName},
                  ${c.before && JSON.stringify(c.before)}::jsonb, ${c.after && JSON.stringify(c.after)}::jsonb)`,
    );
  }
}
