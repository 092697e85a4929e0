#!/usr/bin/env bash
# Tracer and trace-check benchmarks (make bench, second section; issue "Trace validation of real programs").
#   1. Tracer overhead: openssl speed -engine dasync -async_jobs 8 sha1, SHA1 operations in 1 s, traced ÷ untraced
#      (TRACE_BENCH_RUNS interleaved pairs, default 5: the range and median of the per-pair ratios).
#   2. trace check throughput, checked mode off and on, on the traced speed run (real calls) and on a synthetic trace.
#   3. Memory: 1-million and 10-million-call synthetic traces streamed through a FIFO into trace check; peak RSS.
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

# Each run pair is untraced then traced, back to back, so both see the same machine load; the ratio is per pair.
runs=${TRACE_BENCH_RUNS:-5}
ratios=()
for _ in $(seq "$runs"); do
  u=$(speed_ops); t=$(speed_ops traced)
  ratios+=("$(awk -v t="$t" -v u="$u" 'BEGIN { printf "%.2f", t / u }')")
  echo "  pair: untraced $u, traced $t SHA1 ops/s"
done
sorted=$(printf '%s\n' "${ratios[@]}" | sort -n)
echo "tracer overhead (openssl speed -engine dasync -async_jobs 8 -seconds 1 -bytes 64 sha1, $runs interleaved pairs):"
echo "  traced / untraced: $(head -1 <<<"$sorted")-$(tail -1 <<<"$sorted"), median $(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted") (target >= 0.5)"

rate() { # rate MODE TRACE: calls/s reported by trace check
  "$cli" trace check "$1" "$2" | tail -1 | sed -E 's/.* ([0-9]+) calls\/s$/\1/'
}
"$cli" trace synthesize "$work/synthetic.trace" --calls 2000000
echo "trace check throughput (wall clock, this machine's load included):"
echo "  real speed trace ($(tail -1 < <("$cli" trace check --unchecked "$work/speed.trace") | cut -d, -f1)): unchecked $(rate --unchecked "$work/speed.trace") calls/s, checked $(rate --checked "$work/speed.trace") calls/s"
echo "  synthetic 2,000,000 calls: unchecked $(rate --unchecked "$work/synthetic.trace") calls/s (target >= 500000), checked $(rate --checked "$work/synthetic.trace") calls/s (target >= 50000)"

# Peak memory of trace check on 1M and 10M calls, each streamed through a FIFO from the synthesizer (the trace is
# never on disk whole): equal peaks show that checking memory does not grow with the trace.
peak_rss() { # peak_rss CALLS: "calls-summary, peak RSS MiB"
  local fifo="$work/$1.fifo"
  rm -f "$fifo"
  mkfifo "$fifo"
  "$cli" trace synthesize "$fifo" --calls "$1" &
  local writer=$!
  /usr/bin/time -v -o "$work/$1.time" "$cli" trace check --unchecked "$fifo" > "$work/$1.check"
  wait "$writer"
  rm -f "$fifo"
  echo "$(tail -1 "$work/$1.check" | cut -d, -f1), peak RSS $(( $(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$work/$1.time") / 1024 )) MiB"
}
echo "memory (trace check --unchecked, synthetic trace streamed through a FIFO, /usr/bin/time -v):"
echo "  1,000,000 calls: $(peak_rss 1000000)"
echo "  10,000,000 calls: $(peak_rss 10000000)"
