#!/usr/bin/env python3
"""The highest F1 and the best passing F1 over every distinct score.

Usage: threshold_oracle.py FILE MIN_PRECISION MIN_RECALL

Reads `label` and `score` with pyarrow and runs scikit-learn's
precision_recall_curve: every distinct score is a threshold. Prints the
highest F1, and the highest F1 where precision and recall reach their
minimums (null when none does), with a threshold of each. The Rust test
`thresholds` compares them with the gate's sweep.
"""

import json
import sys

import numpy as np
import pyarrow.parquet as pq
from sklearn.metrics import precision_recall_curve


def main(argv):
    path, min_precision, min_recall = argv[0], float(argv[1]), float(argv[2])
    table = pq.read_table(path, columns=["label", "score"])
    label = table["label"].to_numpy(zero_copy_only=False).astype(int)
    score = table["score"].to_numpy(zero_copy_only=False)
    precision, recall, cut = precision_recall_curve(label, score)
    # The last point (precision 1, recall 0) has no threshold.
    precision, recall = precision[:-1], recall[:-1]
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)
    best = int(np.argmax(f1))
    passing = (precision >= min_precision) & (recall >= min_recall)
    out = {
        "thresholds": len(cut),
        "max_f1": float(f1[best]),
        "max_f1_threshold": float(cut[best]),
        "recommended_f1": None,
        "recommended_threshold": None,
    }
    if passing.any():
        among = np.where(passing, f1, -1.0)
        i = int(np.argmax(among))
        out["recommended_f1"] = float(f1[i])
        out["recommended_threshold"] = float(cut[i])
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
