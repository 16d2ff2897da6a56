import type { Connection, ConnectionStatus, LinkSession } from '../domain/models';

/** A page of results and the opaque cursor of the next one (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

/** The cursor a client sent does not belong to this query (tampered, stale or another user's). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** A conditional write lost: the item exists already, or is not in the expected state. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/**
 * The storage port, in domain words. Every read and write is scoped by the owning user's id; nothing outside an
 * adapter knows a key shape or a table. Adapters: DynamoDB (shared/adapters/dynamodb/store.ts).
 */
export interface Store {
  // Link sessions (OAuth state)
  putLinkSession(session: LinkSession): Promise<void>;
  /** Atomically takes the session: returns it once, then never again. Expired sessions are returned as null. */
  consumeLinkSession(state: string, now: Date): Promise<LinkSession | null>;

  // Connections
  putConnection(connection: Connection): Promise<void>;
  getConnection(userId: string, id: string): Promise<Connection | null>;
  listConnections(userId: string, page: PageRequest): Promise<Page<Connection>>;
  /** Every connection in a status, across users (the scheduled fan-out). */
  listConnectionsByStatus(status: ConnectionStatus, page: PageRequest): Promise<Page<Connection>>;
  /** Updates fields of an existing connection; throws ConflictError if it does not exist. */
  updateConnection(
    userId: string,
    id: string,
    changes: Partial<Omit<Connection, 'id' | 'userId' | 'provider' | 'createdAt'>>,
  ): Promise<Connection>;
}
