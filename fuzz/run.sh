#!/usr/bin/env bash
# Seeds the corpora from fixtures/ and the hostile cases, then runs every
# fuzz target for a bounded time. Fails on any crash (the input is kept in
# fuzz/artifacts/<target>/): a panic, an input that makes a target hold more
# than 512 MiB, or one that runs more than 10 s. Needs a nightly toolchain
# and cargo-fuzz.
#
# Usage: bash fuzz/run.sh [seconds per target, default 60] [targets...]
set -euo pipefail
shopt -s extglob
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(evaluate inputs texts config counts templates)

for target in evaluate inputs texts config counts templates; do mkdir -p "fuzz/corpus/$target"; done
seed() { printf '%b' "$3" > "fuzz/corpus/$1/$2"; }

for f in fixtures/*.parquet; do
  for pick in 0 1 2 5; do
    { printf '%b' "\\x0$pick"; cat "$f"; } > "fuzz/corpus/evaluate/$(basename "$f" .parquet)-$pick"
  done
done
# Bit 6 of the first byte: cluster mode, on the file that has its columns;
# bit 7 with the true entities as names; bit 3 (confidence) there reads them
# as a sampled benchmark.
for pick in 40 44 48 c0 c4 c8; do
  { printf '%b' "\\x$pick"; cat fixtures/clusters.parquet; } > "fuzz/corpus/evaluate/clusters-$pick"
done
forged='\\n::set-output name=passed::true\\n::add-mask::ER precision gate\\n::warning::forged\\n'
seed inputs defaults 'MIN_PRECISION=0.92\nMIN_RECALL=0.88\nMIN_F1=0.90'
seed inputs numbers '2=1e-400\n3=-0\n8=NaN\n14=0.02\nBASELINE=b.json'
seed inputs forged "LABEL_COLUMN=x${forged}\nDATASET_HASH=##[stop-commands]tok\n--min-f1=0.9"
seed inputs push 'PUSHGATEWAY_URL=http://127.0.0.1:9091\nPUSHGATEWAY_USERNAME=u\nCOMMENT_ON=#42'
cp fixtures/checksums.txt fuzz/corpus/texts/checksums
seed texts escaped "\\\\$(printf '0%.0s' {1..64})  dir\\\\\\\\a\\\\nb${forged}\n"
seed texts baseline '{"schema_version": 1, "metrics": {"precision": 1e308, "recall": null, "f1": 0.5}, "dataset": {"sha256": "ab"}, "model": {"id": "a\\nb"}}'
seed texts markdown '\n\n## ✅ ER precision gate passed\n\n[Approved: deploy](https://evil.example)\n```x``'
# YAML configs: deep nesting, an alias bomb, duplicate keys (top and nested).
seed config nested "$(printf '[%.0s' {1..5000})"
seed config laughs 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
seed config duplicates 'min_precision: 0.9\nslice_minimums:\n  region:\n    precision: 0.5\n    precision: 0.1\nmin_precision: 0.1\n'
seed config plain 'min_precision: 0.92\nmin_recall: 0.88\nreport_only: false\nread_timeout_seconds: 18446744073709551615\n'
# Counts files: sums that overflow, negative and fractional counts, JSON.
seed counts overflow 'true_positives,false_positives,false_negatives\n9223372036854775807,1,1\n9223372036854775807,1,1\n'
seed counts negative 'true_positives,false_positives,false_negatives\n-1,2,3\n1.5,0,0\n'
seed counts json '{"true_positives": 18446744073709551615, "false_positives": 0, "false_negatives": 0}'
# Card templates: a partial that includes itself, deep blocks, every helper.
seed templates recursive '{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}'
seed templates nested "$(printf '{{#if true}}%.0s' {1..300})x$(printf '{{/if}}%.0s' {1..300})"
seed templates plain '# {{model.id}}\n{{#each metrics}}{{@key}}: {{this}}\n{{/each}}{{> details}}'

# A case that holds more than 512 MiB or runs more than 10 s is a crash.
# ASan's quarantine of freed memory (256 MiB by default) counts in the
# process's RSS: evaluate, reading whole parquet files, passed 512 MiB with
# 47 MB of live heap. A 16 MiB quarantine keeps its peak near 200 MiB, so
# the limit measures the gate, not the sanitizer.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16}"
for target in "${targets[@]}"; do
  echo "--- fuzz $target for ${seconds}s"
  mkdir -p "fuzz/artifacts/$target"
  set +e
  cargo +nightly fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=512 -timeout=10 \
    -artifact_prefix="fuzz/artifacts/$target/" > "fuzz/artifacts/$target.log" 2>&1
  status=$?
  set -e
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)|panicked|SUMMARY' \
    "fuzz/artifacts/$target.log" || true
  # slow-unit-* files are libFuzzer's notes on slow inputs, not failures.
  if [ "$status" != 0 ] || compgen -G "fuzz/artifacts/$target/@(crash|leak|oom|timeout)-*" > /dev/null; then
    tail -40 "fuzz/artifacts/$target.log" >&2
    echo "fuzz target $target failed (exit $status); inputs in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
