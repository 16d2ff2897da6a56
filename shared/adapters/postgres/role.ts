import type { PgConnection, PgDb } from './db';

/**
 * The base of every role class of the PostgreSQL adapter (PgTransactionStore, PgSyncRunStore, …): the connection,
 * and nothing else. A role class implements one or a few ports of shared/ports/store.ts; PostgresStore
 * (store.ts) composes them into the whole Store.
 */
export abstract class PgRole {
  protected readonly db: PgDb;

  constructor(protected readonly conn: PgConnection) {
    this.db = conn.db;
  }
}
