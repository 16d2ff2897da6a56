import { getBank } from '../../shared/banks/registry';
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
