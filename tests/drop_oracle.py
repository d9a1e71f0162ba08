"""Oracle for drop rules judged on the change's interval.

Usage: drop_oracle.py NEW_REPORT OLD_REPORT LEVEL

For each metric, the trials each JSON report's interval counted (the
metric's denominator in `counts`, or `intervals.cluster_by.<metric>.
effective_pairs` when there) and its value give a proportion (F1's through
J = F1/(2 - F1)); prints the interval of new - old as JSON: statsmodels'
`confint_proportions_2indep(..., compare="diff", method="newcomb")` for
precision and recall, and for F1 the same combination (MOVER) of the two
F1 intervals, each statsmodels' Wilson interval of J mapped through
2J/(1+J).
"""

import json
import math
import sys

from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint


def trials(report, metric):
    design = ((report.get("intervals") or {}).get("cluster_by") or {}).get(metric)
    if design:
        return design["effective_pairs"]
    c = report["counts"]
    return {
        "precision": c["tp"] + c["fp"],
        "recall": c["tp"] + c["fn"],
        "f1": c["tp"] + c["fp"] + c["fn"],
    }[metric]


def f1_interval(value, n, level):
    j = value / (2 - value)
    low, high = proportion_confint(j * n, n, alpha=1 - level, method="wilson")
    return 2 * low / (1 + low), 2 * high / (1 + high)


def main(new_path, old_path, level):
    new, old = json.load(open(new_path)), json.load(open(old_path))
    out = {}
    for metric in ["precision", "recall", "f1"]:
        a, b = new["metrics"][metric], old["metrics"][metric]
        na, nb = trials(new, metric), trials(old, metric)
        if metric == "f1":
            la, ua = f1_interval(a, na, level)
            lb, ub = f1_interval(b, nb, level)
            d = a - b
            low = d - math.sqrt((a - la) ** 2 + (ub - b) ** 2)
            high = d + math.sqrt((ua - a) ** 2 + (b - lb) ** 2)
        else:
            low, high = confint_proportions_2indep(
                a * na, na, b * nb, nb, compare="diff", method="newcomb", alpha=1 - level
            )
        out[metric] = [float(low), float(high)]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
