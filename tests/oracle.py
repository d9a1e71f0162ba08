#!/usr/bin/env python3
"""Independent confusion matrix and metrics of a parquet validation set.

Usage: oracle.py FILE LABEL_COLUMN (score COLUMN THRESHOLD | prediction COLUMN) NULL_POLICY [REPORT]

Reads the file with pyarrow and counts with scikit-learn; prints one JSON
object. The Rust integration test `oracle` compares it with the gate's
report, bit for bit. Given the gate's JSON REPORT, also: statsmodels' Wilson
intervals at the report's level (F1 through J = TP/(TP+FP+FN)), and
scikit-learn's precision_recall_curve read at each threshold of the
report's curve.
"""

import json
import sys

import numpy as np
import pyarrow.parquet as pq
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
)


def intervals(tp, fp, fn, level):
    """statsmodels' Wilson intervals; F1 maps J's through 2J/(1+J)."""
    from statsmodels.stats.proportion import proportion_confint

    def wilson(count, nobs):
        if nobs == 0:
            return None
        low, high = proportion_confint(count, nobs, alpha=1 - level, method="wilson")
        return {"lower": float(low), "upper": float(high)}

    j = wilson(tp, tp + fp + fn)
    f1 = j and {k: 2 * v / (1 + v) for k, v in j.items()}
    return {"precision": wilson(tp, tp + fp), "recall": wilson(tp, tp + fn), "f1": f1}


def curve(y_true, scores, thresholds):
    """Precision and recall at each threshold, from precision_recall_curve:
    its value at the lowest distinct score at or above the threshold."""
    precision, recall, cut = precision_recall_curve(y_true, scores)
    out = []
    for t in thresholds:
        i = int(np.searchsorted(cut, t, side="left"))
        if i == len(cut):
            out.append([None, 0.0])  # nothing predicted: precision undefined
        else:
            out.append([float(precision[i]), float(recall[i])])
    return out


def main(argv):
    path, label_col, kind, column = argv[:4]
    table = pq.read_table(path, columns=list(dict.fromkeys([label_col, column])))
    label = table[label_col]
    decision = table[column]
    present = np.ones(len(table), dtype=bool)
    present &= ~np.asarray(label.is_null())
    present &= ~np.asarray(decision.is_null())
    if kind == "score":
        threshold = float(argv[4])
        values = decision.to_numpy(zero_copy_only=False).astype(np.float64)
        present &= ~np.isnan(values)
        predicted = values >= threshold
    else:
        predicted = decision.to_numpy(zero_copy_only=False).astype(np.float64) == 1
    y_true = label.to_numpy(zero_copy_only=False).astype(np.float64)[present] == 1
    y_pred = predicted[present]
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y_true, y_pred, labels=[False, True]).ravel())
    nan = float("nan")

    def metric(f):
        v = f(y_true, y_pred, zero_division=nan)
        return None if np.isnan(v) else float(v)

    out = {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "skipped": int((~present).sum()),
        "precision": metric(precision_score),
        "recall": metric(recall_score),
        "f1": metric(f1_score),
    }
    report_arg = argv[6] if kind == "score" else argv[5]
    if len(argv) > (6 if kind == "score" else 5) and report_arg:
        report = json.load(open(report_arg))
        if report.get("intervals"):
            out["intervals"] = intervals(tp, fp, fn, report["intervals"]["level"])
        if report.get("sweep"):
            thresholds = [p["threshold"] for p in report["sweep"]["curve"]]
            out["curve"] = curve(y_true, values[present], thresholds)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
