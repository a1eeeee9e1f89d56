-- Step 4: adds the batch's change to daily_stats, one row per (day, device_id, parameter_key), in that
-- order (the lock order every writer keeps, docs/adr/0002-exactly-once-batch-write.md).
-- Parameters: day (text, ISO date), device_id text, parameter_key text, sample_count int8,
-- value_sum float8, value_min float8, value_max float8 (routes.pipeline.commit.DailyStatsDelta).
INSERT INTO daily_stats AS s
       (day, device_id, parameter_key, sample_count, value_sum, value_min, value_max, updated_at)
SELECT d.day, d.device_id, d.parameter_key, d.sample_count, d.value_sum, d.value_min, d.value_max, now()
  FROM unnest(?::date[], ?::text[]::uuid[], ?::text[], ?::int8[], ?::float8[], ?::float8[], ?::float8[])
       WITH ORDINALITY AS d(day, device_id, parameter_key, sample_count, value_sum, value_min, value_max, ord)
 ORDER BY d.ord
ON CONFLICT (day, device_id, parameter_key) DO UPDATE
   SET sample_count = s.sample_count + EXCLUDED.sample_count,
       value_sum    = s.value_sum + EXCLUDED.value_sum,
       value_min    = LEAST(s.value_min, EXCLUDED.value_min),
       value_max    = GREATEST(s.value_max, EXCLUDED.value_max),
       updated_at   = now()
