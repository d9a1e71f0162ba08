-- The counts er-precision-gate evaluates (input `counts`), computed by
-- Spark SQL where the data lives. Edit the three marked places, then run
-- it with spark-sql (or spark.sql(...) in PySpark); it writes the rows as
-- JSON part files into the folder `counts`, which the gate reads whole:
--   spark-sql -f sql/spark.sql
-- The output's shape is in sql/README.md; sql/duckdb.sql and sql/trino.sql
-- give the same rows.
INSERT OVERWRITE DIRECTORY 'counts' USING json
WITH params AS (
  -- (1) the gate's decision_threshold, and the version of the data
  SELECT CAST(0.5 AS DOUBLE) AS threshold, 'validation@20251015' AS dataset_version
),
pairs AS (
  -- (2) the labelled pairs: label (boolean), score (double), and each
  -- slice column as text
  SELECT label, score,
         CAST(entity_type AS STRING) AS entity_type,
         CAST(source AS STRING) AS source
  FROM parquet.`validation`
),
judged AS (
  SELECT *,
         label IS NOT NULL AND score IS NOT NULL AND NOT isnan(score) AS counted,
         score >= (SELECT threshold FROM params) AS predicted
  FROM pairs
),
total AS (
  SELECT 'total' AS kind,
         (SELECT dataset_version FROM params) AS dataset_version,
         (SELECT threshold FROM params) AS threshold,
         CAST(NULL AS STRING) AS slice_column,
         CAST(NULL AS STRING) AS slice_value,
         count(*) FILTER (WHERE counted AND label AND predicted) AS tp,
         count(*) FILTER (WHERE counted AND NOT label AND predicted) AS fp,
         count(*) FILTER (WHERE counted AND label AND NOT predicted) AS fn,
         count(*) FILTER (WHERE counted AND NOT label AND NOT predicted) AS tn,
         count(*) FILTER (WHERE NOT counted) AS skipped,
         count(*) FILTER (WHERE label IS NULL) AS label_null,
         count(*) FILTER (WHERE score IS NULL) AS decision_null,
         count(*) FILTER (WHERE isnan(score)) AS score_nan,
         CAST(NULL AS BIGINT) AS bin,
         CAST(NULL AS BIGINT) AS matches,
         CAST(NULL AS BIGINT) AS non_matches
  FROM judged
),
kept AS (
  -- (3) the slice columns again, as in (2)
  SELECT label, predicted, entity_type, source FROM judged WHERE counted
),
sliced AS (
  SELECT * FROM kept
  UNPIVOT INCLUDE NULLS (slice_value FOR slice_column IN (entity_type, source))
),
slices AS (
  SELECT 'slice', NULL, NULL, slice_column, slice_value,
         count(*) FILTER (WHERE label AND predicted),
         count(*) FILTER (WHERE NOT label AND predicted),
         count(*) FILTER (WHERE label AND NOT predicted),
         count(*) FILTER (WHERE NOT label AND NOT predicted),
         NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM sliced
  GROUP BY slice_column, slice_value
),
binned AS (
  -- The sweep's bins, exactly as the gate compares: the candidate at or
  -- below each score, in thousandths. Candidates are thousandths below 10
  -- in magnitude, then four significant digits (hundredths, tenths,
  -- units) up to 9999; a guess from floor, corrected by comparison.
  SELECT label, s, scale, CAST(floor(s * scale) AS BIGINT) AS k
  FROM (
    SELECT label,
           greatest(CAST(-10000 AS DOUBLE), least(CAST(10000 AS DOUBLE), score)) AS s,
           CAST(CASE WHEN abs(score) < 10 THEN 1000 WHEN abs(score) < 100 THEN 100
                     WHEN abs(score) < 1000 THEN 10 ELSE 1 END AS DOUBLE) AS scale
    FROM judged
    WHERE counted
  ) clamped
),
edges AS (
  SELECT label, scale,
         k - CASE WHEN s < CAST(k AS DOUBLE) / scale THEN 1 ELSE 0 END
           + CASE WHEN s >= CAST(k + 1 AS DOUBLE) / scale THEN 1 ELSE 0 END AS k
  FROM binned
),
bins AS (
  -- Below -9999, the lowest candidate, one bin: -10000000; from 9999 up,
  -- the highest: 9999000.
  SELECT label,
         CASE WHEN k / scale < -9999 THEN -10000000
              WHEN k / scale > 9999 THEN 9999000
              ELSE CAST(k * (1000 / scale) AS BIGINT) END AS bin
  FROM edges
),
scores AS (
  SELECT 'score', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         bin,
         count(*) FILTER (WHERE label),
         count(*) FILTER (WHERE NOT label)
  FROM bins
  GROUP BY bin
)
SELECT * FROM total
UNION ALL SELECT * FROM slices
UNION ALL SELECT * FROM scores;
