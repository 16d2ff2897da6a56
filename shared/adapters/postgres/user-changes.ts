import type { UserTxnChange } from '../../domain/corrections';
import type { UserChangeStore } from '../../ports/store';
import { PgRole } from './role';

/** User changes: the user-owned fields of a transaction with its events and its outbox row, in one transaction. */
export class PgUserChangeStore extends PgRole implements UserChangeStore {
  applyUserChange(_change: UserTxnChange): Promise<void> {
    throw new Error('todo');
  }
  applyUserChanges(_changes: readonly UserTxnChange[]): Promise<{ applied: number; conflicts: string[] }> {
    throw new Error('todo');
  }
}
