-- Step 2: lock the rows whose key already exists (FOR UPDATE, in key order) and read the values
-- they hold, which the stats deltas need. Parameters: time_us int8[], device_id text[], parameter_key text[].
SELECT e.time, e.device_id, e.parameter_key, e.value
  FROM unnest(?::int8[], ?::text[]::uuid[], ?::text[]) WITH ORDINALITY AS k(time_us, device_id, parameter_key, ord)
  JOIN ingest_events e
    ON e.time = ('epoch'::timestamptz + (k.time_us / 1000000) * interval '1 second'
                                      + (k.time_us % 1000000) * interval '1 microsecond')
   AND e.device_id = k.device_id AND e.parameter_key = k.parameter_key
 ORDER BY k.ord
   FOR UPDATE OF e
