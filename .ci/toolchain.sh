#!/usr/bin/env bash
# Makes sure the toolchain rust-toolchain.toml pins can run. rustup installs
# it on demand where it can download (GitHub's runners). A machine that
# cannot download toolchains but whose `stable` is that very release gets
# the pinned name as an alias of `stable`; any other machine gets an error
# saying which toolchain to install.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
rustup run "$pinned" rustc --version >/dev/null 2>&1 && exit 0
if [ "${RUSTUP_AUTO_INSTALL:-1}" != 0 ]; then
  rustup toolchain install "$pinned" --profile minimal --component clippy,rustfmt
  exit 0
fi
stable=$(rustup run stable rustc --version 2>/dev/null || true)
if [[ $stable != "rustc $pinned "* ]]; then
  echo "rust-toolchain.toml pins $pinned; install it (rustup toolchain install $pinned)," \
    "stable is ${stable:-not installed}" >&2
  exit 1
fi
toolchains=${RUSTUP_HOME:-$HOME/.rustup}/toolchains
host=$(rustup run stable rustc -vV | sed -n 's/^host: //p')
ln -s "$toolchains/stable-$host" "$toolchains/$pinned-$host"
echo "toolchain $pinned: an alias of stable ($stable)"
