"""Oracle for the paired comparison with the previous model
(baseline_score_column).

Usage: paired_oracle.py OUT_FILE LEVEL

Writes OUT_FILE (left_id, right_id strings; block int64; label bool; score
and old_score float64): candidate pairs inside blocks of records of their
own difficulty, the previous model's score re-drawn on about one pair in
ten. Prints as JSON, for both decision thresholds 0.5:

- the flip table, errors fixed and introduced and decisions changed,
  counted with pandas;
- McNemar's exact test on recall's discordant pairs: statsmodels'
  `mcnemar(table, exact=True)`;
- for each metric and each `cluster_by` (`none`, `block`,
  `left_id,right_id`): the change new - old (scikit-learn's scores), and
  its variance. Each pair's d is the difference of its linearised
  contributions, (y - p n) / sum(n) for each model (F1's through
  J = TP/(TP+FP+FN) times 2/(1+J)^2). `none` and `block`: statsmodels'
  `OLS(d, ones).fit(cov_type="cluster")` over the pairs in either model's
  denominator, grouped by row or by block, V = bse^2 * rows^2;
  `left_id,right_id`: the dyadic-robust sum computed directly. The
  interval is the change +- the critical value (normal; Student's t on the
  clusters less one with cluster_by, scipy) times sqrt(V).
"""

import json
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import statsmodels.api as sm
from scipy.stats import norm
from scipy.stats import t as student
from sklearn.metrics import f1_score, precision_score, recall_score
from statsmodels.stats.contingency_tables import mcnemar


def pairs(rng):
    rows = []
    for block in range(500):
        size = rng.integers(2, 8)
        records = [f"r{block}-{i}" for i in range(size)]
        hard = 0.5 if rng.random() < 0.1 else 0.05
        for i in range(size):
            for j in range(i + 1, size):
                label = bool(rng.random() < 0.4)
                good = rng.random() > hard
                score = (0.6 + 0.4 * rng.random()) if label == good else 0.5 * rng.random()
                old = score
                if rng.random() < 0.1:
                    old = (0.6 + 0.4 * rng.random()) if rng.random() < 0.5 else 0.5 * rng.random()
                rows.append((records[i], records[j], block, label, score, old))
    columns = ["left_id", "right_id", "block", "label", "score", "old_score"]
    return pd.DataFrame(rows, columns=columns)


def contribution(y, decided, metric):
    """Each pair's linearised contribution to one model's metric, and the value."""
    tp = (y & decided).astype(float)
    n = {"precision": decided, "recall": y, "f1": y | decided}[metric].astype(float)
    p = tp.sum() / n.sum()
    e = (tp - p * n) / n.sum()
    if metric == "f1":
        return e * 2 / (1 + p) ** 2
    return e


def change(df, metric, cluster_by, level):
    y, new, old = df.label, df.score >= 0.5, df.old_score >= 0.5
    score = {"precision": precision_score, "recall": recall_score, "f1": f1_score}[metric]
    delta = score(y, new) - score(y, old)
    d = contribution(y, new, metric) - contribution(y, old, metric)
    counted = {"precision": new | old, "recall": y, "f1": y | new | old}[metric]
    if cluster_by == "left_id,right_id":
        by_record = pd.concat(
            [pd.Series(d.to_numpy(), index=df.left_id), pd.Series(d.to_numpy(), index=df.right_id)]
        )
        sums = by_record.groupby(level=0).sum()
        clusters = len(sums)
        variance = clusters / (clusters - 1) * ((sums**2).sum() - (d**2).sum())
    else:
        rows = int(counted.sum())
        groups = np.arange(rows) if cluster_by == "none" else df.block[counted].to_numpy()
        fit = sm.OLS(d[counted].to_numpy(), np.ones(rows)).fit(
            cov_type="cluster", cov_kwds={"groups": groups}
        )
        variance = float(fit.bse[0] ** 2) * rows * rows
        clusters = len(np.unique(groups))
    tail = (1 - level) / 2
    crit = norm.isf(tail) if cluster_by == "none" else student.isf(tail, clusters - 1)
    half = crit * np.sqrt(variance)
    return {
        "delta": float(delta),
        "variance": float(variance),
        "clusters": int(clusters),
        "lower": float(max(delta - half, -1.0)),
        "upper": float(min(delta + half, 1.0)),
    }


def main(out, level):
    df = pairs(np.random.default_rng(20261207))
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), out, row_group_size=1_000)
    y, new, old = df.label, df.score >= 0.5, df.old_score >= 0.5
    count = lambda mask: int(mask.sum())  # noqa: E731
    table = [[count(y & old & new), count(y & old & ~new)], [count(y & ~old & new), count(y & ~old & ~new)]]
    result = {
        "flips": {
            "newly_matched_true": count(y & new & ~old),
            "newly_matched_false": count(~y & new & ~old),
            "no_longer_matched_true": count(y & ~new & old),
            "no_longer_matched_false": count(~y & ~new & old),
        },
        "errors_fixed": count((new == y) & (old != y)),
        "errors_introduced": count((new != y) & (old == y)),
        "decisions_changed": count(new != old),
        "recall_mcnemar_p": float(mcnemar(table, exact=True).pvalue),
    }
    for cluster_by in ["none", "block", "left_id,right_id"]:
        result[cluster_by] = {m: change(df, m, cluster_by, level) for m in ["precision", "recall", "f1"]}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
