import type { Store } from '../../ports/store';
import type { PgConnection } from './db';
import { PgRole } from './role';
import { PgLinkSessionStore } from './link-sessions';
import { PgAccountStore, PgConnectionStore } from './connections';
import { PgTransactionStore } from './transactions';
import { PgUserChangeStore } from './user-changes';
import { PgSyncRunStore } from './sync-runs';
import { PgRuleStore } from './rules-store';
import { PgInsightsStore } from './insights-store';

/**
 * The PostgreSQL adapter of the whole Store: one role class per port (or a few), each in its own file, composed
 * here. To add a role: write its class (extends PgRole, implements its ports) and add ONE line to `rolesOf`.
 * Tables: migrations/ (0001–0009 core, 0010–0019 insights, 0020–0029 feed), applied by migrate.ts.
 */
function rolesOf(conn: PgConnection) {
  return {
    linkSessions: new PgLinkSessionStore(conn),
    connections: new PgConnectionStore(conn),
    accounts: new PgAccountStore(conn),
    transactions: new PgTransactionStore(conn),
    userChanges: new PgUserChangeStore(conn),
    syncRuns: new PgSyncRunStore(conn),
    rules: new PgRuleStore(conn),
    insights: new PgInsightsStore(conn),
  };
}

type Roles = ReturnType<typeof rolesOf>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
/** Fails to compile when a method of Store is in no role. */
export type RolesCoverStore = Pick<UnionToIntersection<Roles[keyof Roles]>, keyof Store>;

// The class gets every role's methods at construction (bound to the role); the interface says so to the compiler,
// and RolesCoverStore checks that they are all there.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface PostgresStore extends Store {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class PostgresStore {
  readonly roles: Roles;

  constructor(readonly conn: PgConnection) {
    this.roles = rolesOf(conn);
    const self = this as unknown as Record<string, unknown>;
    for (const role of Object.values(this.roles) as PgRole[]) {
      for (
        let proto = Object.getPrototypeOf(role) as object;
        proto !== PgRole.prototype;
        proto = Object.getPrototypeOf(proto) as object
      ) {
        for (const name of Object.getOwnPropertyNames(proto)) {
          const method = (role as unknown as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof method !== 'function' || name in self) continue;
          self[name] = (method as (...a: unknown[]) => unknown).bind(role);
        }
      }
    }
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
