-- A dead letter is recorded once per message (CONTRACT §2): its identity, derived from the message
-- (routes.deadletter.DeadLetterIdentity), is unique, and the insert is ON CONFLICT on it. Rows written
-- before this migration have none (NULL never conflicts).
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS dead_letter_id text NULL;

CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_dead_letter_id ON dead_letters (dead_letter_id);

-- Bulk replay pages through the pending dead letters of a source in id order.
CREATE INDEX IF NOT EXISTS dead_letters_pending ON dead_letters (source, id) WHERE replayed_at IS NULL;
