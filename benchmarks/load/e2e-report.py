#!/usr/bin/python3
"""The report of benchmarks/load/e2e.sh: reads each scenario's wrk JSON (from e2e.lua's done()), writes the run's JSON
document and prints the table and the ratios of issue 13.

    e2e-report.py WORK OUT DURATION THREADS CONNECTIONS HIGH_CONNECTIONS TOKENS name:connections...
"""
import json
import os
import platform
import sys
import time

work, out, duration = sys.argv[1], sys.argv[2], sys.argv[3]
threads, conns, high, tokens = (int(a) for a in sys.argv[4:8])
runs = [a.rsplit(":", 1) for a in sys.argv[8:]]

r = {}
for name, c in runs:
    s = json.load(open(os.path.join(work, name + ".json")))
    s["connections"] = int(c)
    s["p99_over_p50"] = round(s["p99_us"] / s["p50_us"], 2) if s["p50_us"] else None
    s["errors"] = s["connect_errors"] + s["read_errors"] + s["write_errors"] + s["timeouts"]
    r[name] = s


def rps(a, b):
    return round(r[a]["rps"] / r[b]["rps"], 3) if a in r and b in r and r[b]["rps"] else None


def p99(a, b):
    return round(r[a]["p99_us"] / r[b]["p99_us"], 3) if a in r and b in r and r[b]["p99_us"] else None


# The better of the two Apache configurations is the peer of kerbgate Negotiate (issue 13).
apaches = [n for n in ("negotiate-apache-4x32", "negotiate-apache-2x16") if n in r]
better_apache = max(apaches, key=lambda n: r[n]["rps"]) if apaches else None

# (key, value, target, what): a ratio above 1 is "kerbgate faster" unless the key says p99 (lower is better).
ratios = [
    ("kerbgate_plain_over_nginx_rps", rps("plain-kerbgate", "plain-nginx"), ">= 1.0", "req/s"),
    ("kerbgate_plain_over_nginx_p99", p99("plain-kerbgate", "plain-nginx"), "<= 1.5", "p99 latency"),
    ("negotiate_over_better_apache_rps", rps("negotiate-kerbgate", better_apache) if better_apache else None,
     ">= 3.0", f"req/s, Apache = {better_apache or 'skipped'}"),
    ("negotiate_over_kerbgate_plain_rps", rps("negotiate-kerbgate", "plain-kerbgate"), ">= 0.6", "req/s"),
    ("negotiate_newticket_over_kerbgate_plain_rps", rps("negotiate-newticket-kerbgate", "plain-kerbgate"), "",
     "req/s"),
    ("session_cookie_over_kerbgate_plain_rps", rps("session-cookie-kerbgate", "plain-kerbgate"), "", "req/s"),
    ("connection_bound_over_kerbgate_plain_rps", rps("connection-bound-kerbgate", "plain-kerbgate"), "", "req/s"),
]
if high:
    # Degradation under 4x the connections: c_high / c_low per server, then kerbgate's against nginx's.
    deg = {}
    for server in ("plain-nginx", "plain-kerbgate", "negotiate-kerbgate"):
        deg[server] = (rps(f"{server}-c{high}", server), p99(f"{server}-c{high}", server))
        ratios.append((f"{server}_c{high}_over_c{conns}_rps", deg[server][0], "", "req/s kept"))
        ratios.append((f"{server}_c{high}_over_c{conns}_p99", deg[server][1], "", "p99 growth"))
    n_rps, n_p99 = deg["plain-nginx"]
    for server in ("plain-kerbgate", "negotiate-kerbgate"):
        k_rps, k_p99 = deg[server]
        ratios.append((f"{server}_rps_kept_vs_nginx", round(k_rps / n_rps, 3) if k_rps and n_rps else None,
                       ">= 1.0", "its c-high/c-low req/s over nginx's"))
        ratios.append((f"{server}_p99_growth_vs_nginx", round(k_p99 / n_p99, 3) if k_p99 and n_p99 else None,
                       "<= 1.0", "its c-high/c-low p99 over nginx's"))

doc = {
    "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "wrk": f"-t{threads} -c{conns} -d{duration}", "high_connections": high, "tokens_per_negotiate_scenario": tokens,
    "machine": {"cpus": os.cpu_count(), "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
                "kernel": platform.release()},
    "note": "wrk, backend nginx, the proxy under test and everything else on the machine share the CPUs",
    "better_apache": better_apache,
    "scenarios": r, "ratios": {k: v for k, v, _, _ in ratios},
}
if not apaches:
    doc["apache"] = "skipped"
with open(out, "w") as f:
    json.dump(doc, f, indent=2)

fmt = "| {:<32} | {:>5} | {:>9} | {:>7} | {:>7} | {:>8} | {:>7} | {:>7} | {:>6} | {:>8} |"
print(f"wrk -t{threads} -d{duration}; {os.cpu_count()} CPUs shared by wrk, backend, proxies; "
      f"load avg at end {doc['machine']['load_avg_1m_at_end']}")
print(fmt.format("scenario", "conns", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "p99/p50", "non-2xx", "errors",
                 "ran out"))
print("|" + "|".join("-" * w for w in (34, 7, 11, 9, 9, 10, 9, 9, 8, 10)) + "|")
for n, s in r.items():
    print(fmt.format(n, s["connections"], f"{s['rps']:,.0f}", f"{s['p50_us'] / 1000:.2f}", f"{s['p99_us'] / 1000:.2f}",
                     f"{s['p999_us'] / 1000:.2f}", s["p99_over_p50"], s["non2xx_or_3xx"], s["errors"],
                     s["requests_after_tokens_ran_out"]))
print()
rfmt = "| {:<44} | {:>7} | {:>7} | {} |"
print(rfmt.format("ratio (same run)", "value", "target", "of"))
print("|" + "|".join("-" * w for w in (46, 9, 9, 40)) + "|")
for k, v, target, what in ratios:
    print(rfmt.format(k, v if v is not None else "n/a", target, what))
print(f"\n-> {out}")
