"""Oracle for the "how many more" advice: the exact chance it promises.

Usage: power_oracle.py K N MINIMUM LEVEL TRIALS

For a proportion observed at K of N, the chance that a Wilson interval at
LEVEL over TRIALS trials lies wholly above MINIMUM (when K/N is above it) or
wholly below (when under), if the proportion stays at K/N: scipy's binomial
pmf summed over the counts whose statsmodels `proportion_confint(...,
method="wilson")` does so. Prints it as JSON, with the chance at 9/10 of
TRIALS.
"""

import json
import sys

import numpy as np
from scipy.stats import binom
from statsmodels.stats.proportion import proportion_confint


def power(p, minimum, level, trials):
    counts = np.arange(trials + 1)
    lower, upper = proportion_confint(counts, trials, alpha=1 - level, method="wilson")
    decided = lower >= minimum if p > minimum else upper < minimum
    return float(binom.pmf(counts, trials, p)[decided].sum())


def main(k, n, minimum, level, trials):
    p = k / n
    print(
        json.dumps(
            {
                "power": power(p, minimum, level, trials),
                "power_at_nine_tenths": power(p, minimum, level, trials * 9 // 10),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
