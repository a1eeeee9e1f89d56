-- Seed 003, as the job worker had it: queued → running → completed | failed.
-- failed is now terminal: the message was dead-lettered (dead_letter_id links its dead_letters row).
-- A failed attempt that will be retried goes back to queued, with attempts and last_error.
-- dead, the terminal status before this migration, stays admitted as an alias of failed (rows written
-- by an older instance during a rolling upgrade); the rows holding it become failed here, and readers
-- (routes.status.MessageStatusStore) report dead as failed.
ALTER TABLE message_status ADD COLUMN IF NOT EXISTS received_at timestamptz NULL;
ALTER TABLE message_status ADD COLUMN IF NOT EXISTS failed_at timestamptz NULL;
ALTER TABLE message_status ADD COLUMN IF NOT EXISTS dead_letter_id bigint NULL;
ALTER TABLE message_status RENAME COLUMN error TO last_error;

UPDATE message_status SET status = 'failed', failed_at = COALESCE(completed_at, updated_at), completed_at = NULL
 WHERE status IN ('dead', 'failed');
UPDATE message_status SET received_at = COALESCE(started_at, updated_at) WHERE received_at IS NULL;

COMMENT ON COLUMN message_status.status IS
    'queued (waiting: first time, or again after a failed attempt), running, completed, failed (dead-lettered; dead = alias)';
COMMENT ON COLUMN message_status.attempts IS 'attempts started so far (a replay from the dead letters is one more)';
COMMENT ON COLUMN message_status.last_error IS 'why the last failed attempt failed; kept after a later success';
COMMENT ON COLUMN message_status.dead_letter_id IS 'dead_letters.id of the dead letter, once failed';
