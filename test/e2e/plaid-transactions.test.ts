import type { PlaidApi } from 'plaid';
import { Products, type RemovedTransaction, type Transaction, type TransactionsSyncResponse } from 'plaid';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankEnv } from '../../shared/banks/kit/config';
import { generatorOptions } from '../../shared/banks/kit/data-source';
import { cleanText } from '../../shared/banks/kit/normalizer';
import { visibleTransactions, type VisibleTransaction } from '../../shared/banks/kit/replay';
import { plaidTransactionAmount as plaidAmount } from '../../shared/domain/plaid/accounts';
import { generateUser } from '../../shared/generator';
import { plaidFailure, startPlaidTwin, type PlaidTwin } from '../support/plaid';

/**
 * The transactions product of the Plaid surface, driven by the OFFICIAL `plaid` client against the twin: a sandbox
 * link, the first sync, full `/transactions/sync` pagination (a small `count` forces pages) equal to
 * `/transactions/get`; then the bank's clock moves so that a pending card payment posts and an amount is corrected,
 * `/transactions/refresh`, and `/transactions/sync` from the saved cursor shows the posting as the pending removed +
 * the posted added (naming it in `pending_transaction_id`) and the correction as modified. Recurring streams, legacy
 * categories, enrich and Plaid's errors too.
 */

const BANK = 'bank_a';
const user0 = generateUser(generatorOptions(bankEnv({ STAGE: 'local' })), 0);
const DAY = 86_400_000;

/**
 * The window the bank's clock moves across: it ends a minute after an amount correction of a posted payment, starts
 * two days earlier (the payment posted before then), and a pending card payment posts inside it.
 */
const scenario = (() => {
  const corrections = user0.transactions
    .filter((t) => t.bank === BANK)
    .flatMap((t) =>
      t.events.flatMap((e, i) =>
        e.kind === 'correct' && e.field === 'amount' ? [{ t, at: e.at, before: t.events[i - 1]!.at }] : [],
      ),
    )
    .reverse();
  for (const c of corrections) {
    const t1 = new Date(Date.parse(c.at) + 60_000);
    const t0 = new Date(t1.getTime() - 2 * DAY);
    if (Date.parse(c.before) >= t0.getTime()) continue;
    const at0 = new Map(visibleTransactions(user0, BANK, t0).map((v) => [v.bankTxnId, v]));
    const at1 = visibleTransactions(user0, BANK, t1);
    const correctedBefore = [...at0.values()].find(
      (v) =>
        v.status === 'posted' &&
        at1.some((w) => w.bankTxnId === v.bankTxnId && w.amountMinor !== v.amountMinor),
    );
    const posted = at1.filter(
      (w) => w.status === 'posted' && w.pendingBankTxnId && at0.get(w.pendingBankTxnId)?.status === 'pending',
    );
    const postedSameId = at1.filter(
      (w) => w.status === 'posted' && at0.get(w.bankTxnId)?.status === 'pending',
    );
    const postings = [
      ...posted.map((w) => at0.get(w.pendingBankTxnId!)!),
      ...postedSameId.map((w) => at0.get(w.bankTxnId)!),
    ];
    if (!correctedBefore || !postings.length) continue;
    const correctedAfter = at1.find((w) => w.bankTxnId === correctedBefore.bankTxnId)!;
    return { t0, t1, correctedBefore, correctedAfter, postings };
  }
  throw new Error('no amount correction with a posting in the two days before it in the generated data');
})();

let env: PlaidTwin;
let plaid: PlaidApi;
let accessToken: string;
/** What the app holds after replaying /transactions/sync, by transaction_id. */
const app = new Map<string, Transaction>();
let cursor = '';

async function bankClock(body: Record<string, unknown>) {
  const res = await fetch(`${env.url}/mock-banks/${BANK}/admin/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': 'local-admin' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

/** The Plaid error object a call failed with, and its HTTP status. */
async function failure(call: Promise<unknown>) {
  const { status, error } = await plaidFailure(call);
  return { ...error, status };
}

interface Changes {
  added: Transaction[];
  modified: Transaction[];
  removed: RemovedTransaction[];
  pages: number;
}

/** Every page from the cursor until has_more is false, applied to the app's copy as Plaid documents. */
async function syncAll(count: number): Promise<Changes> {
  const out: Changes = { added: [], modified: [], removed: [], pages: 0 };
  for (;;) {
    const { data } = await plaid.transactionsSync({ access_token: accessToken, cursor, count });
    apply(data);
    out.added.push(...data.added);
    out.modified.push(...data.modified);
    out.removed.push(...data.removed);
    out.pages += 1;
    cursor = data.next_cursor;
    if (!data.has_more) return out;
  }
}

function apply(page: TransactionsSyncResponse) {
  for (const r of page.removed) app.delete(r.transaction_id);
  for (const t of [...page.added, ...page.modified]) app.set(t.transaction_id, t);
}

/** Syncs until a run of pages brings nothing (the categorizer's writes after a bank sync have settled). */
async function syncUntilQuiet(count: number, timeoutMs = 120_000): Promise<Changes> {
  const all: Changes = { added: [], modified: [], removed: [], pages: 0 };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await syncAll(count);
    all.added.push(...c.added);
    all.modified.push(...c.modified);
    all.removed.push(...c.removed);
    all.pages += c.pages;
    if (!c.added.length && !c.modified.length && !c.removed.length) return all;
    if (Date.now() > deadline) throw new Error('the feed never went quiet');
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function allByGet(): Promise<Transaction[]> {
  const out: Transaction[] = [];
  for (let offset = 0; ;) {
    const { data } = await plaid.transactionsGet({
      access_token: accessToken,
      start_date: '2025-01-01',
      end_date: '2027-12-31',
      options: { count: 500, offset },
    });
    out.push(...data.transactions);
    offset += data.transactions.length;
    if (offset >= data.total_transactions || !data.transactions.length) return out;
  }
}

/** The app's copy of a bank record as it stood (by date, name and amount; pending or not). */
function held(v: VisibleTransaction): Transaction | undefined {
  return [...app.values()].find(
    (t) =>
      t.date === v.date &&
      t.name === cleanText(v.description) &&
      t.amount === plaidAmount(v.amountMinor, 'USD') &&
      t.pending === (v.status === 'pending'),
  );
}

beforeAll(async () => {
  env = await startPlaidTwin();
  plaid = env.client;
  await bankClock({ set: scenario.t0.toISOString(), freeze: true });
  const { data: created } = await plaid.sandboxPublicTokenCreate({
    institution_id: `ins_${BANK}`,
    initial_products: [Products.Transactions],
  });
  const { data: exchanged } = await plaid.itemPublicTokenExchange({ public_token: created.public_token });
  accessToken = exchanged.access_token;
});
afterAll(async () => env?.twin?.stop());

describe('Plaid transactions with the official client', () => {
  it('answers PRODUCT_NOT_READY until the first sync has run, then the whole history', async () => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const call = plaid.transactionsGet({
        access_token: accessToken,
        start_date: '2026-01-01',
        end_date: '2026-01-31',
      });
      const answered = await call.then(
        () => null,
        (err: unknown) => err,
      );
      if (answered === null) break;
      const { error } = await plaidFailure(Promise.reject(answered));
      expect(error.error_code).toBe('PRODUCT_NOT_READY');
      if (Date.now() > deadline) {
        throw new Error(`the first sync did not finish:\n${env.twin?.output().slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  it('paginates /transactions/sync with has_more; the result equals /transactions/get over the range', async () => {
    const first = await syncAll(100);
    expect(first.pages).toBeGreaterThan(2);
    expect(first.modified).toEqual([]);
    expect(first.removed).toEqual([]);
    // The categorizer may still be writing: go on until the feed is quiet (each of its writes is a modification).
    const settle = await syncUntilQuiet(200);
    const got = await allByGet();
    console.log(
      `first /transactions/sync: ${first.added.length} added in ${first.pages} pages of 100; then ${settle.modified.length} modified, ${settle.added.length} added again while the categorizer wrote; /transactions/get: ${got.length}`,
    );
    expect(got.length).toBeGreaterThan(100);
    expect([...app.keys()].sort()).toEqual(got.map((t) => t.transaction_id).sort());
    const byId = new Map(got.map((t) => [t.transaction_id, t]));
    for (const t of app.values()) {
      expect(byId.get(t.transaction_id)).toMatchObject({
        amount: t.amount,
        date: t.date,
        name: t.name,
        pending: t.pending,
        account_id: t.account_id,
      });
    }
    // Plaid's sign: a salary is money in (negative), a card purchase money out (positive).
    expect(got.some((t) => t.amount < 0 && t.personal_finance_category?.primary === 'INCOME')).toBe(true);
    expect(got.some((t) => t.amount > 0 && t.payment_channel === 'in store')).toBe(true);
    // What the bank showed at the frozen instant, pending ones included.
    const visible = visibleTransactions(user0, BANK, scenario.t0);
    expect(got.filter((t) => t.pending).length).toBe(
      visible.filter((v) => v.status === 'pending' && !v.resent).length,
    );
    expect(held(scenario.correctedBefore)).toBeDefined();
    for (const p of scenario.postings) expect(held(p)).toBeDefined();
  });

  it('after the bank moves on and a refresh: the posting is removed + added, the correction modified', async () => {
    const correctedId = held(scenario.correctedBefore)!.transaction_id;
    const pendingIds = scenario.postings.map((p) => held(p)!.transaction_id);
    await bankClock({ advance_days: 2 });
    const { data: refreshed } = await plaid.transactionsRefresh({ access_token: accessToken });
    expect(refreshed.request_id).toMatch(/\w+/);

    const seen: Changes = { added: [], modified: [], removed: [], pages: 0 };
    const deadline = Date.now() + 120_000;
    const done = () =>
      pendingIds.every((id) => seen.removed.some((r) => r.transaction_id === id)) &&
      seen.modified.some(
        (t) =>
          t.transaction_id === correctedId &&
          t.amount === plaidAmount(scenario.correctedAfter.amountMinor, 'USD'),
      );
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error(
          `the changes did not arrive: ${JSON.stringify({ removed: seen.removed, modified: seen.modified.map((t) => [t.transaction_id, t.amount]) })}`,
        );
      }
      const c = await syncAll(50);
      seen.added.push(...c.added);
      seen.modified.push(...c.modified);
      seen.removed.push(...c.removed);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(
      `after the bank clock moved 2 days: ${seen.added.length} added, ${seen.modified.length} modified, ${seen.removed.length} removed; ${pendingIds.length} posting(s) checked`,
    );
    for (const id of pendingIds) {
      const posting = seen.added.find((t) => t.pending_transaction_id === id);
      expect(posting, `the posting of ${id}`).toBeDefined();
      expect(posting!.pending).toBe(false);
      expect(posting!.transaction_id).not.toBe(id);
      expect(app.has(id)).toBe(false);
    }
    expect(app.get(correctedId)?.amount).toBe(plaidAmount(scenario.correctedAfter.amountMinor, 'USD'));
    // Replaying the feed still gives exactly what /transactions/get shows (once every sync the bank's move
    // started, and the categorizer after it, has finished: a later one may still bring the bank's new records).
    const until = Date.now() + 90_000;
    for (;;) {
      await syncUntilQuiet(500);
      const got = await allByGet();
      const missing = got.filter((t) => !app.has(t.transaction_id));
      const extra = [...app.keys()].filter((id) => !got.some((t) => t.transaction_id === id));
      if (!missing.length && !extra.length) break;
      if (Date.now() > until) {
        throw new Error(
          `the app's copy differs from /transactions/get: missing ${JSON.stringify(missing.map((t) => [t.transaction_id, t.date, t.pending, t.name]))}, extra ${JSON.stringify(extra)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  });

  it('finds the recurring salary and a subscription', async () => {
    const { data } = await plaid.transactionsRecurringGet({ access_token: accessToken });
    const salary = user0.transactions.find((t) => t.bank === BANK && t.truth.pattern === 'salary')!;
    const subscriptions = new Set(
      user0.transactions
        .filter((t) => t.bank === BANK && t.truth.pattern === 'subscription')
        .map((t) => t.truth.merchant),
    );
    const inflow = data.inflow_streams.find(
      (s) => s.personal_finance_category?.detailed === 'INCOME_WAGES' || s.frequency === 'BIWEEKLY',
    );
    expect(
      inflow,
      JSON.stringify(data.inflow_streams.map((s) => [s.description, s.frequency])),
    ).toBeDefined();
    expect(inflow!.frequency).toBe('BIWEEKLY');
    expect(inflow!.average_amount.amount).toBeLessThan(0);
    expect(inflow!.transaction_ids.length).toBeGreaterThanOrEqual(3);
    expect(salary.truth.merchant).toBeTruthy();
    const monthly = data.outflow_streams.filter((s) => s.frequency === 'MONTHLY' && s.status === 'MATURE');
    expect(
      monthly.some((s) =>
        [...subscriptions].some(
          (m) =>
            m && s.merchant_name && s.merchant_name.toLowerCase().includes(m.toLowerCase().split(' ')[0]!),
        ),
      ),
      JSON.stringify(monthly.map((s) => s.merchant_name)),
    ).toBe(true);
    for (const s of [...data.inflow_streams, ...data.outflow_streams]) {
      for (const id of s.transaction_ids) expect(app.has(id)).toBe(true);
    }
  });

  it('categories, and enrich with Plaid’s request shape', async () => {
    const { data } = await plaid.categoriesGet({});
    expect(data.categories.length).toBeGreaterThan(100);
    expect(data.categories.find((c) => c.hierarchy.join('/') === 'Food and Drink/Coffee')).toBeDefined();
    const { data: enriched } = await plaid.transactionsEnrich({
      account_type: 'depository',
      transactions: [
        {
          id: 't1',
          description: 'SQ *BLUE BOTTLE COFFEE 0423',
          amount: 5.4,
          direction: 'OUTFLOW' as never,
          iso_currency_code: 'USD',
        },
      ],
    });
    expect(enriched.enriched_transactions[0]).toMatchObject({
      id: 't1',
      enrichments: {
        merchant_name: 'Blue Bottle Coffee',
        personal_finance_category: { primary: 'FOOD_AND_DRINK' },
        payment_channel: 'in store',
      },
    });
  });

  it('answers Plaid errors: a bad access token, a malformed body, a cursor not issued for the item', async () => {
    const bad = await failure(
      plaid.transactionsSync({ access_token: 'access-sandbox-00000000-0000-0000-0000-000000000000' }),
    );
    expect(bad).toMatchObject({
      status: 400,
      error_code: 'INVALID_ACCESS_TOKEN',
      error_type: 'INVALID_INPUT',
    });
    expect(bad.request_id).toBeTruthy();
    const date = await failure(
      plaid.transactionsGet({ access_token: accessToken, start_date: '2026-02-30', end_date: '2026-03-01' }),
    );
    expect(date).toMatchObject({ status: 400, error_code: 'INVALID_FIELD' });
    const count = await failure(plaid.transactionsSync({ access_token: accessToken, count: 0 }));
    expect(count).toMatchObject({ status: 400, error_code: 'INVALID_FIELD' });
    const forged = await failure(
      plaid.transactionsSync({
        access_token: accessToken,
        cursor: `${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`,
      }),
    );
    expect(forged).toMatchObject({ status: 400, error_code: 'INVALID_FIELD' });
    for (const body of [
      '{"access_token": 5}',
      '[1]',
      '{not json',
      `{"access_token":"${accessToken}","count":"x"}`,
    ]) {
      const res = await fetch(`${env.url}/plaid/transactions/sync`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'plaid-client-id': env.clientId,
          'plaid-secret': env.secret,
        },
        body,
      });
      expect(res.status, body).toBe(400);
      const e = (await res.json()) as { error_code: string };
      expect(['INVALID_FIELD', 'INVALID_BODY']).toContain(e.error_code);
    }
  });
  it('never answers a 5xx to malformed bodies on any of its routes (fuzz)', async () => {
    const routes: Record<string, string[]> = {
      '/transactions/sync': ['access_token', 'cursor', 'count', 'options'],
      '/transactions/get': ['access_token', 'start_date', 'end_date', 'options'],
      '/transactions/refresh': ['access_token'],
      '/transactions/recurring/get': ['access_token', 'account_ids', 'options'],
      '/transactions/enrich': ['account_type', 'transactions', 'options'],
      '/categories/get': [],
    };
    const statuses = new Map<number, number>();
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constant(accessToken),
      fc.constant(cursor),
      fc.constant('2026-02-30'),
      fc.constant([{ id: 'x', description: 'y', amount: -1, direction: 'UP', iso_currency_code: 'usd' }]),
    );
    for (const [path, fields] of Object.entries(routes)) {
      const bodies = fc.sample(
        fc.dictionary(fc.constantFrom(...fields, 'other'), value, { maxKeys: fields.length + 1 }),
        { numRuns: 25, seed: 15 },
      );
      for (const body of bodies) {
        const res = await fetch(`${env.url}/plaid${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'plaid-client-id': env.clientId,
            'plaid-secret': env.secret,
          },
          body: JSON.stringify(body),
        });
        const answer = (await res.json()) as { request_id?: string };
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        expect(answer.request_id).toBeTruthy();
      }
    }
    console.log('fuzz of the transactions routes, answers by status:', Object.fromEntries(statuses));
  });
});
