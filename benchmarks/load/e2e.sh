#!/usr/bin/env bash
# End-to-end load: kerbgate and its peers in front of the same backend, in the same run, all on loopback, printing the
# table and ratios of issue 13 in one command.
#
#   benchmarks/load/e2e.sh                     # wrk -t2 -c32 -d10s per scenario, then nginx and kerbgate at -c128
#   DURATION=5s TOKENS=60000 benchmarks/load/e2e.sh
#   DURATION=1s TOKENS=300 WARMUP=0 CONNECTIONS=4 HIGH_CONNECTIONS=8 benchmarks/load/e2e.sh   # the CI smoke
#
# What runs (127.0.0.1, free ports, a temp dir removed at exit):
#   backend   nginx, one worker, GET / -> 13-byte static body;
#   KDC       MIT krb5kdc -n, realm ARRAY.TEST (as MitKdc.java): alice (password), HTTP/array.example.test
#             (aes256-cts-hmac-sha1-96), keytab exported with kadmin.local ktadd -norandkey;
#   kerbgate  three `kerbgate run` on that keytab: auth.required false (plain), true (Negotiate; it also issues the
#             session cookie), and true with sessions.connection_bound (connection-bound);
#   nginx     proxy_pass to the backend (keep-alive upstream), the peer of kerbgate plain;
#   Apache    httpd mpm_event + mod_auth_gssapi (AuthType GSSAPI, GssapiCredStore keytab:<same keytab>,
#             GssapiUseSessions Off, Require valid-user) + mod_proxy_http, in two configurations, the peers of kerbgate
#             Negotiate: "4x32" (up to 4 processes of 32 threads) and "2x16" (2 processes of 16 threads: fewer
#             threads than cores x connections, less contention on 2 cores). The ratio takes the better. Skipped with
#             a message if apache2 or libapache2-mod-auth-gssapi is missing or does not start.
# Scenarios, each wrk -t$THREADS -c$CONNECTIONS -d$DURATION with benchmarks/load/e2e.lua:
#   plain-nginx, plain-kerbgate          no Authorization header;
#   negotiate-kerbgate                   Negotiate on every request: MIT client tokens (python-gssapi, one ccache):
#                                        one ticket, a fresh authenticator per token;
#   negotiate-apache-4x32, -2x16         the same MIT token file (each server has its own replay cache);
#   negotiate-newticket-kerbgate         a new ticket in every token, minted in process by io.kerbgate.bench.E2eTokens
#                                        (BenchTokens under the key exported from the KDC; MIT's client library
#                                        cannot get a new service ticket per token fast enough);
#   session-cookie-kerbgate              only the cookie one Negotiate exchange issued, on every request;
#   connection-bound-kerbgate            Negotiate on the first request of each connection, plain requests after it;
#   *-c$HIGH_CONNECTIONS                 plain-nginx, plain-kerbgate and negotiate-kerbgate again at 4x the
#                                        connections (HIGH_CONNECTIONS=0 skips that pass).
# Every token is sent once; a thread that runs out stops (reported as requests_after_tokens_ran_out).
# Results: $OUT (default benchmarks/results/e2e-latest.json) and a table and the ratios on stdout.
# Needs: java 17, maven (first build), nginx, wrk, MIT krb5 (krb5kdc, kdb5_util, kadmin.local, kinit),
# /usr/bin/python3 with python3-gssapi, curl, openssl; optional apache2 + libapache2-mod-auth-gssapi.
set -euo pipefail

DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
HIGH_CONNECTIONS="${HIGH_CONNECTIONS:-$((4 * CONNECTIONS))}"
WARMUP="${WARMUP:-5s}"              # 0: no warm-up runs
WARMUP_ROUNDS="${WARMUP_ROUNDS:-6}"   # at most this many WARMUP runs of the plain kerbgate, until steady
# The JVM options the launcher (/usr/bin/kerbgate) and the Docker image give kerbgate, then any of your own, e.g.
# KG_JAVA_OPTS=-Xlog:gc:file=/tmp/gc-%p.log
KG_JAVA_OPTS="-XX:MaxGCPauseMillis=25 ${KG_JAVA_OPTS:-}"
TOKENS="${TOKENS:-30000}"           # per Negotiate scenario (MIT tokens cost ~1-2 ms each to mint here)
if [[ "$WARMUP" == 0 ]]; then WARMUP_TOKENS="${WARMUP_TOKENS:-8}"; else WARMUP_TOKENS="${WARMUP_TOKENS:-10000}"; fi
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAR="$ROOT/gateway/target/kerbgate.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
LUA="$ROOT/benchmarks/load/e2e.lua"
OUT="${OUT:-$ROOT/benchmarks/results/e2e-latest.json}"
PY=/usr/bin/python3
REALM=ARRAY.TEST
SERVICE=HTTP/array.example.test

for tool in java nginx wrk curl openssl /usr/sbin/krb5kdc /usr/sbin/kdb5_util /usr/sbin/kadmin.local kinit; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx wrk krb5-kdc krb5-admin-server krb5-user curl openssl)" >&2; exit 2; }
done
"$PY" -c 'import gssapi' 2>/dev/null || { echo "needs python3-gssapi for $PY" >&2; exit 2; }
if [[ ! -f "$JAR" || ! -f "$BENCH_JAR" ]]; then
  echo "building $JAR and $BENCH_JAR ..." >&2
  (cd "$ROOT" && mvn -B -q package -DskipTests -pl benchmarks -am) >&2
fi

WORK="$(mktemp -d /tmp/kerbgate-e2e.XXXXXX)"
chmod 755 "$WORK"   # Apache's workers (www-data) read the keytab and write their replay cache here
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
BACKEND_PORT="$(free_port)"; NGINX_PORT="$(free_port)"; KDC_PORT="$(free_port)"
KG_PLAIN_PORT="$(free_port)"; KG_PLAIN_ADMIN="$(free_port)"; KG_AUTH_PORT="$(free_port)"; KG_AUTH_ADMIN="$(free_port)"
KG_CONN_PORT="$(free_port)"; KG_CONN_ADMIN="$(free_port)"
declare -A APACHE_PORTS=([4x32]="$(free_port)" [2x16]="$(free_port)")

wait_for() { # url [curl args]
  local url="$1"; shift
  for _ in $(seq 1 300); do curl -s -o /dev/null "$@" "$url" && return 0; sleep 0.1; done
  echo "not up: $url" >&2; tail -n 20 "$WORK"/*.log >&2; exit 1
}

# --- backend and nginx proxy_pass (the peer of the plain scenario) ---
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

# --- MIT KDC (the approach of gateway/src/test/java/io/kerbgate/testing/MitKdc.java) ---
mkdir "$WORK/kdc"
cat > "$WORK/kdc/kdc.conf" <<CONF
[kdcdefaults]
  kdc_listen = 127.0.0.1:$KDC_PORT
  kdc_tcp_listen = 127.0.0.1:$KDC_PORT
[realms]
  $REALM = {
    database_name = $WORK/kdc/principal
    key_stash_file = $WORK/kdc/stash
    acl_file = $WORK/kdc/kadm5.acl
    kdc_listen = 127.0.0.1:$KDC_PORT
    kdc_tcp_listen = 127.0.0.1:$KDC_PORT
    master_key_type = aes256-cts-hmac-sha1-96
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  }
[logging]
  kdc = FILE:$WORK/kdc/kdc.log
  admin_server = FILE:$WORK/kdc/kadmin.log
  default = FILE:$WORK/kdc/krb5.log
CONF
cat > "$WORK/krb5.conf" <<CONF
[libdefaults]
  default_realm = $REALM
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  default_tkt_enctypes = aes256-cts-hmac-sha1-96
  default_tgs_enctypes = aes256-cts-hmac-sha1-96
  permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
[realms]
  $REALM = {
    kdc = 127.0.0.1:$KDC_PORT
  }
[domain_realm]
  .example.test = $REALM
  array.example.test = $REALM
CONF
chmod 644 "$WORK/krb5.conf"
export KRB5_CONFIG="$WORK/krb5.conf" KRB5_KDC_PROFILE="$WORK/kdc/kdc.conf" KRB5CCNAME="FILE:$WORK/alice.ccache"
kadmin() { /usr/sbin/kadmin.local -r "$REALM" -q "$1" >>"$WORK/kdc/kadmin.out" 2>&1; }
log "KDC on 127.0.0.1:$KDC_PORT"
/usr/sbin/kdb5_util create -s -r "$REALM" -P master-password >"$WORK/kdc/kdb5_util.log" 2>&1
/usr/sbin/krb5kdc -n -r "$REALM" >"$WORK/kdc/krb5kdc.out" 2>&1 & PIDS+=($!)
kadmin "addprinc -pw alice-password alice"
kadmin "addprinc -randkey -e aes256-cts-hmac-sha1-96:normal $SERVICE"
kadmin "ktadd -norandkey -k $WORK/http.keytab $SERVICE"
chmod 600 "$WORK/http.keytab"   # kerbgate refuses a keytab other users can read
# Apache's workers (www-data) read a copy: a throwaway key of a throwaway realm.
cp "$WORK/http.keytab" "$WORK/apache.keytab" && chmod 644 "$WORK/apache.keytab"
for _ in $(seq 1 100); do echo alice-password | kinit alice >"$WORK/kinit.out" 2>&1 && break; sleep 0.1; done
klist -s || { echo "kinit failed: $(cat "$WORK/kinit.out")" >&2; tail -n 5 "$WORK/kdc/"*.log >&2; exit 1; }

# --- kerbgate: plain, Negotiate, connection-bound ---
# The Negotiate gateway also issues session cookies, for the cookie scenario (a session key of its own).
openssl rand -hex 32 > "$WORK/session.key" && chmod 600 "$WORK/session.key"
kerbgate_yaml() { # name port admin required connection_bound
  cat > "$WORK/$1.yaml" <<YAML
listen: 127.0.0.1:$2
keytab: $WORK/http.keytab
backends: [http://127.0.0.1:$BACKEND_PORT]
admin:
  listen: 127.0.0.1:$3
access_log: {enabled: false}
acceptor:
  allowed_client_realms: [$REALM]
  # As in conf/kerbgate-production.yaml. Without it the restart guard refuses every token stamped before
  # start + clock_skew, and tokens are minted right after the start.
  replay_cache_file: $WORK/$1.replay
  # Every token of a run is alice's, from one address: the per-client shares (a tenth and a quarter of the cache by
  # default, right for real traffic) would refuse the later scenarios with 429 replay_quota. A share may be half of
  # the cache at most, so the cache grows with it.
  replay_cache_max_entries: 2000000
  replay_cache_max_entries_per_principal: 1000000
  replay_cache_max_entries_per_address: 1000000
auth: {required: $4}
sessions:
  connection_bound: $5
  cookie: {key_file: $WORK/session.key, max_age: 1h, secure: false}
YAML
}
kerbgate_yaml kg-plain "$KG_PLAIN_PORT" "$KG_PLAIN_ADMIN" false false
kerbgate_yaml kg-auth "$KG_AUTH_PORT" "$KG_AUTH_ADMIN" true false
kerbgate_yaml kg-conn "$KG_CONN_PORT" "$KG_CONN_ADMIN" true true
java -Xms512m -Xmx512m $KG_JAVA_OPTS -jar "$JAR" run --config "$WORK/kg-plain.yaml" >"$WORK/kg-plain.log" 2>&1 & PIDS+=($!)
java -Xms1g -Xmx1g $KG_JAVA_OPTS -jar "$JAR" run --config "$WORK/kg-auth.yaml" >"$WORK/kg-auth.log" 2>&1 & PIDS+=($!)
java -Xms512m -Xmx512m $KG_JAVA_OPTS -jar "$JAR" run --config "$WORK/kg-conn.yaml" >"$WORK/kg-conn.log" 2>&1 & PIDS+=($!)

# --- Apache httpd + mod_auth_gssapi, two configurations ---
declare -A APACHE_UP=()
MODS=/usr/lib/apache2/modules
apache_conf() { # name port serverlimit threadsperchild
  local d="$WORK/apache-$1"
  mkdir -p "$d" && mkdir -m 1777 "$d/rcache"
  cat > "$d/apache.conf" <<CONF
ServerRoot /etc/apache2
ServerName localhost
Listen 127.0.0.1:$2
PidFile $d/apache.pid
DefaultRuntimeDir $d
ErrorLog $d/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_user_module $MODS/mod_authz_user.so
LoadModule auth_gssapi_module $MODS/mod_auth_gssapi.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_http_module $MODS/mod_proxy_http.so
StartServers $3
ServerLimit $3
ThreadsPerChild $4
MaxRequestWorkers $(($3 * $4))
MinSpareThreads $4
MaxSpareThreads $(($3 * $4))
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
Mutex file:$d
<Location />
  AuthType GSSAPI
  AuthName "kerbgate e2e"
  GssapiCredStore keytab:$WORK/apache.keytab
  GssapiSSLonly Off
  GssapiUseSessions Off
  Require valid-user
  ProxyPass http://127.0.0.1:$BACKEND_PORT/ keepalive=On
</Location>
CONF
}
if [[ -x /usr/sbin/apache2 && -f $MODS/mod_auth_gssapi.so && -f $MODS/mod_proxy_http.so ]]; then
  apache_conf 4x32 "${APACHE_PORTS[4x32]}" 4 32
  apache_conf 2x16 "${APACHE_PORTS[2x16]}" 2 16
  for a in 4x32 2x16; do
    # Each instance's replay cache (MIT rcache2) goes to its own dir in the temp dir, not /var/tmp: both get the
    # same tokens, as kerbgate does.
    env KRB5RCACHEDIR="$WORK/apache-$a/rcache" /usr/sbin/apache2 -f "$WORK/apache-$a/apache.conf" -DFOREGROUND \
      >"$WORK/apache-$a/out.log" 2>&1 & PIDS+=($!)
    APACHE_UP[$a]=1
  done
else
  log "SKIP apache: apache2 / libapache2-mod-auth-gssapi not installed (apt-get install apache2 libapache2-mod-auth-gssapi)"
fi

wait_for "http://127.0.0.1:$BACKEND_PORT/"
wait_for "http://127.0.0.1:$NGINX_PORT/"
for admin in "$KG_PLAIN_ADMIN" "$KG_AUTH_ADMIN" "$KG_CONN_ADMIN"; do wait_for "http://127.0.0.1:$admin/readyz"; done
wait_for "http://127.0.0.1:$KG_PLAIN_PORT/"
for a in "${!APACHE_UP[@]}"; do
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:${APACHE_PORTS[$a]}/" && break; sleep 0.1; done
  if ! curl -s -o /dev/null "http://127.0.0.1:${APACHE_PORTS[$a]}/"; then
    log "SKIP apache-$a: it did not start: $(tail -n 5 "$WORK/apache-$a/"*.log 2>/dev/null | tr '\n' ' ')"
    unset "APACHE_UP[$a]"
  fi
done

# --- tokens, all minted before any load and after kerbgate started ---
HIGH_TOKENS=0; [[ "$HIGH_CONNECTIONS" -gt 0 ]] && HIGH_TOKENS="$TOKENS"
log "minting tokens: $TOKENS new-ticket (E2eTokens), $((WARMUP_TOKENS + TOKENS + HIGH_TOKENS)) MIT (python-gssapi)"
java -cp "$BENCH_JAR" io.kerbgate.bench.E2eTokens "$WORK/http.keytab" cold "$TOKENS" "$WORK/newticket.tokens" &
JAVA_MINT=$!
java -cp "$BENCH_JAR" io.kerbgate.bench.E2eTokens "$WORK/http.keytab" cold "$WARMUP_TOKENS" "$WORK/warmup.tokens"
# The first batch puts the service ticket in the ccache; the other two then only read it, so they mint in parallel.
"$PY" "$ROOT/benchmarks/load/e2e-spnego-tokens.py" "HTTP@array.example.test" "$WARMUP_TOKENS" "$WORK/mit-warmup.tokens"
"$PY" "$ROOT/benchmarks/load/e2e-spnego-tokens.py" "HTTP@array.example.test" "$TOKENS" "$WORK/mit.tokens" &
PY_MINT=$!
if [[ "$HIGH_TOKENS" -gt 0 ]]; then
  "$PY" "$ROOT/benchmarks/load/e2e-spnego-tokens.py" "HTTP@array.example.test" "$HIGH_TOKENS" "$WORK/mit-high.tokens"
fi
wait "$PY_MINT"
wait "$JAVA_MINT"
klist | grep -q "$SERVICE" || { echo "no service ticket in the ccache" >&2; exit 1; }
log "tokens: $(wc -l < "$WORK/newticket.tokens") new-ticket, $(wc -l < "$WORK/mit.tokens") MIT, $(head -n1 "$WORK/mit.tokens" | wc -c) B per MIT header"

# Smoke check: one token of each kind must pass, or the run would measure refusals. Each server gets a line of its
# own from the warm-up files (a line is never sent twice to one server).
check() { # name port tokenfile line
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $(sed -n "${4}p" "$3")" "http://127.0.0.1:$2/")"
  [[ "$code" == 200 ]] || { echo "$1: a valid token got HTTP $code" >&2; return 1; }
}
check kerbgate "$KG_AUTH_PORT" "$WORK/warmup.tokens" 1 || { tail -n 20 "$WORK"/*.log >&2; exit 1; }
check kerbgate "$KG_AUTH_PORT" "$WORK/mit-warmup.tokens" 1 || { tail -n 20 "$WORK"/*.log >&2; exit 1; }
# Connection-bound: a token on the first request, none on the second, on one connection (curl --next reuses it).
CODES="$(curl -s -o /dev/null -w '%{http_code} %{num_connects}\n' -H "Authorization: $(sed -n 1p "$WORK/mit-warmup.tokens")" \
  "http://127.0.0.1:$KG_CONN_PORT/" --next -s -o /dev/null -w '%{http_code} %{num_connects}\n' "http://127.0.0.1:$KG_CONN_PORT/" | tr '\n' ' ')"
[[ "$CODES" == "200 1 200 0 " ]] || { echo "kerbgate connection-bound: got '$CODES', not '200 1 200 0'" >&2; tail -n 20 "$WORK"/kg-conn.log >&2; exit 1; }
for a in "${!APACHE_UP[@]}"; do
  if ! check "apache-$a" "${APACHE_PORTS[$a]}" "$WORK/mit-warmup.tokens" 1 2>"$WORK/apache-$a/check.err"; then
    log "SKIP apache-$a: $(head -n1 "$WORK/apache-$a/check.err"); $(tail -n 3 "$WORK/apache-$a/error.log" | tr '\n' ' ')"
    unset "APACHE_UP[$a]"
  fi
done
# Session cookie: one Negotiate exchange issues it, then every request of the scenario carries only the cookie.
COOKIE="$(curl -s -o /dev/null -D - -H "Authorization: $(sed -n 2p "$WORK/warmup.tokens")" \
  "http://127.0.0.1:$KG_AUTH_PORT/" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -n1)"
tail -n +3 "$WORK/warmup.tokens" > "$WORK/warmup-rest.tokens"
tail -n +2 "$WORK/mit-warmup.tokens" > "$WORK/mit-warmup-rest.tokens"

wrk_run() { # name port connections tokens|"" duration -> $WORK/name.json
  # $E2E_COOKIE, when set, goes on every request; $E2E_TOKENS_FIRST=n sends tokens on the first n requests of
  # each wrk thread only (its first request on each of its connections).
  E2E_TOKENS="$4" E2E_THREADS="$THREADS" E2E_OUT="$WORK/$1.json" E2E_COOKIE="${E2E_COOKIE:-}" \
    E2E_TOKENS_FIRST="${E2E_TOKENS_FIRST:-0}" \
    timeout 120 wrk -t"$THREADS" -c"$3" -d"$5" --timeout 5s -s "$LUA" "http://127.0.0.1:$2/" > "$WORK/$1.wrk" 2>&1
}
RESULTS=()
scenario() { # name port connections tokens
  log "run $1 (wrk -t$THREADS -c$3 -d$DURATION)"
  wrk_run "$1" "$2" "$3" "$4" "$DURATION"
  RESULTS+=("$1:$3")
}
warm() { # name port tokens
  if [[ "$WARMUP" != 0 ]]; then wrk_run "warm-$1" "$2" "$CONNECTIONS" "$3" "$WARMUP"; fi
}
# A JVM compiles its hot path while it serves: on two loaded cores kerbgate still ran at 40% of its speed after one
# 5 s warm-up (14.5k req/s at -c32, then 36k at -c128 later in the same run). Warm it until two runs in a row agree
# within 5%, at most WARMUP_ROUNDS runs, so a scenario measures the compiled code and not the compiler.
warm_until_steady() { # name port
  [[ "$WARMUP" == 0 ]] && return 0
  local previous=0 rps i
  for i in $(seq 1 "$WARMUP_ROUNDS"); do
    wrk_run "warm-$1-$i" "$2" "$CONNECTIONS" "" "$WARMUP"
    rps="$("$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["rps"]))' "$WORK/warm-$1-$i.json")"
    log "warm-up $1 round $i: $rps req/s"
    if (( previous > 0 && rps * 100 <= previous * 105 && rps * 100 >= previous * 95 )); then return 0; fi
    previous="$rps"
  done
}

log "warm-up: ${WARMUP} each on every server, the plain kerbgate until steady"
warm_until_steady plain-kerbgate "$KG_PLAIN_PORT"
warm plain-nginx "$NGINX_PORT" ""
warm negotiate-kerbgate "$KG_AUTH_PORT" "$WORK/warmup-rest.tokens"
# Its proxying path too, through the session cookie: tokens are too few to warm it for long.
if [[ -n "$COOKIE" ]]; then E2E_COOKIE="$COOKIE" warm_until_steady negotiate-kerbgate-cookie "$KG_AUTH_PORT"; fi
warm connection-bound-kerbgate "$KG_CONN_PORT" "$WORK/mit-warmup-rest.tokens"
for a in "${!APACHE_UP[@]}"; do warm "apache-$a" "${APACHE_PORTS[$a]}" "$WORK/mit-warmup-rest.tokens"; done

C="$CONNECTIONS"
scenario plain-nginx "$NGINX_PORT" "$C" ""
scenario plain-kerbgate "$KG_PLAIN_PORT" "$C" ""
scenario negotiate-kerbgate "$KG_AUTH_PORT" "$C" "$WORK/mit.tokens"
for a in 4x32 2x16; do
  if [[ -n "${APACHE_UP[$a]:-}" ]]; then scenario "negotiate-apache-$a" "${APACHE_PORTS[$a]}" "$C" "$WORK/mit.tokens"; fi
done
scenario negotiate-newticket-kerbgate "$KG_AUTH_PORT" "$C" "$WORK/newticket.tokens"
if [[ -n "$COOKIE" ]]; then
  E2E_COOKIE="$COOKIE" scenario session-cookie-kerbgate "$KG_AUTH_PORT" "$C" ""
else
  log "SKIP session-cookie: no Set-Cookie from the gateway"
fi
# The connection-bound gateway has not seen the MIT tokens: each thread sends its first ones, one per connection.
E2E_TOKENS_FIRST=$((C / THREADS)) scenario connection-bound-kerbgate "$KG_CONN_PORT" "$C" "$WORK/mit.tokens"
if [[ "$HIGH_CONNECTIONS" -gt 0 ]]; then
  H="$HIGH_CONNECTIONS"
  scenario "plain-nginx-c$H" "$NGINX_PORT" "$H" ""
  scenario "plain-kerbgate-c$H" "$KG_PLAIN_PORT" "$H" ""
  scenario "negotiate-kerbgate-c$H" "$KG_AUTH_PORT" "$H" "$WORK/mit-high.tokens"
fi

mkdir -p "$(dirname "$OUT")"
"$PY" "$ROOT/benchmarks/load/e2e-report.py" "$WORK" "$OUT" "$DURATION" "$THREADS" "$CONNECTIONS" "$HIGH_CONNECTIONS" \
  "$TOKENS" "${RESULTS[@]}"
