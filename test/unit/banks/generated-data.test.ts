import { describe, expect, it } from 'vitest';
import { generateUser, visibleVersions } from '../../../shared/generator';
import type { BankRecordVersion } from '../../../shared/generator/types';
import type { BankAccount } from '../../../shared/domain/models';
import { bank_a } from '../../../shared/banks/bank_a';
import { bank_b } from '../../../shared/banks/bank_b';
import { bank_c } from '../../../shared/banks/bank_c';
import { bankANormalizer } from '../../../shared/banks/bank_a/normalize';
import { bankBNormalizer } from '../../../shared/banks/bank_b/normalize';
import { bankCNormalizer } from '../../../shared/banks/bank_c/normalize';
import { bankEnv } from '../../../shared/banks/kit/config';
import { defaultDataSource, generatorOptions } from '../../../shared/banks/kit/data-source';
import type { Normalizer } from '../../../shared/banks/kit/normalizer';
import { allTransactionPages } from '../../support/bank-wiring';
import { accountViews, visibleTransactions } from '../../../shared/banks/kit/replay';
import { linkInProcess } from '../../../shared/banks/kit/testing';

/**
 * End to end over the generator: what each bank serves as of its clock, read back through the bank's normalizer,
 * equals the generator's own view of the life cycles at that instant (shared/generator/lifecycle.ts).
 */
const env = bankEnv({ STAGE: 'local' });
const options = generatorOptions(env);
const NORMALIZERS: Record<string, Normalizer> = {
  bank_a: bankANormalizer,
  bank_b: bankBNormalizer,
  bank_c: bankCNormalizer,
};
const INSTANTS = ['2026-02-01T00:00:00.000Z', '2026-06-30T12:00:00.000Z', '2027-01-15T00:00:00.000Z'];

describe('the default data source is the generator', () => {
  it('uses MOCK_BANK_SEED / START / DAYS with the generator CLI defaults', async () => {
    expect(options).toEqual({ seed: 42, start: '2026-01-01', days: 365 });
    const user = await defaultDataSource(env).user(1);
    expect(user).toEqual(generateUser(options, 1));
    expect(await defaultDataSource(env).user(-1)).toBeNull();
  });
});

describe.each([bank_a, bank_b, bank_c])('$protocol.id serves the generated life cycles', (bank) => {
  const id = bank.protocol.id;
  const normalizer = NORMALIZERS[id]!;

  it.each(INSTANTS)(
    'as of %s: every record valid, exactly the visible versions, values intact',
    async (instant) => {
      const l = await linkInProcess(bank, {
        data: defaultDataSource(env),
        username: 'user_good_1',
        now: instant,
      });
      const user = generateUser(options, 1);

      const rawAccounts = await l.client.fetchAccounts(l.tokens.accessToken);
      for (const a of rawAccounts) expect(bank.wire.account.safeParse(a).success).toBe(true);
      const accounts = new Map<string, BankAccount>(
        rawAccounts.map((a) => normalizer.account(a)).map((a) => [a.providerAccountId, a]),
      );
      const views = accountViews(user, id, visibleTransactions(user, id, new Date(instant)));
      expect([...accounts.values()].map((a) => [a.providerAccountId, a.balanceCurrentMinor])).toEqual(
        // The API shows what is owed on credit and loan accounts as a positive balance (Plaid's convention).
        views.map((v) => [
          v.account.id,
          v.account.type === 'credit' || v.account.type === 'loan' ? -v.currentMinor || 0 : v.currentMinor,
        ]),
      );

      const { records } = await allTransactionPages(l.client, l.tokens.accessToken);
      for (const r of records) expect(bank.wire.transaction.safeParse(r).success).toBe(true);

      const truth = new Map<string, BankRecordVersion>();
      for (const t of user.transactions.filter((x) => x.bank === id)) {
        for (const v of visibleVersions(t, Date.parse(instant))) truth.set(v.bankTxnId, v);
      }
      const served = records.map((r) => normalizer.transaction(r, accounts));
      expect(served.map((t) => t.providerTxnId).sort()).toEqual([...truth.keys()].sort());
      for (const t of served) {
        const v = truth.get(t.providerTxnId)!;
        expect([t.amountMinor, t.status, t.date, t.description]).toEqual([
          v.amountMinor,
          v.status,
          v.date,
          v.description.replace(/\s+/g, ' ').trim(),
        ]);
      }
    },
  );
});
