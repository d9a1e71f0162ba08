#!/usr/bin/env python3
"""Benchmark reading a validation set from an S3-compatible server.

Usage:
    cargo build --release
    pip install -r bench/requirements.txt
    python3 bench/object_store.py [--rows 10000000] [--repeat 3]

It takes run.py's validation set of --rows rows (pyarrow's defaults: no
page index) and a copy of it with a page index and 64 KiB pages (both
cached in bench/data/), starts moto's S3 server on this machine, uploads both, and
runs, each --repeat times, process start included:

    gate             er-precision-gate on the object (counting and the hash)
    gate+errors      the same with errors_file (1,000 of each kind read back)
    gate+errors, pi  the same on the page-indexed copy
    polars           the confusion matrix from a lazy scan of the object

It prints the median wall time, the peak RSS and the requests the server
answered per run. The server is local and single-threaded: the times say
how many round trips and bytes a read costs, not what S3 would take. The
confusion matrices must agree, and so must the two errors files, or the
script exits 1.
"""

import argparse
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: the generator and the timing)

POLARS = """
import polars as pl, json, sys
t = float(sys.argv[2])
p = pl.col("score") >= t
l = pl.col("label")
options = {"aws_endpoint_url": sys.argv[3], "aws_access_key_id": "bench", "aws_region": "us-east-1",
           "aws_secret_access_key": "bench", "aws_allow_http": "true"}
row = pl.scan_parquet(sys.argv[1], storage_options=options).select(
    (l & p).sum().alias("tp"), (~l & p).sum().alias("fp"),
    (l & ~p).sum().alias("fn"), (~l & ~p).sum().alias("tn"),
).collect().row(0, named=True)
print(json.dumps({k: int(v) for k, v in row.items()}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default=str(run.ROOT / "target/release/er-precision-gate"))
    ap.add_argument("--data", default=str(run.HERE / "data"), help="where generated files are cached")
    args = ap.parse_args()
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    files = {"plain": data / f"validation_{args.rows}.parquet", "pi": data / f"validation_{args.rows}_paged.parquet"}
    if not files["plain"].exists():
        print(f"generating {files['plain']} ...", flush=True)
        run.generate(files["plain"], args.rows)
    if not files["pi"].exists():
        import pyarrow.parquet as pq

        print(f"copying it with a page index to {files['pi']} ...", flush=True)
        source = pq.ParquetFile(files["plain"])
        with pq.ParquetWriter(files["pi"], source.schema_arrow, compression="snappy",
                              write_page_index=True, data_page_size=64 * 1024) as w:
            for g in range(source.num_row_groups):
                w.write_table(source.read_row_group(g), row_group_size=run.GROUP)

    import boto3

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(mode="w+", suffix=".log")
    moto = pathlib.Path(sys.executable).parent / "moto_server"
    moto = str(moto) if moto.exists() else "moto_server"
    server = subprocess.Popen([moto, "-p", str(port)], stderr=log, stdout=log)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="bench", aws_secret_access_key="bench")
        s3.create_bucket(Bucket="bench")
        for kind, path in files.items():
            s3.upload_file(str(path), "bench", f"{kind}.parquet")
        measure(args, endpoint, log)
    finally:
        server.terminate()
        server.wait()


def measure(args, endpoint, log):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": endpoint, "AWS_ALLOW_HTTP": "true"})
    gate = [args.binary, "--min-precision", "0", "--min-recall", "0", "--min-f1", "0",
            "--decision-threshold", str(run.THRESHOLD), "--sweep", "false"]
    out = pathlib.Path(tempfile.mkdtemp())
    tools = {
        "gate": gate + ["--validation-set", "s3://bench/plain.parquet", "--report-json", str(out / "gate.json")],
        "gate+errors": gate + ["--validation-set", "s3://bench/plain.parquet",
                               "--errors-file", str(out / "plain.parquet")],
        "gate+errors, pi": gate + ["--validation-set", "s3://bench/pi.parquet",
                                   "--errors-file", str(out / "pi.parquet")],
        "polars": [sys.executable, "-c", POLARS, "s3://bench/plain.parquet", str(run.THRESHOLD), endpoint],
    }
    results, outputs, requests = {}, {}, {}
    for name, cmd in tools.items():
        log.seek(0, os.SEEK_END)
        before = log.tell()
        result, output = run.measure({name: (cmd, env)}, args.repeat)
        results.update(result)
        outputs.update(output)
        log.seek(before)
        requests[name] = sum("HTTP/1.1" in line for line in log.read().splitlines()) / args.repeat
    polars = json.loads(outputs["polars"])
    gate_counts = run.gate_counts(out / "gate.json")
    if polars != gate_counts:
        sys.exit(f"confusion matrices differ: gate {gate_counts}, polars {polars}")
    import pyarrow.parquet as pq

    if not pq.read_table(out / "plain.parquet").equals(pq.read_table(out / "pi.parquet")):
        sys.exit("the errors files of the two layouts differ")
    print(f"\n{args.rows:,} rows from moto's S3 server on this machine; {os.cpu_count()} cores; counts {gate_counts}")
    print(f"{'tool':<16} {'wall s':>8} {'peak RSS MiB':>13} {'requests':>9}")
    for name, (seconds, peak) in results.items():
        print(f"{name:<16} {seconds:>8.3f} {peak:>13.1f} {requests[name]:>9.0f}")


if __name__ == "__main__":
    main()
