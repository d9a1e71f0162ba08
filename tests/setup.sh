#!/usr/bin/env bash
# Installs what the tests use, once: in the virtual environment tests/.venv,
# pyarrow, pandas, scikit-learn and statsmodels (the oracles), PyYAML
# (tests/container.sh reads action.yml with it), and DuckDB, PySpark and
# sqlglot (the queries of sql/ run as a user would);
# Debian's prometheus-pushgateway and prometheus (the push and dashboard
# tests start them) and openjdk-17-jre-headless (Spark in local mode);
# and, from npm, Prism with GitHub's published OpenAPI description (the
# comment tests validate every request against it) and Azurite, Microsoft's
# Azure Storage emulator (the object storage tests read from it).
# Idempotent: run it before `cargo test --release --features external-tests`,
# as the README says.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/venv.sh tests/.venv tests/requirements.txt

if ! command -v prometheus-pushgateway >/dev/null || ! command -v prometheus >/dev/null \
  || ! command -v java >/dev/null || ! command -v jq >/dev/null; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    prometheus prometheus-pushgateway openjdk-17-jre-headless jq
fi

if [ ! -x tests/node/node_modules/.bin/prism ] \
  || [ ! -f tests/node/node_modules/@octokit/openapi/generated/api.github.com.deref.json ] \
  || [ ! -x tests/node/node_modules/.bin/azurite-blob ]; then
  npm install --silent --no-audit --no-fund --prefix tests/node \
    @stoplight/prism-cli@5.16.0 @octokit/openapi@23.0.2 azurite@3.35.0
fi
