"""Oracle for weighted metrics.

Usage: weights_oracle.py OUT_FILE THRESHOLD LEVEL

Writes OUT_FILE (label bool, score float64, w float64: pairs sampled by score
stratum, weighted by the inverse of their inclusion probability, a few with
a null weight) with pyarrow, then prints as JSON what scikit-learn and
statsmodels give for the rows with a weight: the weighted confusion matrix
(`confusion_matrix(sample_weight=w)`), precision, recall and F1
(`precision_recall_fscore_support(sample_weight=w)`), and each metric's
Wilson interval over Kish's effective sample size of its denominator
(`proportion_confint(q * n_eff, n_eff, method="wilson")`).
"""

import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from statsmodels.stats.proportion import proportion_confint


def main(out, threshold, level):
    rng = np.random.default_rng(20251127)
    n = 12_000
    score = rng.random(n)
    label = (score + rng.normal(0, 0.2, n)) > 0.6
    # High-score pairs were reviewed at 50%, the rest at 5% to 25%.
    inclusion = np.where(score > 0.7, 0.5, rng.choice([0.05, 0.1, 0.25], n))
    weight = 1.0 / inclusion
    null = rng.random(n) < 0.01
    pq.write_table(
        pa.table(
            {
                "label": pa.array(label),
                "score": pa.array(score),
                "w": pa.array(np.where(null, np.nan, weight), mask=null),
            }
        ),
        out,
        row_group_size=3_000,
    )
    keep = ~null
    y, pred, w = label[keep], score[keep] >= threshold, weight[keep]
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[False, True], sample_weight=w).ravel()
    p, r, f, _ = precision_recall_fscore_support(y, pred, average="binary", sample_weight=w)
    cells = {
        "precision": (y & pred) | (~y & pred),
        "recall": y,
        "f1": y | pred,
    }
    intervals = {}
    for metric, rows in cells.items():
        sums, squares = w[rows].sum(), (w[rows] ** 2).sum()
        n_eff = sums * sums / squares
        success = w[rows & y & pred].sum() / sums
        lo, hi = proportion_confint(success * n_eff, n_eff, alpha=1 - level, method="wilson")
        if metric == "f1":
            lo, hi = 2 * lo / (1 + lo), 2 * hi / (1 + hi)
        intervals[metric] = {"lower": float(lo), "upper": float(hi), "n_eff": float(n_eff)}
    print(
        json.dumps(
            {
                "counts": {"tp": float(tp), "fp": float(fp), "fn": float(fn), "tn": float(tn)},
                "metrics": {"precision": float(p), "recall": float(r), "f1": float(f)},
                "intervals": intervals,
                "skipped": int(null.sum()),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
