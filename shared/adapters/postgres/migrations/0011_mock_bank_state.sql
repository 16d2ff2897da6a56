-- The mock banks' own state (shared/banks/kit/state.ts MockBankState; adapter:
-- shared/adapters/postgres/mock-bank-state.ts), per bank. Codes and tokens are keyed by their SHA-256; the secrets
-- are never written. `purge_at` (epoch seconds, real time) is DynamoDB's TTL attribute: a row past it is treated
-- as gone by every read and deleted by the next write of its kind.

CREATE TABLE mock_bank_codes (
  bank           text COLLATE "C" NOT NULL,
  hash           text COLLATE "C" NOT NULL,
  grant_id       text COLLATE "C" NOT NULL,
  client_id      text NOT NULL,
  redirect_uri   text NOT NULL,
  code_challenge text NOT NULL,
  scope          jsonb NOT NULL,
  user_index     integer NOT NULL,
  expires_at     text NOT NULL,
  used_at        text,
  purge_at       bigint NOT NULL,
  PRIMARY KEY (bank, hash)
);
CREATE INDEX mock_bank_codes_purge ON mock_bank_codes (purge_at);

CREATE TABLE mock_bank_grants (
  bank       text COLLATE "C" NOT NULL,
  id         text COLLATE "C" NOT NULL,
  client_id  text NOT NULL,
  user_index integer NOT NULL,
  scope      jsonb NOT NULL,
  created_at text NOT NULL,
  revoked_at text,
  purge_at   bigint NOT NULL,
  PRIMARY KEY (bank, id)
);
CREATE INDEX mock_bank_grants_purge ON mock_bank_grants (purge_at);

CREATE TABLE mock_bank_tokens (
  bank       text COLLATE "C" NOT NULL,
  hash       text COLLATE "C" NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('access', 'refresh')),
  grant_id   text COLLATE "C" NOT NULL,
  client_id  text NOT NULL,
  created_at text NOT NULL,
  expires_at text,
  used_at    text,
  revoked_at text,
  purge_at   bigint NOT NULL,
  PRIMARY KEY (bank, hash)
);
CREATE INDEX mock_bank_tokens_purge ON mock_bank_tokens (purge_at);

-- The bank clock, its faults and the request counter shared by every instance of the bank.
CREATE TABLE mock_bank_settings (
  bank    text COLLATE "C" PRIMARY KEY,
  clock   jsonb,
  faults  jsonb,
  counter bigint NOT NULL DEFAULT 0
);
