"""Oracle for stratified samples (strata_column, strata_sizes).

Usage: strata_oracle.py FILE SIZES LEVEL

Reads FILE with pandas (columns band, label, score; a match is predicted at
score >= 0.5) and SIZES (stratum,pairs). Prints as JSON, per metric:

- the point estimate: scikit-learn's precision_score / recall_score /
  f1_score with sample_weight = N_h / n_h;
- the variance of Cochran's combined ratio estimator, computed row by row
  with pandas: z = y - R x per labelled pair, its variance within each
  stratum (ddof 1), V = sum_h N_h^2 (1 - n_h/N_h) s2_h / n_h / X^2;
- the effective pairs R(1-R)/V (at most the pairs in the denominator) and
  statsmodels' Wilson interval over them (F1 through J = TP/(TP+FP+FN),
  mapped through 2J/(1+J)).
"""

import json
import sys

import pandas as pd
from sklearn.metrics import f1_score, precision_score, recall_score
from statsmodels.stats.proportion import proportion_confint


def main(path, sizes_path, level):
    frame = pd.read_parquet(path)
    sizes = pd.read_csv(sizes_path).set_index("stratum")["pairs"]
    y_true = frame["label"].astype(bool)
    y_pred = frame["score"] >= 0.5
    labelled = frame.groupby("band").size()
    weight = frame["band"].map(sizes / labelled)
    points = {
        "precision": precision_score(y_true, y_pred, sample_weight=weight),
        "recall": recall_score(y_true, y_pred, sample_weight=weight),
        "f1": f1_score(y_true, y_pred, sample_weight=weight),
    }
    tp = (y_true & y_pred).astype(float)
    denominators = {
        "precision": y_pred,
        "recall": y_true,
        "f1": y_true | y_pred,
    }
    out = {}
    for metric, x in denominators.items():
        x = x.astype(float)
        r = (weight * tp).sum() / (weight * x).sum()
        big_x = (weight * x).sum()
        z = tp - r * x
        s2 = z.groupby(frame["band"]).var(ddof=1)
        n = labelled
        big_n = sizes.loc[n.index]
        variance = (big_n**2 * (1 - n / big_n) * s2 / n).sum() / big_x**2
        pairs = x.sum()
        effective = min(r * (1 - r) / variance, pairs) if variance > 0 else pairs
        low, high = proportion_confint(r * effective, effective, alpha=1 - level, method="wilson")
        if metric == "f1":
            low, high = 2 * low / (1 + low), 2 * high / (1 + high)
        out[metric] = {
            "estimate": points[metric],
            "variance": variance,
            "effective_pairs": effective,
            "lower": low,
            "upper": high,
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
