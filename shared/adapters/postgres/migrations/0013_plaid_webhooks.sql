-- The Plaid surface's webhook keys and delivery attempts (shared/ports/plaid-webhooks.ts WebhookStore; adapter:
-- shared/adapters/postgres/plaid-webhooks.ts), with the DynamoDB adapter's semantics
-- (shared/adapters/dynamodb/plaid-webhooks.ts).

-- Every signing key ever made, current or expired (`data`: the WebhookKey; `expiredAt` set when rotated out, the
-- key still verifies what it signed).
CREATE TABLE plaid_webhook_keys (
  kid         text COLLATE "C" PRIMARY KEY,
  environment text COLLATE "C" NOT NULL,
  data        jsonb NOT NULL
);

-- The current key of each environment: one row per environment, written once (the first key) and then only by a
-- rotation from the kid it holds (UPDATE ... WHERE kid = previous), in the transaction that adds the new key and
-- expires the old one.
CREATE TABLE plaid_webhook_current_keys (
  environment text COLLATE "C" PRIMARY KEY,
  kid         text COLLATE "C" NOT NULL REFERENCES plaid_webhook_keys (kid),
  updated_at  text NOT NULL
);

-- Delivery attempts per item, listed newest first by (at, delivery_id, attempt) as DynamoDB's sort key
-- `ATTEMPT#<at>#<delivery>#<n>` orders them (`at`: the ISO timestamp as recorded, compared bytewise). Kept 90 days
-- (`expires_at`): a write deletes rows expired for a day or more, as DynamoDB's TTL would have.
CREATE TABLE plaid_webhook_attempts (
  item_id     text COLLATE "C" NOT NULL,
  at          text COLLATE "C" NOT NULL,
  delivery_id text COLLATE "C" NOT NULL,
  attempt     integer NOT NULL,
  expires_at  timestamptz NOT NULL,
  data        jsonb NOT NULL,
  PRIMARY KEY (item_id, at, delivery_id, attempt)
);
CREATE INDEX plaid_webhook_attempts_expiry ON plaid_webhook_attempts (expires_at);
