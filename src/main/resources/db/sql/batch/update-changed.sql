-- Step 3: last write wins. Overwrites the locked rows whose content differs; an identical row is left
-- alone (and so counts as unchanged). Parameters as insert-new.sql. Returns the keys it updated.
UPDATE ingest_events AS e
   SET value = r.value, quality = r.quality, source = r.source, event_id = r.event_id,
       attributes = r.attributes::jsonb
  FROM unnest(?::int8[], ?::text[]::uuid[], ?::text[], ?::float8[], ?::int2[], ?::text[], ?::text[], ?::text[])
       AS r(time_us, device_id, parameter_key, value, quality, source, event_id, attributes)
 WHERE e.time = ('epoch'::timestamptz + (r.time_us / 1000000) * interval '1 second'
                                      + (r.time_us % 1000000) * interval '1 microsecond')
   AND e.device_id = r.device_id AND e.parameter_key = r.parameter_key
   AND (e.value, e.quality, e.source, e.event_id, e.attributes)
       IS DISTINCT FROM (r.value, r.quality, r.source, r.event_id, r.attributes::jsonb)
RETURNING e.time, e.device_id, e.parameter_key
