import type { ConnectionStatus } from '../domain/models';
import type { Clock } from '../ports/clock';
import type { ConnectionStore, TransactionStore } from '../ports/store';

const STATUSES: readonly ConnectionStatus[] = ['active', 'login_required', 'revoked'];

/** Every user who has or had a connection (their transactions outlive a revoked one). */
export async function usersWithConnections(store: ConnectionStore): Promise<string[]> {
  const users = new Set<string>();
  for (const status of STATUSES) {
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<ConnectionStore['listConnectionsByStatus']>> =
        await store.listConnectionsByStatus(status, { limit: 500, cursor });
      for (const c of page.items) users.add(c.userId);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return [...users].sort();
}

/**
 * Rebuilds what the stream processors derive from transactions (the spending projection, the anomaly history and
 * anomalies, categories) by sending the users' transactions through the table stream again: after a processor
 * was down longer than the stream keeps records (24 hours), after a bug fix, or when a processor is added to a
 * table that has data. Safe to run twice and while syncs run: only a replay marker is written.
 */
export async function replayUsers(
  deps: { store: ConnectionStore & TransactionStore; clock: Clock },
  userIds?: readonly string[],
): Promise<{ users: number; transactions: number }> {
  const users = userIds?.length ? [...new Set(userIds)] : await usersWithConnections(deps.store);
  const at = deps.clock.now().toISOString();
  let transactions = 0;
  for (const userId of users) transactions += await deps.store.replayTransactions(userId, at);
  return { users: users.length, transactions };
}
