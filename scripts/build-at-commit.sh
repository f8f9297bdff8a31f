#!/usr/bin/env bash
# build-at-commit.sh COMMIT OUT: builds flashbackd as it was at COMMIT (its
# own sources and Makefile) into OUT. The upgrade test runs the chain on the
# release an upgrade starts from, built this way, and upgrades it to the
# current code: the old binary must be the old code, not today's code with a
# handler left out, or its stores would already be at the new versions.
#
# OUT is reused while OUT.commit names COMMIT. Needs the commit in this clone
# (a shallow clone does not have it: git fetch --unshallow).
set -euo pipefail
die() { echo "build-at-commit: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: build-at-commit.sh COMMIT OUT"
commit=$1
out=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$out" in /*) ;; *) out=$PWD/$out ;; esac

if [ -x "$out" ] && [ "$(cat "$out.commit" 2>/dev/null)" = "$commit" ]; then
  echo "$out is already built at ${commit:0:12}"
  exit 0
fi
git -C "$ROOT" cat-file -e "$commit^{commit}" 2>/dev/null ||
  die "commit $commit is not in this clone (a shallow clone? run git fetch --unshallow)"

src=$(mktemp -d)
trap 'chmod -R u+w "$src" 2>/dev/null; rm -rf "$src"' EXIT
git -C "$ROOT" archive "$commit" | tar -x -C "$src"
echo "building flashbackd at ${commit:0:12}…"
make -C "$src" build VERSION="${commit:0:12}" COMMIT="$commit" GO="${GO:-go}" >/dev/null
mkdir -p "$(dirname "$out")"
cp "$src/build/flashbackd" "$out"
echo "$commit" >"$out.commit"
echo "built $out"
