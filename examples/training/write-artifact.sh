#!/usr/bin/env bash
# The training workflow's file-producing step, runnable anywhere:
#   write-artifact.sh VALIDATION_SET OUT_DIR [SEED]
# scores the validation pairs (predict.py: replace its stand-in model with
# yours), then lists every file of OUT_DIR in OUT_DIR/checksums.txt, in
# sha256sum format (names relative to OUT_DIR), which the gate verifies.
set -euo pipefail
validation_set=$1 out=$2 seed=${3:-42}
python3 "$(dirname "$0")/predict.py" "$validation_set" "$out" --seed "$seed"
cd "$out"
find . -type f ! -name checksums.txt -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum > checksums.txt
