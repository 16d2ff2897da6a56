import { randomBytes } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { fromJson, rows, type PgConnection } from '../../shared/adapters/postgres/db';
import { PostgresStore } from '../../shared/adapters/postgres/store';
import type { TxnEvent } from '../../shared/domain/models';
import type { Store } from '../../shared/ports/store';
import { freshTable } from '../support/dynamodb';
import { freshPglite, freshPostgres } from '../support/postgres';

/**
 * The contract suite's backends: one suite, written once against the port (shared/ports/store.ts), run on
 * DynamoDB Local, the machine's PostgreSQL (a fresh database per file) and PGlite in memory.
 *
 *   forEachBackend('connections', (b) => {
 *     it('…', async () => { const store = b().store; … });
 *   });
 *
 * `CONTRACT_BACKENDS=postgres,pglite` runs a subset. Tests use fresh ids (`uid()`) so that they never see each
 * other's rows in the shared store of a file.
 */
export type BackendName = 'dynamodb' | 'postgres' | 'pglite';

export interface OutboxRow {
  seq: number;
  userId: string;
  entity: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface Backend {
  name: BackendName;
  store: Store;
  /** DynamoDB backend: the table (for the adapters beside the Store that live in it, e.g. webhook keys). */
  dynamo?: { doc: DynamoDBDocumentClient; tableName: string };
  /** PostgreSQL backends: the connection, and the user's outbox rows in seq order. */
  conn?: PgConnection;
  outbox?: (userId: string) => Promise<OutboxRow[]>;
  /** Writes an event row behind the store's back (a forged or leftover event), to test that events are never overwritten. */
  forgeEvent(userId: string, event: TxnEvent): Promise<void>;
}

export const BACKENDS: readonly BackendName[] = (
  (process.env.CONTRACT_BACKENDS?.split(',') as BackendName[] | undefined) ?? [
    'dynamodb',
    'postgres',
    'pglite',
  ]
).filter((b) => ['dynamodb', 'postgres', 'pglite'].includes(b));

/** A fresh id, so that tests sharing a store never meet. */
export function uid(prefix = 'u'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

async function open(name: BackendName): Promise<{ backend: Backend; close: () => Promise<void> }> {
  if (name === 'dynamodb') {
    const table = await freshTable('contract');
    return {
      backend: {
        name,
        store: new DynamoStore(table.doc, table.tableName),
        dynamo: { doc: table.doc, tableName: table.tableName },
        async forgeEvent(userId, e) {
          await table.doc.send(
            new PutCommand({
              TableName: table.tableName,
              Item: { pk: keys.txn(e.txnId), sk: keys.event(e.seq), entity: 'txn_event', userId, ...e },
            }),
          );
        },
      },
      close: () => table.drop(),
    };
  }
  const db = name === 'postgres' ? await freshPostgres() : await freshPglite();
  const conn = db.conn;
  return {
    backend: {
      name,
      store: new PostgresStore(conn),
      conn,
      async outbox(userId) {
        const found = await rows<{
          seq: string;
          user_id: string;
          entity: string;
          event_name: OutboxRow['eventName'];
          before: string | null;
          after: string | null;
        }>(
          conn.db,
          sql`SELECT seq::text AS seq, user_id, entity, event_name, before::text AS before, after::text AS after
              FROM outbox WHERE user_id = ${userId} ORDER BY outbox.seq`,
        );
        return found.map((r) => ({
          seq: Number(r.seq),
          userId: r.user_id,
          entity: r.entity,
          eventName: r.event_name,
          before: r.before === null ? null : fromJson<Record<string, unknown>>(r.before),
          after: r.after === null ? null : fromJson<Record<string, unknown>>(r.after),
        }));
      },
      async forgeEvent(userId, e) {
        await conn.db.execute(
          sql`INSERT INTO transaction_events (txn_id, seq, user_id, data)
              VALUES (${e.txnId}, ${e.seq}, ${userId}, ${JSON.stringify({ userId, ...e })}::jsonb)`,
        );
      },
    },
    close: () => db.drop(),
  };
}

/** Runs `suite` once per backend, each in its own describe with its own fresh store. */
export function forEachBackend(name: string, suite: (backend: () => Backend) => void): void {
  for (const backendName of BACKENDS) {
    describe(`${name} [${backendName}]`, () => {
      let opened: Awaited<ReturnType<typeof open>> | undefined;
      beforeAll(async () => {
        opened = await open(backendName);
      });
      afterAll(async () => {
        await opened?.close();
      });
      suite(() => {
        if (!opened) throw new Error(`the ${backendName} backend did not open`);
        return opened.backend;
      });
    });
  }
}
