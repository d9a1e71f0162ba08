"""Oracle for per-slice counts.

Usage: slices_oracle.py FILE THRESHOLD LEVEL COLUMN...

Reads FILE with pandas and, for each slice COLUMN, groups the pairs by its
values (`groupby(dropna=False)`: nulls are one group) and prints as JSON
each group's confusion matrix at `score >= THRESHOLD`, counted by pandas,
with statsmodels' Wilson interval of precision and recall at LEVEL. Values
are keyed by their JSON text (`null` for the null group).

Each group with at least 30 true matches also gets `flagged`: the metrics
whose one-sided score test (statsmodels' `proportions_ztest` with the
variance at the bound) rejects "at least the overall value minus 0.05"
(F1 through J = TP/(TP+FP+FN)), Holm-adjusted by statsmodels'
`multipletests` over every such test of every column at (1 - LEVEL)/2;
`tested` is how many tests there were.
"""

import json
import sys

import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

GAP = 0.05
MIN_SUPPORT = 30


def proportions(c):
    """Each metric's successes and trials: TP of TP+FP, TP+FN, TP+FP+FN."""
    return {
        "precision": (c["tp"], c["tp"] + c["fp"]),
        "recall": (c["tp"], c["tp"] + c["fn"]),
        "f1": (c["tp"], c["tp"] + c["fp"] + c["fn"]),
    }


def below_p(k, n, bound):
    if bound <= 0:
        return 1.0
    if bound >= 1:
        return 0.0 if k < n else 1.0
    return proportions_ztest(k, n, value=bound, alternative="smaller", prop_var=bound)[1]


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
        # A dictionary column as plain values: pandas 2 groups an Arrow
        # dictionary's nulls into the last entry's group.
        by = frame[column]
        if str(by.dtype).startswith("dictionary<"):
            by = pd.Series(by.tolist(), index=by.index, dtype=object)
        sums = cells.groupby(by, dropna=False).sum()
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
    flag(out, cells.sum(), level)
    json.dump(out, sys.stdout)


def flag(out, overall, level):
    overall = {k: int(overall[k]) for k in ["tp", "fp", "fn", "tn"]}
    tests = []
    for groups in out.values():
        for group in groups.values():
            group["flagged"] = []
            c = group["counts"]
            if c["tp"] + c["fn"] < max(MIN_SUPPORT, 1):
                continue
            for metric, (k, n) in proportions(c).items():
                ok, on = proportions(overall)[metric]
                if n == 0 or on == 0:
                    continue
                value = ok / on
                bound = 2 * value / (1 + value) - GAP if metric == "f1" else value - GAP
                if metric == "f1":
                    bound = max(bound, 0.0) / (2 - max(bound, 0.0))
                tests.append((group, metric, below_p(k, n, bound)))
    if tests:
        rejected = multipletests([p for _, _, p in tests], alpha=(1 - level) / 2, method="holm")[0]
        for (group, metric, _), r in zip(tests, rejected):
            if r:
                group["flagged"].append(metric)
    out["tested"] = len(tests)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:])
