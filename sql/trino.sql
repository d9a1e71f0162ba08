-- The counts er-precision-gate evaluates (input `counts`), computed by
-- Trino where the data lives. Edit the three marked places, then run it
-- with the Trino CLI, writing one JSON object per row:
--   trino --file sql/trino.sql --output-format JSON > counts.json
-- The output's shape is in sql/README.md; sql/duckdb.sql and sql/spark.sql
-- give the same rows.
WITH params AS (
  -- (1) the gate's decision_threshold, and the version of the data
  SELECT CAST(0.5 AS DOUBLE) AS threshold, 'validation@20251015' AS dataset_version
),
pairs AS (
  -- (2) the labelled pairs: label (boolean), score (double), and each
  -- slice column as text
  SELECT label, score,
         CAST(entity_type AS VARCHAR) AS entity_type,
         CAST(source AS VARCHAR) AS source
  FROM hive.er.validation
),
judged AS (
  SELECT *,
         label IS NOT NULL AND score IS NOT NULL AND NOT is_nan(score) AS counted,
         score >= (SELECT threshold FROM params) AS predicted
  FROM pairs
),
total AS (
  SELECT 'total' AS kind,
         (SELECT dataset_version FROM params) AS dataset_version,
         (SELECT threshold FROM params) AS threshold,
         CAST(NULL AS VARCHAR) AS slice_column,
         CAST(NULL AS VARCHAR) AS slice_value,
         count(*) FILTER (WHERE counted AND label AND predicted) AS tp,
         count(*) FILTER (WHERE counted AND NOT label AND predicted) AS fp,
         count(*) FILTER (WHERE counted AND label AND NOT predicted) AS fn,
         count(*) FILTER (WHERE counted AND NOT label AND NOT predicted) AS tn,
         count(*) FILTER (WHERE NOT counted) AS skipped,
         count(*) FILTER (WHERE label IS NULL) AS label_null,
         count(*) FILTER (WHERE score IS NULL) AS decision_null,
         count(*) FILTER (WHERE is_nan(score)) AS score_nan,
         CAST(NULL AS BIGINT) AS bin,
         CAST(NULL AS BIGINT) AS matches,
         CAST(NULL AS BIGINT) AS non_matches
  FROM judged
),
sliced AS (
  -- (3) the slice columns again, as in (2): names, then values
  SELECT label, predicted, s.slice_column, s.slice_value
  FROM judged
  CROSS JOIN UNNEST(ARRAY['entity_type', 'source'], ARRAY[entity_type, source])
    AS s (slice_column, slice_value)
  WHERE counted
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
  -- The sweep's bins: [k / 1000, (k + 1) / 1000), exactly as the gate
  -- compares (a guess from floor, corrected by comparison).
  SELECT label, score, CAST(floor(score * 1000) AS BIGINT) AS k
  FROM judged
  WHERE counted AND score BETWEEN -1 AND 1
),
bins AS (
  SELECT label,
         k - CASE WHEN score < CAST(k AS DOUBLE) / 1000 THEN 1 ELSE 0 END
           + CASE WHEN score >= CAST(k + 1 AS DOUBLE) / 1000 THEN 1 ELSE 0 END AS bin
  FROM binned
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
UNION ALL SELECT * FROM scores
