import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanMerchant, confidenceLevel } from '../../shared/domain/categorizer/index';
import { Api } from '../support/api';
import {
  allTransactions,
  asApiCategory,
  expectedCategory,
  waitForCategorized,
  type CategorizedT,
  type RuleView,
} from '../support/categorize';
import { linkBank, waitForSync } from '../support/sync-helpers';
import { serverNow } from '../support/clock';
import { startTarget, testUser, tokenFor, type Target } from '../support/e2e-target';

/**
 * Categorization over HTTP against the twin: the sync fills merchant names, the Categorizer (table stream)
 * categorizes, user rules win, a user's own category is never undone, enrich categorizes without storing.
 */

interface Detail extends CategorizedT {
  history: {
    seq: number;
    kind: string;
    actor: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  }[];
}
interface Problem {
  status: number;
  errors?: { path: string; message: string }[];
}
type RuleAnswer = RuleView & { recategorized: number; recategorization: 'done' | 'queued' };

/** The twin this file starts, or the deployment at E2E_BASE_URL (`npm run test:deployed`). */
let twin: Target;
let api: Api;
let bob: Api;
const connections = new Map<string, string>();
let txns: CategorizedT[] = [];
const detail = async (id: string) => (await api.get<Detail>(`/transactions/${id}`)).body;
const put = <T>(client: Api, path: string, body: unknown) => client.call<T>('PUT', path, body);

/** The merchant with the most transactions that the built-in rules categorize. */
function busiestMerchant(list: readonly CategorizedT[]): { merchant: string; txns: CategorizedT[] } {
  const groups = new Map<string, CategorizedT[]>();
  for (const t of list) {
    if (!t.merchant_name || t.category?.source !== 'rules') continue;
    groups.set(t.merchant_name, [...(groups.get(t.merchant_name) ?? []), t]);
  }
  const [merchant, group] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
  return { merchant, txns: group };
}

beforeAll(async () => {
  twin = await startTarget();
  api = new Api(twin.url).withToken(await tokenFor(twin.url, testUser('carol')));
  bob = new Api(twin.url).withToken(await tokenFor(twin.url, testUser('bob')));
  // The API's clock (a deployment's may differ from this machine's): syncs that finish after this.
  const before = new Date((await serverNow(twin.url)).getTime() - 1000).toISOString();
  for (const bank of ['bank_a', 'bank_b', 'bank_c']) connections.set(bank, await linkBank(api, bank));
  for (const id of connections.values()) expect(await waitForSync(api, id, before)).toBe('succeeded');
});
afterAll(async () => twin?.stop());

describe('categorization of synced transactions', () => {
  it('fills merchant names for every bank, and categorizes with source, confidence and rule id', async () => {
    txns = await waitForCategorized(api, { timeoutMs: 120_000 });
    const accounts = (await api.get<{ accounts: { id: string; connection_id: string }[] }>('/accounts')).body
      .accounts;
    const bankOf = new Map(
      accounts.map((a) => [a.id, [...connections].find(([, c]) => c === a.connection_id)![0]]),
    );
    for (const bank of connections.keys()) {
      const mine = txns.filter((t) => bankOf.get(t.account_id) === bank);
      expect(mine.length, bank).toBeGreaterThan(20);
      const named = mine.filter((t) => t.merchant_name !== null);
      expect(named.length / mine.length, bank).toBeGreaterThan(0.6);
      for (const t of named) expect(t.merchant_name).toBe(cleanMerchant(t.description));
      const categorized = mine.filter((t) => t.category !== null);
      expect(categorized.length / mine.length, bank).toBeGreaterThan(0.85);
      // Only bank_a sends a merchant category code (on card purchases), stored and shown normalized.
      const withMcc = mine.filter((t) => t.mcc);
      if (bank === 'bank_a') expect(withMcc.length, bank).toBeGreaterThan(0);
      else expect(withMcc, bank).toEqual([]);
      for (const t of withMcc) expect(t.mcc).toMatch(/^\d{4}$/);
    }
    for (const t of txns.filter((x) => x.category)) {
      expect(t.category!.source).toBe('rules');
      expect(t.category!.rule_id).toMatch(/^builtin:/);
      expect(t.category!.confidence).toBeGreaterThanOrEqual(0.7);
      expect(t.category!.confidence).toBeLessThanOrEqual(1);
      expect(t.category!.confidence_level).toBe(confidenceLevel(t.category!.confidence));
    }
    // Filtering by a primary category finds them.
    const food = txns.filter((t) => t.category?.primary === 'FOOD_AND_DRINK');
    expect(food.length).toBeGreaterThan(0);
    const listed = await api.get<{ transactions: CategorizedT[] }>(
      '/transactions?category=FOOD_AND_DRINK&limit=500',
    );
    expect(listed.body.transactions.length).toBe(Math.min(500, food.length));
  });

  it("records the categorization in the transaction's history, once", async () => {
    const t = txns.find((x) => x.category)!;
    const d = await detail(t.id);
    const events = d.history.filter((e) => e.kind === 'categorized');
    expect(events).toHaveLength(1);
    // History events show the stored category; T adds Plaid's confidence level of it.
    const { confidence_level: level, ...category } = t.category!;
    expect(level).toBe(confidenceLevel(category.confidence));
    expect(events[0]).toMatchObject({
      actor: 'rules:builtin',
      before: { category: null },
      after: { category },
    });
    expect(d.history.map((e) => e.seq)).toEqual(d.history.map((_, i) => i + 1));
  });
});

describe('user rules', () => {
  let rule: RuleAnswer;
  let target: { merchant: string; txns: CategorizedT[] };
  let overridden: CategorizedT;

  it('a rule created over HTTP wins on the transactions it matches', async () => {
    target = busiestMerchant(txns);
    expect(target.txns.length).toBeGreaterThanOrEqual(3);
    const res = await api.post<RuleAnswer>('/rules', {
      match: { merchant: target.merchant },
      category: { primary: 'ENTERTAINMENT', detailed: 'ENTERTAINMENT_OTHER_ENTERTAINMENT' },
    });
    expect(res.status).toBe(201);
    rule = res.body;
    expect(rule).toMatchObject({
      id: expect.stringMatching(/^rule_/),
      match: { merchant: target.merchant },
      category: { primary: 'ENTERTAINMENT', detailed: 'ENTERTAINMENT_OTHER_ENTERTAINMENT' },
      priority: 0,
      recategorization: 'done',
    });
    expect(rule.recategorized).toBeGreaterThanOrEqual(target.txns.length);
    const expected = {
      primary: 'ENTERTAINMENT',
      detailed: 'ENTERTAINMENT_OTHER_ENTERTAINMENT',
      source: 'user_rule',
      confidence: 1,
      rule_id: rule.id,
    };
    const now = new Map((await allTransactions(api)).map((t) => [t.id, t]));
    for (const t of target.txns)
      expect(now.get(t.id)!.category).toEqual({ ...expected, confidence_level: 'VERY_HIGH' });
    const d = await detail(target.txns[0]!.id);
    expect(d.history.at(-1)).toMatchObject({
      kind: 'categorized',
      actor: `rule:${rule.id}`,
      after: { category: expected },
    });
    const listed = await api.get<{ rules: RuleView[] }>('/rules');
    expect(listed.body.rules.map((r) => r.id)).toEqual([rule.id]);
    // The Categorizer agrees (its MODIFY records change nothing back).
    await waitForCategorized(api);
  });

  it("a user's own category is never undone: not by a rule change, the Categorizer, a sync", async () => {
    overridden = target.txns[1]!;
    const corrected = await api.post<CategorizedT>(`/transactions/${overridden.id}/reconcile`, {
      category: { primary: 'TRAVEL', detailed: 'TRAVEL_OTHER_TRAVEL' },
    });
    expect(corrected.status).toBe(200);
    const mine = {
      primary: 'TRAVEL',
      detailed: 'TRAVEL_OTHER_TRAVEL',
      source: 'user',
      confidence: 1,
      confidence_level: 'VERY_HIGH',
      rule_id: null,
    };
    expect(corrected.body.category).toEqual(mine);

    const changed = await put<RuleAnswer>(api, `/rules/${rule.id}`, {
      match: { merchant: target.merchant },
      category: { primary: 'GENERAL_SERVICES' },
      priority: 5,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      id: rule.id,
      created_at: rule.created_at,
      priority: 5,
      category: { primary: 'GENERAL_SERVICES', detailed: null },
    });
    expect(changed.body.recategorized).toBe(rule.recategorized - 1);

    const syncedAt = (await serverNow(twin.url)).toISOString();
    for (const id of connections.values())
      expect((await api.post(`/connections/${id}/sync`)).status).toBe(202);
    for (const id of connections.values()) expect(await waitForSync(api, id, syncedAt)).toBe('succeeded');
    const after = await waitForCategorized(api);
    expect(after.find((t) => t.id === overridden.id)!.category).toEqual(mine);
    for (const t of target.txns.filter((x) => x.id !== overridden.id))
      expect(after.find((x) => x.id === t.id)!.category).toMatchObject({
        primary: 'GENERAL_SERVICES',
        source: 'user_rule',
        rule_id: rule.id,
      });
    const history = (await detail(overridden.id)).history;
    expect(history.at(-1)).toMatchObject({ kind: 'corrected', actor: `user:${testUser('carol')}` });
  });

  it("another user's rules are out of reach", async () => {
    expect((await bob.get<{ rules: RuleView[] }>('/rules')).body.rules).toEqual([]);
    const body = { match: { merchant: 'x' }, category: { primary: 'TRAVEL' } };
    expect((await put(bob, `/rules/${rule.id}`, body)).status).toBe(404);
    expect((await bob.delete(`/rules/${rule.id}`)).status).toBe(404);
    expect((await api.get<{ rules: RuleView[] }>('/rules')).body.rules[0]).toMatchObject({ priority: 5 });
  });

  it('deleting a rule gives its transactions back to the built-in rules', async () => {
    const res = await api.delete(`/rules/${rule.id}`);
    expect(res.status).toBe(204);
    expect((await api.delete<Problem>(`/rules/${rule.id}`)).status).toBe(404);
    const now = await waitForCategorized(api);
    for (const t of target.txns.filter((x) => x.id !== overridden.id))
      expect(now.find((x) => x.id === t.id)!.category).toMatchObject({ source: 'rules' });
    expect(now.find((x) => x.id === overridden.id)!.category).toMatchObject({ source: 'user' });
    expect((await api.get<{ rules: RuleView[] }>('/rules')).body.rules).toEqual([]);
  });
});

describe('enrich', () => {
  it('a rule with a regex that backtracks in JavaScript is accepted and runs on RE2: 100 400-character descriptions enrich', async () => {
    // A user of their own: the rule must not re-categorize carol's transactions for the tests after this one.
    const mallory = new Api(twin.url).withToken(await tokenFor(twin.url, testUser('mallory')));
    const probes = ['.*.*.*=', 'a*a*a*a*a*b', '\\w*\\w*\\w*\\w*!', '[\\s\\S]*[\\s\\S]*[\\s\\S]*#'];
    const made: string[] = [];
    for (const p of probes) {
      const res = await mallory.post<RuleAnswer>('/rules', {
        match: { description_regex: p },
        category: { primary: 'TRAVEL' },
      });
      expect(res.status, p).toBe(201);
      made.push(res.body.id);
    }
    const hostile = 'a'.repeat(400);
    const transactions = [
      ...Array.from({ length: 99 }, (_, i) => ({
        id: `h${i}`,
        description: hostile,
        amount: '-1.00',
        currency: 'USD',
      })),
      { id: 'hit', description: `${'a'.repeat(399)}=`, amount: '-1.00', currency: 'USD' },
    ];
    const res = await mallory.post<{ enriched: { id: string; category: CategorizedT['category'] }[] }>(
      '/transactions/enrich',
      { transactions },
    );
    expect(res.status).toBe(200);
    expect(res.body.enriched).toHaveLength(100);
    expect(res.body.enriched.filter((e) => e.category?.source === 'user_rule').map((e) => e.id)).toEqual([
      'hit',
    ]);
    expect(res.body.enriched.at(-1)!.category).toMatchObject({ primary: 'TRAVEL', rule_id: made[0] });

    // The user's regexes together are bounded too: six of the largest fit beside the probes, a seventh is a 409.
    const largest = { match: { description_regex: '[a-z0-9 ]{147}[=!]' }, category: { primary: 'TRAVEL' } };
    for (let i = 0; i < 6; i++) {
      const ok = await mallory.post<RuleAnswer>('/rules', largest);
      expect(ok.status).toBe(201);
      made.push(ok.body.id);
    }
    const over = await mallory.post<{ detail: string }>('/rules', largest);
    expect(over.status).toBe(409);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(over.body.detail).toContain('at most 1000 RE2 instructions');
    // A change that makes them smaller always passes.
    expect(
      (await put(mallory, `/rules/${made.at(-1)}`, { ...largest, match: { description_regex: 'x=' } }))
        .status,
    ).toBe(200);
    for (const id of made) expect((await mallory.call('DELETE', `/rules/${id}`)).status).toBe(204);
  });

  const items = [
    {
      id: 'a',
      description: 'SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO CA',
      amount: '-6.50',
      currency: 'USD',
    },
    { id: 'b', description: 'UBER *TRIP HELP.UBER.COM', amount: '-23.10', currency: 'USD' },
    { id: 'c', description: 'ZQXV 99812 PLN', amount: '-19.99', currency: 'USD' },
    { id: 'd', description: 'TESCO STORES 3217 LONDON', amount: '-42.00', currency: 'GBP' },
  ];

  it("categorizes arbitrary transactions with built-in and the caller's rules; stores nothing", async () => {
    const before = (await allTransactions(api)).length;
    const feed = await api.get<{ next_cursor: string }>('/transactions/sync');
    const res = await api.post<{
      enriched: { id: string; merchant_name: string | null; category: CategorizedT['category'] }[];
    }>('/transactions/enrich', { transactions: items });
    expect(res.status).toBe(200);
    expect(res.body.enriched.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
    const [a, b, c, d] = res.body.enriched;
    expect(a).toMatchObject({ merchant_name: 'Blue Bottle Coffee', category: { primary: 'FOOD_AND_DRINK' } });
    expect(b!.category).toMatchObject({ primary: 'TRANSPORTATION', source: 'rules' });
    expect(c!.category).toBeNull();
    expect(d!.category).toMatchObject({ primary: 'FOOD_AND_DRINK', source: 'rules' });
    for (const e of res.body.enriched) {
      const item = items.find((i) => i.id === e.id)!;
      const t = { ...item, account_id: '', merchant_name: null } as unknown as CategorizedT;
      expect(e.category).toEqual(asApiCategory(expectedCategory(t, [], [])));
      if (e.category) {
        expect(e.category.rule_id).toMatch(/^builtin:/);
        expect(['VERY_HIGH', 'HIGH', 'MEDIUM']).toContain(e.category.confidence_level);
      }
    }

    const made = await api.post<RuleAnswer>('/rules', {
      match: { description_contains: 'zqxv' },
      category: { primary: 'GENERAL_SERVICES', detailed: 'GENERAL_SERVICES_OTHER_GENERAL_SERVICES' },
    });
    expect(made.status).toBe(201);
    const again = await api.post<{ enriched: { id: string; category: CategorizedT['category'] }[] }>(
      '/transactions/enrich',
      { transactions: items },
    );
    expect(again.body.enriched[2]!.category).toEqual({
      primary: 'GENERAL_SERVICES',
      detailed: 'GENERAL_SERVICES_OTHER_GENERAL_SERVICES',
      source: 'user_rule',
      confidence: 1,
      confidence_level: 'VERY_HIGH',
      rule_id: made.body.id,
    });
    // Only the caller's rules: bob's enrich does not see carol's.
    const bobs = await bob.post<{ enriched: { category: unknown }[] }>('/transactions/enrich', {
      transactions: [items[2]],
    });
    expect(bobs.body.enriched[0]!.category).toBeNull();

    expect((await allTransactions(api)).length).toBe(before);
    const changes = await api.get<{ added: unknown[]; modified: unknown[] }>(
      `/transactions/sync?cursor=${encodeURIComponent(feed.body.next_cursor)}`,
    );
    expect(changes.body.added).toEqual([]);
  });
});

describe('refused input', () => {
  const rules: [string, unknown, string][] = [
    ['no matcher', { match: { min_amount: '5' }, category: { primary: 'TRAVEL' } }, 'body.match'],
    ['an unknown field', { match: { merchant: 'x' }, category: { primary: 'TRAVEL' }, colour: 1 }, 'body'],
    [
      'a regex with a backreference',
      { match: { description_regex: '(a)\\1' }, category: { primary: 'TRAVEL' } },
      'body.match.description_regex',
    ],
    [
      'a category outside the taxonomy',
      { match: { merchant: 'x' }, category: { primary: 'FUN' } },
      'body.category.primary',
    ],
    [
      'a detailed category of another primary',
      { match: { merchant: 'x' }, category: { primary: 'TRAVEL', detailed: 'FOOD_AND_DRINK_COFFEE' } },
      'body.category.detailed',
    ],
    [
      'min above max',
      { match: { merchant: 'x', min_amount: '9', max_amount: '1' }, category: { primary: 'TRAVEL' } },
      'body.match.min_amount',
    ],
    [
      'an amount as a number',
      { match: { merchant: 'x', max_amount: 5 }, category: { primary: 'TRAVEL' } },
      'body.match.max_amount',
    ],
    [
      'a priority out of range',
      { match: { merchant: 'x' }, category: { primary: 'TRAVEL' }, priority: 10_000 },
      'body.priority',
    ],
  ];

  it.each(rules)('POST /rules refuses %s with a 400 problem', async (_name, body, path) => {
    const res = await api.post<Problem>('/rules', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors?.map((e) => e.path)).toContain(path);
  });

  const item = { id: 'a', description: 'STARBUCKS', amount: '-4.50', currency: 'USD' };
  const enrich: [string, unknown, string][] = [
    ['no transactions', { transactions: [] }, 'body.transactions'],
    [
      'more than 100',
      { transactions: Array.from({ length: 101 }, (_, i) => ({ ...item, id: `t${i}` })) },
      'body.transactions',
    ],
    ['an amount as a number', { transactions: [{ ...item, amount: -4.5 }] }, 'body.transactions.0.amount'],
    ['too many decimals', { transactions: [{ ...item, amount: '-4.505' }] }, 'body.transactions.0.amount'],
    ['a bad currency', { transactions: [{ ...item, currency: 'usd' }] }, 'body.transactions.0.currency'],
    [
      'a missing description',
      { transactions: [{ id: 'a', amount: '1.00', currency: 'USD' }] },
      'body.transactions.0.description',
    ],
    ['an unknown field', { transactions: [{ ...item, colour: 'red' }] }, 'body.transactions.0'],
    ['duplicate ids', { transactions: [item, item] }, 'body.transactions.1.id'],
    ['a body that is not an object', { transactions: 'all' }, 'body.transactions'],
  ];

  it.each(enrich)('POST /transactions/enrich refuses %s with a 400 problem', async (_name, body, path) => {
    const res = await api.post<Problem>('/transactions/enrich', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors?.map((e) => e.path)).toContain(path);
  });

  it('refuses a body that is not JSON, an unknown rule, and answers 401 without a token', async () => {
    expect((await api.post('/rules', '{"match":')).status).toBe(400);
    expect((await api.post('/transactions/enrich', '{')).status).toBe(400);
    const body = { match: { merchant: 'x' }, category: { primary: 'TRAVEL' } };
    expect((await put(api, '/rules/rule_nope', body)).status).toBe(404);
    expect((await new Api(twin.url).get('/rules')).status).toBe(401);
    expect((await new Api(twin.url).post('/transactions/enrich', { transactions: [item] })).status).toBe(401);
  });
});
