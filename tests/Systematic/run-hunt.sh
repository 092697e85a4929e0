#!/usr/bin/env bash
# `make hunt`: every correct system explored for HUNT_ITERS iterations (no bug allowed), then every planted bug hunted
# under each of HUNT_SEEDS; prints iterations/s and, per planted bug, the iterations it took under each seed and
# their median. The runtime is unchecked (HUNT_CHECKED=1 turns its checked mode on), as in a user's hunt; each hunt
# runs HUNT_WORKERS parallel explorations (default one per core), which finds the same bugs at the same iterations.
# Exits non-zero when a test fails.
set -uo pipefail
CONFIG=${CONFIG:-Release}
ITERS=${HUNT_ITERS:-10000}
SEEDS=${HUNT_SEEDS:-1 2 3 4 5}
export ASYNCREF_CHECKED=${HUNT_CHECKED:-0}
export ASYNCREF_HUNT_WORKERS=${HUNT_WORKERS:-$(nproc)}
summary=$(mktemp)
status=0
run() {
  local log
  log=$(ASYNCREF_HUNT_SUMMARY=$summary dotnet test tests/Systematic -c "$CONFIG" --no-build "$@" 2>&1) || status=1
  grep -E '^(Passed|Failed)!|^\s+Failed ' <<<"$log"
}

echo "== $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores, $ASYNCREF_HUNT_WORKERS worker(s) per hunt"
echo "== correct systems, $ITERS iterations each"
ASYNCREF_HUNT_ITERATIONS=$ITERS run --filter "FullyQualifiedName~Correct"
for seed in $SEEDS; do
  echo "== planted bugs, seed $seed"
  ASYNCREF_HUNT_SEED=$seed run --filter "FullyQualifiedName~Planted"
done

echo
echo "== $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "correct system                  iterations  bugs  seconds  it/s wall  it/s CPU  steps/iteration  workers"
awk -F'\t' '$1 ~ /^Correct/ { printf "%-30s %11d  %4s  %7d  %9d  %8d  %15d  %7d\n", $1, $3, ($4 == "bug" ? "1" : "0"), ($5 > 0 ? $3 / $5 : 0), $5, $6, $7, $8 }' "$summary"
echo
echo "planted bug (iterations to find it, per seed: $SEEDS)                    median"
awk -F'\t' '$1 ~ /^Planted/ && $4 == "bug" { runs[$1] = runs[$1] " " $3 } END { for (n in runs) print n "\t" runs[n] }' "$summary" | sort |
while IFS=$'\t' read -r name runs; do
  median=$(tr ' ' '\n' <<<"$runs" | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  printf '%-66s %s   %s\n' "$name" "$runs" "$median"
done
rm -f "$summary"
exit $status
