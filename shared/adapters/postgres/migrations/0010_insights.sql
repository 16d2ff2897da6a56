-- Rules, budgets, settings, alerts, anomalies and the processors' projections (issue 12, pg-insights): the tables
-- behind RuleStore and InsightsStore (shared/adapters/postgres/rules-store.ts, insights-store.ts). Every table is
-- keyed by its owner first; every query of the adapter filters by user_id. Identifiers and sort keys compare
-- bytewise (COLLATE "C"), as DynamoDB compares its sort keys, so lists come out in the same order on both.

-- A user's categorization rules, listed by id.
CREATE TABLE user_rules (
  user_id    text COLLATE "C" NOT NULL,
  id         text COLLATE "C" NOT NULL,
  match      jsonb NOT NULL,
  category   jsonb NOT NULL,
  priority   integer NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (user_id, id)
);

-- The last re-categorization request of each user (each request also appends an outbox row, entity
-- 'recategorize', which is what the Categorizer consumes).
CREATE TABLE recategorize_requests (
  user_id      text COLLATE "C" PRIMARY KEY,
  request_id   text NOT NULL,
  requested_at text NOT NULL,
  reason       text NOT NULL
);

-- Budgets, listed oldest first (created_at, then id).
CREATE TABLE budgets (
  user_id     text COLLATE "C" NOT NULL,
  id          text COLLATE "C" NOT NULL,
  category    text NOT NULL,
  period      text NOT NULL CHECK (period IN ('weekly', 'monthly')),
  limit_minor bigint NOT NULL,
  currency    text NOT NULL,
  thresholds  jsonb NOT NULL,
  created_at  text COLLATE "C" NOT NULL,
  updated_at  text NOT NULL,
  PRIMARY KEY (user_id, id)
);

CREATE TABLE user_settings (
  user_id    text COLLATE "C" PRIMARY KEY,
  time_zone  text NOT NULL,
  updated_at text
);

-- Alerts, once per id; listed newest first by list_key = created_at || '#' || id (DynamoDB's gsi1sk).
CREATE TABLE alerts (
  user_id      text COLLATE "C" NOT NULL,
  id           text COLLATE "C" NOT NULL,
  kind         text NOT NULL,
  created_at   text NOT NULL,
  list_key     text COLLATE "C" NOT NULL,
  alert        jsonb NOT NULL,
  published_at text,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX alerts_by_list_key ON alerts (user_id, list_key);

-- Anomalies, once per id; listed by list_key = date || '#' || id (DynamoDB's gsi1sk).
CREATE TABLE anomalies (
  user_id        text COLLATE "C" NOT NULL,
  id             text COLLATE "C" NOT NULL,
  transaction_id text NOT NULL,
  kind           text NOT NULL,
  score          double precision NOT NULL,
  explanation    text NOT NULL,
  details        jsonb NOT NULL,
  date           text NOT NULL,
  detected_at    text NOT NULL,
  list_key       text COLLATE "C" NOT NULL,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX anomalies_by_list_key ON anomalies (user_id, list_key);

-- The processors' monthly projections (domain/spend.ts), replaced whole on condition of their revision. Entries
-- are `json` (kept as written: no re-encoding of thousands of keys per write).
CREATE TABLE spend_months (
  user_id    text COLLATE "C" NOT NULL,
  month      text COLLATE "C" NOT NULL,
  rev        integer NOT NULL,
  entries    json NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (user_id, month)
);

CREATE TABLE spend_rollups (
  user_id    text COLLATE "C" NOT NULL,
  month      text COLLATE "C" NOT NULL,
  rev        integer NOT NULL,
  cells      text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (user_id, month)
);

CREATE TABLE anomaly_history (
  user_id    text COLLATE "C" NOT NULL,
  month      text COLLATE "C" NOT NULL,
  rev        integer NOT NULL,
  entries    json NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (user_id, month)
);
