import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, type FunctionSpec } from '../../lib/catalogue';
import { lambdaContext } from '../../lib/local/lambda-context';
import { StreamPoller, streamsClient } from '../../lib/local/stream-poller';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { cleanMerchant, type UserRule } from '../../shared/domain/categorizer/index';
import { applyCorrection } from '../../shared/domain/corrections';
import type { Account, StoredTransaction, TxnEvent } from '../../shared/domain/models';
import { ManualClock } from '../../shared/ports/clock';
import { CategorizeBatch } from '../../shared/services/categorizer-processor';
import { recategorizeUser } from '../../shared/services/user-rules';
import { processStreamBatch } from '../../shared/stream/dynamodb-batch';
import { freshTable, region } from '../support/dynamodb';
import { insert, txn } from '../support/insights';

/**
 * The Categorizer stream function against DynamoDB Local: transactions written as the sync writes them, read
 * back through the Streams API by the twin's event source mapping (lib/local/stream-poller.ts) with the
 * catalogue's filter, batch size, retries and bisection.
 */
const NOW = '2026-03-01T12:00:00.000Z';
const USER = 'u-cat';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;
let poller: StreamPoller;
const clock = new ManualClock(NOW);
const delivered: DynamoDBStreamEvent[] = [];
let spec: FunctionSpec;
const handler = (event: DynamoDBStreamEvent) =>
  processStreamBatch(event, lambdaContext(spec, region), new CategorizeBatch({ store, clock }));

beforeAll(async () => {
  spec = catalogue.find((f) => f.name === 'Categorizer')!;
  table = await freshTable('categorize', { stream: true });
  store = new DynamoStore(table.doc, table.tableName);
  poller = new StreamPoller(streamsClient(table.endpoint, region), table.streamArn, region, {
    pollIntervalMs: 20,
    retryDelayMs: 5,
  });
  poller.addConsumer(spec, async (event) => {
    delivered.push(structuredClone(event));
    return handler(event);
  });
  poller.start();
});
afterAll(async () => {
  await poller?.stop();
  await table?.drop();
});

/** Until every record written so far has been read and handled. */
async function settle(): Promise<void> {
  await poller.caughtUp();
}

/** As the sync stores it: the merchant filled from the description. */
function synced(description: string, amountMinor: number, over: { id?: string; accountId?: string } = {}) {
  const t = txn(USER, { date: '2026-02-20', amountMinor, description, accountId: 'acc_chk', ...over });
  t.original.merchantName = cleanMerchant(description);
  return t;
}

function account(id: string, mask: string): Account {
  return {
    id,
    userId: USER,
    connectionId: `conn_${USER}`,
    provider: 'bank_a',
    providerAccountId: id,
    name: id,
    mask,
    type: 'depository',
    subtype: 'checking',
    currency: 'USD',
    timeZone: null,
    balanceCurrentMinor: 0,
    balanceAvailableMinor: 0,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

const get = async (id: string) => (await store.getTransaction(USER, id))!;
const events = (id: string) => store.listTransactionEvents(id);
const categorized = (es: TxnEvent[]) => es.filter((e) => e.kind === 'categorized');

const coffee = synced('SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO CA', -650, { id: 'txn_coffee' });
const coffee2 = synced('BLUE BOTTLE COFFEE #12 OAKLAND CA', -725, { id: 'txn_coffee2' });
const transfer = synced('ONLINE TRANSFER TO SAV XXXXXX2222', -50_000, { id: 'txn_transfer' });
const mystery = synced('ZQXV 99812 PLN', -1_999, { id: 'txn_mystery' });
const all = [coffee, coffee2, transfer, mystery];

describe('the Categorizer stream function', () => {
  it('categorizes what the sync writes: source, confidence, rule id, own accounts, an event', async () => {
    await store.upsertAccounts([account('acc_chk', '1111'), account('acc_sav', '2222')]);
    await insert(store, all);
    await settle();
    const c = await get(coffee.id);
    expect(c.category).toMatchObject({ primary: 'FOOD_AND_DRINK', source: 'rules' });
    expect(c.category!.ruleId).toMatch(/^builtin:merchant:/);
    expect(c.category!.confidence).toBeGreaterThan(0.7);
    expect(c.version).toBe(2);
    expect(categorized(await events(coffee.id))).toEqual([
      expect.objectContaining({
        seq: 2,
        actor: 'rules:builtin',
        before: { category: null },
        after: { category: expect.objectContaining({ primary: 'FOOD_AND_DRINK', source: 'rules' }) },
      }),
    ]);
    expect((await get(transfer.id)).category).toMatchObject({
      primary: 'TRANSFER_OUT',
      ruleId: 'builtin:transfer:own-account',
    });
    // The engine abstains on an unknown description: nothing is written.
    expect(await get(mystery.id)).toMatchObject({ category: null, version: 1 });
    // Its own writes came back on the stream and changed nothing: one categorization each.
    for (const t of all) expect(categorized(await events(t.id)).length).toBeLessThanOrEqual(1);
  });

  it('writes nothing when every batch is delivered again', async () => {
    const before = await Promise.all(all.map((t) => get(t.id)));
    const eventsBefore = await Promise.all(all.map((t) => events(t.id)));
    expect(delivered.length).toBeGreaterThan(0);
    for (const event of delivered) {
      const res = await handler(structuredClone(event));
      expect(res.batchItemFailures).toEqual([]);
    }
    expect(await Promise.all(all.map((t) => get(t.id)))).toEqual(before);
    expect(await Promise.all(all.map((t) => events(t.id)))).toEqual(eventsBefore);
  });

  it("re-categorizes on request with the user's rules; a user-set category stays", async () => {
    const corrected = applyCorrection(
      await get(coffee2.id),
      { category: { primary: 'TRAVEL', detailed: 'TRAVEL_OTHER_TRAVEL' } },
      { actor: `user:${USER}`, now: NOW },
    )!;
    await store.applyUserChange(corrected);
    const rule: UserRule = {
      id: 'rule_coffee',
      user_id: USER,
      match: { merchant: 'Blue Bottle Coffee' },
      category: { primary: 'ENTERTAINMENT', detailed: null },
      priority: 0,
      created_at: NOW,
      updated_at: NOW,
    };
    const mysteryRule: UserRule = {
      ...rule,
      id: 'rule_mystery',
      match: { description_contains: 'zqxv' },
      category: { primary: 'GENERAL_SERVICES', detailed: 'GENERAL_SERVICES_OTHER_GENERAL_SERVICES' },
    };
    await store.putUserRule(rule);
    await store.putUserRule(mysteryRule);
    await store.requestRecategorization(USER, NOW, 'test');
    await settle();
    expect((await get(coffee.id)).category).toEqual({
      primary: 'ENTERTAINMENT',
      detailed: null,
      source: 'user_rule',
      confidence: 1,
      ruleId: 'rule_coffee',
    });
    expect(categorized(await events(coffee.id)).at(-1)).toMatchObject({ actor: 'rule:rule_coffee' });
    expect((await get(mystery.id)).category).toMatchObject({ source: 'user_rule', ruleId: 'rule_mystery' });
    expect((await get(coffee2.id)).category).toMatchObject({ primary: 'TRAVEL', source: 'user' });
    expect((await get(transfer.id)).category).toMatchObject({ source: 'rules' });

    // A rule deleted: its transactions go back to the built-in rules, or to no category.
    await store.deleteUserRule(USER, 'rule_coffee');
    await store.deleteUserRule(USER, 'rule_mystery');
    await store.requestRecategorization(USER, NOW, 'test');
    await settle();
    expect((await get(coffee.id)).category).toMatchObject({ primary: 'FOOD_AND_DRINK', source: 'rules' });
    expect((await get(mystery.id)).category).toBeNull();
    expect((await get(coffee2.id)).category).toMatchObject({ source: 'user' });
  });

  it('a bounded pass (the rules API inline) writes at most its limit and says what is left', async () => {
    const rule: UserRule = {
      id: 'rule_all',
      user_id: USER,
      match: { description_regex: '.' },
      category: { primary: 'GENERAL_SERVICES', detailed: null },
      priority: 0,
      created_at: NOW,
      updated_at: NOW,
    };
    // Stored, as the rules API does first: the Categorizer, seeing the pass's writes, agrees with them.
    await store.putUserRule(rule);
    const bounded = await recategorizeUser({ store, clock }, USER, { maxWrites: 1 });
    expect(bounded).toMatchObject({ changed: 1, pending: true });
    const rest = await recategorizeUser({ store, clock }, USER);
    // Every live transaction but the user-set one, less the one already written.
    expect(rest).toEqual({ changed: all.length - 2, scanned: all.length, pending: false });
    expect(await recategorizeUser({ store, clock }, USER)).toMatchObject({ changed: 0 });
    await settle();
    expect((await get(transfer.id)).category).toMatchObject({ source: 'user_rule', ruleId: 'rule_all' });
    // The rule deleted: back to the built-in rules.
    await store.deleteUserRule(USER, rule.id);
    await recategorizeUser({ store, clock }, USER);
    await settle();
    expect((await get(coffee.id)).category).toMatchObject({ source: 'rules' });
    expect((await get(coffee2.id)).category).toMatchObject({ source: 'user' });
  });

  it('re-categorizes a transaction whose description the user corrected', async () => {
    const t = await get(mystery.id);
    await store.applyUserChange(
      applyCorrection(
        t,
        { description: 'STARBUCKS STORE 1234 SEATTLE WA' },
        { actor: `user:${USER}`, now: NOW },
      )!,
    );
    await settle();
    expect((await get(mystery.id)).category).toMatchObject({ primary: 'FOOD_AND_DRINK', source: 'rules' });
  });

  it('fails a poison record alone, to the on-failure destination; the others are categorized', async () => {
    const good1 = synced('STARBUCKS STORE 99 SEATTLE WA', -450, { id: 'txn_good1' });
    const good2 = synced('SHELL OIL 5744 HOUSTON TX', -4_000, { id: 'txn_good2' });
    await insert(store, [good1]);
    const poison: StoredTransaction = synced('SHELL OIL 1 HOUSTON TX', -1, { id: 'txn_poison' });
    await table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...poison,
          original: { ...poison.original, amountMinor: 'twelve' },
          pk: `USER#${USER}`,
          sk: 'TXN#txn_poison',
          entity: 'transaction',
        },
      }),
    );
    await insert(store, [good2]);
    await settle();
    expect(
      poller.failures.map((f) => ({ fn: f.function, keys: f.records.map((r) => r.dynamodb!.Keys!.sk!.S) })),
    ).toEqual([{ fn: 'Categorizer', keys: ['TXN#txn_poison'] }]);
    expect((await get(good1.id)).category).toMatchObject({ primary: 'FOOD_AND_DRINK' });
    expect((await get(good2.id)).category).toMatchObject({ primary: 'TRANSPORTATION' });
  });
});
