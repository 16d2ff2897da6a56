/** Canonical domain models. Pure data: no AWS, no I/O. Instants are RFC 3339 UTC strings. */

export type ConnectionStatus = 'active' | 'login_required' | 'revoked';

export interface Connection {
  id: string;
  userId: string;
  provider: string;
  status: ConnectionStatus;
  /** Envelope-encrypted token set (see ports/secrets.ts); never leaves the service layer in clear. */
  tokens: string;
  /** When the access token expires (RFC 3339), to refresh ahead of time. */
  accessTokenExpiresAt: string;
  createdAt: string;
  updatedAt: string;
  lastSyncAt?: string;
  lastSyncStatus?: string;
  /** Why the connection needs attention, in words a user understands. */
  statusReason?: string;
}

/** An OAuth link in progress: its state is single-use and expires. */
export interface LinkSession {
  state: string;
  userId: string;
  provider: string;
  redirectUri: string;
  /** The PKCE verifier, encrypted like tokens. */
  codeVerifier: string;
  createdAt: string;
  expiresAt: string;
}
