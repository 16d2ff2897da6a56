import type { SQL } from 'drizzle-orm';

/** A row as the drivers return it (column name → value). */
export type Row = Record<string, unknown>;

/**
 * What the role adapters need of a drizzle database or transaction (node-postgres, PGlite and the Data API all
 * give it): run a statement and read its rows.
 */
export interface Queryable {
  execute(query: SQL): PromiseLike<{ rows: unknown[] }>;
}

/** A database that also opens transactions. */
export interface Transactional extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

export async function rowsOf(db: Queryable, query: SQL): Promise<Row[]> {
  const out = await db.execute(query);
  return out.rows as Row[];
}

/** A json/jsonb value as a driver returns it: parsed already (node-postgres, PGlite) or as text (the Data API). */
export function jsonOf(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
