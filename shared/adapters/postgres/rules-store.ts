import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { UserRule } from '../../domain/categorizer/user-rules';
import type { RuleStore } from '../../ports/store';
import { fromJson, json, rows } from './db';
import { appendOutbox, outboxTransaction } from './outbox';
import { PgRole } from './role';

type Row = Record<string, unknown>;

/**
 * A user's categorization rules in PostgreSQL (migration 0010_insights.sql `user_rules`), with the DynamoDB
 * adapter's semantics (shared/adapters/dynamodb/user-rules-store.ts): a put creates or replaces the rule with its
 * id, the list comes in id order (bytewise, as DynamoDB's sort key), a delete says whether the rule existed.
 *
 * A re-categorization request replaces the user's row in `recategorize_requests` and appends its change to the
 * outbox in the same SQL transaction (entity `recategorize`, INSERT the first time and MODIFY after, with the
 * attributes of DynamoDB's item as the Categorizer parses them: services/categorizer-processor.ts).
 */
export class PgRuleStore extends PgRole implements RuleStore {
  async putUserRule(rule: UserRule): Promise<void> {
    await this.db.execute(
      sql`INSERT INTO user_rules (user_id, id, match, category, priority, created_at, updated_at)
          VALUES (${rule.user_id}, ${rule.id}, ${json(rule.match)}::jsonb,
                  ${json(rule.category)}::jsonb, ${rule.priority}, ${rule.created_at}, ${rule.updated_at})
          ON CONFLICT (user_id, id) DO UPDATE
            SET match = EXCLUDED.match, category = EXCLUDED.category, priority = EXCLUDED.priority,
                created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
    );
  }

  async listUserRules(userId: string): Promise<UserRule[]> {
    // Page by page (a Data API response holds at most 1 MiB; a user has at most 500 rules).
    const out: UserRule[] = [];
    for (let after: string | null = null; ;) {
      const found = await rows(
        this.db,
        sql`SELECT user_id, id, match::text AS match, category::text AS category, priority, created_at, updated_at
            FROM user_rules
            WHERE user_id = ${userId} ${after === null ? sql`` : sql`AND id > ${after}`}
            ORDER BY id
            LIMIT ${READ_PAGE}`,
      );
      out.push(...found.map(ruleOf));
      if (found.length < READ_PAGE) return out;
      after = out.at(-1)!.id;
    }
  }

  async deleteUserRule(userId: string, id: string): Promise<boolean> {
    const deleted = await rows(
      this.db,
      sql`DELETE FROM user_rules WHERE user_id = ${userId} AND id = ${id} RETURNING id`,
    );
    return deleted.length > 0;
  }

  async requestRecategorization(userId: string, at: string, reason: string): Promise<void> {
    // Unique per request, as DynamoDB's item has it (there, so that the put is a change the stream records).
    const requestId = randomUUID();
    await outboxTransaction(this.conn, async (tx) => {
      const [old] = await rows(
        tx,
        sql`SELECT request_id, requested_at, reason FROM recategorize_requests WHERE user_id = ${userId} FOR UPDATE`,
      );
      await tx.execute(
        sql`INSERT INTO recategorize_requests (user_id, request_id, requested_at, reason)
            VALUES (${userId}, ${requestId}, ${at}, ${reason})
            ON CONFLICT (user_id) DO UPDATE
              SET request_id = EXCLUDED.request_id, requested_at = EXCLUDED.requested_at, reason = EXCLUDED.reason`,
      );
      await appendOutbox(tx, [
        {
          userId,
          entity: RECATEGORIZE_ENTITY,
          eventName: old ? 'MODIFY' : 'INSERT',
          before: old ? recategorizeImage(userId, old) : null,
          after: recategorizeImage(userId, { request_id: requestId, requested_at: at, reason }),
        },
      ]);
    });
  }
}

const READ_PAGE = 200;

/** The stream entity of a re-categorization request. */
const RECATEGORIZE_ENTITY = 'recategorize' as const;

/** DynamoDB's `recategorize` item without its keys and TTL. */
function recategorizeImage(userId: string, row: Row): Record<string, unknown> {
  return {
    entity: RECATEGORIZE_ENTITY,
    userId,
    requestedAt: String(row.requested_at),
    requestId: String(row.request_id),
    reason: String(row.reason),
  };
}

function ruleOf(row: Row): UserRule {
  return {
    id: String(row.id),
    user_id: String(row.user_id),
    match: fromJson(row.match) as UserRule['match'],
    category: fromJson(row.category) as UserRule['category'],
    priority: Number(row.priority),
    created_at: String(row.created_at),
    updated_at: String(row.updated_at),
  };
}
