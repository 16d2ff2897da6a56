-- The Plaid surface's entities (shared/ports/plaid.ts PlaidStore; adapter: shared/adapters/postgres/plaid-store.ts).
-- Each row keeps the entity as the DynamoDB item's attributes (`data`), with the columns its lookups need. The
-- DynamoDB adapter's pointer rows (by access token hash, by connection) are unique indexes here: a second item of
-- a connection, or a token hash another item holds, is refused as the pointer's conditional put is there.

CREATE TABLE plaid_applications (
  client_id text COLLATE "C" PRIMARY KEY,
  data      jsonb NOT NULL
);

-- Link tokens live 4 hours: `expires_at` decides (reads compare it with the caller's `now`); writes delete rows
-- expired for a day or more, as DynamoDB's TTL would have.
CREATE TABLE plaid_link_tokens (
  link_token  text COLLATE "C" PRIMARY KEY,
  oauth_state text COLLATE "C",
  expires_at  timestamptz NOT NULL,
  data        jsonb NOT NULL
);
CREATE INDEX plaid_link_tokens_by_state ON plaid_link_tokens (oauth_state) WHERE oauth_state IS NOT NULL;
CREATE INDEX plaid_link_tokens_expiry ON plaid_link_tokens (expires_at);

-- Public tokens: single use (taken by DELETE … RETURNING), 30 minutes.
CREATE TABLE plaid_public_tokens (
  token_hash text COLLATE "C" PRIMARY KEY,
  client_id  text COLLATE "C" NOT NULL,
  expires_at timestamptz NOT NULL,
  data       jsonb NOT NULL
);
CREATE INDEX plaid_public_tokens_expiry ON plaid_public_tokens (expires_at);

CREATE TABLE plaid_items (
  client_id         text COLLATE "C" NOT NULL,
  item_id           text COLLATE "C" NOT NULL,
  connection_id     text COLLATE "C" NOT NULL,
  access_token_hash text COLLATE "C",
  data              jsonb NOT NULL,
  PRIMARY KEY (client_id, item_id)
);
CREATE UNIQUE INDEX plaid_items_by_connection ON plaid_items (connection_id);
CREATE UNIQUE INDEX plaid_items_by_access_token ON plaid_items (access_token_hash) WHERE access_token_hash IS NOT NULL;
