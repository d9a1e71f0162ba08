#!/usr/bin/env python3
"""Scores the validation pairs: the training workflow's file-producing step.

Usage: predict.py VALIDATION_SET OUT_DIR [--seed N] [--key-columns left_id,right_id]

Writes OUT_DIR/predictions.parquet with the key columns of every pair of
VALIDATION_SET and a float64 `score`, and OUT_DIR/model.json with what
produced it. `score_pairs` below is a stand-in model, so the skeleton runs
end to end: replace it with your model's scoring of each pair (Splink's
`linker.inference.predict()`, a classifier's `predict_proba`, ...). The gate
joins these predictions to the labels on the key columns.
"""

import argparse
import json
import math
import os
import pathlib
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def score_pairs(pairs: pa.Table, seed: int) -> np.ndarray:
    """YOUR MODEL GOES HERE: one match probability (or log-odds) a pair.

    The stand-in reuses a `score` column when the validation set has one
    (the bundled sample does), else draws seeded noise.
    """
    if "score" in pairs.column_names:
        return pairs.column("score").to_numpy()
    return np.random.default_rng(seed).random(pairs.num_rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("validation_set")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--key-columns", default="left_id,right_id")
    args = ap.parse_args()
    keys = [k.strip() for k in args.key_columns.split(",") if k.strip()]
    pairs = pq.read_table(args.validation_set)
    started = time.perf_counter()
    scores = score_pairs(pairs, args.seed)
    # The mean seconds a pair: the dashboard's inference latency.
    latency = (time.perf_counter() - started) / max(pairs.num_rows, 1)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = pa.table({**{k: pairs.column(k) for k in keys}, "score": pa.array(scores, pa.float64())})
    pq.write_table(table, out / "predictions.parquet")
    info = {"seed": args.seed, "key_columns": keys, "pairs": table.num_rows, "model": "stand-in"}
    info["inference_latency_seconds"] = latency
    # Set by the training workflow's training step, when it ran.
    duration = os.environ.get("TRAINING_DURATION_SECONDS", "")
    try:
        if math.isfinite(float(duration)) and float(duration) >= 0:
            info["training_duration_seconds"] = float(duration)
    except ValueError:
        pass
    (out / "model.json").write_text(json.dumps(info, indent=2) + "\n")


if __name__ == "__main__":
    main()
