-- The outbox relay (issue 12, pg-feed; shared/services/outbox-relay.ts, shared/adapters/postgres/change-feed.ts).
--
-- Delivery bookkeeping of each change: failed deliveries so far, when the next try may run, the last error, and
-- when it was dead-lettered (after too many failures: kept here with its error, and out of the feed).
ALTER TABLE outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN retry_at timestamptz;
ALTER TABLE outbox ADD COLUMN last_error text;
ALTER TABLE outbox ADD COLUMN dead_at timestamptz;

-- A user's undelivered changes in order (the relay holds back the changes after one waiting for its retry).
CREATE INDEX outbox_unrelayed_user ON outbox (user_id, seq) WHERE relayed_at IS NULL AND dead_at IS NULL;
-- The dead letters, for operators: SELECT * FROM outbox WHERE dead_at IS NOT NULL.
CREATE INDEX outbox_dead ON outbox (dead_at) WHERE dead_at IS NOT NULL;

-- One relay at a time (so each user's changes go out in order): a lease, taken and renewed with a conditional
-- UPDATE (no session state: it works through the Data API and PGlite alike). `again`: another relay found the
-- lease taken and asked the holder for another pass before it lets go.
CREATE TABLE outbox_relay (
  id          integer PRIMARY KEY CHECK (id = 1),
  owner       text,
  lease_until timestamptz,
  again       boolean NOT NULL DEFAULT false
);
INSERT INTO outbox_relay (id) VALUES (1);

-- Wakes the twin's relay (LISTEN outbox) when changes commit: a notification is delivered at commit, once per
-- transaction and payload. Nothing listens in the cloud (the relay is nudged there, and swept every minute).
CREATE FUNCTION finagg_outbox_notify() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION finagg_outbox_notify();
