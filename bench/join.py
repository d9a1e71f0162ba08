#!/usr/bin/env python3
"""Benchmark the gate's `predictions` join against DuckDB joining the same files.

Usage:
    cargo build --release
    pip install -r bench/requirements.txt
    python3 bench/join.py [--labelled 1000000] [--predictions 10000000 100000000] [--repeat 3]

For each size it generates (once, cached in bench/data/) a labelled set of
--labelled pairs (left_id, right_id int64, label bool) and a predictions
file of every candidate pair (left_id, right_id int64, score float64, row
groups of 1M, snappy), the labelled pairs spread through it. It then runs,
with the page cache warm, each --repeat times, process start included:

    gate     er-precision-gate --validation-set labels --predictions preds --sweep false
    duckdb   python3 -c 'import duckdb; ... join on the keys, confusion matrix in SQL'

and prints the median wall time and peak RSS (GNU time's %M). The confusion
matrices must agree, or the script exits 1. The gate hashes both files on
the way (it always does); DuckDB does not.
"""

import argparse
import json
import os
import pathlib
import sys
import tempfile

from run import THRESHOLD, gate_counts, measure

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
GROUP = 1_000_000

DUCKDB = """
import duckdb, json, sys
t = float(sys.argv[3])
con = duckdb.connect()
con.execute("set enable_progress_bar = false")
tp, fp, fn, tn = con.sql(f'''
    select count(*) filter (where label and score >= {t}),
           count(*) filter (where not label and score >= {t}),
           count(*) filter (where label and score < {t}),
           count(*) filter (where not label and score < {t})
    from read_parquet('{sys.argv[1]}') l
    join read_parquet('{sys.argv[2]}') p using (left_id, right_id)''').fetchall()[0]
print(json.dumps(dict(tp=tp, fp=fp, fn=fn, tn=tn)))
"""


def generate(labels_path, preds_path, labelled, rows, seed=20251127):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    # Labelled pairs are every (rows // labelled)-th candidate, so each row
    # group of predictions holds some.
    step = rows // labelled
    chosen = np.arange(labelled, dtype=np.int64) * step
    truth = rng.random(labelled) < 0.2
    pq.write_table(
        pa.table({"left_id": chosen, "right_id": chosen * 3 + 1, "label": truth}),
        labels_path,
        compression="snappy",
    )
    tmp = preds_path.with_suffix(".tmp")
    schema = pa.schema([("left_id", pa.int64()), ("right_id", pa.int64()), ("score", pa.float64())])
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        for start in range(0, rows, GROUP):
            ids = np.arange(start, min(start + GROUP, rows), dtype=np.int64)
            labelled_here = (ids % step == 0) & (ids // step < labelled)
            is_match = np.zeros(len(ids), dtype=bool)
            is_match[labelled_here] = truth[ids[labelled_here] // step]
            score = np.where(is_match, rng.beta(4.5, 1.3, len(ids)), rng.beta(1.2, 7.0, len(ids)))
            writer.write_table(pa.table([ids, ids * 3 + 1, score], schema=schema))
    tmp.rename(preds_path)


def bench(labels, preds, rows, labelled, repeat, binary):
    for path in (labels, preds):  # warm the page cache
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass
    report = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    tools = {
        "gate": (
            [binary, "--validation-set", str(labels), "--predictions", str(preds),
             "--min-precision", "0", "--min-recall", "0", "--min-f1", "0",
             "--decision-threshold", str(THRESHOLD), "--sweep", "false", "--report-json", report],
            env,
        ),
        "duckdb": ([sys.executable, "-c", DUCKDB, str(labels), str(preds), str(THRESHOLD)], None),
    }
    results, outputs = measure(tools, repeat)
    counts = {"gate": gate_counts(report), "duckdb": json.loads(outputs["duckdb"])}
    os.unlink(report)
    if counts["gate"] != counts["duckdb"]:
        sys.exit(f"confusion matrices differ: {counts}")
    print(f"\n{labelled:,} labelled pairs, {rows:,} predictions "
          f"({preds.stat().st_size / 1e6:,.0f} MB), counts {counts['gate']}")
    for name, (seconds, peak) in results.items():
        print(f"  {name:<7} {seconds:8.3f} s  {rows / seconds / 1e6:8.1f} M rows/s  {peak:8.1f} MiB peak RSS")
    print(f"gate / duckdb: {results['gate'][0] / results['duckdb'][0]:.2f}x time, "
          f"{results['gate'][1] / results['duckdb'][1]:.2f}x memory")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labelled", type=int, default=1_000_000)
    ap.add_argument("--predictions", type=int, nargs="+", default=[10_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default=str(ROOT / "target/release/er-precision-gate"))
    ap.add_argument("--data", default=str(HERE / "data"), help="where generated files are cached")
    args = ap.parse_args()
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    for rows in args.predictions:
        labels = data / f"labels_{args.labelled}_of_{rows}.parquet"
        preds = data / f"predictions_{rows}.parquet"
        if not labels.exists() or not preds.exists():
            print(f"generating {args.labelled:,} labelled pairs and {rows:,} predictions ...", flush=True)
            generate(labels, preds, args.labelled, rows)
        bench(labels, preds, rows, args.labelled, args.repeat, args.binary)


if __name__ == "__main__":
    main()
