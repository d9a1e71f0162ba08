#!/usr/bin/env bash
# Builds the action's image from the unchanged Dockerfile and starts it as
# GitHub's runner starts a container action (ContainerActionHandler): workdir
# /github/workspace, the runner's five mounts, every input of action.yml as
# INPUT_* with its default filled in, the file commands under
# /github/file_commands, GITHUB_ACTIONS=true. Then checks a pass, a failed
# gate, a wrong hash and a missing file, and reports the build time and the
# image's size.
#
# Needs a running Docker engine that can build the Dockerfile's base images
# (.ci/run starts one with local stand-ins for them) and tests/.venv (tests/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

image=er-precision-gate:container-test
token=ghs_containerTestToken0123456789abcdef
failures=0

# Without buildx the client's legacy builder is the one there is; say so
# rather than let the client fail on a missing plugin.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
echo "building $image from Dockerfile"
start=$(date +%s)
docker build --quiet --network host -t "$image" . >/dev/null
build_seconds=$(($(date +%s) - start))
size=$(docker image inspect "$image" --format '{{.Size}}')
echo "image built in ${build_seconds} s; size $((size / 1000 / 1000)) MB ($size bytes)"

temp=$(mktemp -d)
trap 'rm -rf "$temp"' EXIT

# The inputs as the runner sets them: each declared input, its default when
# the step gives none (`${{ github.token }}` evaluates to the job's token).
mapfile -d '' declared < <(tests/.venv/bin/python - <<'EOF'
import sys, yaml
inputs = yaml.safe_load(open("action.yml"))["inputs"]
for name, spec in inputs.items():
    default = str(spec.get("default", ""))
    sys.stdout.write(f"{name}\0{default}\0")
EOF
)

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run NAME KEY=VALUE... : one step in a fresh runner layout under $temp/NAME,
# with the sample validation set in the workspace. Leaves the exit code in
# $code, the log (stdout then stderr, as the runner reads both) in $log.
run() {
  local name=$1
  shift
  local dir=$temp/$name
  mkdir -p "$dir"/{workspace/data,home,workflow,file_commands,runner_temp}
  cp fixtures/sample_validation.parquet "$dir/workspace/data/er_20251015.parquet"
  printf '{"repository":{"full_name":"octo/er"},"sender":{"login":"octo"}}\n' >"$dir/workflow/event.json"
  : >"$dir/file_commands/set_output_1" && : >"$dir/file_commands/step_summary_1"
  local -A given=()
  local pair
  for pair in "$@"; do given[${pair%%=*}]=${pair#*=}; done
  local args=() i key value
  for ((i = 0; i < ${#declared[@]}; i += 2)); do
    key=${declared[i]} value=${declared[i + 1]}
    [[ $value == '${{ github.token }}' ]] && value=$token
    [[ -v given[$key] ]] && value=${given[$key]}
    key=INPUT_${key// /_}
    args+=(-e "${key^^}=$value")
  done
  set +e
  docker run --rm --network none --workdir /github/workspace \
    -e GITHUB_ACTIONS=true -e CI=true -e HOME=/github/home \
    -e GITHUB_WORKSPACE=/github/workspace -e GITHUB_EVENT_NAME=workflow_dispatch \
    -e GITHUB_EVENT_PATH=/github/workflow/event.json -e RUNNER_TEMP=/github/runner_temp \
    -e GITHUB_OUTPUT=/github/file_commands/set_output_1 \
    -e GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_1 \
    -e GITHUB_SERVER_URL=https://github.com -e GITHUB_REPOSITORY=octo/er -e GITHUB_RUN_ID=42 \
    "${args[@]}" \
    -v "$dir/workspace:/github/workspace" -v "$dir/home:/github/home" \
    -v "$dir/workflow:/github/workflow" -v "$dir/file_commands:/github/file_commands" \
    -v "$dir/runner_temp:/github/runner_temp" \
    "$image" >"$dir/stdout" 2>"$dir/stderr"
  code=$?
  set -e
  cat "$dir/stdout" "$dir/stderr" >"$dir/log"
  log=$dir/log outputs=$dir/file_commands/set_output_1 summary=$dir/file_commands/step_summary_1
  workspace=$dir/workspace
}

# output NAME: the value of one output the step set (heredoc form).
output() {
  awk -v name="$1" '
    $0 ~ "^" name "<<" { delim = substr($0, length(name) + 3); inside = 1; next }
    inside && $0 == delim { exit }
    inside { print }' "$outputs"
}

expect_code() {
  [[ $code == "$1" ]] || { fail "$2: exit $code, expected $1"; sed 's/^/    /' "$log"; }
}

echo "--- a passing gate"
run pass validation_set=data/er_20251015.parquet \
  dataset_hash="$(sha256sum fixtures/sample_validation.parquet | cut -c1-64)" \
  report_json=gate/report.json model_card=model_cards/er_20251015.md
expect_code 0 "pass"
[[ $(head -n1 "$log") == "::add-mask::$token" ]] || fail "the token is not masked before anything else"
[[ $(grep -c -F "$token" "$log") == 1 ]] || fail "the token appears outside its mask command"
[[ $(output passed) == true ]] || fail "passed output is '$(output passed)'"
[[ $(output verdict) == pass ]] || fail "verdict output is '$(output verdict)'"
[[ $(output precision) =~ ^0\.[0-9]+$ ]] || fail "precision output is '$(output precision)'"
grep -q 'er_20251015.parquet' "$summary" || fail "the summary does not name the validation set"
for file in gate/report.json model_cards/er_20251015.md; do
  [[ -s $workspace/$file ]] || { fail "$file was not written into the workspace"; continue; }
  # Root's files, readable by the runner's user in later steps.
  [[ $(stat -c '%u %a' "$workspace/$file") == "0 644" ]] \
    || fail "$file is $(stat -c 'uid %u mode %a' "$workspace/$file"), expected uid 0 mode 644"
done

echo "--- a failed gate"
run failed validation_set=data/er_20251015.parquet min_precision=0.999 \
  dataset_hash="$(sha256sum fixtures/sample_validation.parquet | cut -c1-64)"
expect_code 1 "failed gate"
grep -q '^::error' "$log" || fail "a failed gate has no ::error annotation"
[[ $(output passed) == false ]] || fail "passed output is '$(output passed)' on a failed gate"

echo "--- a wrong hash"
run wrong_hash validation_set=data/er_20251015.parquet dataset_hash="$(printf '0%.0s' {1..64})"
expect_code 2 "wrong hash"
grep -q '^::error' "$log" || fail "a wrong hash has no ::error annotation"
for metric in precision recall f1; do
  [[ -z $(output "$metric") ]] || fail "a wrong hash still set the $metric output"
done

echo "--- no recorded hash: the action requires one by default"
run unverified validation_set=data/er_20251015.parquet
expect_code 2 "no dataset_hash"
grep -q '^::error.*require_dataset_hash' "$log" || fail "a run without a hash does not name require_dataset_hash"

echo "--- a missing file"
run missing validation_set=data/nowhere.parquet
expect_code 2 "missing file"
grep -q '^::error.*nowhere\.parquet' "$log" || fail "a missing file is not named in an ::error annotation"

if ((failures)); then
  echo "container test: $failures failed"
  exit 1
fi
echo "container test: 4 runs as the runner starts them, all as expected (build ${build_seconds} s, image $((size / 1000 / 1000)) MB)"
