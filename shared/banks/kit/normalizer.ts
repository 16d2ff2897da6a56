import type { BankAccount, BankTransaction } from '../../domain/models';

/**
 * A bank's normalizer: its wire records (validated with the bank's own zod schemas in `wire.ts`) to the canonical
 * models. Each function throws on a record it cannot read (a ZodError or an Error naming the field); the sync
 * quarantines that record with the reason and goes on.
 */
export interface Normalizer {
  account(raw: unknown): BankAccount;
  /** `accounts`: the bank's accounts by their bank id (for time zones). */
  transaction(raw: unknown, accounts: ReadonlyMap<string, BankAccount>): BankTransaction;
}

/** The description without control characters and runs of spaces: what every normalizer stores. */
export function cleanText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

export function lastFour(masked: string): string | null {
  const m = /(\d{4})$/.exec(masked);
  return m ? m[1]! : null;
}

/**
 * Balances as the API shows them (Plaid's convention): for credit and loan accounts `current` is the amount owed,
 * positive; banks send the natural sign (a card's debt negative). Deposit accounts keep the natural sign.
 */
export function apiBalances(
  type: BankAccount['type'],
  current: number,
  available: number,
): { balanceCurrentMinor: number; balanceAvailableMinor: number } {
  const owed = type === 'credit' || type === 'loan';
  return { balanceCurrentMinor: owed ? -current || 0 : current, balanceAvailableMinor: available };
}
