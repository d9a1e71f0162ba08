"""Oracle for per-slice counts.

Usage: slices_oracle.py FILE THRESHOLD LEVEL COLUMN...

Reads FILE with pandas and, for each slice COLUMN, groups the pairs by its
values (`groupby(dropna=False)`: nulls are one group) and prints as JSON
each group's confusion matrix at `score >= THRESHOLD`, counted by pandas,
with statsmodels' Wilson interval of precision and recall at LEVEL. Values
are keyed by their JSON text (`null` for the null group).
"""

import json
import sys

import pandas as pd
from statsmodels.stats.proportion import proportion_confint


def main(path, threshold, level, columns):
    # Arrow-backed columns keep int32 with nulls as integers (numpy's would
    # turn them into floats).
    frame = pd.read_parquet(path, dtype_backend="pyarrow")
    predicted = frame["score"] >= threshold
    label = frame["label"].astype(bool)
    cells = pd.DataFrame(
        {
            "tp": label & predicted,
            "fp": ~label & predicted,
            "fn": label & ~predicted,
            "tn": ~label & ~predicted,
        }
    )
    out = {}
    for column in columns:
        sums = cells.groupby(frame[column], dropna=False).sum()
        groups = {}
        for value, row in sums.iterrows():
            counts = {k: int(row[k]) for k in ["tp", "fp", "fn", "tn"]}
            key = "null" if pd.isna(value) else json.dumps(
                value.item() if hasattr(value, "item") else value
            )
            intervals = {}
            for metric, trials in [
                ("precision", counts["tp"] + counts["fp"]),
                ("recall", counts["tp"] + counts["fn"]),
            ]:
                if trials:
                    low, high = proportion_confint(
                        counts["tp"], trials, alpha=1 - level, method="wilson"
                    )
                    intervals[metric] = [low, high]
            groups[key] = {"counts": counts, "intervals": intervals}
        out[column] = groups
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:])
