-- The tables of CONTRACT §3.
CREATE TABLE IF NOT EXISTS ingest_events (
    time          timestamptz      NOT NULL,
    device_id     uuid             NOT NULL,
    parameter_key text             NOT NULL,
    value         double precision NOT NULL,
    quality       smallint         NULL,
    source        text             NULL,
    event_id      text             NULL,
    attributes    jsonb            NULL,
    created_at    timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT ingest_events_key UNIQUE (time, device_id, parameter_key)
);

-- Recomputing one key's day (after a last-write-wins overwrite moved an extreme) reads this index.
CREATE INDEX IF NOT EXISTS ingest_events_device_key_time
    ON ingest_events (device_id, parameter_key, time);

CREATE TABLE IF NOT EXISTS daily_stats (
    day           date             NOT NULL,
    device_id     uuid             NOT NULL,
    parameter_key text             NOT NULL,
    sample_count  bigint           NOT NULL,
    value_sum     double precision NOT NULL,
    value_min     double precision NOT NULL,
    value_max     double precision NOT NULL,
    updated_at    timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (day, device_id, parameter_key)
);

CREATE TABLE IF NOT EXISTS dead_letters (
    id            bigserial PRIMARY KEY,
    source        text        NOT NULL,
    queue         text        NULL,
    trace_id      text        NULL,
    error_type    text        NOT NULL,
    error_message text        NULL,
    attempts      int         NOT NULL,
    payload       text        NOT NULL,
    headers       jsonb       NULL,
    failed_at     timestamptz NOT NULL DEFAULT now(),
    replayed_at   timestamptz NULL
);

CREATE INDEX IF NOT EXISTS dead_letters_source_failed ON dead_letters (source, failed_at DESC);
