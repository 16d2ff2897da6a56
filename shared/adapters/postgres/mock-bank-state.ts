import { sql, type SQL } from 'drizzle-orm';
import * as z from 'zod';
import { FaultConfigSchema, type FaultConfig } from '../../banks/kit/faults';
import type { ClockState } from '../../banks/kit/clock';
import type {
  BankSettings,
  MockBankState,
  StoredCode,
  StoredGrant,
  StoredToken,
} from '../../banks/kit/state';
import { fromJson, json, rows, type PgConnection } from './db';

type Row = Record<string, unknown>;

/**
 * The mock banks' state in PostgreSQL (migration 0011_mock_bank_state.sql), one bank per instance, with the
 * DynamoDB adapter's semantics (shared/adapters/dynamodb/mock-bank-state.ts):
 *
 * - codes and refresh tokens are used once: `useCode`/`useToken` set `used_at` only where it is unset and return
 *   the row as it was before, in one statement that locks the row first, so of two concurrent callers exactly
 *   one sees it unused; revocations keep their first time;
 * - `purgeAt` is DynamoDB's TTL (epoch seconds, real time): a row past it reads as absent, and the next save of
 *   its kind deletes the bank's rows past it (validity itself is decided by the bank on its own clock);
 * - the request counter is one row per bank, incremented atomically.
 */
export class PgMockBankState implements MockBankState {
  private readonly db: PgConnection['db'];

  constructor(
    conn: PgConnection,
    private readonly bank: string,
    /** Real time in epoch seconds (the TTL's clock). */
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.db = conn.db;
  }

  // ---- codes --------------------------------------------------------------------------------------------

  async saveCode(code: StoredCode): Promise<void> {
    await this.purge(CODES);
    await this.db.execute(
      sql`INSERT INTO mock_bank_codes (bank, hash, grant_id, client_id, redirect_uri, code_challenge, scope, user_index,
                                       scripted, expires_at, used_at, purge_at)
          VALUES (${this.bank}, ${code.hash}, ${code.grantId}, ${code.clientId}, ${code.redirectUri},
                  ${code.codeChallenge}, ${json(code.scope)}::jsonb, ${code.userIndex},
                  ${code.scripted ? json(code.scripted) : null}::jsonb, ${code.expiresAt},
                  ${code.usedAt ?? null}, ${code.purgeAt})
          ON CONFLICT (bank, hash) DO UPDATE SET
            grant_id = EXCLUDED.grant_id, client_id = EXCLUDED.client_id, redirect_uri = EXCLUDED.redirect_uri,
            code_challenge = EXCLUDED.code_challenge, scope = EXCLUDED.scope, user_index = EXCLUDED.user_index,
            scripted = EXCLUDED.scripted, expires_at = EXCLUDED.expires_at, used_at = EXCLUDED.used_at,
            purge_at = EXCLUDED.purge_at`,
    );
  }

  async useCode(hash: string, at: string): Promise<StoredCode | null> {
    const row = await this.markOnce(CODES, hash, sql`used_at`, at);
    return row && CodeSchema.parse(row);
  }

  // ---- grants -------------------------------------------------------------------------------------------

  async saveGrant(grant: StoredGrant): Promise<void> {
    await this.purge(GRANTS);
    await this.db.execute(
      sql`INSERT INTO mock_bank_grants (bank, id, client_id, user_index, scripted, scope, created_at, revoked_at,
                                        purge_at)
          VALUES (${this.bank}, ${grant.id}, ${grant.clientId}, ${grant.userIndex},
                  ${grant.scripted ? json(grant.scripted) : null}::jsonb, ${json(grant.scope)}::jsonb,
                  ${grant.createdAt}, ${grant.revokedAt ?? null}, ${grant.purgeAt})
          ON CONFLICT (bank, id) DO UPDATE SET
            client_id = EXCLUDED.client_id, user_index = EXCLUDED.user_index, scripted = EXCLUDED.scripted,
            scope = EXCLUDED.scope, created_at = EXCLUDED.created_at, revoked_at = EXCLUDED.revoked_at,
            purge_at = EXCLUDED.purge_at`,
    );
  }

  async getGrant(id: string): Promise<StoredGrant | null> {
    const [row] = await rows<Row>(
      this.db,
      sql`SELECT ${GRANTS.columns('')} FROM mock_bank_grants WHERE bank = ${this.bank} AND id = ${id} AND purge_at > ${this.nowSeconds()}`,
    );
    return row ? GrantSchema.parse(row) : null;
  }

  async revokeGrant(id: string, at: string): Promise<void> {
    await this.markOnce(GRANTS, id, sql`revoked_at`, at);
  }

  // ---- tokens -------------------------------------------------------------------------------------------

  async saveToken(token: StoredToken): Promise<void> {
    await this.purge(TOKENS);
    await this.db.execute(
      sql`INSERT INTO mock_bank_tokens (bank, hash, kind, grant_id, client_id, created_at, expires_at, used_at,
                                        revoked_at, purge_at)
          VALUES (${this.bank}, ${token.hash}, ${token.kind}, ${token.grantId}, ${token.clientId}, ${token.createdAt},
                  ${token.expiresAt}, ${token.usedAt ?? null}, ${token.revokedAt ?? null}, ${token.purgeAt})
          ON CONFLICT (bank, hash) DO UPDATE SET
            kind = EXCLUDED.kind, grant_id = EXCLUDED.grant_id, client_id = EXCLUDED.client_id,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, used_at = EXCLUDED.used_at,
            revoked_at = EXCLUDED.revoked_at, purge_at = EXCLUDED.purge_at`,
    );
  }

  async getToken(hash: string): Promise<StoredToken | null> {
    const [row] = await rows<Row>(
      this.db,
      sql`SELECT ${TOKENS.columns('')} FROM mock_bank_tokens
          WHERE bank = ${this.bank} AND hash = ${hash} AND purge_at > ${this.nowSeconds()}`,
    );
    return row ? TokenSchema.parse(row) : null;
  }

  async useToken(hash: string, at: string): Promise<StoredToken | null> {
    const row = await this.markOnce(TOKENS, hash, sql`used_at`, at);
    return row && TokenSchema.parse(row);
  }

  async expireToken(hash: string, at: string): Promise<void> {
    await this.db.execute(
      sql`UPDATE mock_bank_tokens SET expires_at = ${at}
          WHERE bank = ${this.bank} AND hash = ${hash} AND purge_at > ${this.nowSeconds()}`,
    );
  }

  async revokeToken(hash: string, at: string): Promise<void> {
    await this.markOnce(TOKENS, hash, sql`revoked_at`, at);
  }

  // ---- settings and the request counter -----------------------------------------------------------------

  async getSettings(): Promise<BankSettings> {
    const [row] = await rows<Row>(
      this.db,
      sql`SELECT clock::text AS clock, faults::text AS faults FROM mock_bank_settings WHERE bank = ${this.bank}`,
    );
    const clock = row?.clock == null ? null : ClockSchema.parse(fromJson(row.clock));
    const faults = row?.faults == null ? null : FaultConfigSchema.parse(fromJson(row.faults));
    return { clock, faults };
  }

  async saveClock(clock: ClockState | null): Promise<void> {
    await this.db.execute(
      sql`INSERT INTO mock_bank_settings (bank, clock) VALUES (${this.bank}, ${nullableJson(clock)}::jsonb)
          ON CONFLICT (bank) DO UPDATE SET clock = EXCLUDED.clock`,
    );
  }

  async saveFaults(faults: FaultConfig | null): Promise<void> {
    await this.db.execute(
      sql`INSERT INTO mock_bank_settings (bank, faults) VALUES (${this.bank}, ${nullableJson(faults)}::jsonb)
          ON CONFLICT (bank) DO UPDATE SET faults = EXCLUDED.faults`,
    );
  }

  async nextRequestNumber(): Promise<number> {
    const [row] = await rows<Row>(
      this.db,
      sql`INSERT INTO mock_bank_settings (bank, counter) VALUES (${this.bank}, 1)
          ON CONFLICT (bank) DO UPDATE SET counter = mock_bank_settings.counter + 1
          RETURNING counter`,
    );
    return z.coerce.number().int().positive().parse(row?.counter);
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  /**
   * Sets `column` to `at` unless it is set already, on a live row; the row as it was before, or null when there
   * is none. The row is locked by the statement's first step (FOR UPDATE), so a concurrent caller waits and then
   * reads the row as this one left it.
   */
  private async markOnce(kind: Kind, id: string, column: SQL, at: string): Promise<Row | null> {
    const [row] = await rows<Row>(
      this.db,
      sql`WITH old AS (
            SELECT * FROM ${kind.table}
            WHERE bank = ${this.bank} AND ${kind.key} = ${id} AND purge_at > ${this.nowSeconds()}
            FOR UPDATE
          )
          UPDATE ${kind.table} AS t SET ${column} = COALESCE(t.${column}, ${at})
          FROM old WHERE t.bank = old.bank AND t.${kind.key} = old.${kind.key}
          RETURNING ${kind.columns('old.')}`,
    );
    return row ?? null;
  }

  /** Deletes the bank's rows of a kind whose TTL has passed. */
  private async purge(kind: Kind): Promise<void> {
    await this.db.execute(
      sql`DELETE FROM ${kind.table} WHERE bank = ${this.bank} AND purge_at <= ${this.nowSeconds()}`,
    );
  }
}

/** A kind of record: its table, its key column, and its columns as read (jsonb and bigint as text). */
interface Kind {
  table: SQL;
  key: SQL;
  columns: (prefix: string) => SQL;
}

function kind(table: string, key: string, columns: string[]): Kind {
  const read = (prefix: string, c: string) =>
    c === 'scope' || c === 'scripted' || c === 'purge_at' ? `${prefix}${c}::text AS ${c}` : `${prefix}${c}`;
  return {
    table: sql.raw(table),
    key: sql.raw(key),
    columns: (prefix) => sql.raw(columns.map((c) => read(prefix, c)).join(', ')),
  };
}

const CODES = kind('mock_bank_codes', 'hash', [
  'hash',
  'grant_id',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'scope',
  'user_index',
  'scripted',
  'expires_at',
  'used_at',
  'purge_at',
]);
const GRANTS = kind('mock_bank_grants', 'id', [
  'id',
  'client_id',
  'user_index',
  'scripted',
  'scope',
  'created_at',
  'revoked_at',
  'purge_at',
]);
const TOKENS = kind('mock_bank_tokens', 'hash', [
  'hash',
  'kind',
  'grant_id',
  'client_id',
  'created_at',
  'expires_at',
  'used_at',
  'revoked_at',
  'purge_at',
]);

function nullableJson(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** An optional text column: absent (not null) when unset, as the records' optional fields are. */
const optional = z
  .string()
  .nullable()
  .transform((v) => v ?? undefined);
const seconds = z.coerce.number().int();
const strings = z.preprocess(fromJson, z.array(z.string()));
/** A scripted user's login (kit/scripted.ts), a jsonb column read as text; absent for the sandbox users. */
const scripted = z.preprocess(
  (v) => (v == null ? null : fromJson(v)),
  z.object({ document: z.string(), anchor: z.string() }).nullable(),
);

const CodeSchema = z
  .object({
    hash: z.string(),
    grant_id: z.string(),
    client_id: z.string(),
    redirect_uri: z.string(),
    code_challenge: z.string(),
    scope: strings,
    user_index: z.coerce.number().int(),
    scripted,
    expires_at: z.string(),
    used_at: optional,
    purge_at: seconds,
  })
  .transform((r): StoredCode => ({
    hash: r.hash,
    grantId: r.grant_id,
    clientId: r.client_id,
    redirectUri: r.redirect_uri,
    codeChallenge: r.code_challenge,
    scope: r.scope,
    userIndex: r.user_index,
    ...(r.scripted ? { scripted: r.scripted } : {}),
    expiresAt: r.expires_at,
    ...(r.used_at === undefined ? {} : { usedAt: r.used_at }),
    purgeAt: r.purge_at,
  }));

const GrantSchema = z
  .object({
    id: z.string(),
    client_id: z.string(),
    user_index: z.coerce.number().int(),
    scripted,
    scope: strings,
    created_at: z.string(),
    revoked_at: optional,
    purge_at: seconds,
  })
  .transform((r): StoredGrant => ({
    id: r.id,
    clientId: r.client_id,
    userIndex: r.user_index,
    ...(r.scripted ? { scripted: r.scripted } : {}),
    scope: r.scope,
    createdAt: r.created_at,
    ...(r.revoked_at === undefined ? {} : { revokedAt: r.revoked_at }),
    purgeAt: r.purge_at,
  }));

const TokenSchema = z
  .object({
    hash: z.string(),
    kind: z.enum(['access', 'refresh']),
    grant_id: z.string(),
    client_id: z.string(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    used_at: optional,
    revoked_at: optional,
    purge_at: seconds,
  })
  .transform((r): StoredToken => ({
    hash: r.hash,
    kind: r.kind,
    grantId: r.grant_id,
    clientId: r.client_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    ...(r.used_at === undefined ? {} : { usedAt: r.used_at }),
    ...(r.revoked_at === undefined ? {} : { revokedAt: r.revoked_at }),
    purgeAt: r.purge_at,
  }));

const ClockSchema = z.object({ offsetMs: z.number(), frozenAt: z.string().nullable() });
