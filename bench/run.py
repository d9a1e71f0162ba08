#!/usr/bin/env python3
"""Benchmark er-precision-gate against DuckDB and polars on the same file.

Usage:
    cargo build --release
    pip install -r bench/requirements.txt
    python3 bench/run.py [--rows 1000000 10000000] [--repeat 5]
    python3 bench/run.py --rows 100000000          # about 1.3 GB
    python3 bench/run.py --page-index              # 64 KiB pages and a page index

For each size it generates (once, cached in bench/data/) a validation set with
a fixed seed: row groups of 1M rows, snappy, columns pair_id (int64), label
(bool), score (float64), entity_type (dictionary string, 8 values). It then
runs, with the page cache warm, each of:

    gate         er-precision-gate --sweep false (the SHA-256 is always computed, beside the metrics)
    gate+verify  the same with --dataset-hash (the hash must match)
    gate+stats   gate+verify with --confidence 0.95 and the threshold sweep on (the defaults)
    gate+slices  gate with --slice-columns entity_type (8 values)
    gate+errors  gate with --errors-file (the 1000 most confident of each kind)
    duckdb       python3 -c 'import duckdb; ... confusion matrix in SQL'
    duckdb+errors  the same, then the same errors as gate+errors written to parquet
    polars       python3 -c 'import polars; ... confusion matrix, lazy scan'
    openssl      openssl dgst -sha256 FILE

each --repeat times, process start included, and prints the median wall time,
rows/s and peak RSS (GNU time's %M, so /usr/bin/time must exist: Debian
package `time`). The confusion matrices must agree, or the script exits 1.
Then it runs the library's metrics pass alone, hash excluded, with and
without the sweep and with slices by entity_type (`cargo bench --bench
metrics`), since on large files the
hash bounds the binary's wall time. It is a benchmark, not a test: run it on
an idle machine.
"""

import argparse
import hashlib
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
THRESHOLD = 0.5
GROUP = 1_000_000

DUCKDB = """
import duckdb, json, sys
tp, fp, fn, tn = duckdb.sql(f'''
    select count(*) filter (where label and score >= {sys.argv[2]}),
           count(*) filter (where not label and score >= {sys.argv[2]}),
           count(*) filter (where label and score < {sys.argv[2]}),
           count(*) filter (where not label and score < {sys.argv[2]})
    from read_parquet('{sys.argv[1]}')''').fetchall()[0]
print(json.dumps(dict(tp=tp, fp=fp, fn=fn, tn=tn)))
"""

# The same counts, then the 1000 most confident errors of each kind with
# every column, as errors_file chooses them (no rank column), written to
# parquet: what the gate's `gate+errors` does, in SQL.
DUCKDB_ERRORS = DUCKDB + """
duckdb.sql("set enable_progress_bar = false")  # it would write to stdout
duckdb.sql(f'''copy (
    (select *, 'false_positive' as error from read_parquet('{sys.argv[1]}')
     where not label and score >= {sys.argv[2]} order by score desc limit 1000)
    union all
    (select *, 'false_negative' as error from read_parquet('{sys.argv[1]}')
     where label and score < {sys.argv[2]} order by score asc limit 1000)
) to '{sys.argv[3]}' (format parquet)''')
"""

POLARS = """
import polars as pl, json, sys
t = float(sys.argv[2])
p = pl.col("score") >= t
l = pl.col("label")
row = pl.scan_parquet(sys.argv[1]).select(
    (l & p).sum().alias("tp"), (~l & p).sum().alias("fp"),
    (l & ~p).sum().alias("fn"), (~l & ~p).sum().alias("tn"),
).collect().row(0, named=True)
print(json.dumps({k: int(v) for k, v in row.items()}))
"""


def generate(path, rows, page_index=False, seed=20251015):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    schema = pa.schema(
        [
            ("pair_id", pa.int64()),
            ("label", pa.bool_()),
            ("score", pa.float64()),
            ("entity_type", pa.dictionary(pa.int8(), pa.string())),
        ]
    )
    kinds = pa.array(
        ["person", "organization", "address", "vessel", "product", "event", "place", "work"]
    )
    tmp = path.with_suffix(".tmp")
    # With --page-index: pages of 64 KiB and an offset index, so a reader
    # can skip the pages that hold no row it wants (errors_file's read-back).
    layout = dict(write_page_index=True, data_page_size=64 * 1024) if page_index else {}
    with pq.ParquetWriter(tmp, schema, compression="snappy", **layout) as writer:
        for start in range(0, rows, GROUP):
            n = min(GROUP, rows - start)
            label = rng.random(n) < 0.2
            score = np.where(label, rng.beta(4.5, 1.3, n), rng.beta(1.2, 7.0, n))
            kind = pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, 8, n).astype(np.int8)), kinds
            )
            table = pa.table(
                [pa.array(np.arange(start, start + n, dtype=np.int64)), label, score, kind],
                schema=schema,
            )
            writer.write_table(table, row_group_size=GROUP)
    tmp.rename(path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def run(cmd, env=None):
    """Runs cmd under GNU time; returns (seconds, peak RSS in MiB, exit code, stdout).

    Peak RSS comes from GNU time's wait4 on its own small child: measured from
    this (large) Python process, ru_maxrss would include Python's own memory,
    which a forked child inherits until it execs.
    """
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd], capture_output=True, env=env
        )
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr.decode())
        peak_kib = int(rss.read().split()[-1])
    return elapsed, peak_kib / 1024, proc.returncode, proc.stdout.decode()


def measure(tools, repeat):
    """Runs each tool (name -> (cmd, env)) `repeat` times, in order.

    Gives, per tool, (median seconds, peak RSS in MiB) and the last run's
    stdout. A tool that exits non-zero stops the benchmark. A tool's last
    run is the one whose report a caller reads, so tools run one after the
    other, each `repeat` times.
    """
    results, outputs = {}, {}
    for name, (cmd, tool_env) in tools.items():
        times, rss = [], []
        for _ in range(repeat):
            seconds, peak, code, out = run(cmd, tool_env)
            if code != 0:
                sys.exit(f"{name} exited {code}: {' '.join(cmd)}")
            times.append(seconds)
            rss.append(peak)
        results[name] = (statistics.median(times), max(rss))
        outputs[name] = out
    return results, outputs


def gate_counts(report):
    c = json.loads(pathlib.Path(report).read_text())["counts"]
    return {k: c[k] for k in ("tp", "fp", "fn", "tn")}


def chosen_errors(path):
    """The (kind, pair_id) of every row of an errors file."""
    import pyarrow.parquet as pq

    t = pq.read_table(path, columns=["error", "pair_id"])
    return set(zip(t["error"].to_pylist(), t["pair_id"].to_pylist()))


def bench(path, rows, repeat, binary):
    digest = sha256(path)  # also warms the page cache
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    gate = [
        binary, "--validation-set", str(path), "--min-precision", "0", "--min-recall", "0",
        "--min-f1", "0", "--decision-threshold", str(THRESHOLD),
    ]
    verify = ["--dataset-hash", digest]
    errors = tempfile.NamedTemporaryFile(suffix=".parquet", delete=False).name
    duck_errors = tempfile.NamedTemporaryFile(suffix=".parquet", delete=False).name
    gates = {
        "gate": ["--sweep", "false"],
        "gate+verify": verify + ["--sweep", "false"],
        "gate+stats": verify + ["--confidence", "0.95"],
        "gate+slices": ["--sweep", "false", "--slice-columns", "entity_type"],
        "gate+errors": ["--sweep", "false", "--errors-file", errors],
    }
    reports = {name: tempfile.NamedTemporaryFile(suffix=".json", delete=False).name for name in gates}
    tools = {name: (gate + extra + ["--report-json", reports[name]], env) for name, extra in gates.items()}
    tools.update({
        "duckdb": ([sys.executable, "-c", DUCKDB, str(path), str(THRESHOLD)], None),
        "duckdb+errors": (
            [sys.executable, "-c", DUCKDB_ERRORS, str(path), str(THRESHOLD), duck_errors], None
        ),
        "polars": ([sys.executable, "-c", POLARS, str(path), str(THRESHOLD)], None),
        "openssl": (["openssl", "dgst", "-sha256", str(path)], None),
    })
    results, outputs = measure(tools, repeat)
    counts = {name: gate_counts(report) for name, report in reports.items()}
    for report in reports.values():
        os.unlink(report)
    for name in ("duckdb", "duckdb+errors", "polars"):
        counts[name] = json.loads(outputs[name])
    chosen = [chosen_errors(f) for f in (errors, duck_errors)]
    if chosen[0] != chosen[1]:
        sys.exit(f"the errors chosen differ: {len(chosen[0] ^ chosen[1])} pairs")
    if digest not in outputs["openssl"]:
        sys.exit(f"openssl disagrees on the hash: {outputs['openssl']}")
    first = counts["gate"]
    for name, c in counts.items():
        if c != first:
            sys.exit(f"confusion matrices differ: gate {first}, {name} {c}")

    size = path.stat().st_size
    print(f"\n{rows:,} rows, {size / 1e6:,.0f} MB, {size / rows:.1f} B/row, counts {first}")
    print(f"{'tool':<14} {'wall s':>8} {'rows/s':>14} {'peak RSS MiB':>13}")
    for name, (seconds, peak) in results.items():
        print(f"{name:<14} {seconds:>8.3f} {rows / seconds:>14,.0f} {peak:>13.1f}")
    fastest = min(results["duckdb"][0], results["polars"][0])
    print(f"gate / fastest of duckdb, polars: {results['gate'][0] / fastest:.2f}x")
    print(f"gate+verify / openssl dgst -sha256: {results['gate+verify'][0] / results['openssl'][0]:.2f}x")
    print(f"gate+stats / gate+verify: {results['gate+stats'][0] / results['gate+verify'][0]:.2f}x")
    print(f"gate+slices / gate: {results['gate+slices'][0] / results['gate'][0]:.2f}x")
    print(f"gate+errors / gate: {results['gate+errors'][0] / results['gate'][0]:.2f}x")
    print(f"duckdb+errors / duckdb: {results['duckdb+errors'][0] / results['duckdb'][0]:.2f}x")
    print(f"gate+errors / duckdb+errors: {results['gate+errors'][0] / results['duckdb+errors'][0]:.2f}x")
    os.unlink(errors)
    os.unlink(duck_errors)
    print(f"gate peak RSS: {max(v[1] for k, v in results.items() if k.startswith('gate')):.1f} MiB")
    sys.stdout.flush()
    subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "metrics", "--", str(path), str(repeat)],
        cwd=ROOT,
        check=True,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--binary", default=str(ROOT / "target/release/er-precision-gate"))
    ap.add_argument("--data", default=str(HERE / "data"), help="where generated files are cached")
    ap.add_argument(
        "--page-index",
        action="store_true",
        help="write the files with 64 KiB pages and a page index (pyarrow's default: neither)",
    )
    args = ap.parse_args()
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    print(f"cpu cores: {os.cpu_count()}; binary: {args.binary}")
    for rows in args.rows:
        suffix = "_page_index" if args.page_index else ""
        path = data / f"validation_{rows}{suffix}.parquet"
        if not path.exists():
            print(f"generating {path} ...", flush=True)
            generate(path, rows, args.page_index)
        bench(path, rows, args.repeat, args.binary)


if __name__ == "__main__":
    main()
