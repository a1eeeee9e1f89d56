-- Seed 003: where each tracked message is in its life. Written only for sources with track-status on.
-- queued: waiting (first time or for a retry); running: an attempt is under way; completed: done;
-- failed: an attempt failed and the broker will redeliver it; dead: dead-lettered.
CREATE TABLE IF NOT EXISTS message_status (
    message_id   text        PRIMARY KEY,
    source       text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'dead')),
    attempts     int         NOT NULL DEFAULT 0,
    started_at   timestamptz NULL,
    completed_at timestamptz NULL,
    error        text        NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
