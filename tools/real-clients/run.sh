#!/usr/bin/env bash
# make real-clients: real programs that pause ASYNC jobs, run under the tracer, each trace checked by the reference.
#
#   openssl speed with the dasync engine and -async_jobs 8 (SHA1, 1 second)
#   openssl s_server / s_client -async, TLS 1.2, ECDHE-ECDSA-AES128-SHA, dasync on both sides
#   HAProxy with ssl-mode-async, 2 threads, dasync through an OPENSSL_CONF engines section, a few requests
#
# dasync (OpenSSL's test engine, which pauses in SHA1) is compiled alone from the source of the installed OpenSSL
# series, fetched with tools/openssl/fetch-source.sh (private APT config, no change to the system). Everything
# listens on 127.0.0.1 only, every run is bounded in time, and every process started here is stopped at the end.
# Traces and logs go to artifacts/real-clients/. The last line is the summary.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out="$root/artifacts/real-clients"
tracer="$root/artifacts/libasyncref-trace.so"
cli="$root/artifacts/asyncref"
rm -rf "$out"
mkdir -p "$out"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

note() { echo "real-clients: $*" >&2; }

# ---- dasync from the installed series' source ----
installed=$(openssl version | awk '{print $2}')
series=${installed%.*}
dasync="$out/dasync.so"
if ! version=$(tools/openssl/fetch-source.sh --newest-fetchable "$series" 2>"$out/fetch.log") ||
   ! src=$(tools/openssl/fetch-source.sh "$version" 2>>"$out/fetch.log"); then
  note "skipped: the OpenSSL $series source package cannot be had (see $out/fetch.log); no dasync engine, no real clients"
  echo "real clients: 0 programs, 0 calls, 0 divergences, 0 undefined"
  exit 0
fi
# Only the engine is compiled, against the installed headers and libcrypto; internal/deprecated.h and the
# engine's own error tables come from the source tree (-iquote: angle-bracket includes stay the installed ones).
gcc -O2 -fPIC -shared -w -iquote "$src/include" -iquote "$src/engines" -o "$dasync" "$src/engines/e_dasync.c" -lcrypto
note "dasync from OpenSSL $version source, installed libcrypto $installed"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # wait_for_port PORT SECONDS
  for _ in $(seq $(( $2 * 10 ))); do port_open "$1" && return 0; sleep 0.1; done
  return 1
}

free_port() {
  local p
  for _ in $(seq 50); do
    p=$(( 20000 + RANDOM % 20000 ))
    port_open "$p" || { echo "$p"; return; }
  done
  echo 0
}

programs=()

# ---- openssl speed ----
if timeout 60 env ASYNCREF_TRACE="$out/speed.trace" LD_PRELOAD="$tracer" openssl speed -engine "$dasync" -async_jobs 8 -seconds 1 -bytes 64 sha1 \
     >"$out/speed.log" 2>&1; then
  programs+=("openssl speed:$out/speed.trace")
else
  note "openssl speed failed (see $out/speed.log)"
  programs+=("openssl speed:$out/speed.trace")
fi

# ---- s_server / s_client ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout "$out/key.pem" -out "$out/cert.pem" \
  -days 1 -nodes -subj /CN=localhost >/dev/null 2>&1
port=$(free_port)
tls=(-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA)
# The server echoes in its default mode with its standard input held open (-www would sleep a second per pause);
# it exits after one connection.
timeout 30 env ASYNCREF_TRACE="$out/s_server.trace" LD_PRELOAD="$tracer" openssl s_server -engine "$dasync" -async -accept "127.0.0.1:$port" -naccept 1 \
  -cert "$out/cert.pem" -key "$out/key.pem" "${tls[@]}" < <(sleep 25) >"$out/s_server.log" 2>&1 &
server=$!
pids+=("$server")
# Not a port probe: the probe would be the server's one connection.
for _ in $(seq 100); do grep -q '^ACCEPT' "$out/s_server.log" 2>/dev/null && break; sleep 0.1; done
if grep -q '^ACCEPT' "$out/s_server.log"; then
  printf 'hello through dasync\n' | timeout 20 env ASYNCREF_TRACE="$out/s_client.trace" LD_PRELOAD="$tracer" openssl s_client -engine "$dasync" -async \
    -connect "127.0.0.1:$port" "${tls[@]}" >"$out/s_client.log" 2>&1 || note "s_client failed (see $out/s_client.log)"
  wait "$server" || note "s_server ended with status $? (see $out/s_server.log)"
else
  note "s_server did not listen (see $out/s_server.log)"
  kill "$server" 2>/dev/null || true
fi
programs+=("s_server:$out/s_server.trace" "s_client:$out/s_client.trace")

# ---- HAProxy ----
if ! command -v haproxy >/dev/null; then
  note "skipped HAProxy: the haproxy package is not installed (.ci/run installs it; apt-get install haproxy)"
else
  port=$(free_port)
  cat "$out/cert.pem" "$out/key.pem" >"$out/haproxy.pem"
  cat >"$out/openssl.cnf" <<CONF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
dasync = dasync_section
[dasync_section]
engine_id = dasync
dynamic_path = $dasync
default_algorithms = DIGESTS
init = 1
CONF
  cat >"$out/haproxy.cfg" <<CONF
global
    nbthread 2
    ssl-mode-async
defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend tls
    bind 127.0.0.1:$port ssl crt $out/haproxy.pem ssl-max-ver TLSv1.2 ciphers ECDHE-ECDSA-AES128-SHA
    http-request return status 200 content-type text/plain string "served through dasync\n"
CONF
  # Not under timeout(1): HAProxy itself gets the stop signal below (and is killed if it ignores it).
  OPENSSL_CONF="$out/openssl.cnf" ASYNCREF_TRACE="$out/haproxy.trace" LD_PRELOAD="$tracer" haproxy -db -f "$out/haproxy.cfg" \
    >"$out/haproxy.log" 2>&1 &
  proxy=$!
  pids+=("$proxy")
  if wait_for_port "$port" 15; then
    for i in 1 2 3; do
      curl -sk --max-time 10 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-SHA "https://127.0.0.1:$port/$i" \
        >>"$out/haproxy-requests.log" 2>&1 || note "request $i failed"
    done
  else
    note "HAProxy did not listen (see $out/haproxy.log)"
  fi
  # SIGUSR1: soft stop, HAProxy exits normally and the tracer writes its END record.
  kill -USR1 "$proxy" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$proxy" 2>/dev/null || break; sleep 0.1; done
  kill "$proxy" 2>/dev/null || true
  wait "$proxy" 2>/dev/null || true
  programs+=("haproxy:$out/haproxy.trace")
fi

# ---- check every trace ----
printf '\n%-14s %9s %7s %7s %8s %12s %10s\n' program calls jobs pauses threads divergences undefined
total_p=0 total_c=0 total_d=0 total_u=0 status=0
for entry in "${programs[@]}"; do
  name=${entry%%:*} trace=${entry#*:}
  report="$out/$(basename "$trace" .trace).check"
  if [ ! -s "$trace" ]; then
    note "$name wrote no trace"
    status=1
    continue
  fi
  rc=0
  "$cli" trace check --unchecked "$trace" >"$report" 2>&1 || rc=$?
  stats=$(grep -E '^jobs [0-9]+, pauses' "$report" | tail -1 || true)
  summary=$(tail -1 "$report")
  if [ "$rc" -eq 2 ] || [ -z "$stats" ]; then
    note "$name: bad trace: $(tail -1 "$report")"
    status=1
    continue
  fi
  [ "$rc" -eq 0 ] || status=1
  jobs=$(sed -E 's/^jobs ([0-9]+),.*/\1/' <<<"$stats")
  pauses=$(sed -E 's/.*pauses ([0-9]+),.*/\1/' <<<"$stats")
  threads=$(sed -E 's/.*threads ([0-9]+),.*/\1/' <<<"$stats")
  calls=$(awk '{print $1}' <<<"$summary")
  divergences=$(awk '{print $3}' <<<"$summary")
  undefined=$(awk '{print $5}' <<<"$summary")
  printf '%-14s %9s %7s %7s %8s %12s %10s\n' "$name" "$calls" "$jobs" "$pauses" "$threads" "$divergences" "$undefined"
  total_p=$((total_p + 1)) total_c=$((total_c + calls)) total_d=$((total_d + divergences)) total_u=$((total_u + undefined))
done
echo
echo "real clients: $total_p programs, $total_c calls, $total_d divergences, $total_u undefined"
exit $status
