#!/usr/bin/env bash
# Scenario-level benchmarks (make bench, third section; issues "The oracle as a CI tool" and "Campaigns nobody
# hand-picked"), each a ratio or a rate measured in this one run:
#   1. Many logical threads: generated files with 3,000 and 5,000 logical threads (each creates its own ctx, starts a
#      job that pauses, and later resumes it and drains its errors), run by the reference (`asyncref run`, checked
#      mode on, the CLI's default) and by the C adapter over libcrypto, alternating which goes first, BENCH_SCN_REPS
#      (default 3) pairs; their logs must be identical. Reported: wall and CPU (user + sys) seconds of each side, and
#      the ratio reference ÷ adapter of the medians.
#   2. The reference alone in process: `asyncref fuzz --seed S --count N --out DIR` without --impl, with 1 and 2
#      workers, BENCH_SCN_REPS runs each; its own rate line, and scenarios per CPU second (user + sys of the process,
#      start-up included), which the other work on a shared machine disturbs less.
# Needs artifacts/asyncref and artifacts/asyncref-openssl (make cli adapter; make bench builds them). BENCH_OUT: results folder (default bench/out).
set -euo pipefail
cd "$(dirname "$0")/.."
unset ASYNCREF_CHECKED
cli=artifacts/asyncref
adapter=artifacts/asyncref-openssl
[ -x "$cli" ] && [ -x "$adapter" ] || { echo "scenario-bench: run make cli adapter first" >&2; exit 1; }
out="${BENCH_OUT:-bench/out}/scenario"
rm -rf "$out"
mkdir -p "$out"
reps="${BENCH_SCN_REPS:-3}"
fuzz_count="${BENCH_FUZZ_COUNT:-20000}"

# timed NAME CMD...: runs CMD with stdout to $out/NAME.out and writes "WALL CPU" in seconds (CPU = user + sys of
# the process and its children) to $out/NAME.time; fails if CMD fails.
timed() {
    local name=$1 t
    shift
    if ! t=$( { TIMEFORMAT='%R %U %S'; time "$@" > "$out/$name.out" 2> "$out/$name.err"; } 2>&1 ); then
        cat "$out/$name.err" >&2
        echo "scenario-bench: $* failed" >&2
        return 1
    fi
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' <<< "$t" > "$out/$name.time"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

threads_file() {
    local n=$1
    echo "# $n logical threads: each creates its own ctx, starts a job that pauses, resumes it, drains its errors"
    printf 'func P\n  pause\n  errors\n  return 1\nend\n'
    seq 1 "$n" | awk '{ print "@T" $1 " ctx_new C" $1 }'
    for _ in 1 2; do seq 1 "$n" | awk '{ print "@T" $1 " start J" $1 " C" $1 " P -" }'; done
    seq 1 "$n" | awk '{ print "@T" $1 " errors" }'
}

echo "logical threads: reference (asyncref run, checked) and C adapter, $reps alternating pairs per file"
for n in 3000 5000; do
    scn="$out/threads-$n.scn"
    threads_file "$n" > "$scn"
    for rep in $(seq 1 "$reps"); do
        for side in $( ((rep % 2)) && echo "reference adapter" || echo "adapter reference"); do
            cmd=("$cli" run "$scn")
            [ "$side" = adapter ] && cmd=("$adapter" "$scn")
            timed "threads-$n-$side" "${cmd[@]}"
            read -r wall cpu < "$out/threads-$n-$side.time"
            echo "threads n=$n rep=$rep side=$side wall=$wall cpu=$cpu"
        done
        cmp -s "$out/threads-$n-reference.out" "$out/threads-$n-adapter.out" \
            || { echo "scenario-bench: the reference and the adapter printed different logs for $scn" >&2; exit 1; }
    done
done | tee "$out/threads.txt"

echo "reference alone: asyncref fuzz --count $fuzz_count (no --impl), $reps runs per worker count"
for rep in $(seq 1 "$reps"); do
    for workers in 1 2; do
        dir="$out/fuzz-$workers"
        rm -rf "$dir"
        timed "fuzz-$workers" "$cli" fuzz --seed "$((rep + 40))" --count "$fuzz_count" --workers "$workers" --out "$dir"
        read -r wall cpu < "$out/fuzz-$workers.time"
        rate=$(sed -nE 's/^[0-9]+ scenarios, [0-9]+ divergences, ([0-9.]+) scenarios\/s$/\1/p' "$out/fuzz-$workers.out")
        [ -n "$rate" ] || { echo "scenario-bench: no rate line from fuzz" >&2; exit 1; }
        echo "fuzz rep=$rep workers=$workers count=$fuzz_count wall=$wall cpu=$cpu rate=$rate per_cpu_second=$(awk -v n="$fuzz_count" -v c="$cpu" 'BEGIN { printf "%.0f", n / c }')"
    done
done | tee "$out/fuzz.txt"

# The table: medians over the reps, with their ranges.
field() { sed -nE "s/.* $1=([0-9.]+).*/\1/p"; }
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }'; }
{
    echo
    echo "| scenario-bench row | reference | C adapter | reference ÷ adapter |"
    echo "|---|---|---|---|"
    for n in 3000 5000; do
        for m in wall cpu; do
            r=$(grep " n=$n .*side=reference" "$out/threads.txt" | field "$m")
            a=$(grep " n=$n .*side=adapter" "$out/threads.txt" | field "$m")
            rm_=$(median <<< "$r") am=$(median <<< "$a")
            echo "| $n logical threads, $m s (median; range) | $rm_ ($(range <<< "$r")) | $am ($(range <<< "$a")) | $(awk -v x="$rm_" -v y="$am" 'BEGIN { printf "%.2f", x / y }') |"
        done
    done
    for workers in 1 2; do
        rates=$(grep "workers=$workers " "$out/fuzz.txt" | field rate)
        per=$(grep "workers=$workers " "$out/fuzz.txt" | field per_cpu_second)
        echo "| fuzz, reference alone, $workers worker(s): scenarios/s (median; range) | $(median <<< "$rates") ($(range <<< "$rates")); per CPU second $(median <<< "$per") ($(range <<< "$per")) | — | — |"
    done
} | tee "$out/table.md"
