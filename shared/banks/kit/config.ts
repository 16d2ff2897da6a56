import * as z from 'zod';
/**
 * The environment the mock banks and their provider clients read, validated with zod. The same variables are
 * read on both sides: a bank registers our platform as a client with `<BANK>_CLIENT_ID` / `_SECRET` (see
 * clientRegistration), and our provider client presents those credentials.
 */
const intFromEnv = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const BankEnvSchema = z.lazy(() =>
  z.object({
    STAGE: z.string().default('local'),
    PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
    /** Root of the mock banks; each bank lives at `${BANKS_BASE_URL}/<bank id>`. */
    BANKS_BASE_URL: z.url().optional(),
    /** Lifetimes on the bank's clock. */
    MOCK_BANK_CODE_TTL_SECONDS: intFromEnv(1, 3600, 300),
    MOCK_BANK_ACCESS_TOKEN_TTL_SECONDS: intFromEnv(1, 7 * 86_400, 3600),
    MOCK_BANK_REFRESH_TOKEN_TTL_SECONDS: intFromEnv(60, 10 * 365 * 86_400, 400 * 86_400),
    /** Shared secret for the admin routes (`X-Admin-Token`); defaults to `local-admin` only when STAGE=local. */
    MOCK_BANK_ADMIN_TOKEN: z.string().min(8).optional(),
    /** JSON: `{"bank_a": {"rate_limit": 0.2}, "*": {...}}`; see kit/faults.ts. */
    MOCK_BANK_FAULTS: z.string().optional(),
    /** Initial bank clock (RFC 3339), frozen at that instant, until an admin route moves it. */
    MOCK_BANK_CLOCK: z.iso.datetime({ offset: true }).optional(),
    /** Comma-separated prefixes a redirect_uri must start with; unset = any http(s) URL. */
    MOCK_BANK_REDIRECT_URI_PREFIXES: z.string().optional(),
    /** Generator inputs of the data the banks serve (see kit/data-source.ts). */
    MOCK_BANK_SEED: z.coerce.number().int().default(42),
    MOCK_BANK_START: z.iso.date().default('2026-01-01'),
    MOCK_BANK_DAYS: intFromEnv(1, 3660, 365),
    /** Client timeout of one HTTP call to a bank, in ms. */
    BANKS_HTTP_TIMEOUT_MS: intFromEnv(100, 120_000, 15_000),
  }),
);

export type BankEnv = z.output<typeof BankEnvSchema>;

export function bankEnv(env: NodeJS.ProcessEnv = process.env): BankEnv {
  const result = BankEnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid mock bank configuration:\n${lines}`);
  }
  return result.data;
}

/** Where the banks are, for the provider clients: BANKS_BASE_URL, else `${PUBLIC_BASE_URL}/mock-banks`. */
export function banksBaseUrl(env: BankEnv = bankEnv()): string {
  return (env.BANKS_BASE_URL ?? `${env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/mock-banks`).replace(/\/+$/, '');
}

/** Our platform's registration at a bank (what the bank knows and what our client presents). */
export interface ClientRegistration {
  clientId: string;
  /** Absent for public clients. */
  clientSecret?: string;
}

/**
 * Reads `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET` (fixed sandbox values by default). Each bank's folder
 * names its prefix and defaults, so a new bank needs no change here.
 */
export function clientRegistration(
  prefix: string,
  defaults: ClientRegistration,
  env: NodeJS.ProcessEnv = process.env,
): ClientRegistration {
  const clientId = env[`${prefix}_CLIENT_ID`] || defaults.clientId;
  if (defaults.clientSecret === undefined) return { clientId };
  return { clientId, clientSecret: env[`${prefix}_CLIENT_SECRET`] || defaults.clientSecret };
}

/** The admin token, or null when admin routes are disabled (no token configured outside STAGE=local). */
export function adminToken(env: BankEnv = bankEnv()): string | null {
  return env.MOCK_BANK_ADMIN_TOKEN ?? (env.STAGE === 'local' ? 'local-admin' : null);
}
