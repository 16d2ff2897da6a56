import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../../lib/catalogue';
import { lambdaContext } from '../../../lib/local/lambda-context';
import { categorize, cleanMerchant, type UserRule } from '../../../shared/domain/categorizer/index';
import {
  BUILTIN_ACTOR,
  categorizeStored,
  categoryContext,
  engineInput,
  givenMerchant,
  nextCategory,
} from '../../../shared/domain/categorizer/stored-transactions';
import type { UserTxnChange } from '../../../shared/domain/corrections';
import type { Account, StoredTransaction, TxnCategory } from '../../../shared/domain/models';
import { correctionRule, merchantOf, ruleApplies } from '../../../shared/domain/correction-rules';
import { ManualClock } from '../../../shared/ports/clock';
import type { Store } from '../../../shared/ports/store';
import { CategorizeBatch } from '../../../shared/services/categorizer-processor';
import { processStreamBatch } from '../../../shared/stream/dynamodb-batch';
import { txn } from '../../support/insights';

const NOW = '2026-03-01T12:00:00.000Z';
const BLUE_BOTTLE = 'SQ *BLUE BOTTLE COFFEE 0423 SAN FRANCISCO CA';

/** A transaction as the sync stores it: the merchant filled from the description. */
function synced(over: Partial<StoredTransaction> = {}, description = BLUE_BOTTLE): StoredTransaction {
  const t = txn('u1', { id: 'txn_1', date: '2026-02-20', amountMinor: -650, description });
  t.original.merchantName = cleanMerchant(description);
  return { ...t, ...over };
}

function rule(over: Partial<UserRule> & Pick<UserRule, 'match' | 'category'>): UserRule {
  return {
    id: 'rule_1',
    user_id: 'u1',
    priority: 0,
    created_at: NOW,
    updated_at: NOW,
    ...over,
  };
}

const coffeeRule = rule({
  match: { merchant: 'Blue Bottle Coffee' },
  category: { primary: 'ENTERTAINMENT', detailed: 'ENTERTAINMENT_OTHER_ENTERTAINMENT' },
});
const userSet: TxnCategory = {
  primary: 'TRAVEL',
  detailed: 'TRAVEL_OTHER_TRAVEL',
  source: 'user',
  confidence: 1,
  ruleId: null,
};

/** Writes a change as the store would: the next state. */
const applied = (c: UserTxnChange): StoredTransaction => c.txn;

describe('the categorization decision', () => {
  it('categorizes with the built-in rules: source, confidence, rule id, and a categorized event', () => {
    const t = synced();
    const { computed, change } = categorizeStored(t, [], {}, NOW);
    expect(computed).toMatchObject({ primary: 'FOOD_AND_DRINK', source: 'rules' });
    expect(change!.txn.category).toEqual({
      primary: 'FOOD_AND_DRINK',
      detailed: computed!.detailed,
      source: 'rules',
      confidence: computed!.confidence,
      ruleId: computed!.rule_id,
    });
    expect(change!.txn.category!.ruleId).toMatch(/^builtin:/);
    expect(change!.expectedVersion).toBe(t.version);
    expect(change!.txn.version).toBe(t.version + 1);
    expect(change!.events).toEqual([
      expect.objectContaining({
        txnId: t.id,
        seq: t.version + 1,
        kind: 'categorized',
        actor: BUILTIN_ACTOR,
        before: { category: null },
        after: { category: expect.objectContaining({ primary: 'FOOD_AND_DRINK', source: 'rules' }) },
      }),
    ]);
  });

  it('is a no-op on the same category: its own write and a re-run change nothing', () => {
    const first = categorizeStored(synced(), [coffeeRule], {}, NOW).change!;
    const again = categorizeStored(applied(first), [coffeeRule], {}, '2026-03-02T00:00:00.000Z');
    expect(again.change).toBeNull();
    expect(again.computed).not.toBeNull();
  });

  it('lets a user rule win over the built-in rules, with actor rule:<id>', () => {
    const builtin = applied(categorizeStored(synced(), [], {}, NOW).change!);
    const { change } = categorizeStored(builtin, [coffeeRule], {}, NOW);
    expect(change!.txn.category).toEqual({
      primary: 'ENTERTAINMENT',
      detailed: 'ENTERTAINMENT_OTHER_ENTERTAINMENT',
      source: 'user_rule',
      confidence: 1,
      ruleId: 'rule_1',
    });
    expect(change!.events[0]).toMatchObject({
      actor: 'rule:rule_1',
      before: { category: expect.objectContaining({ source: 'rules' }) },
      after: { category: expect.objectContaining({ source: 'user_rule', rule_id: 'rule_1' }) },
    });
    // The rule with the higher priority wins among matching rules.
    const stronger = rule({
      id: 'rule_2',
      match: { description_contains: 'blue bottle' },
      category: { primary: 'TRAVEL', detailed: null },
      priority: 10,
    });
    expect(categorizeStored(builtin, [coffeeRule, stronger], {}, NOW).change!.txn.category).toMatchObject({
      primary: 'TRAVEL',
      detailed: null,
      ruleId: 'rule_2',
    });
  });

  it('never overrides a category the user set: not by built-in rules, not by a user rule', () => {
    const t = synced({ category: userSet, overlay: { categoryBefore: null } });
    expect(categorizeStored(t, [], {}, NOW).change).toBeNull();
    expect(categorizeStored(t, [coffeeRule], {}, NOW).change).toBeNull();
    for (const computed of [null, categorize(engineInput(t), [coffeeRule])]) {
      expect(nextCategory(userSet, computed)).toBeUndefined();
    }
  });

  it('replaces a rule category when the rule is gone: built-in rules, or none when they abstain', () => {
    const ruled = applied(categorizeStored(synced(), [coffeeRule], {}, NOW).change!);
    const back = categorizeStored(ruled, [], {}, NOW).change!;
    expect(back.txn.category).toMatchObject({ primary: 'FOOD_AND_DRINK', source: 'rules' });
    expect(back.events[0]!.actor).toBe(BUILTIN_ACTOR);

    const unknown = synced({}, 'ZQXV 99812 PLN');
    const ruledUnknown = applied(
      categorizeStored(
        unknown,
        [rule({ match: { description_contains: 'zqxv' }, category: userSet })],
        {},
        NOW,
      ).change!,
    );
    expect(ruledUnknown.category).toMatchObject({ source: 'user_rule', primary: 'TRAVEL' });
    expect(categorize(engineInput(ruledUnknown), [])).toBeNull();
    const cleared = categorizeStored(ruledUnknown, [], {}, NOW).change!;
    expect(cleared.txn.category).toBeNull();
    expect(cleared.events[0]).toMatchObject({ kind: 'categorized', after: { category: null } });
    // Nothing to clear, or a provider's category: left alone.
    expect(categorizeStored(unknown, [], {}, NOW).change).toBeNull();
    const provider: TxnCategory = { ...userSet, source: 'provider' };
    expect(nextCategory(provider, null)).toBeUndefined();
  });

  it('leaves removed transactions alone', () => {
    expect(categorizeStored(synced({ removed: true }), [coffeeRule], {}, NOW).change).toBeNull();
  });

  it('reads the effective values: a corrected description or merchant name is what the rules see', () => {
    const t = synced({ overlay: { description: 'BLUE BOTTLE COFFEE OAKLAND' } }, 'POS 12345');
    expect(engineInput(t).description).toBe('BLUE BOTTLE COFFEE OAKLAND');
    expect(categorizeStored(t, [coffeeRule], {}, NOW).change!.txn.category!.ruleId).toBe('rule_1');
    const named = synced({ overlay: { merchantName: 'blue-bottle coffee' } }, 'POS 12345');
    expect(givenMerchant(named)).toBe('blue-bottle coffee');
    expect(categorizeStored(named, [coffeeRule], {}, NOW).change!.txn.category!.ruleId).toBe('rule_1');
  });

  it('gives the engine only a merchant name the bank or the user gave, not the one the sync derived', () => {
    expect(givenMerchant(synced())).toBeNull();
    const bankNamed = synced();
    bankNamed.original.merchantName = 'Blue Bottle Roasters';
    expect(givenMerchant(bankNamed)).toBe('Blue Bottle Roasters');
  });

  it('knows the user’s own accounts: ids, and the masks of the other accounts', () => {
    const accounts = [
      { id: 'acc_1', mask: '1111' },
      { id: 'acc_2', mask: '2222' },
      { id: 'acc_3', mask: null },
    ] as Pick<Account, 'id' | 'mask'>[];
    expect(categoryContext(accounts, 'acc_1')).toEqual({
      ownAccountIds: ['acc_1', 'acc_2', 'acc_3'],
      ownAccountMasks: ['2222'],
    });
    expect(categoryContext(accounts, null).ownAccountMasks).toEqual(['1111', '2222']);
  });
});

describe('one rule model: rules from corrections are the engine rules', () => {
  it('name the merchant as the engine cleans it', () => {
    expect(merchantOf({ merchantName: null, description: BLUE_BOTTLE })).toBe(cleanMerchant(BLUE_BOTTLE));
    expect(merchantOf({ merchantName: ' Blue Bottle ', description: 'x' })).toBe('Blue Bottle');
  });

  it('a correction rule applies exactly where the engine says it wins', () => {
    const made = correctionRule(
      'u1',
      merchantOf({ merchantName: null, description: BLUE_BOTTLE })!,
      { primary: 'ENTERTAINMENT', detailed: null },
      NOW,
    )!;
    for (const description of [
      BLUE_BOTTLE,
      'BLUE BOTTLE COFFEE #12 OAKLAND',
      'PEETS COFFEE 22',
      'POS 1234',
    ]) {
      const t = synced({}, description);
      expect(ruleApplies(made, t)).toBe(categorize(engineInput(t), [made])?.rule_id === made.id);
    }
    expect(ruleApplies(made, synced())).toBe(true);
    expect(ruleApplies(made, synced({}, 'PEETS COFFEE 22'))).toBe(false);
    expect(categorizeStored(synced(), [made], {}, NOW).change!.txn.category).toMatchObject({
      source: 'user_rule',
      ruleId: made.id,
      confidence: 1,
    });
  });
});

// ---- the stream function's batch, on a store double -------------------------------------------------------

/** The few Store methods the Categorizer uses, over a map, with the version condition of the real adapter. */
class FakeStore {
  readonly txns = new Map<string, StoredTransaction>();
  readonly writes: UserTxnChange[] = [];
  rules: UserRule[] = [];
  ruleReads = 0;
  failOn = new Set<string>();

  async listUserRules(): Promise<UserRule[]> {
    this.ruleReads += 1;
    return [...this.rules];
  }
  async listAccounts(): Promise<Account[]> {
    return [];
  }
  async applyUserChanges(changes: readonly UserTxnChange[]) {
    if (changes.some((c) => this.failOn.has(c.txn.id))) throw new Error('throttled');
    const conflicts: string[] = [];
    for (const c of changes) {
      const stored = this.txns.get(c.txn.id);
      if (!stored || stored.version !== c.expectedVersion) {
        conflicts.push(c.txn.id);
        continue;
      }
      this.txns.set(c.txn.id, c.txn);
      this.writes.push(c);
    }
    return { applied: changes.length - conflicts.length, conflicts };
  }
}

let seqNo = 1000;
function record(t: StoredTransaction, eventName: 'INSERT' | 'MODIFY' = 'INSERT'): DynamoDBRecord {
  seqNo += 1;
  const image = marshall(
    { pk: `USER#${t.userId}`, sk: `TXN#${t.id}`, entity: 'transaction', ...t },
    { removeUndefinedValues: true },
  ) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
  return {
    eventID: String(seqNo),
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: { SequenceNumber: String(seqNo), StreamViewType: 'NEW_AND_OLD_IMAGES', NewImage: image },
  };
}

const spec = catalogue.find((f) => f.name === 'Categorizer')!;

async function run(store: FakeStore, records: DynamoDBRecord[]) {
  const event: DynamoDBStreamEvent = { Records: records };
  const batch = new CategorizeBatch({ store: store as unknown as Store, clock: new ManualClock(NOW) });
  const res = await processStreamBatch(event, lambdaContext(spec, 'us-east-1'), batch);
  return { res, stats: batch.stats };
}

describe('the Categorizer batch', () => {
  it('writes a category once; the redelivered record and its own MODIFY write nothing', async () => {
    const store = new FakeStore();
    const t = synced();
    store.txns.set(t.id, t);
    const insert = record(t);
    expect((await run(store, [insert])).res.batchItemFailures).toEqual([]);
    expect(store.writes).toHaveLength(1);
    const own = record(store.txns.get(t.id)!, 'MODIFY');
    const { stats } = await run(store, [insert, own]);
    expect(store.writes).toHaveLength(1);
    expect(stats).toMatchObject({ written: 0 });
  });

  it('never writes over a user-set category', async () => {
    const store = new FakeStore();
    store.rules = [coffeeRule];
    const t = synced({ category: userSet, overlay: { categoryBefore: null } });
    store.txns.set(t.id, t);
    await run(store, [record(t, 'MODIFY')]);
    expect(store.writes).toEqual([]);
  });

  it('reads the rules again before a write that sets a user rule category', async () => {
    const store = new FakeStore();
    store.rules = [coffeeRule];
    const t = synced();
    store.txns.set(t.id, t);
    await run(store, [record(t)]);
    expect(store.ruleReads).toBe(2);
    expect(store.txns.get(t.id)!.category).toMatchObject({ source: 'user_rule', ruleId: 'rule_1' });
  });

  it('computes only the last record of a transaction in a batch, and skips a stale image', async () => {
    const store = new FakeStore();
    const v1 = synced();
    const v2 = { ...v1, version: 2, original: { ...v1.original, status: 'posted' as const } };
    store.txns.set(v1.id, v2);
    const { stats } = await run(store, [record(v1), record(v2, 'MODIFY')]);
    expect(stats).toMatchObject({ superseded: 1, written: 1 });
    expect(store.writes[0]!.expectedVersion).toBe(2);
    // A stale image alone (the transaction moved on): its write loses the condition, nothing is written.
    const { stats: again, res } = await run(store, [record(v1)]);
    expect(res.batchItemFailures).toEqual([]);
    expect(again).toMatchObject({ superseded: 1, written: 0 });
    expect(store.writes).toHaveLength(1);
  });

  it('fails a poison record alone: the others are categorized', async () => {
    const store = new FakeStore();
    const a = synced({ id: 'txn_a' });
    const b = synced({ id: 'txn_b' });
    for (const t of [a, b]) store.txns.set(t.id, t);
    const bad = record(a);
    bad.dynamodb!.NewImage!.original = { S: 'not a map' };
    const { res } = await run(store, [bad, record(b)]);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: bad.dynamodb!.SequenceNumber }]);
    expect(store.writes.map((w) => w.txn.id)).toEqual(['txn_b']);
  });

  it('fails the batch when the write fails (Lambda retries, bisects); the retry writes once', async () => {
    const store = new FakeStore();
    const t = synced();
    store.txns.set(t.id, t);
    store.failOn.add(t.id);
    await expect(run(store, [record(t)])).rejects.toThrow('throttled');
    expect(store.writes).toEqual([]);
    store.failOn.clear();
    await run(store, [record(t)]);
    await run(store, [record(t)]);
    expect(store.writes).toHaveLength(1);
  });
});
