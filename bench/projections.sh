#!/usr/bin/env bash
# Benchmarks audit-service's projections on this machine and appends the figures to bench/RESULTS.md:
# sustained throughput, end-to-end lag at 1,000 events/s, search over 100,000 repositories, and a
# rebuild of a 1,000,000-event log from offset zero.
#   bench/projections.sh     (BENCH_THROUGHPUT_EVENTS, BENCH_SEARCH_REPOSITORIES, BENCH_REBUILD_EVENTS to scale)
# Drydock runs from ./drydock up with a data directory and ports of its own; nothing else is touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/drydock-projection-bench.XXXXXX")"
OUT="$ROOT/bench/RESULTS.md"
export DRYDOCK_DATA_DIR="$WORK/drydock" DRYDOCK_REGISTRY_PORT=25000 DRYDOCK_LAYER_STORE_PORT=25100 \
  DRYDOCK_AUDIT_PORT=25200 DRYDOCK_PORTAL_PORT=25080 DRYDOCK_PG_PORT=35432 DRYDOCK_KAFKA_PORT=39092 \
  DRYDOCK_ADMIN_PASSWORD="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cleanup() { "$ROOT/drydock" down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "starting Drydock (data in $WORK)..."
"$ROOT/drydock" up >/dev/null
echo "loading and measuring (several minutes)..."
# shellcheck disable=SC1091
source "$DRYDOCK_DATA_DIR/run/infra.env"
# the generated credentials go by the environment, not the command line
DRYDOCK_KAFKA_USERNAME="$KAFKA_USERNAME" DRYDOCK_KAFKA_PASSWORD="$KAFKA_PASSWORD" BENCH_DB_PASSWORD="$DB_PASSWORD" \
  java -Xmx1g -cp "$ROOT/audit-service/target/quarkus-app/lib/main/*" "$ROOT/bench/ProjectionBench.java" \
  "$KAFKA_BOOTSTRAP" http://127.0.0.1:25000 "$DB_JDBC_URL" "$DB_USER" \
  | tee "$WORK/figures"
echo "rebuilding the projections from offset zero..."
start=$(date +%s%N)
curl -fsS -X POST -u "admin:$DRYDOCK_ADMIN_PASSWORD" http://127.0.0.1:25000/api/v1/admin/projections/rebuild \
  > "$WORK/rebuild.json"
rebuild_seconds=$(( ($(date +%s%N) - start) / 1000000000 ))
identical=$(grep -o '"identical":[a-z]*' "$WORK/rebuild.json" | cut -d: -f2)
events=$(grep -o '"events":[0-9]*' "$WORK/rebuild.json" | cut -d: -f2)
fig() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/figures"; }

{
  echo
  echo "## Projections (bench/projections.sh, $(date -u +%Y-%m-%d), $(nproc) CPUs)"
  echo
  echo "| measure | target | measured |"
  echo "|---|---|---|"
  echo "| sustained projection throughput ($(fig throughput_events) events) | ≥ 5,000 events/s | $(fig throughput_events_per_second) events/s |"
  echo "| end-to-end lag at 1,000 events/s for 30 s, p50 / p99 / max | p99 < 1 s | $(fig lag_p50_ms) / $(fig lag_p99_ms) / $(fig lag_max_ms) ms |"
  echo "| search through the front door over $(fig search_repositories) repositories, p50 / p95 | p95 < 50 ms | $(fig search_p50_ms) / $(fig search_p95_ms) ms |"
  echo "| rebuild from offset zero of $events events | < 5 min | ${rebuild_seconds} s (identical to the live tables: $identical) |"
  echo
  echo "Lag is from the event's time (set by the load generator as it sends) to the row's insertion in"
  echo "\`applied_event\` (\`clock_timestamp()\`, inside the applying transaction, just before its commit)."
} >> "$OUT"
echo "appended to $OUT"
