"""Oracle for the cluster-robust intervals (`cluster_by`).

Usage: cluster_oracle.py OUT_FILE LEVEL

Writes OUT_FILE (left_id, right_id strings; block int64; label bool; score
float64; kind string, a slice that cuts across blocks, some null):
candidate pairs inside blocks of records, each block of its own
difficulty, so pairs of one block, and pairs that share a record, are
correlated. Prints as JSON, for the decision threshold 0.5, each metric's
variance, effective pairs, design effect and Wilson interval, over all the
pairs and (under `slices`, keyed by the value's JSON text) over each
`kind`'s pairs alone:

- `block` (one column): statsmodels' `OLS(y, ones).fit(cov_type="cluster")`
  on the metric's pairs, grouped by block: V = bse[0]**2;
- `left_id,right_id` (two columns): the dyadic-robust variance computed
  directly, R/(R-1) * (sum over records of the squared sum of the residuals
  of its pairs, less each pair's own square once), R the distinct records.

Effective pairs are p(1-p)/V, at most the metric's pairs; intervals are
Wilson's over them with Student's t critical value on clusters - 1 degrees
of freedom (scipy's `t.isf`), F1's through J.
"""

import json
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import statsmodels.api as sm
from scipy.stats import t as student


def pairs(rng):
    rows = []
    for block in range(600):
        size = rng.integers(2, 9)
        records = [f"r{block}-{i}" for i in range(size)]
        hard = 0.5 if rng.random() < 0.1 else 0.03
        for i in range(size):
            for j in range(i + 1, size):
                label = rng.random() < 0.4
                good = rng.random() > hard
                score = (0.6 + 0.4 * rng.random()) if label == good else 0.5 * rng.random()
                kind = None if (block + i + j) % 11 == 0 else "abc"[(7 * block + i + j) % 3]
                rows.append((records[i], records[j], block, label, score, kind))
    columns = ["left_id", "right_id", "block", "label", "score", "kind"]
    return pd.DataFrame(rows, columns=columns)


def metric_rows(df, metric):
    pred, y = df.score >= 0.5, df.label
    n = {"precision": pred, "recall": y, "f1": pred | y}[metric]
    return (y & pred).astype(float), n.astype(float)


def one_column(df, metric):
    y, n = metric_rows(df, metric)
    keep = n > 0
    fit = sm.OLS(y[keep].to_numpy(), np.ones(keep.sum())).fit(
        cov_type="cluster", cov_kwds={"groups": df.block[keep].to_numpy()}
    )
    return float(fit.params[0]), float(fit.bse[0] ** 2), int(df.block[keep].nunique())


def two_columns(df, metric):
    y, n = metric_rows(df, metric)
    p = y.sum() / n.sum()
    e = (y - p * n) / n.sum()
    by_record = pd.concat(
        [pd.Series(e.to_numpy(), index=df.left_id), pd.Series(e.to_numpy(), index=df.right_id)]
    )
    sums = by_record.groupby(level=0).sum()
    r = len(sums)
    return float(p), float(r / (r - 1) * ((sums**2).sum() - (e**2).sum())), r


def wilson(p, n, crit):
    """The Wilson score interval of p over n trials at critical value crit."""
    c2 = crit * crit
    center = (p + c2 / (2 * n)) / (1 + c2 / n)
    half = crit * np.sqrt(p * (1 - p) / n + c2 / (4 * n * n)) / (1 + c2 / n)
    return max(center - half, 0.0), min(center + half, 1.0)


def designs(df, method, level):
    """Each metric's clusters, effective pairs, design effect and interval."""
    out = {}
    for metric in ["precision", "recall", "f1"]:
        p, variance, clusters = method(df, metric)
        trials = float(metric_rows(df, metric)[1].sum())
        effective = min(p * (1 - p) / variance, trials)
        lo, hi = wilson(p, effective, student.isf((1 - level) / 2, clusters - 1))
        if metric == "f1":
            lo, hi = 2 * lo / (1 + lo), 2 * hi / (1 + hi)
        out[metric] = {
            "clusters": clusters,
            "effective_pairs": effective,
            "design_effect": trials / effective,
            "lower": float(lo),
            "upper": float(hi),
        }
    return out


def main(out, level):
    df = pairs(np.random.default_rng(20261206))
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), out, row_group_size=2_000)
    result = {}
    for name, method in [("block", one_column), ("left_id,right_id", two_columns)]:
        result[name] = designs(df, method, level)
        result[name]["slices"] = {
            "null" if pd.isna(kind) else json.dumps(kind): designs(
                group.reset_index(drop=True), method, level
            )
            for kind, group in df.groupby("kind", dropna=False)
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
