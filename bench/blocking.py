#!/usr/bin/env python3
"""Benchmark recall through blocking (`truth`) and transitive closure
(`closure`) against DuckDB and polars counting the same true pairs.

Usage:
    cargo build --release
    pip install -r bench/requirements.txt
    python3 bench/blocking.py [--records 2000000] [--repeat 3]

It generates (once, cached in bench/data/) with a fixed seed: records in
blocks of 10, 5 from each of two sources, slot j of one source and of the
other one entity, a tenth of the records moved to a random entity; every
cross-source pair of a block is a candidate (25 a block: 5M pairs for 2M
records), with `label` from the entities and a noisy `score`; the truth
file holds every record's entity. Then it runs, page cache warm,
each of:

    gate          er-precision-gate on the candidates
    gate+truth    the same with --truth (blocking and end-to-end recall)
    gate+closure  the same with --closure true (connected components)
    duckdb        the true pairs, and those among the candidates, in SQL
    polars        the same with joins and group_bys

each --repeat times, process start included, and prints the median wall
time and peak RSS (GNU time's %M). The true pairs and the candidate true
pairs must agree exactly, or the script exits 1. It is a benchmark, not a
test: run it on an idle machine.
"""

import argparse
import json
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from cluster_by import measure  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
BLOCK = 10

DUCKDB = """
import duckdb, json, sys
duckdb.sql("set enable_progress_bar = false")
pairs, truth = sys.argv[1], sys.argv[2]
t = duckdb.sql(f'''select sum(n * (n - 1) / 2)::bigint from
    (select count(*) as n from read_parquet('{truth}') group by true_entity_id)''').fetchall()[0][0]
c = duckdb.sql(f'''select count(*) from (select distinct least(p.left_id, p.right_id), greatest(p.left_id, p.right_id)
    from read_parquet('{pairs}') p
    join read_parquet('{truth}') l on p.left_id = l.record_id
    join read_parquet('{truth}') r on p.right_id = r.record_id
    where l.true_entity_id = r.true_entity_id and p.left_id <> p.right_id)''').fetchall()[0][0]
print(json.dumps(dict(true_pairs=t, candidate_true_pairs=c)))
"""

POLARS = """
import polars as pl, json, sys
pairs, truth = pl.scan_parquet(sys.argv[1]), pl.scan_parquet(sys.argv[2])
t = truth.group_by("true_entity_id").len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).collect().item()
c = (
    pairs.join(truth, left_on="left_id", right_on="record_id")
    .join(truth, left_on="right_id", right_on="record_id", suffix="_r")
    .filter((pl.col("true_entity_id") == pl.col("true_entity_id_r")) & (pl.col("left_id") != pl.col("right_id")))
    .select(pl.min_horizontal("left_id", "right_id").alias("a"), pl.max_horizontal("left_id", "right_id").alias("b"))
    .unique()
    .select(pl.len())
    .collect()
    .item()
)
print(json.dumps(dict(true_pairs=t, candidate_true_pairs=c)))
"""


def generate(pairs_path, truth_path, records, seed=20261207):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    # Slot j of a block's first source and slot j of its second are one
    # entity; a tenth of the records then move to a random entity, most
    # of them out of their block (true pairs blocking misses, false ones
    # it proposes).
    half = BLOCK // 2
    position = np.arange(records)
    entity = (position // BLOCK) * half + position % half
    moved = rng.random(records) < 0.1
    entity[moved] = rng.integers(0, records // 2, moved.sum())
    ids = np.array([f"rec-{i}" for i in range(records)], dtype=object)
    pq.write_table(
        pa.table({"record_id": pa.array(ids, pa.string()), "true_entity_id": pa.array(entity, pa.int64())}),
        truth_path,
        row_group_size=1_000_000,
    )
    blocks = records // BLOCK
    base = np.arange(blocks) * BLOCK
    left = (base[:, None, None] + np.arange(half)[None, :, None]).repeat(half, 2).ravel()
    right = (base[:, None, None] + half + np.arange(half)[None, None, :]).repeat(half, 1).ravel()
    label = entity[left] == entity[right]
    right_call = rng.random(len(left)) > 0.1
    score = np.where(label == right_call, 0.5 + rng.random(len(left)) / 2, rng.random(len(left)) / 2)
    pq.write_table(
        pa.table(
            {
                "left_id": pa.array(ids[left], pa.string()),
                "right_id": pa.array(ids[right], pa.string()),
                "score": score,
                "label": label,
            }
        ),
        pairs_path,
        row_group_size=1_000_000,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default=str(ROOT / "target/release/er-precision-gate"))
    ap.add_argument("--data", default=str(HERE / "data"), help="where generated files are cached")
    args = ap.parse_args()
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    pairs = data / f"candidates_{args.records}.parquet"
    truth = data / f"truth_{args.records}.parquet"
    if not pairs.exists():
        print(f"generating {pairs} ...", flush=True)
        generate(pairs, truth, args.records)
    report = str(data / "blocking_report.json")
    gate = [
        args.binary, "--validation-set", pairs.name, "--min-precision", "0", "--min-recall", "0",
        "--min-f1", "0", "--report-json", report,
    ]
    tools = {
        "gate": gate,
        "gate+truth": gate + ["--truth", truth.name],
        "gate+closure": gate + ["--truth", truth.name, "--closure", "true"],
        "duckdb": [sys.executable, "-c", DUCKDB, str(pairs), str(truth)],
        "polars": [sys.executable, "-c", POLARS, str(pairs), str(truth)],
    }
    os.chdir(data)
    results, outputs = measure(tools, args.repeat)
    ours = json.loads(pathlib.Path(report).read_text())["blocking"]
    os.unlink(report)
    for name in ("duckdb", "polars"):
        theirs = json.loads(outputs[name])
        for key in ("true_pairs", "candidate_true_pairs"):
            if theirs[key] != ours[key]:
                sys.exit(f"{key} differ: gate {ours[key]}, {name} {theirs[key]}")
    closure = ours["closure"]
    print(
        f"{args.records:,} records, {ours['truth']['records']:,} in the truth; true pairs {ours['true_pairs']:,}, "
        f"candidates {ours['candidate_true_pairs']:,} of them; closure: {closure['components']:,} components"
    )
    print(f"{'tool':<13} {'wall s':>8} {'peak RSS MiB':>13}")
    for name, (seconds, peak) in results.items():
        print(f"{name:<13} {seconds:>8.3f} {peak:>13.1f}")
    for name in ("gate+truth", "gate+closure"):
        print(f"{name} / gate: {results[name][0] / results['gate'][0]:.2f}x")
    extra = results["gate+truth"][0] - results["gate"][0]
    for name in ("duckdb", "polars"):
        print(f"gate+truth's extra time / {name}: {extra / results[name][0]:.2f}x")


if __name__ == "__main__":
    main()
