import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeDescription } from '../../../../shared/domain/fingerprint';
import {
  categorize,
  cleanMerchant,
  CORRECTION_RULE_PRIORITY,
  MAX_REGEX_LENGTH,
  regexProblem,
  RuleBodySchema,
  ruleFromCorrection,
  type CategorizeInput,
  type RuleBody,
  type UserRule,
} from '../../../../shared/domain/categorizer/index';
import type { UserRule as CorrectionRule } from '../../../../shared/domain/correction-rules';
import { listDetailed, listPrimaries } from '../../../../shared/domain/taxonomy';

let seq = 0;
function rule(
  body: Partial<RuleBody> & { match: RuleBody['match'] },
  extra: Partial<UserRule> = {},
): UserRule {
  seq += 1;
  return {
    id: extra.id ?? `rule_${String(seq).padStart(4, '0')}`,
    user_id: 'u1',
    match: body.match,
    category: body.category ?? { primary: 'ENTERTAINMENT', detailed: 'ENTERTAINMENT_OTHER_ENTERTAINMENT' },
    priority: body.priority ?? 0,
    created_at: extra.created_at ?? '2026-01-01T00:00:00Z',
    updated_at: extra.updated_at ?? '2026-01-01T00:00:00Z',
  };
}

function txn(
  description: string,
  amountMinor = -1000,
  extra: Partial<CategorizeInput> = {},
): CategorizeInput {
  return { description, merchantName: null, amountMinor, currency: 'USD', accountId: 'acc_1', ...extra };
}

describe('POST /rules body schema', () => {
  it('accepts the API shape, defaults priority and a missing detailed', () => {
    const body = RuleBodySchema.parse({
      match: { merchant: 'Blue Bottle', max_amount: '20.00' },
      category: { primary: 'FOOD_AND_DRINK' },
    });
    expect(body).toEqual({
      match: { merchant: 'Blue Bottle', max_amount: '20.00' },
      category: { primary: 'FOOD_AND_DRINK', detailed: null },
      priority: 0,
    });
    expect(
      RuleBodySchema.safeParse({
        match: { description_regex: '^UBER\\s+\\*?EATS', account_id: 'acc_1', min_amount: '5' },
        category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_RESTAURANT' },
        priority: 10,
      }).success,
    ).toBe(true);
  });

  const bad: [string, unknown][] = [
    ['no text matcher', { match: { min_amount: '5' }, category: { primary: 'FOOD_AND_DRINK' } }],
    ['an empty match', { match: {}, category: { primary: 'FOOD_AND_DRINK' } }],
    ['an unknown primary', { match: { merchant: 'x' }, category: { primary: 'FOOD' } }],
    [
      'a detailed of another primary',
      { match: { merchant: 'x' }, category: { primary: 'TRAVEL', detailed: 'FOOD_AND_DRINK_COFFEE' } },
    ],
    [
      'an unknown detailed',
      { match: { merchant: 'x' }, category: { primary: 'TRAVEL', detailed: 'TRAVEL_MOON' } },
    ],
    ['a negative amount', { match: { merchant: 'x', min_amount: '-5' }, category: { primary: 'TRAVEL' } }],
    [
      'a non-decimal amount',
      { match: { merchant: 'x', max_amount: '5,00' }, category: { primary: 'TRAVEL' } },
    ],
    [
      'min above max',
      { match: { merchant: 'x', min_amount: '10', max_amount: '9.99' }, category: { primary: 'TRAVEL' } },
    ],
    ['a lookahead', { match: { description_regex: 'a(?=b)' }, category: { primary: 'TRAVEL' } }],
    ['a backreference', { match: { description_regex: '(a)\\1' }, category: { primary: 'TRAVEL' } }],
    ['an invalid regex', { match: { description_regex: '([a-z' }, category: { primary: 'TRAVEL' } }],
    ['an unknown field', { match: { merchant: 'x', amount: '5' }, category: { primary: 'TRAVEL' } }],
    ['a fractional priority', { match: { merchant: 'x' }, category: { primary: 'TRAVEL' }, priority: 1.5 }],
    ['a blank merchant', { match: { merchant: '   ' }, category: { primary: 'TRAVEL' } }],
  ];
  it.each(bad)('rejects %s', (_name, body) => {
    expect(RuleBodySchema.safeParse(body).success).toBe(false);
  });

  it('tells which field is wrong', () => {
    const r = RuleBodySchema.safeParse({
      match: { merchant: 'x' },
      category: { primary: 'TRAVEL', detailed: 'FOOD_AND_DRINK_COFFEE' },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['category', 'detailed']);
    expect(r.error?.issues[0]?.message).toContain('belongs to FOOD_AND_DRINK');
  });
});

describe('regex safety', () => {
  it.each([
    '^AMZN',
    'UBER\\s*\\*\\s*EATS',
    '(SQ|TST)\\s*\\*',
    '[0-9]{4,}',
    'COFFEE|TEA',
    '^(?:A|B)C+$',
    'a{2,3}',
    '(ab)?c',
    '(a+)+$',
  ])('accepts %s', (p) => expect(regexProblem(p)).toBeNull());
  it.each([
    ['(a)\\1', 'backreference'],
    ['(?<n>a)\\k<n>', 'backreference'],
    ['(?<=a)b', 'lookbehind'],
    ['a(?!b)', 'lookahead'],
    ['(', 'not a valid'],
    ['x'.repeat(MAX_REGEX_LENGTH + 1), 'at most'],
    ['', 'non-empty'],
  ])('refuses %s', (p, reason) => expect(regexProblem(p)).toContain(reason));

  it('a stored rule with a regex the engine refuses never matches (and never throws)', () => {
    const r = rule({ match: { description_regex: '(a)\\1' } });
    expect(categorize(txn('aaaa'), [r], { minConfidence: 0 })?.source).toBe('rules');
  });
});

describe('matching and precedence', () => {
  it('a user rule always wins over built-in rules', () => {
    const r = rule({
      match: { merchant: 'Starbucks' },
      category: { primary: 'TRAVEL', detailed: 'TRAVEL_OTHER_TRAVEL' },
    });
    const out = categorize(txn('POS DEBIT 1234 STARBUCKS STORE 05123 SEATTLE WA'), [r]);
    expect(out).toMatchObject({
      primary: 'TRAVEL',
      detailed: 'TRAVEL_OTHER_TRAVEL',
      source: 'user_rule',
      confidence: 1,
      rule_id: r.id,
      merchant_name: 'Starbucks',
    });
    // Even over an own-account transfer.
    const own = rule({
      match: { description_contains: 'transfer to sav' },
      category: { primary: 'INCOME', detailed: null },
    });
    expect(
      categorize(txn('ONLINE TRANSFER TO SAV XXXX4321'), [own], { ownAccountMasks: ['4321'] }),
    ).toMatchObject({ primary: 'INCOME', detailed: null, source: 'user_rule' });
  });

  it('merchant matches the cleaned merchant, the directory name or the bank name, normalized', () => {
    const r = rule({ match: { merchant: 'blue-bottle coffee' } });
    expect(categorize(txn('SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO'), [r])?.rule_id).toBe(r.id);
    expect(categorize(txn('SQ *BLUEBOTTLE COFFEE 0423'), [r])?.rule_id).toBe(r.id);
    expect(categorize(txn('POS 77', -1000, { merchantName: 'Blue Bottle Coffee' }), [r])?.rule_id).toBe(r.id);
    const local = rule({ match: { merchant: "Joe's Corner Bakery" } });
    expect(categorize(txn('SQ *JOES CORNER BAKERY 0423 PORTLAND OR'), [local])?.rule_id).toBe(local.id);
    expect(categorize(txn('SQ *JOES CORNER 0423'), [local])?.source).not.toBe('user_rule');
  });

  it('description_contains is case- and space-insensitive; description_regex is case-insensitive', () => {
    const c = rule({ match: { description_contains: 'blue   bottle' } });
    expect(categorize(txn('SQ *BLUE BOTTLE COFFEE'), [c])?.rule_id).toBe(c.id);
    const re = rule({ match: { description_regex: 'bottle\\s+coffee\\s+\\d{4}' } });
    expect(categorize(txn('SQ *BLUE BOTTLE COFFEE 0423'), [re])?.rule_id).toBe(re.id);
    expect(categorize(txn('SQ *BLUE BOTTLE COFFEE'), [re])?.source).toBe('rules');
  });

  it('amount filters compare decimal strings with the absolute amount, inclusive, in the currency', () => {
    const r = rule({ match: { description_contains: 'SHOP', min_amount: '10', max_amount: '20.50' } });
    const at = (amountMinor: number, currency = 'USD') =>
      categorize(txn('SHOP 1', amountMinor, { currency }), [r], { minConfidence: 0 })?.source;
    expect(at(-1000)).toBe('user_rule');
    expect(at(-2050)).toBe('user_rule');
    expect(at(2050)).toBe('user_rule'); // a refund of the same size
    expect(at(-999)).toBe('rules');
    expect(at(-2051)).toBe('rules');
    expect(at(-15, 'JPY')).toBe('user_rule'); // ¥15: no minor units
    expect(at(-15000, 'KWD')).toBe('user_rule'); // 15.000 KWD: three decimals
    expect(at(-1500, 'INR')).toBe('user_rule');
  });

  it('account_id restricts a rule to one account', () => {
    const r = rule({ match: { description_contains: 'SHOP', account_id: 'acc_2' } });
    expect(categorize(txn('SHOP 1', -100, { accountId: 'acc_2' }), [r])?.rule_id).toBe(r.id);
    expect(categorize(txn('SHOP 1', -100, { accountId: 'acc_1' }), [r], { minConfidence: 0 })?.source).toBe(
      'rules',
    );
  });

  it('picks the highest priority, then the most specific, then the oldest, then the smallest id', () => {
    const d = txn('SQ *BLUE BOTTLE COFFEE 0423', -550);
    const low = rule({ match: { merchant: 'Blue Bottle Coffee', max_amount: '10' }, priority: 0 });
    const high = rule({ match: { description_contains: 'BOTTLE' }, priority: 5 });
    expect(categorize(d, [low, high])?.rule_id).toBe(high.id);
    const general = rule({ match: { description_contains: 'BOTTLE' } });
    const specific = rule({ match: { description_contains: 'BOTTLE', max_amount: '10' } });
    expect(categorize(d, [general, specific])?.rule_id).toBe(specific.id);
    const newer = rule({ match: { description_contains: 'BOTTLE' } }, { created_at: '2026-03-01T00:00:00Z' });
    const older = rule({ match: { description_contains: 'BOTTLE' } }, { created_at: '2026-02-01T00:00:00Z' });
    expect(categorize(d, [newer, older])?.rule_id).toBe(older.id);
    const b = rule({ match: { description_contains: 'BOTTLE' } }, { id: 'b' });
    const a = rule({ match: { description_contains: 'BOTTLE' } }, { id: 'a' });
    expect(categorize(d, [b, a])?.rule_id).toBe('a');
    expect(categorize(d, [a, b])?.rule_id).toBe('a');
  });

  it('property: for any transaction and any matching user rule, the result is that rule with source user_rule', () => {
    const detailed = listDetailed();
    const arbCategory = fc.oneof(
      fc
        .constantFrom(...detailed)
        .map((d) => ({ primary: d.primary, detailed: d.detailed as string | null })),
      fc
        .constantFrom(...listPrimaries())
        .map((p) => ({ primary: p.primary, detailed: null as string | null })),
    );
    const arbInput = fc.record({
      description: fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom(
          'SQ *BLUE BOTTLE COFFEE 0423',
          'ATM WITHDRAWAL 0042',
          'UPI/DR/1/SWIGGY/YESB/swiggy@ybl',
        ),
      ),
      merchantName: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      amountMinor: fc.integer({ min: -1e9, max: 1e9 }),
      currency: fc.constantFrom('USD', 'GBP', 'INR', 'JPY'),
      accountId: fc.string({ minLength: 1, maxLength: 10 }),
    });
    fc.assert(
      fc.property(
        arbInput,
        arbCategory,
        fc.nat(3),
        fc.integer({ min: -5, max: 5 }),
        (input, category, kind, priority) => {
          const normalized = normalizeDescription(input.description);
          const merchant = input.merchantName?.trim() ? input.merchantName : cleanMerchant(input.description);
          const match: RuleBody['match'] =
            kind === 0 && normalized.length > 0
              ? { description_contains: normalized.slice(0, Math.max(1, normalized.length >> 1)) }
              : kind === 1 && merchant && /[a-z0-9]/i.test(merchant)
                ? { merchant }
                : { description_regex: '^' };
          const abs = Math.abs(input.amountMinor);
          const matching = rule({
            match: {
              ...match,
              account_id: input.accountId,
              ...(kind === 2 ? { min_amount: '0', max_amount: String(abs) } : {}),
            },
            category,
            priority,
          });
          // Rules that do not match (another account) must not get in the way, whatever their priority.
          const others = [
            rule({ match: { description_regex: '^' }, priority: 99 }, {}),
            rule({ match: { description_contains: 'a' } }),
          ].map((r) => ({ ...r, match: { ...r.match, account_id: `${input.accountId}-other` } }));
          const out = categorize(input, [...others, matching]);
          expect(out).toMatchObject({
            primary: category.primary,
            detailed: category.detailed,
            source: 'user_rule',
            confidence: 1,
            rule_id: matching.id,
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('rules from corrections', () => {
  it('makes a merchant rule with the correction priority, valid for POST /rules', () => {
    const body = ruleFromCorrection('Blue Bottle Coffee', {
      primary: 'FOOD_AND_DRINK',
      detailed: 'FOOD_AND_DRINK_COFFEE',
    });
    expect(body).toEqual({
      match: { merchant: 'Blue Bottle Coffee' },
      category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
      priority: CORRECTION_RULE_PRIORITY,
    });
    expect(RuleBodySchema.parse(body)).toEqual(body);
    const stored = rule(body!);
    expect(categorize(txn('SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO'), [stored])?.rule_id).toBe(stored.id);
  });

  it('needs a merchant and a valid category', () => {
    expect(ruleFromCorrection(null, { primary: 'FOOD_AND_DRINK' })).toBeNull();
    expect(ruleFromCorrection('  ', { primary: 'FOOD_AND_DRINK' })).toBeNull();
    expect(ruleFromCorrection('X', { primary: 'TRAVEL', detailed: 'FOOD_AND_DRINK_COFFEE' })).toBeNull();
    expect(ruleFromCorrection('X', { primary: 'TRAVEL' })?.category).toEqual({
      primary: 'TRAVEL',
      detailed: null,
    });
  });

  it('accepts the rules a category correction stores (shared/domain/correction-rules.ts)', () => {
    const stored: CorrectionRule = {
      id: 'rule_abc',
      user_id: 'u1',
      match: { merchant: 'Blue Bottle Coffee' },
      category: { primary: 'TRAVEL', detailed: null },
      priority: 100,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    };
    const asEngineRule: UserRule = stored;
    expect(categorize(txn('SQ *BLUE BOTTLE COFFEE 0423'), [asEngineRule])).toMatchObject({
      primary: 'TRAVEL',
      source: 'user_rule',
      rule_id: 'rule_abc',
    });
  });
});
