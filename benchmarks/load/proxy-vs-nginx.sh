#!/usr/bin/env bash
# kerbgate's proxy path against nginx proxy_pass, in front of the same backend, in the same run.
#
#   benchmarks/load/proxy-vs-nginx.sh              # wrk -t2 -c64 -d15s against each, after a 5 s warm-up
#   DURATION=30s CONNECTIONS=128 benchmarks/load/proxy-vs-nginx.sh
#
# What runs (all on 127.0.0.1, free ports, a temp dir removed at exit):
#   backend  nginx, one worker, answering GET / with a 13-byte static body from memory;
#   nginx    proxy_pass to the backend over keep-alive upstream connections (proxy_http_version 1.1, keepalive 64);
#   kerbgate `kerbgate run` (gateway/target/kerbgate.jar, built when missing) with auth.required: false, so that wrk
#            can reuse connections without a Kerberos token per request. This measures the proxy path only: no
#            acceptor, no identity header. auth.required: false is for exactly this and never for production.
# Both proxies log no access lines (nginx access_log off, kerbgate access_log.enabled: false) and keep upstream
# connections alive. Needs: java 17, nginx, wrk, ktutil (MIT krb5-user, for a throwaway keytab: kerbgate refuses to
# start without keys even when authentication is off).
set -euo pipefail

DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
WARMUP="${WARMUP:-5s}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAR="$ROOT/gateway/target/kerbgate.jar"

for tool in java nginx wrk ktutil curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx wrk krb5-user curl)" >&2; exit 2; }
done
if [[ ! -f "$JAR" ]]; then
  echo "building $JAR ..." >&2
  (cd "$ROOT" && mvn -B -q -pl gateway -am package -DskipTests) >&2
fi

WORK="$(mktemp -d /tmp/kerbgate-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
BACKEND_PORT="$(free_port)"; NGINX_PORT="$(free_port)"; KERBGATE_PORT="$(free_port)"; ADMIN_PORT="$(free_port)"

nginx_conf() { # name workers body
  cat > "$WORK/$1.conf" <<CONF
worker_processes $2;
daemon off;
pid $WORK/$1.pid;
error_log $WORK/$1.error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/$1-body; proxy_temp_path $WORK/$1-proxy; fastcgi_temp_path $WORK/$1-fcgi;
  uwsgi_temp_path $WORK/$1-uwsgi; scgi_temp_path $WORK/$1-scgi;
  keepalive_requests 1000000;
  $3
}
CONF
}

nginx_conf backend 1 "server { listen 127.0.0.1:$BACKEND_PORT; location / { return 200 'hello, world\n'; } }"
nginx_conf proxy 2 "upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$NGINX_PORT; location / { proxy_pass http://backend; proxy_http_version 1.1;
    proxy_set_header Connection \"\"; } }"
nginx -c "$WORK/backend.conf" & PIDS+=($!)
nginx -c "$WORK/proxy.conf" & PIDS+=($!)

printf 'addent -password -p HTTP/bench.example.test@BENCH.TEST -k 1 -e aes256-cts-hmac-sha1-96\n%s\nwkt %s\nquit\n' \
  "$(head -c 18 /dev/urandom | base64)" "$WORK/bench.keytab" | ktutil >/dev/null
cat > "$WORK/kerbgate.yaml" <<YAML
listen: 127.0.0.1:$KERBGATE_PORT
keytab: $WORK/bench.keytab
backends: [http://127.0.0.1:$BACKEND_PORT]
admin:
  listen: 127.0.0.1:$ADMIN_PORT
access_log: {enabled: false}
auth: {required: false}
YAML
java -Xmx512m -jar "$JAR" run --config "$WORK/kerbgate.yaml" >"$WORK/kerbgate.log" 2>&1 & PIDS+=($!)

wait_for() { # url
  for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "not up: $1" >&2; cat "$WORK"/*.log >&2; exit 1
}
wait_for "http://127.0.0.1:$BACKEND_PORT/"
wait_for "http://127.0.0.1:$NGINX_PORT/"
wait_for "http://127.0.0.1:$ADMIN_PORT/readyz"
wait_for "http://127.0.0.1:$KERBGATE_PORT/"

run() { # name port -> "rps avg p50 p99"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$2/" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$2/" > "$WORK/$1.wrk"
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^    Latency/ {avg=$2}
    /^ +50%/ {p50=$2}
    /^ +99%/ {p99=$2}
    /Non-2xx|Socket errors/ {errors=errors $0 "; "}
    END {printf "%s %s %s %s %s %s\n", name, rps, avg, p50, p99, (errors == "" ? "-" : errors)}' "$WORK/$1.wrk"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up each), backend: nginx static 13 B, $(nproc) cores shared by everything"
NGINX_RESULT="$(run nginx "$NGINX_PORT")"
KERBGATE_RESULT="$(run kerbgate "$KERBGATE_PORT")"
printf '%-9s %12s %10s %10s %10s  %s\n' proxy requests/s "lat avg" "lat p50" "lat p99" errors
for result in "$NGINX_RESULT" "$KERBGATE_RESULT"; do
  read -r name rps avg p50 p99 errors <<<"$result"
  printf '%-9s %12s %10s %10s %10s  %s\n' "$name" "$rps" "$avg" "$p50" "$p99" "$errors"
done
awk -v n="$(cut -d' ' -f2 <<<"$NGINX_RESULT")" -v k="$(cut -d' ' -f2 <<<"$KERBGATE_RESULT")" \
  'BEGIN {printf "kerbgate/nginx throughput ratio: %.2f\n", k / n}'
