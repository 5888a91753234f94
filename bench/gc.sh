#!/usr/bin/env bash
# Garbage collection of a large store while pushes and pulls go on (bench/GcBench.java):
#   bench/gc.sh [blobs] [seconds]     (default 100000 blobs, half of them garbage; 30 s load windows)
# Drydock runs from ./drydock up with a data directory and ports of its own and a 5-second grace
# period, so that the unreferenced half is garbage when the collection starts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BLOBS="${1:-100000}"
SECONDS_PER_WINDOW="${2:-30}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/drydock-gc-bench.XXXXXX")"
export DRYDOCK_DATA_DIR="$WORK/drydock" DRYDOCK_REGISTRY_PORT=25000 DRYDOCK_LAYER_STORE_PORT=25100 \
  DRYDOCK_AUDIT_PORT=25200 DRYDOCK_PORTAL_PORT=25080 DRYDOCK_PG_PORT=35432 DRYDOCK_KAFKA_PORT=39092 \
  DRYDOCK_GC_GRACE=PT5S DRYDOCK_ADMIN_PASSWORD="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

cleanup() {
  "$ROOT/drydock" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "starting Drydock (data in $WORK)..." >&2
"$ROOT/drydock" up >/dev/null
java -Xmx512m "$ROOT/bench/GcBench.java" "http://127.0.0.1:$DRYDOCK_REGISTRY_PORT" "$DRYDOCK_ADMIN_PASSWORD" \
  "$BLOBS" "$SECONDS_PER_WINDOW"
