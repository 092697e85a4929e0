#!/usr/bin/env bash
# `make hunt-rate`: the standard engine test (Correct_StableFd: the device and two event loops, each loop serving two
# connections x two jobs x two offloaded requests, a pool of one job per loop, a ring of one, every monitor attached,
# the runtime unchecked as in a user's hunt) explored HUNT_RATE_ITERS iterations in each of HUNT_RATE_RUNS fresh test
# processes per worker count of HUNT_RATE_WORKERS (default: one worker, then one per core; the counts alternate run by
# run so that both see the same load). Prints each run's iterations per second (wall clock of the exploration, and per
# second of the test process's CPU time, warm-up JIT included), the range over the runs per worker count, the steps
# per iteration, and the load average.
set -uo pipefail
CONFIG=${CONFIG:-Release}
RUNS=${HUNT_RATE_RUNS:-3}
ITERS=${HUNT_RATE_ITERS:-10000}
WORKERS=${HUNT_RATE_WORKERS:-1 $(nproc)}
summary=$(mktemp)
status=0
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for run in $(seq 1 "$RUNS"); do
  for workers in $WORKERS; do
    ASYNCREF_CHECKED=0 ASYNCREF_HUNT_ITERATIONS=$ITERS ASYNCREF_HUNT_WORKERS=$workers ASYNCREF_HUNT_SUMMARY=$summary \
      dotnet test tests/Systematic -c "$CONFIG" --no-build \
      --filter "FullyQualifiedName~CorrectEngineAndLoop_SurviveEveryExploredInterleaving&DisplayName~StableFd" >/dev/null 2>&1 || status=1
    tail -n 1 "$summary" | awk -F'\t' -v run="$run" -v load="$(cut -d' ' -f1 /proc/loadavg)" '{ printf "run %d, %d worker(s): %s %d iterations, %s, %d it/s wall, %d it/s CPU, %d steps/iteration (load %s)\n", run, $8, $1, $3, ($4 == "bug" ? "BUG" : "0 bugs"), $5, $6, $7, load }'
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' '{ w = $8; n[w]++; if (n[w] == 1 || $5 < wmin[w]) wmin[w] = $5; if (n[w] == 1 || $5 > wmax[w]) wmax[w] = $5
    if (n[w] == 1 || $6 < cmin[w]) cmin[w] = $6; if (n[w] == 1 || $6 > cmax[w]) cmax[w] = $6; steps = $7 }
  END { for (w in n) printf "standard engine test, %d worker(s): %d-%d it/s wall, %d-%d it/s CPU over %d runs of %s iterations, %d steps/iteration\n", w, wmin[w], wmax[w], cmin[w], cmax[w], n[w], '"$ITERS"', steps }' "$summary" | sort -t, -k2 -n
rm -f "$summary"
exit $status
