import * as z from 'zod';
import { seededPick, seededUnit } from './crypto';

/**
 * Faults a mock bank can be told to inject, per bank, from the environment (MOCK_BANK_FAULTS) or the admin route
 * (`POST /mock-banks/<bank>/admin/faults`). Everything is off by default. Every decision is a pure function of
 * the seed and a request number (a counter the bank keeps in its state) or a record id, so a test that sets the
 * same faults sees the same sequence of outcomes.
 */
const rate = z.number().min(0).max(1);

export const FaultConfigSchema = z
  .object({
    /** Seed of every fault decision. */
    seed: z.number().int().default(1),
    /** Probability that a request is answered 429 with Retry-After. */
    rate_limit: rate.default(0),
    /** The Retry-After the bank asks for, in seconds. */
    retry_after_seconds: z.number().int().min(0).max(3600).default(1),
    /** Probability that a request fails with a 5xx. */
    server_error: rate.default(0),
    /** Which 5xx: one status, or `mixed` (500 or 503, seeded). */
    server_error_status: z
      .union([z.literal(500), z.literal(502), z.literal(503), z.literal('mixed')])
      .default('mixed'),
    /** Extra latency of a slowed request, in ms (capped below the function timeout). */
    slow_ms: z.number().int().min(0).max(20_000).default(0),
    /** Probability that a request is slowed by slow_ms. */
    slow_rate: rate.default(1),
    /**
     * Probability that a data request finds its (valid) access token expired early: the bank answers 401
     * token-expired and that token stays expired, so the client has to refresh.
     */
    expire_token: rate.default(0),
    /** Probability, per transaction record, that a malformed record is mixed into the page. */
    malformed: rate.default(0),
    /** `extra`: a broken copy is added next to the good record; `corrupt`: the record itself is broken. */
    malformed_mode: z.enum(['extra', 'corrupt']).default('extra'),
    /** Which endpoints the request faults hit: the data API only, or the OAuth token/revoke endpoints too. */
    scope: z.enum(['data', 'all']).default('data'),
  })
  .strict();

export type FaultConfig = z.output<typeof FaultConfigSchema>;
export type FaultConfigInput = z.input<typeof FaultConfigSchema>;

export const NO_FAULTS: FaultConfig = FaultConfigSchema.parse({});

export type MalformKind = 'missing_field' | 'garbage_amount' | 'bad_date';
const MALFORM_KINDS: readonly MalformKind[] = ['missing_field', 'garbage_amount', 'bad_date'];

/**
 * MOCK_BANK_FAULTS is JSON keyed by bank id (`"*"` for every bank): `{"bank_a": {"rate_limit": 0.3}}`.
 * A bank-specific entry wins over `"*"`. Invalid JSON or fields fail loudly, naming the variable.
 */
export function faultsFromEnv(bank: string, value: string | undefined): FaultConfig | null {
  if (!value || !value.trim()) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error('MOCK_BANK_FAULTS is not valid JSON');
  }
  const all = z.record(z.string(), z.unknown()).safeParse(parsed);
  if (!all.success) throw new Error('MOCK_BANK_FAULTS must be a JSON object keyed by bank id');
  const entry = all.data[bank] ?? all.data['*'];
  if (entry === undefined) return null;
  const cfg = FaultConfigSchema.safeParse(entry);
  if (!cfg.success) {
    throw new Error(
      `MOCK_BANK_FAULTS.${bank}: ${cfg.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return cfg.data;
}

/** Whether any per-request fault needs a request number (a rate strictly between 0 and 1). */
export function needsRequestNumber(cfg: FaultConfig): boolean {
  return [cfg.rate_limit, cfg.server_error, cfg.expire_token, cfg.slow_ms > 0 ? cfg.slow_rate : 0].some(
    (r) => r > 0 && r < 1,
  );
}

function fires(probability: number, ...parts: (string | number)[]): boolean {
  if (probability <= 0) return false;
  if (probability >= 1) return true;
  return seededUnit(...parts) < probability;
}

/** The fault decisions for one request: a pure function of the config, the bank and the request number. */
export class FaultPlan {
  constructor(
    readonly config: FaultConfig,
    private readonly bank: string,
    private readonly requestNumber: number,
  ) {}

  private key(kind: string): (string | number)[] {
    return [this.config.seed, this.bank, kind, this.requestNumber];
  }

  delayMs(): number {
    return this.config.slow_ms > 0 && fires(this.config.slow_rate, ...this.key('slow'))
      ? this.config.slow_ms
      : 0;
  }

  rateLimited(): boolean {
    return fires(this.config.rate_limit, ...this.key('rate_limit'));
  }

  serverError(): 500 | 502 | 503 | null {
    if (!fires(this.config.server_error, ...this.key('server_error'))) return null;
    const status = this.config.server_error_status;
    return status === 'mixed' ? seededPick([500, 503] as const, ...this.key('server_error_status')) : status;
  }

  expireToken(): boolean {
    return fires(this.config.expire_token, ...this.key('expire_token'));
  }

  /** Whether (and how) this record is malformed: per record, the same on every request. */
  malformed(recordId: string): MalformKind | null {
    if (!fires(this.config.malformed, this.config.seed, this.bank, 'malformed', recordId)) return null;
    return seededPick(MALFORM_KINDS, this.config.seed, this.bank, 'malformed_kind', recordId);
  }

  /** A seeded choice among a bank's variants of one malformation. */
  variant<T>(options: readonly T[], recordId: string): T {
    return seededPick(options, this.config.seed, this.bank, 'malformed_variant', recordId);
  }
}
