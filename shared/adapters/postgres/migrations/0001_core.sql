-- The core stores (issue 12): link sessions, connections, accounts, transactions with their bank-id aliases and
-- immutable events, sync bookkeeping (progress, runs with leases, quarantine) and the change-feed outbox.
--
-- Conventions of every table here:
-- * Rows of a user's data carry `user_id`, and every query filters by it.
-- * `data` is the entity's own attributes (the domain object as JSON), exactly what the DynamoDB adapter stores
--   without its keys; the other columns are what queries filter and sort on, derived from it on every write.
-- * Sort keys are text in the "C" collation: byte order, the order DynamoDB compares sort keys in, so keyset
--   cursors and ranges behave the same on both adapters.
-- * Instants are RFC 3339 UTC text as the domain writes them (they sort as text); TTLs are `expires_at` instants.

CREATE TABLE link_sessions (
  state      text COLLATE "C" PRIMARY KEY,
  user_id    text NOT NULL,
  expires_at text NOT NULL,
  data       jsonb NOT NULL
);

CREATE TABLE connections (
  user_id text COLLATE "C" NOT NULL,
  id      text COLLATE "C" NOT NULL,
  status  text COLLATE "C" NOT NULL,
  data    jsonb NOT NULL,
  PRIMARY KEY (user_id, id)
);
-- The scheduled fan-out: every connection in a status, across users.
CREATE INDEX connections_by_status ON connections (status, id, user_id);

CREATE TABLE accounts (
  user_id       text COLLATE "C" NOT NULL,
  id            text COLLATE "C" NOT NULL,
  connection_id text COLLATE "C" NOT NULL,
  data          jsonb NOT NULL,
  PRIMARY KEY (user_id, id)
);

CREATE TABLE transactions (
  user_id       text COLLATE "C" NOT NULL,
  id            text COLLATE "C" NOT NULL,
  connection_id text COLLATE "C" NOT NULL,
  version       integer NOT NULL,
  removed       boolean NOT NULL,
  -- `<effective date>#<id>`: the live listing, newest first (DynamoDB gsi1sk).
  list_key      text COLLATE "C" NOT NULL,
  -- `<updatedAt>#<id>`: the change feed's position (DynamoDB gsi2sk).
  feed_key      text COLLATE "C" NOT NULL,
  -- `<bank date>#<id>`: a windowed sync's reads of the connection (DynamoDB gsi3sk).
  conn_key      text COLLATE "C" NOT NULL,
  -- The last replay marker (Store.replayTransactions); part of the change feed's images, not of `data`.
  replay_at     text,
  data          jsonb NOT NULL,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX transactions_live ON transactions (user_id, list_key) WHERE NOT removed;
CREATE INDEX transactions_feed ON transactions (user_id, feed_key);
CREATE INDEX transactions_connection ON transactions (user_id, connection_id, conn_key);

-- A bank id merged into a transaction first seen under another id points to it (the first bank id names the
-- transaction: domain/reconcile.ts transactionId).
CREATE TABLE bank_aliases (
  connection_id text COLLATE "C" NOT NULL,
  bank_id       text COLLATE "C" NOT NULL,
  user_id       text COLLATE "C" NOT NULL,
  txn_id        text COLLATE "C" NOT NULL,
  PRIMARY KEY (connection_id, bank_id)
);

-- A transaction's append-only history: written once with the state it describes, never updated.
CREATE TABLE transaction_events (
  txn_id  text COLLATE "C" NOT NULL,
  seq     integer NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  data    jsonb NOT NULL,
  PRIMARY KEY (txn_id, seq)
);

-- A sync's checkpoint: the head (position), and the records of each page it read (saved with the head).
CREATE TABLE sync_progress (
  connection_id text COLLATE "C" NOT NULL,
  sync_id       text COLLATE "C" NOT NULL,
  position      jsonb NOT NULL,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (connection_id, sync_id)
);
CREATE TABLE sync_progress_pages (
  connection_id text COLLATE "C" NOT NULL,
  sync_id       text COLLATE "C" NOT NULL,
  page          integer NOT NULL,
  records       jsonb NOT NULL,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (connection_id, sync_id, page)
);

CREATE TABLE sync_runs (
  connection_id    text COLLATE "C" NOT NULL,
  id               text COLLATE "C" NOT NULL,
  user_id          text COLLATE "C" NOT NULL,
  started_at       text COLLATE "C" NOT NULL,
  status           text NOT NULL,
  lease_expires_at text COLLATE "C",
  data             jsonb NOT NULL,
  PRIMARY KEY (connection_id, id)
);
-- The connection's runs, newest first (DynamoDB: SYNC#<startedAt>#<id>).
CREATE INDEX sync_runs_by_start ON sync_runs (connection_id, started_at, id);
-- Running runs by when their lease runs out (only runs with a lease, as DynamoDB's sparse index).
CREATE INDEX sync_runs_running ON sync_runs (lease_expires_at, connection_id, id)
  WHERE status = 'running' AND lease_expires_at IS NOT NULL;

CREATE TABLE quarantined (
  connection_id text COLLATE "C" NOT NULL,
  sync_id       text COLLATE "C" NOT NULL,
  n             integer NOT NULL,
  -- The raw payload as JSON text (null when there was none), the rest of the record in `data`.
  raw           text,
  data          jsonb NOT NULL,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (connection_id, sync_id, n)
);

-- The change feed (issue 12, PG-CONTRACT.md): written in the same SQL transaction as the change it describes,
-- relayed in `seq` order per user. `before`/`after` are the entity's attributes as the processors read them
-- (what the DynamoDB stream's images hold, without storage keys).
CREATE TABLE outbox (
  seq        bigserial PRIMARY KEY,
  user_id    text NOT NULL,
  entity     text NOT NULL,
  event_name text NOT NULL,
  before     jsonb,
  after      jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  relayed_at timestamptz
);
CREATE INDEX outbox_unrelayed ON outbox (seq) WHERE relayed_at IS NULL;

-- A transaction row as the change feed shows it: its attributes, its entity name and its replay marker.
CREATE FUNCTION finagg_txn_image(data jsonb, replay_at text) RETURNS jsonb
  LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('entity', 'transaction') || data
      || CASE WHEN replay_at IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('replay_at', replay_at) END
  $$;
