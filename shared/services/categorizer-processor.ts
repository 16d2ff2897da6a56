import * as z from 'zod';
import type { UserRule } from '../domain/categorizer/index';
import {
  categorizeStored,
  categoryContext,
  touchesUserRule,
} from '../domain/categorizer/stored-transactions';
import type { UserTxnChange } from '../domain/corrections';
import type { Account, StoredTransaction } from '../domain/models';
import { logger } from '../logger';
import type { Clock } from '../ports/clock';
import type { AccountStore, RuleStore, TransactionStore, UserChangeStore } from '../ports/store';
import type { StreamBatchUnit } from '../stream/batch';
import type { StoreChange } from '../stream/change';
import { parseChange, StreamRecordError } from '../stream/records';
import { TransactionImageSchema } from '../stream/transaction-image';
import { recategorizeUser } from './user-rules';

export interface CategorizeDeps {
  store: RuleStore & AccountStore & UserChangeStore & TransactionStore;
  clock: Clock;
}

/** A re-categorization request on the stream (`store.requestRecategorization`). */
export const RecategorizeImageSchema = z
  .object({
    entity: z.literal('recategorize'),
    userId: z.string().min(1),
    requestedAt: z.string(),
    reason: z.string().optional(),
  })
  .loose();

/** What categorizing one user's transactions needs: their rules and their accounts (own-transfer context). */
interface UserData {
  rules: UserRule[];
  accounts: Account[];
}

/**
 * The Categorizer stream function's work on one batch (functions/stream/categorizer.ts). For each record, in
 * order:
 *
 * - a `transaction` inserted or modified (by the sync, a correction, a rule, or this function itself): the
 *   engine categorizes the new image's effective values with the user's rules (read strongly consistent, once
 *   per user per batch) and own accounts (domain/categorizer/stored-transactions.ts `categorizeStored`). A change is kept only
 *   if it changes the category and the user did not set it by hand: the category and a `categorized` event by
 *   `rule:<id>` or `rules:builtin`, conditioned on the image's version. Only the last record of a transaction
 *   in the batch is computed (the earlier ones are older images of it).
 * - a `recategorize` request (the rules API asks for one when a rule change touches more transactions than it
 *   re-categorizes inline): every live transaction of the user, the same way (services/user-rules.ts), at once.
 *
 * At the end of the batch the kept changes are written together (`store.applyUserChanges`: up to 50 changes
 * per DynamoDB transaction), after reading the rules again for users whose changes set or replace a user
 * rule's category (a rule created, changed or deleted since the batch began is seen). A change whose version
 * condition fails is dropped: a newer version of that transaction was written meanwhile, and its own stream
 * record is categorized when it comes.
 *
 * Hence idempotence: a redelivered record computes the same category (no change) or loses the version
 * condition (no write); this function's own write comes back as a MODIFY that computes the same category: no
 * loop. A record that does not validate fails alone (batch item failure); a failed write fails the batch,
 * which Lambda retries and bisects.
 */
export class CategorizeBatch implements StreamBatchUnit {
  private readonly users = new Map<string, Promise<UserData>>();
  /** Per transaction id: the id of its last change in the batch. */
  private readonly last = new Map<string, string>();
  /** Changes to write at the end of the batch, by transaction id. */
  private readonly pending = new Map<string, { t: StoredTransaction; change: UserTxnChange }>();
  readonly stats = { written: 0, unchanged: 0, superseded: 0, recategorized: 0 };

  constructor(private readonly deps: CategorizeDeps) {}

  async prepare(changes: readonly StoreChange[]): Promise<void> {
    const userIds = new Set<string>();
    for (const c of changes) {
      try {
        if (c.entity !== 'transaction') continue;
        const change = parseChange(c, TransactionImageSchema);
        if (!change.after) continue;
        this.last.set(change.after.id, change.id);
        userIds.add(change.after.userId);
      } catch {
        // A record that does not parse fails on its own in handle().
      }
    }
    // Loaded together; a failed load is retried by the first record that needs it.
    await Promise.all([...userIds].map((id) => this.user(id).catch(() => undefined)));
  }

  async handle(change: StoreChange): Promise<void> {
    if (change.entity === 'transaction') return this.transactionChanged(change);
    if (change.entity === 'recategorize') return this.recategorize(change);
    throw new StreamRecordError(`the Categorizer does not handle ${change.entity} items`);
  }

  /** Writes the batch's changes, the rules read again first where a user rule's category is at stake. */
  async finish(): Promise<void> {
    if (!this.pending.size) return;
    const stale = new Set<string>();
    for (const { t, change } of this.pending.values()) if (touchesUserRule(t, change)) stale.add(t.userId);
    await Promise.all([...stale].map((userId) => this.user(userId, true)));
    const changes: UserTxnChange[] = [];
    for (const { t, change } of this.pending.values()) {
      if (!stale.has(t.userId)) {
        changes.push(change);
        continue;
      }
      const again = await this.compute(t);
      if (again) changes.push(again);
      else this.stats.unchanged += 1;
    }
    this.pending.clear();
    if (!changes.length) return;
    const { applied, conflicts } = await this.deps.store.applyUserChanges(changes);
    this.stats.written += applied;
    this.stats.superseded += conflicts.length;
  }

  private async compute(t: StoredTransaction): Promise<UserTxnChange | null> {
    const data = await this.user(t.userId);
    const now = this.deps.clock.now().toISOString();
    return categorizeStored(t, data.rules, categoryContext(data.accounts, t.accountId), now).change;
  }

  private async transactionChanged(c: StoreChange): Promise<void> {
    const change = parseChange(c, TransactionImageSchema);
    const t = change.after;
    if (!t || t.removed) return;
    if ((this.last.get(t.id) ?? change.id) !== change.id) {
      this.stats.superseded += 1;
      return;
    }
    const next = await this.compute(t);
    if (next) this.pending.set(t.id, { t, change: next });
    else this.stats.unchanged += 1;
  }

  private async recategorize(c: StoreChange): Promise<void> {
    const change = parseChange(c, RecategorizeImageSchema);
    if (!change.after) return;
    const userId = change.after.userId;
    const data = await this.user(userId, true);
    const out = await recategorizeUser(this.deps, userId, { rules: data.rules, accounts: data.accounts });
    this.stats.recategorized += out.changed;
    logger.info('re-categorized a user', { userId, reason: change.after.reason, ...out });
  }

  /** The user's rules and accounts, once per batch (the rules again when `fresh`). */
  private user(userId: string, fresh = false): Promise<UserData> {
    const hit = this.users.get(userId);
    if (hit && !fresh) return hit;
    const { store } = this.deps;
    const accounts = hit ? hit.then((d) => d.accounts) : store.listAccounts(userId);
    const load = Promise.all([store.listUserRules(userId), accounts]).then(([rules, accs]) => ({
      rules,
      accounts: accs,
    }));
    this.users.set(userId, load);
    load.catch(() => {
      if (this.users.get(userId) === load) this.users.delete(userId);
    });
    return load;
  }
}
