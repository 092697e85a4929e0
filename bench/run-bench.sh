#!/usr/bin/env bash
# `make bench`: builds the C benchmark (over libcrypto) and the BenchmarkDotNet project (over the reference), runs
# both interleaved in one go, and prints one table; its last line is `cycle ratio (reference/libcrypto): R`.
#
# Order (the box has slow phases, so every ratio comes from measurements taken close together in this one run):
#   1. C loops, pass 1            (bench/out/c-time-1.txt)
#   2. BenchmarkDotNet, reference (bench/out/bdn/, log bench/out/bdn.log)
#   3. C loops, pass 2            (bench/out/c-time-2.txt)
#   4. paired: C (libasyncbench.so) and reference loops interleaved rep by rep in one process, in BENCH_ROUNDS
#      (default 5) independent rounds, each a fresh process (bench/out/paired-R.txt); the table's headline ratios are
#      the medians over the rounds; two probes timed before every rep show whether the core clock moved or the core was shared
#   4b. the JIT's listing of the hot path's tier-1 code (bench/out/hotpath-asm.txt)
#   5. memory: N paused jobs, a fresh process per N and per implementation (bench/out/hold-*.txt)
#   5b. perf stat per-cycle hardware counters of both sides, where the machine has them (bench/out/perf.txt)
#   6. checked mode at scale: 100,000 paused jobs on one ctx through `asyncref run`, checked and unchecked, 3 interleaved
#      pairs (bench/out/scale.txt; BENCH_SCALE_JOBS changes N)
#   7. the table (bench/out/table.md)
# Environment: BENCH_OUT (results folder), BENCH_FILTER (a BenchmarkDotNet --filter, e.g. '*Cycle*'), BENCH_ROUNDS
# (paired rounds, default 5), BENCH_CLOCK (cpu or wall: the paired runs' clock, default cpu), BENCH_SCALE_JOBS (jobs of
# the checked-mode-at-scale row, default 100000).
set -euo pipefail
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Measure the defaults: no checked-mode override from the caller's environment (the benchmarks set it themselves).
unset ASYNCREF_CHECKED

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${BENCH_OUT:-bench/out}"
mkdir -p "$out"
# Only what an earlier run wrote: BENCH_OUT may name a folder that holds other things.
rm -rf "$out/c" "$out/bin" "$out/cli" "$out/bdn" "$out"/*.txt "$out"/*.log "$out"/*.csv "$out"/*.scn "$out/table.md"
mkdir -p "$out/c"
started=$(date +%s)
step() { printf '[bench %4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

step "machine"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') at $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | awk '{printf "%.0f MHz", $1}') ($(awk -F': *' '/^cpu family/ {f=$2} /^model[ \t]*:/ {m=$2} /^stepping/ {s=$2} END {printf "family %s model %s stepping %s", f, m, s}' /proc/cpuinfo)), $(nproc) cores$(vm=$(lscpu 2>/dev/null | awk -F: '/Hypervisor vendor/ {gsub(/^ +/, "", $2); print $2}'); if [[ -n "$vm" ]]; then echo " (VM: $vm)"; elif grep -qw hypervisor /proc/cpuinfo; then echo " (VM)"; fi)"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); kernel $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "libcrypto: $(openssl version 2>/dev/null || echo '?'); gcc $(gcc -dumpfullversion) -O2"
    echo ".NET: SDK $(dotnet --version), runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}'); Release; BenchmarkDotNet 0.15.8"
    echo "command: make bench   (= bash bench/run-bench.sh)"
} > "$out/machine.txt"
cat "$out/machine.txt"

step "build: C (-O2, -lcrypto)"
cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror)
gcc "${cflags[@]}" -o "$out/c/async_bench" bench/c/async_bench.c -lcrypto
gcc "${cflags[@]}" -shared -fPIC -DAB_LIBRARY -o "$out/c/libasyncbench.so" bench/c/async_bench.c -lcrypto

step "build: C# (Release)"
dotnet build bench/AsyncRef.Bench/AsyncRef.Bench.csproj -c Release -nologo -v quiet -o "$out/bin" > "$out/build.log" 2>&1 \
    || { cat "$out/build.log"; exit 1; }
bench_dll="$out/bin/AsyncRef.Bench.dll"

step "C loops, pass 1"
"$out/c/async_bench" time 9 | tee "$out/c-time-1.txt"

step "BenchmarkDotNet (10 benchmarks, ~3-4 min; log: $out/bdn.log)"
filter=()
if [[ -n "${BENCH_FILTER:-}" ]]; then filter=(--filter "$BENCH_FILTER"); fi
if ! dotnet "$bench_dll" bdn --artifacts "$out/bdn" "${filter[@]}" > "$out/bdn.log" 2>&1; then
    tail -50 "$out/bdn.log"
    echo "BenchmarkDotNet failed; see $out/bdn.log" >&2
    exit 1
fi
sed -n '/^| Method/,/^$/p' "$out/bdn.log"

step "C loops, pass 2"
"$out/c/async_bench" time 9 | tee "$out/c-time-2.txt"

# Independent rounds: each a fresh process (its own JIT code layout and tiering), at a different moment of the run.
# Both sides are timed by the thread's CPU time (BENCH_CLOCK=cpu, the default), so a rep during which another process
# took the core does not count as slower; BENCH_CLOCK=wall times them by the wall clock instead.
rounds="${BENCH_ROUNDS:-5}"
clock="${BENCH_CLOCK:-cpu}"
for round in $(seq 1 "$rounds"); do
    step "paired, round $round of $rounds: C and reference interleaved rep by rep"
    dotnet "$bench_dll" paired --lib "$out/c/libasyncbench.so" --reps 11 --clock "$clock" | tee "$out/paired-$round.txt"
done

# The tier-1 code of the hot path as the measured loops ran it (the JIT's own listing, every workload warmed as in the
# paired rounds). BenchmarkDotNet's DisassemblyDiagnoser wrote an empty report on this kind of VM ("No benchmarks were
# disassembled"), so the JIT writes it instead.
step "hot-path disassembly (bench/out/hotpath-asm.txt)"
DOTNET_JitDisasm='Start StartNew Conclude Resume Release MoveNext Suspend' DOTNET_JitStdOutFile="$out/hotpath-asm.txt" \
    dotnet "$bench_dll" loop cycle 300000 --mixed --clock cpu
echo "tier-1 listings: $(grep -c '^; Assembly listing for method .*(Tier1' "$out/hotpath-asm.txt" || true) (search the file for '(Tier1)')"

scale_jobs="${BENCH_SCALE_JOBS:-100000}"
for n in 100000 1000000; do
    step "memory: $n paused jobs (fresh processes)"
    dotnet "$bench_dll" hold "$n" | tee "$out/hold-reference-$n.txt"
    "$out/c/async_bench" hold "$n" | tee "$out/hold-libcrypto-$n.txt"
done

step "hardware counters per cycle (perf stat), where the machine exposes them"
events=instructions,cycles,branch-misses,cache-misses
if command -v perf > /dev/null && perf stat -x, -e instructions true 2>&1 > /dev/null | grep -q '^[0-9]'; then
    # Two runs per side that differ only in the number of measured cycles: the difference divided by the extra
    # cycles is the cost of one cycle, without start-up, JIT and warm-up.
    small=1500000 large=15000000
    for n in $small $large; do
        perf stat -x, -e "$events" -o "$out/perf-reference-$n.csv" dotnet "$bench_dll" loop cycle "$n" > /dev/null
        perf stat -x, -e "$events" -o "$out/perf-libcrypto-$n.csv" "$out/c/async_bench" loop cycle "$n"
    done
    for side in reference libcrypto; do
        awk -F, -v side="$side" -v cycles=$((large - small)) '
            FNR == NR && $3 != "" { a[$3] = $1; next }
            $3 != "" && ($3 in a) { printf " %s=%.1f", $3, ($1 - a[$3]) / cycles }
            END { print "" }' "$out/perf-$side-$small.csv" "$out/perf-$side-$large.csv" \
            | sed "s/^/perf side=$side workload=cycle per=cycle/"
    done | tee "$out/perf.txt"
else
    echo "perf unavailable: no hardware counters here (perf stat reports them <not supported>, e.g. a VM without a virtual PMU)" \
        | tee "$out/perf.txt"
fi

step "checked mode at scale: $scale_jobs paused jobs on one ctx through asyncref run, checked vs unchecked"
dotnet build src/AsyncRef.Cli -c Release -nologo -v quiet -o "$out/cli" > "$out/cli-build.log" 2>&1 \
    || { cat "$out/cli-build.log"; exit 1; }
scale_scn="$out/scale-$scale_jobs.scn"
{
    echo "# $scale_jobs jobs paused at once on one wait ctx, then each resumed to its finish"
    printf 'func P\n  pause\n  return 1\nend\nctx_new C1\n'
    for _ in 1 2; do seq 1 "$scale_jobs" | sed 's/.*/start J& C1 P -/'; done
} > "$scale_scn"
# Interleaved pairs, alternating which mode goes first; the logs of both modes must be identical.
for rep in 1 2 3; do
    for mode in $( ((rep % 2)) && echo "1 0" || echo "0 1"); do
        t0=$(date +%s%N)
        ASYNCREF_CHECKED=$mode dotnet "$out/cli/AsyncRef.Cli.dll" run "$scale_scn" > "$out/scale-log-$mode.txt"
        echo "scale rep=$rep checked=$mode jobs=$scale_jobs seconds=$(awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.2f", ns / 1e9}')"
    done
    cmp -s "$out/scale-log-1.txt" "$out/scale-log-0.txt" || { echo "checked and unchecked logs differ" >&2; exit 1; }
done | tee "$out/scale.txt"

step "done; the table (also in $out/table.md):"
echo
dotnet "$bench_dll" report --results "$out"
