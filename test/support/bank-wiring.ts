import { getBank } from '../../shared/banks/registry';
import { ProviderError, type ProviderClient } from '../../shared/banks/kit/provider';
import type { BankAccount } from '../../shared/domain/models';
import type { BankId, GeneratedUser } from '../../shared/generator/types';
import { withNormalizers } from '../../shared/services/providers';

/**
 * A bank and our normalizers for one generated user, without HTTP: the bank module (its dialect renders records
 * in its wire format), our provider with its normalizers, the user's accounts at that bank, and those accounts as
 * the normalized `BankAccount`s a sync would hold (balances zero) for `normalizeTransaction`.
 */
export function bankWiring(bankId: BankId, user: GeneratedUser) {
  const module = getBank(bankId)!;
  const provider = withNormalizers({ id: bankId, name: bankId, client: module.createClient() });
  const accounts = new Map(user.accounts.filter((a) => a.bank === bankId).map((a) => [a.id, a]));
  const bankAccounts = new Map<string, BankAccount>(
    [...accounts.values()].map((a) => [
      a.id,
      {
        providerAccountId: a.id,
        name: a.name,
        mask: a.mask,
        type: a.type,
        subtype: a.subtype,
        currency: a.currency,
        timeZone: a.timeZone,
        balanceCurrentMinor: 0,
        balanceAvailableMinor: 0,
      },
    ]),
  );
  return { module, provider, accounts, bankAccounts };
}

/**
 * Every transaction record `client` serves for `token`, following the cursor to the end, and how many pages that
 * took. A bank that never ends its cursor fails the test (after 1,000 pages) rather than hanging it.
 */
export async function allTransactionPages(
  client: ProviderClient,
  token: string,
): Promise<{ records: unknown[]; pages: number }> {
  const records: unknown[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await client.fetchTransactionsPage(token, cursor);
    records.push(...page.records);
    cursor = page.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('the transaction cursor does not end (over 1,000 pages)');
  } while (cursor);
  return { records, pages };
}

/** The ProviderError `p` rejects with (any other outcome fails the test). */
export async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected a ProviderError');
}
