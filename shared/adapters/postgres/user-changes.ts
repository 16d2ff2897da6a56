import type { UserTxnChange } from '../../domain/corrections';
import { ConflictError, type UserChangeStore } from '../../ports/store';
import { PgRole } from './role';
import { connKey, feedKey, listKey, writeTxnChanges, type TxnWrite } from './transactions';

/**
 * User changes (corrections, undo, conflict resolutions, user rules' re-categorization): the transaction's
 * user-owned fields (`overlay`, `category`) with its new version and updatedAt, its events and its change-feed
 * row, in one SQL transaction conditioned on the stored version. Provider-owned fields are never written here.
 */
export class PgUserChangeStore extends PgRole implements UserChangeStore {
  async applyUserChange(change: UserTxnChange): Promise<void> {
    const { conflicts } = await writeTxnChanges(this.db, [userWrite(change)]);
    if (conflicts.length)
      throw new ConflictError(`transaction ${change.txn.id} is not at version ${change.expectedVersion}`);
  }

  applyUserChanges(changes: readonly UserTxnChange[]): Promise<{ applied: number; conflicts: string[] }> {
    return writeTxnChanges(this.db, changes.map(userWrite));
  }
}

/** The same checks as the DynamoDB adapter: events follow the expected version one by one up to the new one. */
function check(c: UserTxnChange): void {
  const { txn, events, expectedVersion } = c;
  if (!events.length) throw new Error(`a user change of ${txn.id} must carry at least one event`);
  if (txn.version !== expectedVersion + events.length)
    throw new Error(
      `transaction ${txn.id}: version ${txn.version} is not ${expectedVersion} + ${events.length}`,
    );
  events.forEach((e, i) => {
    if (e.txnId !== txn.id || e.seq !== expectedVersion + i + 1)
      throw new Error(`transaction ${txn.id}: event ${i} is ${e.txnId}#${e.seq}`);
  });
}

function userWrite(c: UserTxnChange): TxnWrite {
  check(c);
  const t = c.txn;
  const data: Record<string, unknown> = { version: t.version, updatedAt: t.updatedAt };
  const drop: string[] = [];
  if (t.overlay) data.overlay = t.overlay;
  else drop.push('overlay');
  if (t.category !== undefined) data.category = t.category;
  return {
    userId: t.userId,
    id: t.id,
    connectionId: t.connectionId,
    expected: c.expectedVersion,
    version: t.version,
    removed: t.removed,
    listKey: listKey(t),
    feedKey: feedKey(t),
    connKey: connKey(t),
    data,
    drop,
    events: c.events,
    aliases: [],
  };
}
