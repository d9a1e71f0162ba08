#!/usr/bin/env python3
"""Benchmark a folder of parts against the same data as one file.

Usage:
    cargo build --release
    pip install -r bench/requirements.txt
    python3 bench/parts.py [--rows 100000000] [--parts 16] [--repeat 5]

It takes run.py's validation set of --rows rows (generated once, cached in
bench/data/) and writes the same row groups as --parts part files under a
folder (cached too). With the page cache warm it then runs, each --repeat
times, process start included:

    file           er-precision-gate on the file with --dataset-hash
    parts          er-precision-gate on the folder with --dataset-hash (its manifest's hash)
    duckdb         the confusion matrix in SQL over read_parquet('folder/*.parquet')
    polars         the same, lazy scan of the folder
    openssl        openssl dgst -sha256 of the file
    openssl -P     openssl dgst -sha256 of the parts, one process per core at a time

and prints the median wall time and peak RSS of each, and the ratios. A
single file's hash is one SHA-256 stream, so one core bounds it; the parts
are hashed on every core while they are counted. `openssl -P` is the floor
for hashing the parts alone. The confusion matrices must agree, and the
gate's hash of the folder must equal the manifest's made by find, sort and
sha256sum, or the script exits 1.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: the generator and the timing)

MANIFEST = (
    "find . -mindepth 1 -name '[._]*' -prune -o -type f -name '*.parquet' -printf '%P\\n'"
    " | LC_ALL=C sort | xargs -r -d '\\n' sha256sum"
)


def split(path, folder, parts):
    """Writes the file's row groups, unchanged in size, as `parts` files."""
    import numpy as np
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    tmp = folder.with_suffix(".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    groups = np.array_split(np.arange(source.metadata.num_row_groups), parts)
    for i, chunk in enumerate(groups):
        with pq.ParquetWriter(tmp / f"part-{i:05}.parquet", source.schema_arrow, compression="snappy") as w:
            for g in chunk:
                w.write_table(source.read_row_group(int(g)), row_group_size=run.GROUP)
    tmp.rename(folder)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--parts", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--binary", default=str(run.ROOT / "target/release/er-precision-gate"))
    ap.add_argument("--data", default=str(run.HERE / "data"), help="where generated files are cached")
    args = ap.parse_args()
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"validation_{args.rows}.parquet"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        run.generate(path, args.rows)
    folder = data / f"validation_{args.rows}_{args.parts}_parts"
    if not folder.exists():
        print(f"splitting into {folder} ...", flush=True)
        split(path, folder, args.parts)
    manifest = subprocess.run(["sh", "-c", MANIFEST], cwd=folder, capture_output=True, check=True).stdout
    import hashlib

    folder_hash = hashlib.sha256(manifest).hexdigest()
    file_hash = run.sha256(path)
    for part in sorted(folder.glob("*.parquet")):
        run.sha256(part)  # warms the page cache
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    gate = [args.binary, "--min-precision", "0", "--min-recall", "0", "--min-f1", "0",
            "--decision-threshold", str(run.THRESHOLD), "--sweep", "false"]
    reports = {n: tempfile.NamedTemporaryFile(suffix=".json", delete=False).name for n in ("file", "parts")}
    glob = str(folder / "*.parquet")
    cores = str(os.cpu_count())
    tools = {
        "file": (gate + ["--validation-set", str(path), "--dataset-hash", file_hash,
                         "--report-json", reports["file"]], env),
        "parts": (gate + ["--validation-set", str(folder), "--dataset-hash", folder_hash,
                          "--report-json", reports["parts"]], env),
        "duckdb": ([sys.executable, "-c", run.DUCKDB, glob, str(run.THRESHOLD)], None),
        "polars": ([sys.executable, "-c", run.POLARS, glob, str(run.THRESHOLD)], None),
        "openssl": (["openssl", "dgst", "-sha256", str(path)], None),
        "openssl -P": (["sh", "-c", f"ls {folder}/*.parquet | xargs -P {cores} -n 1 openssl dgst -sha256"], None),
    }
    results, outputs = run.measure(tools, args.repeat)
    counts = {name: run.gate_counts(report) for name, report in reports.items()}
    import json

    for name in ("duckdb", "polars"):
        counts[name] = json.loads(outputs[name])
    for report in reports.values():
        os.unlink(report)
    if len({json.dumps(c, sort_keys=True) for c in counts.values()}) != 1:
        sys.exit(f"confusion matrices differ: {counts}")
    size = path.stat().st_size
    print(f"\n{args.rows:,} rows, {size / 1e6:,.0f} MB as one file and as {args.parts} parts; "
          f"{os.cpu_count()} cores; counts {counts['file']}")
    print(f"{'tool':<12} {'wall s':>8} {'rows/s':>14} {'peak RSS MiB':>13}")
    for name, (seconds, peak) in results.items():
        print(f"{name:<12} {seconds:>8.3f} {args.rows / seconds:>14,.0f} {peak:>13.1f}")
    t = {name: seconds for name, (seconds, _) in results.items()}
    print(f"parts / file (both verified): {t['parts'] / t['file']:.2f}x")
    print(f"file / openssl dgst -sha256: {t['file'] / t['openssl']:.2f}x")
    print(f"parts / openssl -P on the parts (the hash alone): {t['parts'] / t['openssl -P']:.2f}x")
    print(f"parts / fastest of duckdb, polars on the parts: {t['parts'] / min(t['duckdb'], t['polars']):.2f}x")


if __name__ == "__main__":
    main()
