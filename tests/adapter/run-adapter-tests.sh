#!/usr/bin/env bash
# Self-test of the libcrypto adapter: runs artifacts/asyncref-openssl over tests/adapter/fixtures.
# Builds nothing (run the project build first).
#
# Fixture conventions, for NAME.scn:
#   NAME.out  expected stdout, byte for byte; stderr must be empty (or its one line is NAME.err: a run that broke
#             the log bound keeps what it printed); exit 0 (or NAME.rc).
#   NAME.err  one line: the whole expected stderr line (for parse errors `NAME.scn:LINE: message`,
#             the same line the C# reference prints); a final `*` matches any rest of the line
#             (used where the line names the linked library's version). stderr must be exactly
#             one line, stdout empty; exit 2 (or NAME.rc).
#   NAME.env  VARIABLE=VALUE lines set for the run (the ASYNCREF_MAX_* limits, spec/scenario-language.md 13).
# The adapter is run from inside the fixtures folder with the bare file name, so FILE in
# `FILE:LINE: message` is the fixture's name.
#
# Usage: tests/adapter/run-adapter-tests.sh [ADAPTER]    (default: artifacts/asyncref-openssl)
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
adapter=${1:-$root/artifacts/asyncref-openssl}
case $adapter in /*) ;; *) adapter=$PWD/$adapter ;; esac
fixtures=$root/tests/adapter/fixtures

if [ ! -x "$adapter" ]; then
    echo "adapter not found or not executable: $adapter (build it first)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# check NAME: runs one fixture and compares against its expectations.
check() {
    local name=$1 want_rc rc
    local vars=()
    [ -e "$fixtures/$name.env" ] && mapfile -t vars <"$fixtures/$name.env"
    (cd "$fixtures" && env "${vars[@]}" "$adapter" "$name.scn" >"$tmp/out" 2>"$tmp/err")
    rc=$?
    if [ -e "$fixtures/$name.out" ]; then
        want_rc=0
        [ -e "$fixtures/$name.rc" ] && want_rc=$(cat "$fixtures/$name.rc")
        if [ "$rc" != "$want_rc" ]; then
            fail "$name" "exit status $rc, expected $want_rc"
        elif ! cmp -s "$tmp/out" "$fixtures/$name.out"; then
            fail "$name" "stdout differs:"
            diff "$fixtures/$name.out" "$tmp/out" | head -20
        elif [ -e "$fixtures/$name.err" ] && ! cmp -s "$tmp/err" "$fixtures/$name.err"; then
            fail "$name" "stderr '$(head -1 "$tmp/err")' is not '$(head -1 "$fixtures/$name.err")'"
        elif [ ! -e "$fixtures/$name.err" ] && [ -s "$tmp/err" ]; then
            fail "$name" "unexpected stderr: $(head -1 "$tmp/err")"
        else
            pass
        fi
    elif [ -e "$fixtures/$name.err" ]; then
        want_rc=2
        [ -e "$fixtures/$name.rc" ] && want_rc=$(cat "$fixtures/$name.rc")
        local want first matched=0
        want=$(head -1 "$fixtures/$name.err")
        first=$(head -1 "$tmp/err")
        case $want in
            *'*') [ "${first#"${want%'*'}"}" != "$first" ] && matched=1 ;;
            *) [ "$first" = "$want" ] && matched=1 ;;
        esac
        if [ "$rc" != "$want_rc" ]; then
            fail "$name" "exit status $rc, expected $want_rc (stderr: $first)"
        elif [ -s "$tmp/out" ]; then
            fail "$name" "stdout not empty: $(head -1 "$tmp/out")"
        elif [ "$matched" = 0 ]; then
            fail "$name" "stderr '$first' is not '$want'"
        elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
            fail "$name" "stderr is not exactly one line"
        else
            pass
        fi
    else
        fail "$name" "no $name.out or $name.err"
    fi
}

# expect_usage_error DESCRIPTION ARGS...: bad usage exits 2 with one line on stderr, no stdout.
expect_usage_error() {
    local what=$1 rc
    shift
    "$adapter" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
        pass
    else
        fail "usage: $what" "exit $rc, stdout $(wc -c <"$tmp/out") bytes, stderr: $(head -1 "$tmp/err")"
    fi
}

for scn in "$fixtures"/*.scn; do
    name=$(basename "$scn" .scn)
    check "$name"
done

# Many names must not make the adapter quadratic (names, contexts and jobs are hashed): 120000
# statements over 40000 contexts, keys and data each. The last get_fd prints `1 FD DATA`.
awk 'BEGIN { n = 40000
    for (i = 0; i < n; i++) printf "ctx_new C%d\nset_wait_fd C%d K%d %d D%d -\n", i, i, i, i, i
    for (i = 0; i < n; i++) printf "get_fd C%d K%d\n", i, i }' >"$tmp/many-names.scn"
# CPU seconds, not wall-clock: a loaded machine must not fail it (quadratic lookup needs minutes of CPU).
if ! (ulimit -t 10; timeout 300 "$adapter" "$tmp/many-names.scn" >"$tmp/out" 2>"$tmp/err"); then
    fail "many-names" "did not finish within 10 s of CPU time (or failed): $(head -1 "$tmp/err")"
elif [ "$(wc -l <"$tmp/out")" -ne 120000 ] || [ "$(tail -1 "$tmp/out")" != "120000 main get_fd => 1 39999 D39999" ]; then
    fail "many-names" "unexpected log: $(tail -1 "$tmp/out")"
else
    pass
fi

expect_usage_error "no argument"
expect_usage_error "two arguments" "$fixtures/contract-example.scn" extra
expect_usage_error "missing file" "$tmp/does-not-exist.scn"
expect_usage_error "directory" "$fixtures"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
