#!/usr/bin/env bash
# `make hunt-rate`: the standard engine test (Correct_StableFd: the device and two event loops, each loop serving two
# connections x two jobs x two offloaded requests, a pool of one job per loop, a ring of one, every monitor attached,
# the runtime unchecked as in a user's hunt) explored HUNT_RATE_ITERS iterations in each of HUNT_RATE_RUNS fresh test
# processes. Prints each run's iterations per second (wall clock of the exploration, and per second of the test
# process's CPU time, warm-up JIT included), the range over the runs, the steps per iteration, and the load average.
set -uo pipefail
CONFIG=${CONFIG:-Release}
RUNS=${HUNT_RATE_RUNS:-3}
ITERS=${HUNT_RATE_ITERS:-10000}
summary=$(mktemp)
status=0
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for run in $(seq 1 "$RUNS"); do
  ASYNCREF_CHECKED=0 ASYNCREF_HUNT_ITERATIONS=$ITERS ASYNCREF_HUNT_SUMMARY=$summary \
    dotnet test tests/Systematic -c "$CONFIG" --no-build \
    --filter "FullyQualifiedName~CorrectEngineAndLoop_SurviveEveryExploredInterleaving&DisplayName~StableFd" >/dev/null 2>&1 || status=1
  tail -n 1 "$summary" | awk -F'\t' -v run="$run" '{ printf "run %d: %s %d iterations, %s, %d it/s wall, %d it/s CPU, %d steps/iteration\n", run, $1, $3, ($4 == "bug" ? "BUG" : "0 bugs"), $5, $6, $7 }'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' 'NR == 1 { wmin = wmax = $5; cmin = cmax = $6 }
  { if ($5 < wmin) wmin = $5; if ($5 > wmax) wmax = $5; if ($6 < cmin) cmin = $6; if ($6 > cmax) cmax = $6; steps = $7 }
  END { if (NR) printf "standard engine test: %d-%d it/s wall, %d-%d it/s CPU over %d runs of %s iterations, %d steps/iteration\n", wmin, wmax, cmin, cmax, NR, '"$ITERS"', steps }' "$summary"
rm -f "$summary"
exit $status
