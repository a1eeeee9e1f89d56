-- Step 5: for the keys where an overwrite changed a value, sets count, sum, min and max from the key's
-- rows of that day (one index range, never the whole day): an incremental sum += new - old drifts when
-- magnitudes differ. Parameters: day (text, ISO date), device_id text, parameter_key text.
UPDATE daily_stats AS s
   SET sample_count = x.sample_count, value_sum = x.value_sum, value_min = x.value_min,
       value_max = x.value_max, updated_at = now()
  FROM (SELECT k.day, k.device_id, k.parameter_key, count(*) AS sample_count, sum(e.value) AS value_sum,
               min(e.value) AS value_min, max(e.value) AS value_max
          FROM unnest(?::date[], ?::text[]::uuid[], ?::text[]) AS k(day, device_id, parameter_key)
          JOIN ingest_events e
            ON e.device_id = k.device_id AND e.parameter_key = k.parameter_key
           AND e.time >= (k.day::timestamp AT TIME ZONE 'UTC')
           AND e.time < ((k.day + 1)::timestamp AT TIME ZONE 'UTC')
         GROUP BY k.day, k.device_id, k.parameter_key) AS x
 WHERE s.day = x.day AND s.device_id = x.device_id AND s.parameter_key = x.parameter_key
