import { createHash } from 'node:crypto';
import type { BankTransaction, ProviderValues } from './models';

/** Upper-case, single-spaced, punctuation-light text: what two versions of one description have in common. */
export function normalizeDescription(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^\p{L}\p{N}@*/#&.-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * SHA-256 over the canonical fields that identify one real-world transaction at a bank: the account, the local
 * date, the instant where the bank gives one, the signed amount and currency, the normalized description, and the
 * bank's reference where it gives one instead of a time.
 * The status is left out on purpose: a pending transaction that posts unchanged is the same transaction.
 * A bank that re-sends a transaction under a new id sends the same fingerprint; two genuinely separate purchases
 * differ at least in their instant or in the bank's reference in the description.
 */
export function fingerprint(
  accountId: string,
  v: Pick<ProviderValues, 'date' | 'occurredAt' | 'amountMinor' | 'currency' | 'description' | 'reference'>,
): string {
  const canonical = [
    accountId,
    v.date,
    v.occurredAt ?? '',
    String(v.amountMinor),
    v.currency,
    normalizeDescription(v.description),
    v.reference ?? '',
  ];
  return createHash('sha256').update(canonical.join('\u001f')).digest('hex');
}

export function providerValues(r: BankTransaction): ProviderValues {
  return {
    status: r.status,
    date: r.date,
    occurredAt: r.occurredAt,
    amountMinor: r.amountMinor,
    currency: r.currency,
    description: r.description,
    merchantName: r.merchantName,
    reference: r.reference ?? null,
    ...(r.mcc ? { mcc: r.mcc } : {}),
  };
}
