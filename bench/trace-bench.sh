#!/usr/bin/env bash
# Tracer and trace-check benchmarks (make bench, second section; issue "Trace validation of real programs").
#   1. Tracer overhead: openssl speed -engine dasync -async_jobs 8 sha1, SHA1 operations in 1 s, traced ÷ untraced
#      (runs interleaved, median of 3 each).
#   2. trace check throughput, checked mode off and on, on the traced speed run (real calls) and on a synthetic trace.
#   3. Memory: a 10-million-call synthetic trace streamed through a FIFO into trace check; peak RSS.
# Needs make real-clients to have built dasync (artifacts/real-clients/dasync.so).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=artifacts/asyncref
tracer=$PWD/artifacts/libasyncref-trace.so
dasync=$PWD/artifacts/real-clients/dasync.so
work=artifacts/trace-bench
mkdir -p "$work"
[ -x "$cli" ] && [ -f "$tracer" ] || { echo "trace-bench: run make build first" >&2; exit 1; }
[ -f "$dasync" ] || { echo "trace-bench: run make real-clients first (it builds dasync)" >&2; exit 1; }

speed_ops() { # speed_ops [traced]: SHA1 operations done in the 1-second run
  local env=()
  [ "${1:-}" = traced ] && env=(ASYNCREF_TRACE="$work/speed.trace" LD_PRELOAD="$tracer")
  env "${env[@]}" openssl speed -engine "$dasync" -async_jobs 8 -seconds 1 -bytes 64 sha1 2>&1 |
    sed -nE "s/^Doing sha1 .*: ([0-9]+) sha1's in .*/\1/p"
}
median() { sort -n | sed -n 2p; }

untraced=() traced=()
for _ in 1 2 3; do untraced+=("$(speed_ops)"); traced+=("$(speed_ops traced)"); done
u=$(printf '%s\n' "${untraced[@]}" | median)
t=$(printf '%s\n' "${traced[@]}" | median)
echo "tracer overhead (openssl speed -engine dasync -async_jobs 8 -seconds 1 -bytes 64 sha1, median of 3):"
echo "  untraced ${untraced[*]} SHA1 ops/s; traced ${traced[*]} SHA1 ops/s"
awk -v t="$t" -v u="$u" 'BEGIN { printf "  traced / untraced: %.2f (target >= 0.5)\n", t / u }'

rate() { # rate MODE TRACE: calls/s reported by trace check
  "$cli" trace check "$1" "$2" | tail -1 | sed -E 's/.* ([0-9]+) calls\/s$/\1/'
}
"$cli" trace synthesize "$work/synthetic.trace" --calls 2000000
echo "trace check throughput (wall clock, this machine's load included):"
echo "  real speed trace ($(tail -1 < <("$cli" trace check --unchecked "$work/speed.trace") | cut -d, -f1)): unchecked $(rate --unchecked "$work/speed.trace") calls/s, checked $(rate --checked "$work/speed.trace") calls/s"
echo "  synthetic 2,000,000 calls: unchecked $(rate --unchecked "$work/synthetic.trace") calls/s (target >= 500000), checked $(rate --checked "$work/synthetic.trace") calls/s (target >= 50000)"

fifo="$work/10m.fifo"
rm -f "$fifo"
mkfifo "$fifo"
"$cli" trace synthesize "$fifo" --calls 10000000 &
writer=$!
/usr/bin/time -f '%M' -o "$work/10m.rss" "$cli" trace check --unchecked "$fifo" > "$work/10m.check"
wait "$writer"
rm -f "$fifo"
echo "memory: 10,000,000-call synthetic trace streamed through a FIFO: $(tail -1 "$work/10m.check" | cut -d, -f1), peak RSS $(( $(cat "$work/10m.rss") / 1024 )) MiB"
