#!/usr/bin/env bash
# End-to-end load: kerbgate and its peers in front of the same backend, in the same run, all on loopback.
#
#   benchmarks/load/e2e.sh                     # wrk -t2 -c32 -d10s per scenario
#   DURATION=5s TOKENS=60000 benchmarks/load/e2e.sh
#
# What runs (127.0.0.1, free ports, a temp dir removed at exit):
#   backend   nginx, one worker, GET / -> 13-byte static body;
#   KDC       MIT krb5kdc -n, realm ARRAY.TEST (as MitKdc.java): alice (password), HTTP/array.example.test
#             (aes256-cts-hmac-sha1-96), keytab exported with kadmin.local ktadd -norandkey;
#   kerbgate  two `kerbgate run`: auth.required false (plain) and true (Negotiate), the exported keytab;
#   nginx     proxy_pass to the backend (keep-alive upstream), the peer of kerbgate plain;
#   Apache    httpd (mpm_event) + mod_auth_gssapi (AuthType GSSAPI, GssapiCredStore keytab:<same keytab>,
#             Require valid-user) + mod_proxy_http to the backend, the peer of kerbgate Negotiate. Skipped with a
#             message if apache2 or mod_auth_gssapi is missing or does not start.
# Scenarios, each wrk -t$THREADS -c$CONNECTIONS -d$DURATION with benchmarks/load/e2e.lua:
#   plain-kerbgate, plain-nginx          no Authorization header;
#   negotiate-cold-kerbgate              a new ticket in every token: minted in process by io.kerbgate.bench.E2eTokens
#                                        (BenchTokens under the key exported from the KDC; MIT's client library
#                                        cannot get a new service ticket per token fast enough);
#   negotiate-cached-kerbgate            MIT client tokens (python-gssapi, one ccache): one ticket, fresh authenticator
#                                        per token;
#   negotiate-cached-apache              the same MIT token file (each server has its own replay cache).
# Every token is sent once; a thread that runs out stops (reported as requests_after_tokens_ran_out).
# Results: benchmarks/results/e2e-latest.json and a table on stdout.
# Needs: java 17, maven (first build), nginx, wrk, MIT krb5 (krb5kdc, kdb5_util, kadmin.local, kinit),
# /usr/bin/python3 with python3-gssapi, curl; optional apache2 + libapache2-mod-auth-gssapi.
set -euo pipefail

DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
WARMUP="${WARMUP:-5s}"
TOKENS="${TOKENS:-30000}"           # per Negotiate scenario (MIT tokens cost ~1-2 ms each to mint here)
WARMUP_TOKENS="${WARMUP_TOKENS:-10000}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAR="$ROOT/gateway/target/kerbgate.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
LUA="$ROOT/benchmarks/load/e2e.lua"
OUT="${OUT:-$ROOT/benchmarks/results/e2e-latest.json}"
PY=/usr/bin/python3
REALM=ARRAY.TEST
SERVICE=HTTP/array.example.test

for tool in java nginx wrk curl /usr/sbin/krb5kdc /usr/sbin/kdb5_util /usr/sbin/kadmin.local kinit; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx wrk krb5-kdc krb5-admin-server krb5-user curl)" >&2; exit 2; }
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
BACKEND_PORT="$(free_port)"; NGINX_PORT="$(free_port)"; KDC_PORT="$(free_port)"; APACHE_PORT="$(free_port)"
KG_PLAIN_PORT="$(free_port)"; KG_PLAIN_ADMIN="$(free_port)"; KG_AUTH_PORT="$(free_port)"; KG_AUTH_ADMIN="$(free_port)"

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
chmod 644 "$WORK/http.keytab"   # a throwaway key of a throwaway realm, for Apache's workers
for _ in $(seq 1 100); do echo alice-password | kinit alice >"$WORK/kinit.out" 2>&1 && break; sleep 0.1; done
klist -s || { echo "kinit failed: $(cat "$WORK/kinit.out")" >&2; tail -n 5 "$WORK/kdc/"*.log >&2; exit 1; }

# --- kerbgate, plain and Negotiate ---
# The Negotiate gateway also issues session cookies, for the cookie scenario (a session key of its own).
openssl rand -hex 32 > "$WORK/session.key" && chmod 600 "$WORK/session.key"
kerbgate_yaml() { # name port admin required
  cat > "$WORK/$1.yaml" <<YAML
listen: 127.0.0.1:$2
keytab: $WORK/http.keytab
backends: [http://127.0.0.1:$BACKEND_PORT]
admin:
  listen: 127.0.0.1:$3
access_log: {enabled: false}
acceptor:
  allowed_client_realms: [$REALM]
auth: {required: $4}
sessions:
  cookie: {key_file: $WORK/session.key, max_age: 1h, secure: false}
YAML
}
kerbgate_yaml kg-plain "$KG_PLAIN_PORT" "$KG_PLAIN_ADMIN" false
kerbgate_yaml kg-auth "$KG_AUTH_PORT" "$KG_AUTH_ADMIN" true
java -Xms512m -Xmx512m -jar "$JAR" run --config "$WORK/kg-plain.yaml" >"$WORK/kg-plain.log" 2>&1 & PIDS+=($!)
java -Xms1g -Xmx1g -jar "$JAR" run --config "$WORK/kg-auth.yaml" >"$WORK/kg-auth.log" 2>&1 & PIDS+=($!)

# --- Apache httpd + mod_auth_gssapi ---
APACHE=""
MODS=/usr/lib/apache2/modules
if [[ -x /usr/sbin/apache2 && -f $MODS/mod_auth_gssapi.so && -f $MODS/mod_proxy_http.so ]]; then
  mkdir -m 1777 "$WORK/rcache"
  cat > "$WORK/apache.conf" <<CONF
ServerRoot /etc/apache2
ServerName localhost
Listen 127.0.0.1:$APACHE_PORT
PidFile $WORK/apache.pid
ErrorLog $WORK/apache.error.log
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
StartServers 2
ServerLimit 4
ThreadsPerChild 32
MaxRequestWorkers 128
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
Mutex file:$WORK
<Location />
  AuthType GSSAPI
  AuthName "kerbgate e2e"
  GssapiCredStore keytab:$WORK/http.keytab
  GssapiSSLonly Off
  Require valid-user
  ProxyPass http://127.0.0.1:$BACKEND_PORT/ keepalive=On
</Location>
CONF
  # The workers' replay cache (MIT rcache2) goes to the temp dir, not /var/tmp.
  if env KRB5RCACHEDIR="$WORK/rcache" /usr/sbin/apache2 -f "$WORK/apache.conf" -DFOREGROUND >"$WORK/apache.log" 2>&1 & then
    PIDS+=($!); APACHE=$!
  fi
else
  log "SKIP apache: apache2 / libapache2-mod-auth-gssapi not installed"
fi

wait_for "http://127.0.0.1:$BACKEND_PORT/"
wait_for "http://127.0.0.1:$NGINX_PORT/"
wait_for "http://127.0.0.1:$KG_PLAIN_ADMIN/readyz"
wait_for "http://127.0.0.1:$KG_AUTH_ADMIN/readyz"
wait_for "http://127.0.0.1:$KG_PLAIN_PORT/"
if [[ -n "$APACHE" ]]; then
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$APACHE_PORT/" && break; sleep 0.1; done
  if ! curl -s -o /dev/null "http://127.0.0.1:$APACHE_PORT/"; then
    log "SKIP apache: it did not start: $(tail -n 5 "$WORK/apache.log" "$WORK/apache.error.log" 2>/dev/null | tr '\n' ' ')"
    APACHE=""
  fi
fi

# --- tokens, all minted before any load, after kerbgate started: it refuses authenticators older than its
# replay cache (for one clock skew after its start), as a restarted node must ---
log "minting tokens: $TOKENS cold (E2eTokens), $((TOKENS + WARMUP_TOKENS)) cached (MIT, python-gssapi), $WARMUP_TOKENS warm-up"
java -cp "$BENCH_JAR" io.kerbgate.bench.E2eTokens "$WORK/http.keytab" cold "$TOKENS" "$WORK/cold.tokens" &
JAVA_MINT=$!
java -cp "$BENCH_JAR" io.kerbgate.bench.E2eTokens "$WORK/http.keytab" cold "$WARMUP_TOKENS" "$WORK/warmup.tokens"
"$PY" "$ROOT/benchmarks/load/e2e-spnego-tokens.py" "HTTP@array.example.test" "$((TOKENS + WARMUP_TOKENS))" "$WORK/mit.tokens"
wait "$JAVA_MINT"
head -n "$WARMUP_TOKENS" "$WORK/mit.tokens" > "$WORK/mit-warmup.tokens"
tail -n +"$((WARMUP_TOKENS + 1))" "$WORK/mit.tokens" > "$WORK/cached.tokens"
klist | grep -q "$SERVICE" || { echo "no service ticket in the ccache" >&2; exit 1; }
log "tokens: $(wc -l < "$WORK/cold.tokens") cold, $(wc -l < "$WORK/cached.tokens") cached, $(head -c 2000 "$WORK/cached.tokens" | head -n1 | wc -c) B per MIT header"

# Smoke check: one token of each kind must pass, or the run would measure refusals.
check() { # name port tokenfile
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $(head -n1 "$3")" "http://127.0.0.1:$2/")"
  [[ "$code" == 200 ]] || { echo "$1: a valid token got HTTP $code" >&2; tail -n 20 "$WORK"/*.log >&2; exit 1; }
}
check kerbgate "$KG_AUTH_PORT" "$WORK/warmup.tokens";     sed -i 1d "$WORK/warmup.tokens"
check kerbgate "$KG_AUTH_PORT" "$WORK/mit-warmup.tokens"; sed -i 1d "$WORK/mit-warmup.tokens"
if [[ -n "$APACHE" ]]; then
  if ! check apache "$APACHE_PORT" "$WORK/mit-warmup.tokens" 2>"$WORK/apache-check.err"; then
    log "SKIP apache: $(head -n1 "$WORK/apache-check.err"); $(tail -n 3 "$WORK/apache.error.log" | tr '\n' ' ')"
    APACHE=""
  fi
fi

wrk_run() { # name port tokens|"" duration -> $WORK/name.json  ($E2E_COOKIE, when set, goes on every request)
  E2E_TOKENS="$3" E2E_THREADS="$THREADS" E2E_OUT="$WORK/$1.json" E2E_COOKIE="${E2E_COOKIE:-}" \
    timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4" --timeout 5s -s "$LUA" "http://127.0.0.1:$2/" \
    > "$WORK/$1.wrk" 2>&1
}
RESULTS=()
scenario() { # name port tokens
  log "run $1 (wrk -t$THREADS -c$CONNECTIONS -d$DURATION)"
  wrk_run "$1" "$2" "$3" "$DURATION"
  RESULTS+=("$1")
}

log "warm-up: $WARMUP each on kerbgate plain, nginx, kerbgate Negotiate"
wrk_run warm-plain "$KG_PLAIN_PORT" "" "$WARMUP"
wrk_run warm-nginx "$NGINX_PORT" "" "$WARMUP"
wrk_run warm-auth "$KG_AUTH_PORT" "$WORK/warmup.tokens" "$WARMUP"
scenario plain-kerbgate "$KG_PLAIN_PORT" ""
scenario plain-nginx "$NGINX_PORT" ""
scenario negotiate-cold-kerbgate "$KG_AUTH_PORT" "$WORK/cold.tokens"
scenario negotiate-cached-kerbgate "$KG_AUTH_PORT" "$WORK/cached.tokens"
# Session cookie: one Negotiate exchange issues it, then every request carries only the cookie (AES-GCM open).
COOKIE="$(curl -s -o /dev/null -D - -H "Authorization: $(head -n1 "$WORK/warmup.tokens")" \
  "http://127.0.0.1:$KG_AUTH_PORT/" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -n1)"
sed -i 1d "$WORK/warmup.tokens"
if [[ -n "$COOKIE" ]]; then
  E2E_COOKIE="$COOKIE" scenario session-cookie-kerbgate "$KG_AUTH_PORT" ""
else
  log "SKIP session-cookie: no Set-Cookie from the gateway"
fi
if [[ -n "$APACHE" ]]; then
  wrk_run warm-apache "$APACHE_PORT" "$WORK/mit-warmup.tokens" "$WARMUP"
  scenario negotiate-cached-apache "$APACHE_PORT" "$WORK/cached.tokens"
fi

mkdir -p "$(dirname "$OUT")"
"$PY" - "$WORK" "$OUT" "$DURATION" "$THREADS" "$CONNECTIONS" "$TOKENS" "${RESULTS[@]}" <<'PYEOF'
import json, os, platform, subprocess, sys, time
work, out, duration, threads, conns, tokens, names = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7:]
r = {n: json.load(open(os.path.join(work, n + ".json"))) for n in names}
def ratio(a, b):
    return round(r[a]["rps"] / r[b]["rps"], 3) if a in r and b in r and r[b]["rps"] else None
ratios = {
    "negotiate_cached_over_kerbgate_plain": ratio("negotiate-cached-kerbgate", "plain-kerbgate"),
    "negotiate_cold_over_kerbgate_plain": ratio("negotiate-cold-kerbgate", "plain-kerbgate"),
    "kerbgate_negotiate_cached_over_apache_mod_auth_gssapi": ratio("negotiate-cached-kerbgate", "negotiate-cached-apache"),
    "kerbgate_negotiate_cold_over_apache_mod_auth_gssapi": ratio("negotiate-cold-kerbgate", "negotiate-cached-apache"),
    "kerbgate_plain_over_nginx": ratio("plain-kerbgate", "plain-nginx"),
    "session_cookie_over_kerbgate_plain": ratio("session-cookie-kerbgate", "plain-kerbgate"),
}
for n in r:
    r[n]["p99_over_p50"] = round(r[n]["p99_us"] / r[n]["p50_us"], 2) if r[n]["p50_us"] else None
doc = {
    "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "wrk": f"-t{threads} -c{conns} -d{duration}", "tokens_per_negotiate_scenario": tokens,
    "machine": {"cpus": os.cpu_count(), "load_avg_1m_at_end": round(os.getloadavg()[0], 2), "kernel": platform.release()},
    "note": "wrk, backend nginx, the proxy under test and everything else on the machine share the CPUs",
    "scenarios": r, "ratios": ratios,
}
if "negotiate-cached-apache" not in r:
    doc["apache"] = "skipped"
json.dump(doc, open(out, "w"), indent=2)
fmt = "| {:<26} | {:>9} | {:>8} | {:>8} | {:>9} | {:>7} | {:>8} |"
print(f"wrk -t{threads} -c{conns} -d{duration}; {os.cpu_count()} CPUs shared by wrk, backend, proxy; load avg {doc['machine']['load_avg_1m_at_end']}")
print(fmt.format("scenario", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "p99/p50", "non-2xx"))
print("|" + "|".join("-" * w for w in (28, 11, 10, 10, 11, 9, 10)) + "|")
for n, s in r.items():
    print(fmt.format(n, f"{s['rps']:,.0f}", f"{s['p50_us']/1000:.2f}", f"{s['p99_us']/1000:.2f}", f"{s['p999_us']/1000:.2f}",
                     s["p99_over_p50"], s["non2xx_or_3xx"] + s["connect_errors"] + s["read_errors"] + s["write_errors"] + s["timeouts"]))
print()
for k, v in ratios.items():
    print(f"{k}: {v if v is not None else 'n/a'}")
print(f"\n-> {out}")
PYEOF
