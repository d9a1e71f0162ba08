#!/usr/bin/env bash
# Refuses a release that would replace or mislabel one, before anything is
# built or pushed. Run by release.yml from the checked-out commit:
#   VERSION=1.2.0 release-guard.sh
# with GITHUB_REF_NAME, GITHUB_REPOSITORY and GITHUB_REPOSITORY_OWNER set,
# `origin` reachable, and `gh` and `docker` on PATH. Writes `move_major`
# (true when VERSION is the highest of its major line, so v1 may move) to
# $GITHUB_OUTPUT.
set -euo pipefail
refuse() {
  echo "::error title=Release refused::$1"
  exit 1
}
[[ "$VERSION" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  refuse "version must be MAJOR.MINOR.PATCH, without a v or leading zeros: got '$VERSION'"
cargo_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ "$cargo_version" = "$VERSION" ] ||
  refuse "Cargo.toml says version $cargo_version, and the binary reports it: set it to $VERSION, merge that, then release"
default=$(gh repo view "$GITHUB_REPOSITORY" --json defaultBranchRef --jq .defaultBranchRef.name)
[ "$GITHUB_REF_NAME" = "$default" ] ||
  refuse "releases start from the default branch $default, not $GITHUB_REF_NAME"
if git ls-remote --exit-code --tags origin "refs/tags/v$VERSION" >/dev/null; then
  refuse "tag v$VERSION exists: a released version is never replaced; release the next version instead"
fi
image="ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/er-precision-gate"
if docker manifest inspect "$image:$VERSION" >/dev/null 2>&1; then
  refuse "image $image:$VERSION exists without its tag: delete the package version, or release the next version"
fi
major=${VERSION%%.*}
highest=$(
  {
    git ls-remote --tags origin "refs/tags/v$major.*" | sed -n 's|.*refs/tags/v\([0-9]*\.[0-9]*\.[0-9]*\)$|\1|p'
    echo "$VERSION"
  } | sort -V | tail -n 1
)
move_major=false
[ "$highest" = "$VERSION" ] && move_major=true
echo "move_major=$move_major" >> "${GITHUB_OUTPUT:-/dev/stdout}"
echo "release $VERSION from $GITHUB_REF_NAME: allowed (v$major moves: $move_major)"
