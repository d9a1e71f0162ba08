"""Oracle for errors_file.

Usage: errors_oracle.py VALIDATION_SET ERRORS_FILE DECISION LIMIT

DECISION is `score:THRESHOLD` or `prediction:COLUMN`. Selects with pandas,
from VALIDATION_SET, the false positives with the highest scores and the
false negatives with the lowest (ties: the earlier row first), or with a
prediction column the first ones in file order, LIMIT of each (0: all),
and prints as JSON those rows (`expected`, every column plus `error` and
`rank`) beside the rows pyarrow reads from ERRORS_FILE (`actual`).
"""

import json
import sys

import pandas as pd
import pyarrow.parquet as pq


def main(validation_set, errors_file, decision, limit):
    frame = pd.read_parquet(validation_set)
    kind, arg = decision.split(":", 1)
    label = frame["label"].astype(bool)
    predicted = frame["score"] >= float(arg) if kind == "score" else frame[arg].astype(bool)
    picked = []
    for error, mask, ascending in [
        ("false_positive", predicted & ~label, False),
        ("false_negative", label & ~predicted, True),
    ]:
        rows = frame[mask].copy()
        if kind == "score":
            rows["_row"] = rows.index
            rows = rows.sort_values(["score", "_row"], ascending=[ascending, True]).drop(columns="_row")
        if limit:
            rows = rows.head(limit)
        rows["error"] = error
        rows["rank"] = range(1, len(rows) + 1)
        picked.append(rows)
    expected = pd.concat(picked).reset_index(drop=True)
    actual = pq.read_table(errors_file).to_pandas()
    as_records = lambda df: json.loads(df.to_json(orient="records", double_precision=15))
    json.dump({"expected": as_records(expected), "actual": as_records(actual)}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
