import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { visibleTransactions } from '../../../shared/banks/kit/replay';
import type { RenderContext } from '../../../shared/banks/kit/dialect';
import { getBank } from '../../../shared/banks/registry';
import { formatDecimal } from '../../../shared/domain/money';
import { generateUser } from '../../../shared/generator';
import type { BankId, GeneratedUser } from '../../../shared/generator/types';
import { bankWiring } from '../../support/bank-wiring';

const BANKS: BankId[] = ['bank_a', 'bank_b', 'bank_c'];
const users = new Map<number, GeneratedUser>();
const userOf = (i: number) => {
  if (!users.has(i)) users.set(i, generateUser({ seed: 5, start: '2026-01-01', days: 120 }, i));
  return users.get(i)!;
};

function setup(bankId: BankId, user: GeneratedUser, atMs: number) {
  const { module, provider, accounts, bankAccounts } = bankWiring(bankId, user);
  const ctx: RenderContext = { rootUrl: 'http://x/mock-banks', accounts, now: new Date(atMs) };
  return { module, provider, bankAccounts, ctx, visible: visibleTransactions(user, bankId, new Date(atMs)) };
}

const instant = fc.integer({
  min: Date.parse('2026-01-05T00:00:00Z'),
  max: Date.parse('2026-05-10T00:00:00Z'),
});

describe('normalizers (properties over generated bank records)', () => {
  it.each(BANKS)('%s: every valid record normalizes to exactly the values the bank meant', (bankId) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), instant, (u, at) => {
        const { module, provider, bankAccounts, ctx, visible } = setup(bankId, userOf(u), at);
        for (const v of visible) {
          const t = provider.normalizeTransaction(module.dialect.transaction(v, ctx), bankAccounts);
          expect(t.providerTxnId).toBe(v.bankTxnId);
          expect(t.providerAccountId).toBe(v.accountId);
          expect(formatDecimal({ minor: t.amountMinor, currency: t.currency })).toBe(
            formatDecimal({ minor: v.amountMinor, currency: v.currency }),
          );
          expect(t.date).toBe(v.date);
          expect(t.status).toBe(v.status);
          expect(t.description).toBe(v.description.replace(/\s+/g, ' ').trim());
        }
      }),
      { numRuns: 15 },
    );
  });

  it.each(BANKS)(
    '%s: every malformed record is refused with a reason (never a wrong transaction)',
    (bankId) => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 }),
          instant,
          fc.constantFrom('missing_field' as const, 'garbage_amount' as const, 'bad_date' as const),
          fc.nat(),
          (u, at, kind, pickSeed) => {
            const { module, provider, bankAccounts, ctx, visible } = setup(bankId, userOf(u), at);
            fc.pre(visible.length > 0);
            const v = visible[pickSeed % visible.length]!;
            let n = pickSeed;
            const broken = module.dialect.malform(
              module.dialect.transaction(v, ctx),
              kind,
              (o) => o[n++ % o.length]!,
            );
            expect(() => provider.normalizeTransaction(broken, bankAccounts)).toThrow();
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it.each(BANKS)('%s: arbitrary JSON never normalizes into a transaction silently', (bankId) => {
    const { provider, bankAccounts } = setup(bankId, userOf(0), Date.parse('2026-03-01T00:00:00Z'));
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        let out: unknown;
        try {
          out = provider.normalizeTransaction(raw, bankAccounts);
        } catch {
          return;
        }
        // Only a record that satisfies the bank's schema can get here.
        expect(getBank(bankId)!.wire.transaction.safeParse(raw).success).toBe(true);
        expect(out).toBeTruthy();
      }),
      { numRuns: 200 },
    );
  });
});
