import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

/**
 * The mock banks' state in the single table. Only this adapter knows the key shapes:
 *
 *   entity               pk                                  sk         TTL (expires_at)
 *   mock_bank_code       MOCKBANK#<bank>#CODE#<sha256>       CODE       purgeAt
 *   mock_bank_grant      MOCKBANK#<bank>#GRANT#<id>          GRANT      purgeAt
 *   mock_bank_token      MOCKBANK#<bank>#TOKEN#<sha256>      TOKEN      purgeAt
 *   mock_bank_settings   MOCKBANK#<bank>                     SETTINGS   -          (clock, faults)
 *   mock_bank_counter    MOCKBANK#<bank>                     COUNTER    -          (n)
 *
 * Codes and tokens are keyed by their SHA-256; the secrets themselves are never written.
 */
const keys = {
  bank: (bank: string) => `MOCKBANK#${bank}`,
  code: (bank: string, hash: string) => `MOCKBANK#${bank}#CODE#${hash}`,
  grant: (bank: string, id: string) => `MOCKBANK#${bank}#GRANT#${id}`,
  token: (bank: string, hash: string) => `MOCKBANK#${bank}#TOKEN#${hash}`,
};

/** A scripted user's login (kit/scripted.ts), kept on its code and grant. */
const ScriptedLoginSchema = z.object({ document: z.string(), anchor: z.string() });

const CodeSchema = z.object({
  hash: z.string(),
  grantId: z.string(),
  clientId: z.string(),
  redirectUri: z.string(),
  codeChallenge: z.string(),
  scope: z.array(z.string()),
  userIndex: z.number().int(),
  scripted: ScriptedLoginSchema.optional(),
  expiresAt: z.string(),
  usedAt: z.string().optional(),
  expires_at: z.number(),
});

const GrantSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  userIndex: z.number().int(),
  scripted: ScriptedLoginSchema.optional(),
  scope: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
  expires_at: z.number(),
});

const TokenSchema = z.object({
  hash: z.string(),
  kind: z.enum(['access', 'refresh']),
  grantId: z.string(),
  clientId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  usedAt: z.string().optional(),
  revokedAt: z.string().optional(),
  expires_at: z.number(),
});

const ClockSchema = z.object({ offsetMs: z.number(), frozenAt: z.string().nullable() });

function fromItem<T extends { expires_at: number }>(
  schema: z.ZodType<T>,
  item: Record<string, unknown> | undefined,
): (Omit<T, 'expires_at'> & { purgeAt: number }) | null {
  if (!item) return null;
  const parsed = schema.safeParse(item);
  if (!parsed.success) throw new Error(`mock bank state: unreadable ${String(item.entity)} item`);
  const { expires_at: purgeAt, ...rest } = parsed.data;
  return { ...rest, purgeAt };
}

export class DynamoMockBankState implements MockBankState {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly bank: string,
  ) {}

  private async put(
    pk: string,
    sk: string,
    entity: string,
    record: object & { purgeAt?: number },
  ): Promise<void> {
    const { purgeAt, ...rest } = record;
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...rest, pk, sk, entity, ...(purgeAt === undefined ? {} : { expires_at: purgeAt }) },
      }),
    );
  }

  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** Sets `attr` unless set already, on an existing item; the item as it was before, or undefined if missing. */
  private async markOnce(
    pk: string,
    sk: string,
    attr: string,
    at: string,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk },
          UpdateExpression: 'SET #a = if_not_exists(#a, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#a': attr },
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return out.Attributes;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  private async set(pk: string, sk: string, attr: string, value: unknown): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk },
          UpdateExpression: 'SET #a = :v',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#a': attr },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  // ---- codes ------------------------------------------------------------------------------------------

  async saveCode(code: StoredCode): Promise<void> {
    await this.put(keys.code(this.bank, code.hash), 'CODE', 'mock_bank_code', code);
  }

  async useCode(hash: string, at: string): Promise<StoredCode | null> {
    return fromItem(CodeSchema, await this.markOnce(keys.code(this.bank, hash), 'CODE', 'usedAt', at));
  }

  // ---- grants -----------------------------------------------------------------------------------------

  async saveGrant(grant: StoredGrant): Promise<void> {
    await this.put(keys.grant(this.bank, grant.id), 'GRANT', 'mock_bank_grant', grant);
  }

  async getGrant(id: string): Promise<StoredGrant | null> {
    return fromItem(GrantSchema, await this.get(keys.grant(this.bank, id), 'GRANT'));
  }

  async revokeGrant(id: string, at: string): Promise<void> {
    await this.markOnce(keys.grant(this.bank, id), 'GRANT', 'revokedAt', at);
  }

  // ---- tokens -----------------------------------------------------------------------------------------

  async saveToken(token: StoredToken): Promise<void> {
    await this.put(keys.token(this.bank, token.hash), 'TOKEN', 'mock_bank_token', token);
  }

  async getToken(hash: string): Promise<StoredToken | null> {
    return fromItem(TokenSchema, await this.get(keys.token(this.bank, hash), 'TOKEN'));
  }

  async useToken(hash: string, at: string): Promise<StoredToken | null> {
    return fromItem(TokenSchema, await this.markOnce(keys.token(this.bank, hash), 'TOKEN', 'usedAt', at));
  }

  async expireToken(hash: string, at: string): Promise<void> {
    await this.set(keys.token(this.bank, hash), 'TOKEN', 'expiresAt', at);
  }

  async revokeToken(hash: string, at: string): Promise<void> {
    await this.markOnce(keys.token(this.bank, hash), 'TOKEN', 'revokedAt', at);
  }

  // ---- settings and the request counter ---------------------------------------------------------------

  async getSettings(): Promise<BankSettings> {
    const item = await this.get(keys.bank(this.bank), 'SETTINGS');
    const clock = item?.clock === undefined ? null : ClockSchema.parse(item.clock);
    const faults = item?.faults === undefined ? null : FaultConfigSchema.parse(item.faults);
    return { clock, faults };
  }

  private async setting(attr: 'clock' | 'faults', value: ClockState | FaultConfig | null): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.bank(this.bank), sk: 'SETTINGS' },
        UpdateExpression: value === null ? 'SET #e = :e REMOVE #a' : 'SET #e = :e, #a = :v',
        ExpressionAttributeNames: { '#a': attr, '#e': 'entity' },
        ExpressionAttributeValues:
          value === null ? { ':e': 'mock_bank_settings' } : { ':e': 'mock_bank_settings', ':v': value },
      }),
    );
  }

  async saveClock(clock: ClockState | null): Promise<void> {
    await this.setting('clock', clock);
  }

  async saveFaults(faults: FaultConfig | null): Promise<void> {
    await this.setting('faults', faults);
  }

  async nextRequestNumber(): Promise<number> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.bank(this.bank), sk: 'COUNTER' },
        UpdateExpression: 'SET #e = :e ADD #n :one',
        ExpressionAttributeNames: { '#n': 'n', '#e': 'entity' },
        ExpressionAttributeValues: { ':one': 1, ':e': 'mock_bank_counter' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return z.number().int().parse(out.Attributes?.n);
  }
}
