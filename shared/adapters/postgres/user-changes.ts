import { checkUserTxnChange, type UserTxnChange } from '../../domain/corrections';
import { ConflictError, type UserChangeStore } from '../../ports/store';
import { PgRole } from './role';
import { txnWrite, writeTxnChanges, type TxnWrite } from './transactions';

/**
 * User changes (corrections, undo, conflict resolutions, user rules' re-categorization): the transaction's
 * user-owned fields (`overlay`, `category`) with its new version and updatedAt, its events and its change-feed
 * row, in one SQL transaction conditioned on the stored version. Provider-owned fields are never written here.
 */
export class PgUserChangeStore extends PgRole implements UserChangeStore {
  async applyUserChange(change: UserTxnChange): Promise<void> {
    const { conflicts } = await writeTxnChanges(this.conn, [userWrite(change)]);
    if (conflicts.length)
      throw new ConflictError(`transaction ${change.txn.id} is not at version ${change.expectedVersion}`);
  }

  applyUserChanges(changes: readonly UserTxnChange[]): Promise<{ applied: number; conflicts: string[] }> {
    return writeTxnChanges(this.conn, changes.map(userWrite));
  }
}

function userWrite(c: UserTxnChange): TxnWrite {
  checkUserTxnChange(c);
  const t = c.txn;
  const data: Record<string, unknown> = { version: t.version, updatedAt: t.updatedAt };
  const drop: string[] = [];
  if (t.overlay) data.overlay = t.overlay;
  else drop.push('overlay');
  if (t.category !== undefined) data.category = t.category;
  return txnWrite(t, c.expectedVersion, { data, drop, events: c.events, aliases: [] });
}
