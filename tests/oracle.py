#!/usr/bin/env python3
"""Independent confusion matrix and metrics of a parquet validation set.

Usage: oracle.py FILE LABEL_COLUMN (score COLUMN THRESHOLD | prediction COLUMN) NULL_POLICY

Reads the file with pyarrow and counts with scikit-learn; prints one JSON
object. The Rust integration test `oracle` compares it with the gate's
report, bit for bit.
"""

import json
import sys

import numpy as np
import pyarrow.parquet as pq
from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score


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

    print(
        json.dumps(
            {
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "tn": tn,
                "skipped": int((~present).sum()),
                "precision": metric(precision_score),
                "recall": metric(recall_score),
                "f1": metric(f1_score),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
