#!/usr/bin/env bash
# Benchmarks Drydock side by side with the reference registry (Debian's docker-registry, CNCF
# distribution 2.8) and nginx, on this machine, with the same data, interleaved, and writes
# bench/RESULTS.md with medians, the CPU time per request and the commands.
#   bench/run.sh [rounds]        (default 3 rounds; needs root for apt-get when tools are missing)
# Drydock runs from ./drydock up with a data directory and ports of its own; nothing else is touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/drydock-bench.XXXXXX")"
OUT="$ROOT/bench/RESULTS.md"
DD_PORT=25000 REF_PORT=26000 NGINX_PORT=27000 INGRESS_PORT=27001
export DRYDOCK_DATA_DIR="$WORK/drydock" DRYDOCK_REGISTRY_PORT=$DD_PORT DRYDOCK_LAYER_STORE_PORT=25100 \
  DRYDOCK_AUDIT_PORT=25200 DRYDOCK_PORTAL_PORT=25080 DRYDOCK_PG_PORT=35432 DRYDOCK_KAFKA_PORT=39092 \
  DRYDOCK_ADMIN_PASSWORD="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

for tool in docker-registry wrk nginx skopeo umoci curl; do
  command -v "$tool" >/dev/null || { [[ "$(id -u)" == 0 ]] && apt-get install -y -q docker-registry wrk nginx-light skopeo umoci curl >/dev/null; break; }
done

cleanup() {
  [[ -n "${REDIRECT_PID:-}" ]] && kill "$REDIRECT_PID" 2>/dev/null || true
  [[ -n "${PROXY_PID:-}" ]] && kill "$PROXY_PID" 2>/dev/null || true
  "$ROOT/drydock" down >/dev/null 2>&1 || true
  [[ -n "${REF_PID:-}" ]] && kill "$REF_PID" 2>/dev/null || true
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "starting Drydock (data in $WORK)..."
"$ROOT/drydock" up >/dev/null
# Two more front doors on the same database and layer-store, for the blob GETs of the other modes:
# redirect (DRYDOCK_REGISTRY_BLOB_READS=redirect: a 307 to layer-store) and proxy (every byte relayed
# from layer-store, as a front door that does not share layer-store's disk does).
REDIRECT_PORT=25001 PROXY_PORT=25002
# shellcheck disable=SC1091
source "$DRYDOCK_DATA_DIR/run/infra.env"
front_door() { # port mode
  QUARKUS_HTTP_PORT=$1 QUARKUS_DATASOURCE_JDBC_URL="$DB_JDBC_URL" QUARKUS_DATASOURCE_USERNAME="$DB_USER" \
    QUARKUS_DATASOURCE_PASSWORD="$DB_PASSWORD" DRYDOCK_KAFKA_BOOTSTRAP="$KAFKA_BOOTSTRAP" \
    DRYDOCK_KAFKA_USERNAME="$KAFKA_USERNAME" DRYDOCK_KAFKA_PASSWORD="$KAFKA_PASSWORD" \
    DRYDOCK_REGISTRY_LAYER_STORE_URL=http://127.0.0.1:25100 DRYDOCK_REGISTRY_AUDIT_URL=http://127.0.0.1:25200 \
    DRYDOCK_REGISTRY_BLOB_READS="$2" java -Xmx512m -jar "$ROOT/registry-api/target/quarkus-app/quarkus-run.jar" \
    > "$WORK/$2.log" 2>&1 &
}
front_door $REDIRECT_PORT redirect
REDIRECT_PID=$!
front_door $PROXY_PORT proxy
PROXY_PID=$!
until curl -fsS "http://127.0.0.1:$PROXY_PORT/q/health/ready" >/dev/null 2>&1; do sleep 0.5; done
until curl -fsS "http://127.0.0.1:$REDIRECT_PORT/q/health/ready" >/dev/null 2>&1; do sleep 0.5; done
mkdir -p "$WORK/ref"
cat > "$WORK/ref/config.yml" <<YAML
version: 0.1
log: { level: error }
storage:
  filesystem: { rootdirectory: $WORK/ref/data }
  delete: { enabled: true }
http: { addr: 127.0.0.1:$REF_PORT }
YAML
/usr/bin/docker-registry serve "$WORK/ref/config.yml" > "$WORK/ref/log" 2>&1 &
REF_PID=$!
mkdir -p "$WORK/www"
cat > "$WORK/nginx.conf" <<NGINX
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; }
       include $WORK/ingress.conf; }
NGINX
# The same nginx is also Drydock's cluster ingress (deploy/ingress): uploads to layer-store, the rest to registry-api
sed -e "s/\${LISTEN}/127.0.0.1:$INGRESS_PORT/" -e "s/\${REGISTRY_API}/127.0.0.1:$DD_PORT/" -e "s/\${LAYER_STORE}/127.0.0.1:25100/" \
  "$ROOT/deploy/ingress/drydock-nginx.conf.template" > "$WORK/ingress.conf"
nginx -c "$WORK/nginx.conf"
until curl --fail-with-body -sS "http://127.0.0.1:$REF_PORT/v2/" >/dev/null 2>&1; do sleep 0.2; done

echo "making the data: a 1 GiB blob, 1000 blobs of 4 KiB, a small image..."
head -c 1073741824 /dev/urandom > "$WORK/www/big.bin"
BIG_DIGEST="sha256:$(sha256sum "$WORK/www/big.bin" | cut -d' ' -f1)"
chmod o+rx "$WORK" "$WORK/www" && chmod o+r "$WORK/www/big.bin"   # nginx's workers read it as www-data
# the chunked uploads send these 16 files of 64 MiB, so that no client-side splitting is timed
mkdir -p "$WORK/chunks" && split -b 64M -d -a 2 "$WORK/www/big.bin" "$WORK/chunks/"
mkdir -p "$WORK/small"
for i in $(seq 1 1000); do head -c 4096 /dev/urandom > "$WORK/small/$i"; done
(cd "$WORK" && umoci init --layout img >/dev/null && umoci new --image img:v1 >/dev/null)

token() { # drydock registry token for a repository
  curl --fail-with-body -sS -u "admin:$DRYDOCK_ADMIN_PASSWORD" "http://127.0.0.1:$DD_PORT/token?service=drydock&scope=repository:$1:pull,push,delete" \
    | sed -E 's/.*"token":"([^"]+)".*/\1/'
}
declare -A TOKEN TOKEN_AT
auth() { # curl arguments for a registry: the token measure() fetched, untimed, or a new one when
  # there is none or it is older than 4 minutes (tokens live 5; the warm-up after the uploads came
  # more than 5 minutes after round 1's token on a slow run, and every request was refused)
  if [[ "$1" == drydock* ]]; then
    local token="${TOKEN[$2]:-}"
    if [[ -z "$token" ]] || (( SECONDS - ${TOKEN_AT[$2]:--1000} > 240 )); then token=$(token "$2"); fi
    printf "%s\n" -H "Authorization: Bearer $token"
  fi
}
# drydock-cluster: uploads sent straight to layer-store with the registry token, as the ingress of a
# cluster routes /v2/<name>/blobs/uploads/ (DESIGN.md); layer-store checks the token itself
# drydock-ingress: the same, through that nginx ingress (whose CPU is not counted)
port() { case "$1" in drydock) echo $DD_PORT ;; drydock-cluster) echo 25100 ;; drydock-ingress) echo $INGRESS_PORT ;; *) echo $REF_PORT ;; esac; }
pids() { # the processes whose CPU time a registry's work costs
  case "$1" in
    drydock-proxy) echo "$PROXY_PID"; cat "$DRYDOCK_DATA_DIR/run/layer-store.pid" ;;
    drydock-redirect) echo "$REDIRECT_PID"; cat "$DRYDOCK_DATA_DIR/run/layer-store.pid" ;;
    drydock*) cat "$DRYDOCK_DATA_DIR/run/registry-api.pid" "$DRYDOCK_DATA_DIR/run/layer-store.pid" ;;
    *) echo "$REF_PID" ;;
  esac
}
cpu() { # user+system seconds of the registry's processes so far
  local total=0
  for pid in $(pids "$1"); do
    read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
    total=$((total + utime + stime))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Each 1 GiB upload sends a blob neither registry has yet, as a push of a new layer does: its first
# 4 KiB are rewritten (in big.bin and in the first chunk file) before it, outside the timing. Then
# `sync`, so that no upload pays for writing back the one before it: the reference does not fsync,
# and leaves each new blob in the page cache for the kernel to write later (Drydock's are on disk
# when it answers).
declare -A REPO_DIGEST
fresh_blob() {
  head -c 4096 /dev/urandom > "$WORK/head.bin"
  dd if="$WORK/head.bin" of="$WORK/www/big.bin" conv=notrunc status=none
  dd if="$WORK/head.bin" of="$WORK/chunks/00" conv=notrunc status=none
  BIG_DIGEST="sha256:$(sha256sum "$WORK/www/big.bin" | cut -d' ' -f1)"
  sync
}

upload_monolithic() { # registry repository
  REPO_DIGEST["$1/$2"]=$BIG_DIGEST
  local p; p=$(port "$1"); local a; mapfile -t a < <(auth "$1" "$2")
  local location
  location=$(curl --fail-with-body -sS -o /dev/null -D - -X POST "${a[@]}" "http://127.0.0.1:$p/v2/$2/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  [[ "$location" == http* ]] || location="http://127.0.0.1:$p$location"
  local sep='?'; [[ "$location" == *\?* ]] && sep='&'
  curl --fail-with-body -sS -o /dev/null -X PUT "${a[@]}" -H "Content-Type: application/octet-stream" -T "$WORK/www/big.bin" "$location${sep}digest=$BIG_DIGEST"
}

upload_chunked() { # registry repository: 64 MiB PATCHes (each streamed from its own file), then PUT
  local p; p=$(port "$1"); local a; mapfile -t a < <(auth "$1" "$2")
  local location
  location=$(curl --fail-with-body -sS -o /dev/null -D - -X POST "${a[@]}" "http://127.0.0.1:$p/v2/$2/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  local chunk=$((64 * 1024 * 1024)) offset=0 file
  for file in "$WORK"/chunks/*; do
    [[ "$location" == http* ]] || location="http://127.0.0.1:$p$location"
    location=$(curl --fail-with-body -sS -o /dev/null -D - -X PATCH "${a[@]}" -H "Content-Type: application/octet-stream" \
        -H "Content-Range: $offset-$((offset + chunk - 1))" -T "$file" "$location" \
      | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
    offset=$((offset + chunk))
  done
  [[ "$location" == http* ]] || location="http://127.0.0.1:$p$location"
  local sep='?'; [[ "$location" == *\?* ]] && sep='&'
  curl --fail-with-body -sS -o /dev/null -X PUT "${a[@]}" "$location${sep}digest=$BIG_DIGEST"
}

download() { # registry repository
  local p; p=$(port "$1"); local a; mapfile -t a < <(auth "$1" "$2")
  curl --fail-with-body -sS -L -o /dev/null "${a[@]}" "http://127.0.0.1:$p/v2/$2/blobs/${REPO_DIGEST[$1/$2]}"
}

download_redirect() { # repository: through the redirect-mode front door, following the 307
  local a; mapfile -t a < <(auth drydock "$1")
  curl --fail-with-body -sS -L -o /dev/null "${a[@]}" "http://127.0.0.1:$REDIRECT_PORT/v2/$1/blobs/${REPO_DIGEST[drydock/$1]}"
}

download_proxy() { # repository: through the proxy-mode front door
  local a; mapfile -t a < <(auth drydock "$1")
  curl --fail-with-body -sS -o /dev/null "${a[@]}" "http://127.0.0.1:$PROXY_PORT/v2/$1/blobs/${REPO_DIGEST[drydock/$1]}"
}

heap_used_mib() { # pid: heap in use after a full collection, in MiB
  jcmd "$1" GC.run >/dev/null 2>&1
  jcmd "$1" GC.heap_info 2>/dev/null | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print int(v / 1024); exit } }'
}

# The load generators' JVM: C1 only (-XX:TieredStopAtLevel=1) and the serial collector. A new generator
# starts for every round, and with the default tiered compilation its own C2 compiler thread ran through
# each measured round, on the 2 cores the registries need: measured with ManifestPushes after its 100
# warm-up pushes, the generator spent 6.2 ms of CPU per push on Drydock and 9.6 ms on the reference;
# with these options 2.5 and 3.7 ms, so more of the machine measures the registries and less the tool.
GENERATOR_JVM=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

small_uploads() { # registry repository [warm-up rounds] -> "seconds CPU-seconds": 1000 blobs of 4 KiB, POST then
  # PUT each, 8 at a time, after untimed rounds (two unless told) of 1000 other blobs (bench/SmallUploads.java)
  local token=-; [[ "$1" == drydock ]] && token=$(token "$2")
  java "${GENERATOR_JVM[@]}" "$ROOT/bench/SmallUploads.java" "http://127.0.0.1:$(port "$1")" "$2" "$WORK/small" 8 "${3:-2}" "$token" \
    "$(pids "$1" | paste -sd,)" "$(getconf CLK_TCK)"
}

manifest_pushes() { # registry repository [warm-up images] -> "pushes/s p99-ms CPU-seconds": 400 small images, 8
  # pushers, after untimed ones (100 unless told) (bench/ManifestPushes.java)
  local token=-; [[ "$1" == drydock ]] && token=$(token "$2")
  java "${GENERATOR_JVM[@]}" "$ROOT/bench/ManifestPushes.java" "http://127.0.0.1:$(port "$1")" "$2" 400 8 "${3:-100}" "$token" \
    "$(pids "$1" | paste -sd,)" "$(getconf CLK_TCK)"
}

manifest_gets() { # registry repository [warm-up|cold] -> "requests/s p99 requests" (nothing after a warm-up)
  local p; p=$(port "$1"); local a; mapfile -t a < <(auth "$1" "$2")
  local header=(); [[ ${#a[@]} -gt 0 ]] && header=(-H "${a[1]}")
  [[ ${3:-} == warm-up ]] && { wrk -t2 -c32 -d60s "${header[@]}" -H "Accept: application/vnd.oci.image.manifest.v1+json" \
    "http://127.0.0.1:$p/v2/$2/manifests/v1" > /dev/null; return; }
  local duration=15s; [[ ${3:-} == cold ]] && duration=10s
  wrk -t2 -c32 -d$duration --latency "${header[@]}" -H "Accept: application/vnd.oci.image.manifest.v1+json" \
    "http://127.0.0.1:$p/v2/$2/manifests/v1" > "$WORK/wrk.txt"
  if grep -q "Non-2xx" "$WORK/wrk.txt"; then echo "some manifest GETs failed:" >&2; cat "$WORK/wrk.txt" >&2; exit 1; fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
  echo "$rps $p99 $(awk '/requests in/ {print $1}' "$WORK/wrk.txt")"
}

declare -A RESULT
measure() { # name registry command... : records seconds and CPU seconds
  local name="$1" registry="$2"; shift 2
  local c0 t0 t1 c1
  # A client signs in once per repository and reuses its token until it nears expiry (5 minutes);
  # the reference has no sign-in at all. So the sign-in is not timed (/token checks the password
  # with argon2, ~45 ms), nor made right before every measure (its garbage and the new token's
  # first verification cost a following 1 GiB GET ~30 ms in probes).
  if [[ "$registry" == drydock* ]] && (( SECONDS - ${TOKEN_AT[${!#}]:--1000} > 240 )); then
    TOKEN["${!#}"]=$(token "${!#}"); TOKEN_AT["${!#}"]=$SECONDS
  fi
  c0=$(cpu "$registry"); t0=$(now)
  "$@"
  t1=$(now); c1=$(cpu "$registry")
  RESULT["$name,$registry"]+="$(elapsed "$t0" "$t1"):$(elapsed "$c0" "$c1") "
}

# Cold: the first manifest GETs of a fresh ./drydock up, before its JIT compilers have warmed (the
# services had only started and taken one skopeo push, which reads no manifest by tag); the reference
# (compiled ahead of time) for comparison.
echo "cold start: manifest GETs in the first 10 s"
for registry in drydock reference; do
  creds=(); [[ $registry == drydock ]] && creds=(--dest-creds "admin:$DRYDOCK_ADMIN_PASSWORD")
  skopeo copy -q --dest-tls-verify=false "${creds[@]}" "oci:$WORK/img:v1" "docker://127.0.0.1:$(port $registry)/bench/cold:v1"
  read -r rps p99 count < <(manifest_gets "$registry" bench/cold cold)
  RESULT["cold,$registry"]+="$rps:$p99 "
done

declare -A HEAP
for service in registry-api layer-store; do HEAP["$service,before"]=$(heap_used_mib "$(cat "$DRYDOCK_DATA_DIR/run/$service.pid")"); done
# The measures run in phases (uploads, blob GETs, small uploads, manifest GETs), each interleaving
# the registries round by round, so that no measure starts on code the JIT compilers have just
# re-tuned for another kind of load. Round 0 of the uploads is not counted: each kind of upload
# twice per registry right after the start, while Drydock's JIT compilers still compile the upload
# path (the reference is compiled ahead of time); listed with the raw values as `first-*`.
echo "uploads: round 0 (first uploads after the start)"
for pass in 1 2; do
  for registry in drydock drydock-cluster drydock-ingress reference; do
    fresh_blob
    measure first-upload "$registry" upload_monolithic "$registry" "bench/r0-$pass"
    fresh_blob
    measure first-chunked "$registry" upload_chunked "$registry" "bench/r0-$pass-chunked"
  done
done
for round in $(seq 1 "$ROUNDS"); do
  echo "uploads: round $round of $ROUNDS"
  for registry in drydock drydock-cluster drydock-ingress reference; do
    fresh_blob
    measure upload "$registry" upload_monolithic "$registry" "bench/r$round"
    fresh_blob
    measure chunked "$registry" upload_chunked "$registry" "bench/r$round-chunked"
  done
done
# The redirecting front door has answered nothing yet: 300 redirects (not followed) first, as a front
# door in service is warm (its first answers took 125, 37 and 16 ms here, warm ones 4-6 ms)
warm=(); for i in $(seq 300); do warm+=(-o /dev/null "http://127.0.0.1:$REDIRECT_PORT/v2/bench/r1/blobs/${REPO_DIGEST[drydock/bench/r1]}"); done
mapfile -t a < <(auth drydock bench/r1)
curl --fail-with-body -sS "${a[@]}" "${warm[@]}"
curl --fail-with-body -sS "${a[@]}" -o /dev/null "http://127.0.0.1:$PROXY_PORT/v2/bench/r1/blobs/${REPO_DIGEST[drydock/bench/r1]}"
for round in $(seq 1 "$ROUNDS"); do
  echo "blob GETs: round $round of $ROUNDS"
  # each blob is read once untimed first: every server then reads it from the page cache, as
  # nginx does its file (Drydock writes blobs past the page cache, so a first read is the disk's)
  download drydock "bench/r$round"
  download reference "bench/r$round"
  # a GET of 1 GiB from the page cache takes ~0.6 s and single ones vary by 20 %: five of each per round
  for _ in 1 2 3 4 5; do
    measure download drydock download drydock "bench/r$round"
    measure redirect drydock-redirect download_redirect "bench/r$round"
    measure proxy drydock-proxy download_proxy "bench/r$round"
    t0=$(now); curl --fail-with-body -sS -o /dev/null "http://127.0.0.1:$NGINX_PORT/big.bin"; t1=$(now)
    RESULT["download,nginx"]+="$(elapsed "$t0" "$t1"):0 "
    measure download reference download reference "bench/r$round"
  done
done
for service in registry-api layer-store; do HEAP["$service,after"]=$(heap_used_mib "$(cat "$DRYDOCK_DATA_DIR/run/$service.pid")"); done
# Small uploads and image pushes get a round 0 too, kept apart from the medians (listed as first-small
# and first-pushes): the first 1,000 uploads (400 pushes) after the phases above, timed, then 7,000
# more uploads (8,400 more pushes) untimed. Drydock's JIT compilers take that long to finish with these
# paths on 2 cores: in a fresh stack here, rounds of 1,000 uploads took 6.3, 5.9, 3.8, 3.2, 3.1 and
# 2.6 s one after the other, and rounds of 500 pushes went 25, 36, 43, 43, 49, 49, 55, 55 pushes/s;
# the reference, compiled ahead of time, runs the same rounds. Pushes take longer than in a stack that
# has only pushed: after the phases above and 3,800 pushes, registry-api's compilers still spent 3.7
# and 4.2 s of CPU in each of two further rounds of 1,500 pushes (2.5-2.8 ms per push, jstat -compiler),
# while in a stack that had only pushed they were nearly idle after 3,400.
echo "small uploads: round 0 (the first after the start)"
for registry in drydock reference; do
  read -r seconds cpu_seconds < <(small_uploads "$registry" "bench/r0-small" 0)
  [[ -n "${cpu_seconds:-}" ]] || { echo "the small uploads to $registry failed" >&2; exit 1; }
  RESULT["first-small,$registry"]+="$seconds:$cpu_seconds "
  small_uploads "$registry" "bench/r0-small-warm" 6 > /dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  echo "small uploads: round $round of $ROUNDS"
  for registry in drydock reference; do
    read -r seconds cpu_seconds < <(small_uploads "$registry" "bench/r$round-small")
    [[ -n "${cpu_seconds:-}" ]] || { echo "the small uploads to $registry failed" >&2; exit 1; }
    RESULT["small,$registry"]+="$seconds:$cpu_seconds "
  done
done
echo "image pushes: round 0 (the first after the start)"
for registry in drydock reference; do
  read -r rate p99 cpu_seconds < <(manifest_pushes "$registry" "bench/r0-pushes" 0)
  [[ -n "${cpu_seconds:-}" ]] || { echo "the image pushes to $registry failed" >&2; exit 1; }
  RESULT["first-pushes,$registry"]+="$rate:$p99:$cpu_seconds "
  manifest_pushes "$registry" "bench/r0-pushes-warm" 8000 > /dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  echo "image pushes: round $round of $ROUNDS"
  for registry in drydock reference; do
    read -r rate p99 cpu_seconds < <(manifest_pushes "$registry" "bench/r$round-pushes")
    [[ -n "${cpu_seconds:-}" ]] || { echo "the image pushes to $registry failed" >&2; exit 1; }
    RESULT["pushes,$registry"]+="$rate:$p99:$cpu_seconds "
  done
done
for round in $(seq 1 "$ROUNDS"); do
  echo "manifest GETs: round $round of $ROUNDS"
  for registry in drydock reference; do
    repo="bench/r$round-image"
    creds=(); [[ $registry == drydock ]] && creds=(--dest-creds "admin:$DRYDOCK_ADMIN_PASSWORD")
    skopeo copy -q --dest-tls-verify=false "${creds[@]}" "oci:$WORK/img:v1" "docker://127.0.0.1:$(port $registry)/$repo:v1"
    # 60 s of warm-up first: the JIT compilers share the 2 cores with the load (bench/pulls.sh)
    manifest_gets "$registry" "$repo" warm-up
    c0=$(cpu "$registry")
    read -r rps p99 count < <(manifest_gets "$registry" "$repo")
    c1=$(cpu "$registry")
    RESULT["manifest,$registry"]+="$rps:$p99:$(awk -v c="$(elapsed "$c0" "$c1")" -v n="$count" 'BEGIN { printf "%.3f", c * 1000 / n }') "
  done
done

rss_mib() { awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$1/status"; }
declare -A RSS
for service in registry-api layer-store audit-service web-ui; do RSS[$service]=$(rss_mib "$(cat "$DRYDOCK_DATA_DIR/run/$service.pid")"); done
RSS[reference]=$(rss_mib "$REF_PID")

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { tr ' ' '\n' | grep -v '^$' | cut -d: -f"$1" | tr '\n' ' '; }
m() { echo "${RESULT[$1]}" | field "$2" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

GIB=1073741824
# the other benchmarks' sections (projections, pulls) are kept; this run's reading is written by hand
OTHERS="$(sed -n '/^## Projections/,$p' "$OUT" 2>/dev/null || true)"
{
  echo "# Drydock benchmarks"
  echo
  echo "Measured by \`bench/run.sh $ROUNDS\` on $(date -u +%Y-%m-%d) at commit $(git -C "$ROOT" rev-parse --short HEAD) on this machine ($(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB), Drydock and the"
  echo "reference (Debian's docker-registry $(dpkg-query -W -f='${Version}' docker-registry 2>/dev/null), filesystem storage) interleaved round by round,"
  echo "medians of $ROUNDS rounds, in phases (uploads, blob GETs, small uploads, image pushes, manifest GETs); every 1 GiB upload is of a blob new to the registry. Drydock runs as \`./drydock up\` (its default: the front door sends"
  echo "blob files from the store itself, once layer-store confirms each read); CPU is user+system time of the front door and layer-store (Drydock) or of the registry process."
  echo
  echo "| measure | Drydock | reference | ratio (Drydock / reference) | target |"
  echo "|---|---|---|---|---|"
  rate() { awk -v s="$1" -v g=$GIB 'BEGIN { printf "%.0f", g / s / 1e6 }'; }
  for op in upload chunked; do
    d=$(m "$op,drydock" 1); r=$(m "$op,reference" 1)
    label="monolithic PUT"; [[ $op == chunked ]] && label="64 MiB PATCH chunks"
    echo "| 1 GiB upload, $label | $(rate "$d") MB/s ($d s, CPU $(m "$op,drydock" 2) s) | $(rate "$r") MB/s ($r s, CPU $(m "$op,reference" 2) s) | $(ratio "$r" "$d")× the rate | ≥ 3× |"
    c=$(m "$op,drydock-cluster" 1)
    echo "| 1 GiB upload, $label, cluster routing (straight to layer-store) | $(rate "$c") MB/s ($c s, CPU $(m "$op,drydock-cluster" 2) s) | $(rate "$r") MB/s | $(ratio "$r" "$c")× the rate | ≥ 3× |"
    c=$(m "$op,drydock-ingress" 1)
    echo "| 1 GiB upload, $label, cluster routing through the nginx ingress of deploy/ingress | $(rate "$c") MB/s ($c s, CPU $(m "$op,drydock-ingress" 2) s, nginx's not counted) | $(rate "$r") MB/s | $(ratio "$r" "$c")× the rate | ≥ 3× |"
  done
  d=$(m download,drydock 1); n=$(m download,nginx 1); r=$(m download,reference 1)
  x=$(m redirect,drydock-redirect 1); y=$(m proxy,drydock-proxy 1)
  mbs() { awk -v s="$1" -v g=$GIB 'BEGIN{printf "%.0f MB/s", g/s/1e6}'; }
  echo "| 1 GiB blob GET, the default (\`./drydock up\`: the front door sends the file from the store) | $(mbs "$d") (CPU $(m download,drydock 2) s) | $(mbs "$r") (CPU $(m download,reference 2) s); nginx $(mbs "$n") | $(ratio "$n" "$d")× nginx's rate | ≥ 0.95× nginx |"
  echo "| 1 GiB blob GET, redirect mode (307 to layer-store, followed) | $(mbs "$x") (CPU $(m redirect,drydock-redirect 2) s) | nginx $(mbs "$n") | $(ratio "$n" "$x")× nginx's rate | ≥ 0.95× nginx |"
  echo "| 1 GiB blob GET, proxy mode (a front door without layer-store's disk) | $(mbs "$y") (CPU $(m proxy,drydock-proxy 2) s) | nginx $(mbs "$n") | $(ratio "$n" "$y")× nginx's rate | (none) |"
  d=$(m small,drydock 1); r=$(m small,reference 1)
  echo "| 1,000 × 4 KiB blob uploads (POST, then PUT with the bytes), 8 at a time | $d s (CPU $(m small,drydock 2) s) | $r s (CPU $(m small,reference 2) s) | $(ratio "$d" "$r")× the time | ≤ 0.8× |"
  d=$(m pushes,drydock 1); r=$(m pushes,reference 1)
  echo "| 400 small image pushes (layer and config: HEAD, POST, PUT each; then the manifest PUT), 8 pushers | $d pushes/s, p99 $(m pushes,drydock 2) ms, CPU $(m pushes,drydock 3) s | $r pushes/s, p99 $(m pushes,reference 2) ms, CPU $(m pushes,reference 3) s | $(ratio "$d" "$r")× the rate | ≥ 1.25× (≤ 0.8× the time) |"
  d=$(m first-small,drydock 1); r=$(m first-small,reference 1)
  echo "| 1,000 × 4 KiB blob uploads, the first after the start (round 0, before the warm-up) | $d s (CPU $(m first-small,drydock 2) s) | $r s (CPU $(m first-small,reference 2) s) | $(ratio "$d" "$r")× the time | (none) |"
  d=$(m first-pushes,drydock 1); r=$(m first-pushes,reference 1)
  echo "| 400 small image pushes, the first after the start (round 0, before the warm-up) | $d pushes/s, p99 $(m first-pushes,drydock 2) ms, CPU $(m first-pushes,drydock 3) s | $r pushes/s, p99 $(m first-pushes,reference 2) ms, CPU $(m first-pushes,reference 3) s | $(ratio "$d" "$r")× the rate | (none) |"
  d=$(m manifest,drydock 1); r=$(m manifest,reference 1)
  echo "| manifest GET by tag, 32 connections | $d req/s, p99 $(m manifest,drydock 2), CPU $(m manifest,drydock 3) ms/req | $r req/s, p99 $(m manifest,reference 2), CPU $(m manifest,reference 3) ms/req | $(ratio "$d" "$r")× | ≥ 5×, p99 ≤ 10 ms |"
  d=$(m cold,drydock 1); r=$(m cold,reference 1)
  echo "| manifest GET by tag, 32 connections, the first 10 s after a fresh start (cold) | $d req/s, p99 $(m cold,drydock 2) | $r req/s, p99 $(m cold,reference 2) | $(ratio "$d" "$r")× | p99 < 20 ms |"
  echo
  echo "Heap in use of the default front door and layer-store after a full collection, before the first 1 GiB push and after all of them and the 1 GiB"
  echo "pulls ($(( 6 * (ROUNDS + 2) )) pushes, monolithic and chunked, and $(( 16 * ROUNDS )) pulls, from the store, through redirects and through the proxy;"
  echo "the redirecting and relaying front doors' heaps are not read) — target: growth ≤ 64 MiB:"
  for service in registry-api layer-store; do
    echo "- $service: ${HEAP[$service,before]} MiB before, ${HEAP[$service,after]} MiB after ($(( ${HEAP[$service,after]} - ${HEAP[$service,before]} )) MiB)"
  done
  echo
  echo "Resident memory (RSS) after the whole run:"
  for service in registry-api layer-store audit-service web-ui; do
    echo "- $service: ${RSS[$service]} MiB"
  done
  echo "- the reference registry: ${RSS[reference]} MiB"
  echo
  echo "Raw values per round (seconds:CPU seconds, or req/s:p99:CPU ms per request):"
  echo
  for key in $(echo "${!RESULT[@]}" | tr ' ' '\n' | sort); do echo "- \`$key\`: ${RESULT[$key]}"; done
  echo
  echo "Commands: uploads and GETs with curl (\`-T\` streams the file; each chunk is streamed with \`-T\` from one of 16"
  echo "files of 64 MiB split off before the rounds; an untimed round 0 uploads twice in each way first; \`sync\` before each"
  echo "upload, so none pays for writing back the one before it; each blob is GET"
  echo "once untimed before its timed GETs, so that all servers read from the page cache, five GETs of each kind per round, interleaved, and the redirecting front door"
  echo "answers 300 redirects before the first),"
  echo "small uploads with \`bench/SmallUploads.java\` (one process, 8 threads, keep-alive; two untimed rounds of"
  echo "1,000 other blobs first; CPU of the measured round only), image pushes with \`bench/ManifestPushes.java\` (one"
  echo "process, 8 threads, keep-alive, 100 untimed pushes first; every image new; the generators run C1-only with the serial collector); before their round 1, a round 0 of"
  echo "each registry: 1,000 uploads (400 pushes) timed, as the first-* rows, then 7,000 uploads (8,400 pushes) untimed,"
  echo "as the JIT compilers take that long here to finish with these paths; manifest GETs with"
  echo "\`wrk -t2 -c32 -d15s --latency\` after 60 s of warm-up, Drydock requests carrying a registry token from \`/token\`;"
  echo "the cold manifest GETs with \`wrk -t2 -c32 -d10s --latency\` before any other measure, after one skopeo push of the image."
  echo "The redirect and proxy rows are of two more front doors (registry-api) on the same database and layer-store, configured so."
} > "$OUT"
cat "$OUT"
if [[ -n "$OTHERS" ]]; then printf '\n%s\n' "$OTHERS" >> "$OUT"; fi
