"""Oracle for the predictions join.

Usage: join_oracle.py OUT_DIR THRESHOLD MISSING

Writes OUT_DIR/labels.parquet (labelled pairs: left_id int64, right_id
string, label bool) and OUT_DIR/predictions.parquet (every candidate pair,
shuffled, several row groups: right_id dictionary-encoded, left_id int32,
score float64) with MISSING labelled pairs left unscored, then prints as
JSON the confusion matrix of their pandas inner merge at THRESHOLD
(scikit-learn), the predictions of unlabelled pairs and the labelled pairs
without a prediction. Also writes OUT_DIR/merged.parquet: the labelled
pairs that have a prediction, in their order, with the score added (what
errors_oracle.py selects a joined errors file's rows from).
"""

import json
import pathlib
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.metrics import confusion_matrix


def main(out_dir, threshold, missing):
    out = pathlib.Path(out_dir)
    rng = np.random.default_rng(20251127)
    n = 40_000
    ids = rng.permutation(n)
    candidates = pd.DataFrame(
        {
            "left_id": (ids * 7 + 3).astype(np.int64),
            "right_id": [f"r{i % 997}-{i}" for i in ids],
            "score": rng.random(n),
        }
    )
    labelled = candidates.sample(6_000, random_state=1).copy()
    noise = rng.normal(0, 0.2, len(labelled))
    labelled["label"] = (labelled["score"] + noise) > 0.55
    unscored = labelled.sample(missing, random_state=2)[["left_id", "right_id"]]
    scored = candidates.merge(unscored, how="left", indicator=True)
    scored = scored[scored["_merge"] == "left_only"].drop(columns="_merge")
    scored = scored.sample(frac=1.0, random_state=3)

    pq.write_table(
        pa.table(
            {
                "left_id": pa.array(labelled["left_id"], pa.int64()),
                "right_id": pa.array(labelled["right_id"], pa.string()),
                "label": pa.array(labelled["label"], pa.bool_()),
            }
        ),
        out / "labels.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "right_id": pa.array(scored["right_id"]).dictionary_encode(),
                "left_id": pa.array(scored["left_id"], pa.int32()),
                "score": pa.array(scored["score"], pa.float64()),
            }
        ),
        out / "predictions.parquet",
        row_group_size=7_000,
    )

    # Inner merge keeps the labelled pairs' order: the errors file's rows
    # are the labelled rows with their score added.
    merged = labelled.drop(columns="score").merge(scored, on=["left_id", "right_id"], how="inner")
    pq.write_table(pa.Table.from_pandas(merged, preserve_index=False), out / "merged.parquet")
    tn, fp, fn, tp = confusion_matrix(
        merged["label"], merged["score"] >= threshold, labels=[False, True]
    ).ravel()
    print(
        json.dumps(
            {
                "tp": int(tp),
                "fp": int(fp),
                "fn": int(fn),
                "tn": int(tn),
                "unlabelled": int(len(scored) - len(merged)),
                "unpredicted": int(len(labelled) - len(merged)),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
