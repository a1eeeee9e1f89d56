-- Step 1 of a batch write (routes.pipeline.commit.BatchWriter): insert the rows whose key is new, in key order.
-- Parameters, one array each, row i in position i: time_us int8 (microseconds since the epoch),
-- device_id text (cast to uuid here: pgjdbc sends a text array in binary, a uuid array as one escaped
-- literal), parameter_key, value, quality int2, source, event_id, attributes (JSON text).
-- Times are whole seconds plus microseconds apart, so that the interval arithmetic stays exact for any
-- date timestamptz holds. Returns the keys it inserted.
INSERT INTO ingest_events AS e
       (time, device_id, parameter_key, value, quality, source, event_id, attributes)
SELECT ('epoch'::timestamptz + (r.time_us / 1000000) * interval '1 second'
                             + (r.time_us % 1000000) * interval '1 microsecond'),
       r.device_id, r.parameter_key, r.value, r.quality, r.source, r.event_id, r.attributes::jsonb
  FROM unnest(?::int8[], ?::text[]::uuid[], ?::text[], ?::float8[], ?::int2[], ?::text[], ?::text[], ?::text[])
       WITH ORDINALITY AS r(time_us, device_id, parameter_key, value, quality, source, event_id, attributes, ord)
 ORDER BY r.ord
ON CONFLICT (time, device_id, parameter_key) DO NOTHING
RETURNING e.time, e.device_id, e.parameter_key
