#!/usr/bin/env python3
"""Benchmark cluster mode against er-evaluation and a polars group-by.

Usage:
    cargo build --release
    pip install -r bench/requirements.txt
    python3 bench/clusters.py [--records 10000000] [--entities 2000000] [--repeat 3]
                              [--er-evaluation-repeat 1] [--id-prefix PREFIX]
                              [--ids uuid] [--dictionary]

It generates (once, cached in bench/data/) a clustering of --records
records in about --entities true entities (sizes from a geometric law,
mean records/entities), as an ER system would output it: the truth with
1% of entities merged into another, 5% split in two, and one chain of 50
entities merged into a giant cluster (a transitive-closure accident). All
three ids are strings (`record_id`, `true_entity_id`,
`predicted_entity_id`), records shuffled, pyarrow's defaults (snappy, row
groups of 1M). Ids are `r<n>`, `t<n>` and `p<n>` (with --id-prefix before
them), or with `--ids uuid` random version-4 UUIDs of 36 characters, one
for each record, true entity and predicted entity. `--dictionary` stores
the two entity columns dictionary-encoded, each row group with a dictionary
of its own values (read back as Arrow dictionaries). Then, with the page cache warm, each tool runs --repeat
times (er-evaluation --er-evaluation-repeat times: it takes minutes; 0
leaves it out),
process start included:

    gate           er-precision-gate --mode clusters (it also hashes the file)
    polars         read the three columns, group by (true, predicted), by
                   true, by predicted; pairwise and record-averaged B-cubed
    er-evaluation  pandas read_parquet, membership vectors by record id;
                   pairwise_precision/recall and b_cubed_precision/recall

and prints the median wall time and peak RSS (GNU time's %M). The metrics
must agree (pairwise everywhere, record-averaged B-cubed with polars,
er-evaluation's cluster-averaged B-cubed with the gate's
`bcubed_cluster_averaged`) within 1e-9, or the script exits 1.
"""

import argparse
import json
import os
import pathlib
import sys

from run import measure, sha256

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

POLARS = """
import json, sys
import polars as pl
df = pl.read_parquet(sys.argv[1], columns=["true_entity_id", "predicted_entity_id"])
t, p = "true_entity_id", "predicted_entity_id"
cells = df.group_by([t, p]).agg(pl.len().alias("n"))
a = cells.group_by(t).agg(pl.col("n").sum().alias("a"))
b = cells.group_by(p).agg(pl.col("n").sum().alias("b"))
cells = cells.join(a, on=t).join(b, on=p)
pairs = lambda c: (c * (c - 1) // 2).sum()
s = cells.select(
    tp=pairs(pl.col("n")),
    share_b=(pl.col("n") * pl.col("n") / pl.col("b")).sum(),
    share_a=(pl.col("n") * pl.col("n") / pl.col("a")).sum(),
    records=pl.col("n").sum(),
).row(0, named=True)
true_pairs = a.select(pairs(pl.col("a"))).item()
predicted_pairs = b.select(pairs(pl.col("b"))).item()
n = s["records"]
print(json.dumps({
    "pairwise_precision": s["tp"] / predicted_pairs,
    "pairwise_recall": s["tp"] / true_pairs,
    "bcubed_precision": s["share_b"] / n,
    "bcubed_recall": s["share_a"] / n,
}))
"""

ER_EVALUATION = """
import json, sys
import pandas as pd
from er_evaluation import metrics
df = pd.read_parquet(sys.argv[1]).set_index("record_id")
prediction, reference = df["predicted_entity_id"], df["true_entity_id"]
print(json.dumps({
    "pairwise_precision": float(metrics.pairwise_precision(prediction, reference)),
    "pairwise_recall": float(metrics.pairwise_recall(prediction, reference)),
    "bcubed_cluster_averaged_precision": float(metrics.b_cubed_precision(prediction, reference)),
    "bcubed_cluster_averaged_recall": float(metrics.b_cubed_recall(prediction, reference)),
}))
"""


def uuids(rng, n):
    """`n` random version-4 UUIDs as a pyarrow string array."""
    import numpy as np
    import pyarrow as pa

    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    where = [i for i in range(36) if i not in (8, 13, 18, 23)]
    text[:, where[0::2]] = digits[raw >> 4]
    text[:, where[1::2]] = digits[raw & 15]
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(text.tobytes())
    ).cast(pa.string())


def generate(path, records, entities, prefix="", seed=20251127, kind="counter", dictionary=False):
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    sizes = rng.geometric(entities / records, entities)
    truth = np.repeat(np.arange(entities), sizes)[:records]
    if len(truth) < records:  # the draw fell short: top up with singletons
        truth = np.concatenate([truth, np.arange(entities, entities + records - len(truth))])
    n = int(truth.max()) + 1
    predicted = truth.copy()
    merged = rng.random(n) < 0.01
    into = rng.integers(0, n, n)
    predicted = np.where(merged[truth], into[truth], predicted)
    split = rng.random(n) < 0.05
    predicted = np.where(split[truth] & (rng.random(records) < 0.5), predicted + n, predicted)
    chain = rng.choice(n, 50, replace=False)
    predicted = np.where(np.isin(truth, chain), chain[0], predicted)
    order = rng.permutation(records)
    truth, predicted = truth[order], predicted[order]
    if kind == "uuid":
        ids = lambda _, values: uuids(rng, int(values.max()) + 1).take(pa.array(values))
    else:
        ids = lambda kind, values: pc.binary_join_element_wise(
            prefix + kind, pa.array(values).cast(pa.string()), ""
        )
    group = 1_000_000

    def entity(array):
        if not dictionary:
            return array
        # Each row group's own dictionary, of the values it holds (a
        # dictionary of the whole column would be written whole into every
        # row group).
        chunks = [array.slice(at, group).dictionary_encode() for at in range(0, len(array), group)]
        return pa.chunked_array(chunks)

    table = pa.table(
        {
            "record_id": ids("r", np.arange(records)),
            "true_entity_id": entity(ids("t", truth)),
            "predicted_entity_id": entity(ids("p", predicted)),
        }
    )
    pq.write_table(table, path, row_group_size=group)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--entities", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--er-evaluation-repeat", type=int, default=1)
    parser.add_argument(
        "--id-prefix", default="", help="prefix every id (e.g. 20 characters: ids past 15 bytes)"
    )
    parser.add_argument("--ids", choices=["counter", "uuid"], default="counter")
    parser.add_argument(
        "--dictionary", action="store_true", help="dictionary-encode the entity columns"
    )
    parser.add_argument("--binary", default=str(ROOT / "target/release/er-precision-gate"))
    args = parser.parse_args()
    long = f"_prefix{len(args.id_prefix)}" if args.id_prefix else ""
    long += "_uuid" if args.ids == "uuid" else ""
    long += "_dictionary" if args.dictionary else ""
    path = HERE / "data" / f"clusters_{args.records}_{args.entities}{long}.parquet"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        generate(path, args.records, args.entities, args.id_prefix, kind=args.ids,
                 dictionary=args.dictionary)
    sha256(path)  # warms the page cache
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    # Inside the working tree: the gate writes no file that resolves outside it.
    report = str(path.parent / "clusters_report.json")
    gate = [
        args.binary, "--validation-set", str(path), "--mode", "clusters",
        "--min-precision", "0", "--min-recall", "0", "--min-f1", "0", "--report-json", report,
    ]
    results, outputs = measure(
        {"gate": (gate, env), "polars": ([sys.executable, "-c", POLARS, str(path)], None)},
        args.repeat,
    )
    if args.er_evaluation_repeat > 0:  # 0 leaves it out
        more, more_out = measure(
            {"er-evaluation": ([sys.executable, "-c", ER_EVALUATION, str(path)], None)},
            args.er_evaluation_repeat,
        )
        results.update(more)
        outputs.update(more_out)
    families = json.loads(pathlib.Path(report).read_text())["clusters"]["families"]
    os.unlink(report)
    ours = {
        f"{family}_{m}": families[family][m]
        for family in ("pairwise", "bcubed", "bcubed_cluster_averaged")
        for m in ("precision", "recall")
    }
    agree = True
    for peer in (p for p in ("polars", "er-evaluation") if p in outputs):
        for key, value in json.loads(outputs[peer]).items():
            if abs(value - ours[key]) > 1e-9:
                print(f"{peer} {key}: {value} against the gate's {ours[key]}")
                agree = False
    print(f"{args.records:,} records, {path.stat().st_size / 2**20:.0f} MiB")
    print(f"{'tool':<14} {'median s':>9} {'peak MiB':>9} {'gate/tool':>9}")
    gate_time = results["gate"][0]
    for name, (seconds, peak) in results.items():
        print(f"{name:<14} {seconds:>9.3f} {peak:>9.0f} {gate_time / seconds:>9.2f}")
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
