"""Oracle for drop rules judged on the change's interval.

Usage: drop_oracle.py NEW_REPORT OLD_REPORT LEVEL

For each metric, the trials each JSON report's interval counted (the
metric's denominator in `counts`, or `intervals.cluster_by.<metric>.
effective_pairs` when there) and its value give a proportion (F1's through
J = F1/(2 - F1)); prints the interval of new - old as JSON.

Without cluster_by: statsmodels' `confint_proportions_2indep(...,
compare="diff", method="newcomb")` for precision and recall. Otherwise, and
for F1: Newcombe's combination (MOVER) of the two intervals, each Wilson's
(statsmodels' `proportion_confint`, or with cluster_by the same formula at
scipy's Student t critical value on clusters - 1 degrees of freedom), F1's
that of J mapped through 2J/(1+J).
"""

import json
import math
import sys

from scipy.stats import t as student
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint


def design(report, metric):
    return ((report.get("intervals") or {}).get("cluster_by") or {}).get(metric)


def trials(report, metric):
    if design(report, metric):
        return design(report, metric)["effective_pairs"]
    c = report["counts"]
    return {
        "precision": c["tp"] + c["fp"],
        "recall": c["tp"] + c["fn"],
        "f1": c["tp"] + c["fp"] + c["fn"],
    }[metric]


def wilson(p, n, report, metric, level):
    d = design(report, metric)
    if not d:
        return proportion_confint(p * n, n, alpha=1 - level, method="wilson")
    crit = student.isf((1 - level) / 2, d["clusters"] - 1)
    c2 = crit * crit
    center = (p + c2 / (2 * n)) / (1 + c2 / n)
    half = crit * math.sqrt(p * (1 - p) / n + c2 / (4 * n * n)) / (1 + c2 / n)
    return max(center - half, 0.0), min(center + half, 1.0)


def interval(value, n, report, metric, level):
    if metric != "f1":
        return wilson(value, n, report, metric, level)
    low, high = wilson(value / (2 - value), n, report, metric, level)
    return 2 * low / (1 + low), 2 * high / (1 + high)


def main(new_path, old_path, level):
    new, old = json.load(open(new_path)), json.load(open(old_path))
    out = {}
    for metric in ["precision", "recall", "f1"]:
        a, b = new["metrics"][metric], old["metrics"][metric]
        na, nb = trials(new, metric), trials(old, metric)
        if metric == "f1" or design(new, metric):
            la, ua = interval(a, na, new, metric, level)
            lb, ub = interval(b, nb, old, metric, level)
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
