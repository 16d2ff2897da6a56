import { createHash } from 'node:crypto';
import { formatDecimal } from './money';
import type { Account } from './models';

/** Our account id: deterministic from the connection and the bank's account id. */
export function accountId(connectionId: string, providerAccountId: string): string {
  return `acc_${createHash('sha256').update(`${connectionId}\u001f${providerAccountId}`).digest('hex').slice(0, 24)}`;
}

const amount = (minor: number | null, currency: string) =>
  minor === null ? null : formatDecimal({ minor, currency });

/** The API's account object. */
export function accountView(a: Account) {
  return {
    id: a.id,
    connection_id: a.connectionId,
    provider: a.provider,
    name: a.name,
    mask: a.mask,
    type: a.type,
    subtype: a.subtype,
    currency: a.currency,
    balance: {
      current: amount(a.balanceCurrentMinor, a.currency),
      available: amount(a.balanceAvailableMinor, a.currency),
    },
    updated_at: a.updatedAt,
  };
}
