#!/usr/bin/env bash
# Installs the Kubernetes clients that test/real-*.test.ts run against `watchwire serve`
# (each test skips, with the reason, when its client is missing):
#   - Python: Debian's python3-kubernetes, for /usr/bin/python3 (apt-get install, needs root).
#   - kubectl: Debian's kubernetes-client (v1.20), unpacked into node_modules/.cache/watchwire-kubectl
#     rather than installed: its /usr/bin/kubectl would collide with any other package that owns that
#     path (here: Google Cloud SDK's `kubectl` dispatcher package), and the tests want a known version
#     besides whatever kubectl the machine has. Needs `apt-get download` (no root) and `dpkg-deb`.
# Prints one line per client; exits 0 even when something could not be installed (the caller warns).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
if [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-kubernetes >/dev/null || status=1
fi
if /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
  echo "python3-kubernetes: $(/usr/bin/python3 -c 'import kubernetes; print(kubernetes.__version__)')"
else
  echo "python3-kubernetes: MISSING"
  status=1
fi
dest=node_modules/.cache/watchwire-kubectl
if [ ! -x "$dest/usr/bin/kubectl" ]; then
  work=$(mktemp -d)
  if (cd "$work" && apt-get download kubernetes-client >/dev/null 2>&1) && mkdir -p "$dest" && dpkg-deb -x "$work"/kubernetes-client_*.deb "$dest"; then
    :
  else
    status=1
  fi
  rm -rf "$work"
fi
if [ -x "$dest/usr/bin/kubectl" ]; then
  echo "kubectl: $("$dest/usr/bin/kubectl" version --client --short 2>/dev/null || echo present) ($dest, Debian kubernetes-client)"
else
  echo "kubectl (Debian kubernetes-client): MISSING"
  status=1
fi
if command -v kubectl >/dev/null; then echo "kubectl on PATH: $(command -v kubectl) (the tests run it too)"; fi
exit $status
