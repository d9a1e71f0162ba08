#!/usr/bin/env python3
"""Benchmark `cluster_by` against DuckDB and polars doing the same job.

Usage:
    cargo build --release
    pip install -r bench/requirements.txt
    python3 bench/cluster_by.py [--rows 10000000] [--per-id 10] [--repeat 5]
    python3 bench/cluster_by.py --rows 100000000   # about 1.1 GB

It generates (once, cached in bench/data/) a validation set with a fixed
seed: row groups of 1M rows, snappy, columns label (bool), score (float64),
blk (string `blk-<n>`, --per-id consecutive rows an id) and blk_int (the
same ids as int64). Then it runs, with the page cache warm, each of:

    gate          er-precision-gate --confidence 0.95 --cluster-by none
    gate+string   the same with --cluster-by blk
    gate+int64    the same with --cluster-by blk_int
    duckdb        precision's cluster-robust design effect in SQL: the sums
                  per blk, then V = G/(G-1) * sum of the squared residuals
    polars        the same with a lazy group_by

each --repeat times, process start included, and prints the median wall
time and peak RSS (GNU time's %M). The design effects must agree to 1e-9,
or the script exits 1. Then the library's metrics pass alone, hash
excluded, plain and with the sums per id (`cargo bench --bench metrics --
FILE REPEAT label blk`). It is a benchmark, not a test: run it on an
idle machine.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
GROUP = 1_000_000

# Precision's pairs (score >= 0.5) per blk, then the one-column
# cluster-robust variance of TP / predicted and its design effect.
DUCKDB = """
import duckdb, json, sys
duckdb.sql("set enable_progress_bar = false")  # it would write to stdout
row = duckdb.sql(f'''
with per as (
    select sum((label and score >= 0.5)::int) as y, sum((score >= 0.5)::int) as n
    from read_parquet('{sys.argv[1]}') group by blk having sum((score >= 0.5)::int) > 0
), total as (select sum(y)::double as k, sum(n)::double as n, count(*)::double as g from per)
select total.n, total.k / total.n as p,
       total.g / (total.g - 1) * sum(power((per.y - total.k / total.n * per.n) / total.n, 2)) as v
from per, total group by total.n, total.k, total.g''').fetchall()[0]
n, p, v = row
print(json.dumps(dict(design_effect=n / (p * (1 - p) / v))))
"""

POLARS = """
import polars as pl, json, sys
pred = pl.col("score") >= 0.5
per = (
    pl.scan_parquet(sys.argv[1])
    .group_by("blk")
    .agg((pl.col("label") & pred).sum().alias("y"), pred.sum().alias("n"))
    .filter(pl.col("n") > 0)
    .collect()
)
k, n, g = per["y"].sum(), per["n"].sum(), per.height
p = k / n
v = g / (g - 1) * (((per["y"] - p * per["n"]) / n) ** 2).sum()
print(json.dumps(dict(design_effect=n / (p * (1 - p) / v))))
"""


def generate(path, rows, per_id, seed=20261207):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    schema = pa.schema(
        [("label", pa.bool_()), ("score", pa.float64()), ("blk", pa.string()), ("blk_int", pa.int64())]
    )
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        for start in range(0, rows, GROUP):
            n = min(GROUP, rows - start)
            ids = np.arange(start, start + n, dtype=np.int64) // per_id
            # Each id of its own difficulty: pairs of one id are correlated.
            hard = rng.random(rows // per_id + 1)[ids] < 0.2
            label = rng.random(n) < 0.3
            right = rng.random(n) > np.where(hard, 0.5, 0.05)
            score = np.where(label == right, 0.5 + rng.random(n) / 2, rng.random(n) / 2)
            blk = pa.array([f"blk-{i}" for i in ids.tolist()], pa.string())
            writer.write_table(pa.table([label, score, blk, ids], schema=schema))
    tmp.rename(path)


def measure(tools, repeat):
    results, outputs = {}, {}
    for name, cmd in tools.items():
        times, peaks = [], []
        for _ in range(repeat):
            with tempfile.NamedTemporaryFile() as t:
                done = subprocess.run(
                    ["/usr/bin/time", "-f", "%e %M", "-o", t.name] + cmd,
                    capture_output=True,
                    text=True,
                )
                if done.returncode != 0:
                    sys.exit(f"{name} failed: {done.stderr}")
                seconds, peak = pathlib.Path(t.name).read_text().split()[-2:]
            times.append(float(seconds))
            peaks.append(int(peak) / 1024)
            outputs[name] = done.stdout
        results[name] = (statistics.median(times), max(peaks))
    return results, outputs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--per-id", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--binary", default=str(ROOT / "target/release/er-precision-gate"))
    ap.add_argument("--data", default=str(HERE / "data"), help="where generated files are cached")
    args = ap.parse_args()
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"clustered_{args.rows}_{args.per_id}.parquet"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        generate(path, args.rows, args.per_id)
    # The gate writes only inside its working directory: the data's.
    report = str(data / "cluster_by_report.json")
    gate = [
        args.binary, "--validation-set", str(path), "--confidence", "0.95", "--min-precision", "0",
        "--min-recall", "0", "--min-f1", "0", "--report-json", report,
    ]
    tools = {
        "gate": gate + ["--cluster-by", "none"],
        "gate+string": gate + ["--cluster-by", "blk"],
        "gate+int64": gate + ["--cluster-by", "blk_int"],
        "duckdb": [sys.executable, "-c", DUCKDB, str(path)],
        "polars": [sys.executable, "-c", POLARS, str(path)],
    }
    os.chdir(data)
    results, outputs = measure(tools, args.repeat)
    ours = json.loads(pathlib.Path(report).read_text())["intervals"]["cluster_by"]["precision"]
    os.unlink(report)
    for name in ("duckdb", "polars"):
        theirs = json.loads(outputs[name])["design_effect"]
        if abs(theirs - ours["design_effect"]) > 1e-9 * theirs:
            sys.exit(f"design effects differ: gate {ours['design_effect']}, {name} {theirs}")
    print(f"{args.rows:,} rows, {args.rows // args.per_id:,} ids; precision's design effect {ours['design_effect']:.4f}")
    print(f"{'tool':<12} {'wall s':>8} {'peak RSS MiB':>13}")
    for name, (seconds, peak) in results.items():
        print(f"{name:<12} {seconds:>8.3f} {peak:>13.1f}")
    for name in ("gate+string", "gate+int64", "duckdb", "polars"):
        print(f"{name} / gate: {results[name][0] / results['gate'][0]:.2f}x")
    print(f"gate+string / duckdb: {results['gate+string'][0] / results['duckdb'][0]:.2f}x")
    print(f"gate+string / polars: {results['gate+string'][0] / results['polars'][0]:.2f}x")
    sys.stdout.flush()
    subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "metrics", "--", str(path), str(args.repeat), "label", "blk"],
        cwd=ROOT,
        check=True,
    )


if __name__ == "__main__":
    main()
