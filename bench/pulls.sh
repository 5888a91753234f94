#!/usr/bin/env bash
# What counting pulls costs: manifest GETs by tag per second (wrk, 32 connections, 15 s) with
# image.pulled events queued (the default: the GET answers at once), committed (the GET answers
# after its pull's commit) and off (DRYDOCK_REGISTRY_PULL_EVENTS=off), interleaved over rounds on
# the same data; appends the medians to bench/RESULTS.md.
#   bench/pulls.sh [rounds]     (default 3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/drydock-pull-bench.XXXXXX")"
OUT="$ROOT/bench/RESULTS.md"
export DRYDOCK_DATA_DIR="$WORK/drydock" DRYDOCK_REGISTRY_PORT=25000 DRYDOCK_LAYER_STORE_PORT=25100 \
  DRYDOCK_AUDIT_PORT=25200 DRYDOCK_PORTAL_PORT=25080 DRYDOCK_PG_PORT=35432 DRYDOCK_KAFKA_PORT=39092 \
  DRYDOCK_ADMIN_PASSWORD="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
command -v wrk >/dev/null || { [[ "$(id -u)" == 0 ]] && apt-get install -y -q wrk >/dev/null; }
cleanup() { "$ROOT/drydock" down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

(cd "$WORK" && umoci init --layout img >/dev/null && umoci new --image img:v1 >/dev/null)
declare -A RPS
for round in $(seq 1 "$ROUNDS"); do
  for mode in queued committed off; do
    export DRYDOCK_REGISTRY_PULL_EVENTS=$mode
    "$ROOT/drydock" up >/dev/null
    skopeo copy -q --dest-tls-verify=false --dest-creds "admin:$DRYDOCK_ADMIN_PASSWORD" "oci:$WORK/img:v1" \
      docker://127.0.0.1:25000/bench/pulls:v1
    token=$(curl -fsS -u "admin:$DRYDOCK_ADMIN_PASSWORD" \
      "http://127.0.0.1:25000/token?service=drydock&scope=repository:bench/pulls:pull" | sed -E 's/.*"token":"([^"]+)".*/\1/')
    # warm up for 60 s (the JIT compilers share the 2 cores with the load: 20-30 s were not enough), then measure 15 s
    wrk -t2 -c32 -d60s -H "Authorization: Bearer $token" -H "Accept: application/vnd.oci.image.manifest.v1+json" \
      http://127.0.0.1:25000/v2/bench/pulls/manifests/v1 > /dev/null
    wrk -t2 -c32 -d15s --latency -H "Authorization: Bearer $token" -H "Accept: application/vnd.oci.image.manifest.v1+json" \
      http://127.0.0.1:25000/v2/bench/pulls/manifests/v1 > "$WORK/wrk.txt"
    if grep -q "Non-2xx" "$WORK/wrk.txt"; then echo "some GETs failed:" >&2; cat "$WORK/wrk.txt" >&2; exit 1; fi
    RPS[$mode]+="$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt"):$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt") "
    "$ROOT/drydock" down >/dev/null
    echo "round $round, counting $mode: ${RPS[$mode]}"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | cut -d: -f1 | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
queued=$(echo "${RPS[queued]}" | median); committed=$(echo "${RPS[committed]}" | median)
off=$(echo "${RPS[off]}" | median)
ratio() { awk -v a="$1" -v b="$off" 'BEGIN { printf "%.2f", a / b }'; }
{
  echo
  echo "## What counting pulls costs (bench/pulls.sh $ROUNDS, $(date -u +%Y-%m-%d))"
  echo
  echo "| manifest GET by tag, 32 connections | requests/s (median) | ratio to off | per round (req/s:p99) |"
  echo "|---|---|---|---|"
  echo "| pull events queued (default) | $queued | $(ratio "$queued") | ${RPS[queued]} |"
  echo "| pull events committed before the answer | $committed | $(ratio "$committed") | ${RPS[committed]} |"
  echo "| pull events off | $off | 1.00 | ${RPS[off]} |"
  echo
  echo "Target: counting on ≥ 0.9× off."
} >> "$OUT"
echo "appended to $OUT"
