import type { ClockState } from './clock';
import type { FaultConfig } from './faults';
import type { ScriptedLogin } from './scripted';

/**
 * The mock banks' own state: what must survive across Lambda instances (authorization codes, grants, tokens, the
 * bank clock, faults, the request counter). One instance serves one bank. Secrets are stored by their SHA-256
 * only. `purgeAt` (epoch seconds, real time) tells the adapter when the record may be deleted for good; validity
 * is decided by the bank on its own clock (`expiresAt`).
 */
export interface StoredCode {
  hash: string;
  /** The grant the code turns into (known up front, so a replayed code can revoke it). */
  grantId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string[];
  /** The sandbox user; -1 for a scripted user (`scripted`). */
  userIndex: number;
  /** A `user_custom` login: its configuration and link date, carried to the grant. */
  scripted?: ScriptedLogin;
  expiresAt: string;
  usedAt?: string;
  purgeAt: number;
}

/** One user's consent to one client: every token descends from a grant, and revoking it kills them all. */
export interface StoredGrant {
  id: string;
  clientId: string;
  /** The sandbox user; -1 for a scripted user (`scripted`). */
  userIndex: number;
  scripted?: ScriptedLogin;
  scope: string[];
  createdAt: string;
  revokedAt?: string;
  purgeAt: number;
}

export interface StoredToken {
  hash: string;
  kind: 'access' | 'refresh';
  grantId: string;
  clientId: string;
  createdAt: string;
  /** On the bank clock; null = never. */
  expiresAt: string | null;
  /** Refresh tokens: when it was rotated (using it again is a replay). */
  usedAt?: string;
  revokedAt?: string;
  purgeAt: number;
}

export interface BankSettings {
  clock: ClockState | null;
  faults: FaultConfig | null;
}

export interface MockBankState {
  saveCode(code: StoredCode): Promise<void>;
  /**
   * Marks the code used at `at` and returns it as it was before (so `usedAt` set means a replay), or null when
   * unknown. Atomic: of two concurrent callers, only one sees `usedAt` unset.
   */
  useCode(hash: string, at: string): Promise<StoredCode | null>;

  saveGrant(grant: StoredGrant): Promise<void>;
  getGrant(id: string): Promise<StoredGrant | null>;
  revokeGrant(id: string, at: string): Promise<void>;

  saveToken(token: StoredToken): Promise<void>;
  getToken(hash: string): Promise<StoredToken | null>;
  /** Like useCode, for refresh-token rotation. */
  useToken(hash: string, at: string): Promise<StoredToken | null>;
  /** Ends a token early: `expiresAt` becomes `at` (the expired-token fault). */
  expireToken(hash: string, at: string): Promise<void>;
  revokeToken(hash: string, at: string): Promise<void>;

  getSettings(): Promise<BankSettings>;
  saveClock(clock: ClockState | null): Promise<void>;
  saveFaults(faults: FaultConfig | null): Promise<void>;
  /** A counter shared by every instance of the bank: 1, 2, 3, ... */
  nextRequestNumber(): Promise<number>;
}

/** The in-memory implementation, for unit tests and in-process banks. */
export class InMemoryMockBankState implements MockBankState {
  readonly codes = new Map<string, StoredCode>();
  readonly grants = new Map<string, StoredGrant>();
  readonly tokens = new Map<string, StoredToken>();
  private settings: BankSettings = { clock: null, faults: null };
  private counter = 0;

  async saveCode(code: StoredCode): Promise<void> {
    this.codes.set(code.hash, { ...code });
  }

  async useCode(hash: string, at: string): Promise<StoredCode | null> {
    const code = this.codes.get(hash);
    if (!code) return null;
    this.codes.set(hash, { ...code, usedAt: code.usedAt ?? at });
    return { ...code };
  }

  async saveGrant(grant: StoredGrant): Promise<void> {
    this.grants.set(grant.id, { ...grant });
  }

  async getGrant(id: string): Promise<StoredGrant | null> {
    const g = this.grants.get(id);
    return g ? { ...g } : null;
  }

  async revokeGrant(id: string, at: string): Promise<void> {
    const g = this.grants.get(id);
    if (g && !g.revokedAt) this.grants.set(id, { ...g, revokedAt: at });
  }

  async saveToken(token: StoredToken): Promise<void> {
    this.tokens.set(token.hash, { ...token });
  }

  async getToken(hash: string): Promise<StoredToken | null> {
    const t = this.tokens.get(hash);
    return t ? { ...t } : null;
  }

  async useToken(hash: string, at: string): Promise<StoredToken | null> {
    const t = this.tokens.get(hash);
    if (!t) return null;
    this.tokens.set(hash, { ...t, usedAt: t.usedAt ?? at });
    return { ...t };
  }

  async expireToken(hash: string, at: string): Promise<void> {
    const t = this.tokens.get(hash);
    if (t) this.tokens.set(hash, { ...t, expiresAt: at });
  }

  async revokeToken(hash: string, at: string): Promise<void> {
    const t = this.tokens.get(hash);
    if (t && !t.revokedAt) this.tokens.set(hash, { ...t, revokedAt: at });
  }

  async getSettings(): Promise<BankSettings> {
    return {
      clock: this.settings.clock && { ...this.settings.clock },
      faults: this.settings.faults && { ...this.settings.faults },
    };
  }

  async saveClock(clock: ClockState | null): Promise<void> {
    this.settings = { ...this.settings, clock: clock && { ...clock } };
  }

  async saveFaults(faults: FaultConfig | null): Promise<void> {
    this.settings = { ...this.settings, faults: faults && { ...faults } };
  }

  async nextRequestNumber(): Promise<number> {
    return ++this.counter;
  }
}
