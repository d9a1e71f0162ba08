"""Runs the queries of sql/ as a user would, on a copy of the data.

Usage: engine_counts.py ENGINE DATA_DIR OUT_DIR THRESHOLD...
       engine_counts.py trino-syntax

For each THRESHOLD, runs sql/ENGINE.sql (ENGINE: duckdb or spark) over the
parquet files of DATA_DIR, with the marked places edited (the threshold, the
data's path, the output path), and writes the counts to
OUT_DIR/<engine>_<threshold>: a CSV file from DuckDB, a folder of JSON part
files from Spark (local mode, one session for all thresholds). Prints, as
JSON, the output path of each threshold.

With `trino-syntax`, parses sql/trino.sql as Trino with sqlglot (no Trino
server can run here) and prints its output columns.
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = {
    "duckdb": "read_parquet('validation/*.parquet')",
    "spark": "parquet.`validation`",
}
OUTPUT = {"duckdb": "TO 'counts.csv'", "spark": "DIRECTORY 'counts'"}
THRESHOLD = "CAST(0.5 AS DOUBLE) AS threshold"


def edited(engine, data_dir, out, threshold):
    sql = (ROOT / "sql" / f"{engine}.sql").read_text()
    for old, new in [
        (DATA[engine], DATA[engine].replace("validation", str(data_dir), 1)),
        (OUTPUT[engine], OUTPUT[engine].replace("counts.csv" if engine == "duckdb" else "counts", str(out))),
        (THRESHOLD, f"CAST({threshold} AS DOUBLE) AS threshold"),
    ]:
        assert sql.count(old) == 1, f"sql/{engine}.sql no longer has {old!r} once"
        sql = sql.replace(old, new)
    return sql


def run(engine, data_dir, out_dir, thresholds):
    outputs = {}
    if engine == "duckdb":
        import duckdb

        for t in thresholds:
            out = out_dir / f"duckdb_{t}.csv"
            duckdb.connect().execute(edited(engine, data_dir, out, t))
            outputs[t] = str(out)
    else:
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        for t in thresholds:
            out = out_dir / f"spark_{t}"
            spark.sql(edited(engine, data_dir, out, t))
            outputs[t] = str(out)
        spark.stop()
    print(json.dumps(outputs))


def columns():
    """The output columns of sql/trino.sql, parsed as Trino."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one((ROOT / "sql" / "trino.sql").read_text(), read="trino")
    total = next(c for c in tree.find_all(exp.CTE) if c.alias == "total")
    print(json.dumps([e.alias_or_name for e in total.this.expressions]))


if __name__ == "__main__":
    if sys.argv[1] == "trino-syntax":
        columns()
    else:
        engine, data_dir, out_dir = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
        run(engine, data_dir, out_dir, sys.argv[4:])
