#!/usr/bin/env bash
# Self-test of the libcrypto adapter: runs artifacts/asyncref-openssl over tests/adapter/fixtures.
# Builds nothing (run the project build first).
#
# Fixture conventions, for NAME.scn:
#   NAME.out  expected stdout, byte for byte; stderr must be empty; exit 0 (or NAME.rc).
#   NAME.err  one line: the expected start of stderr (for parse errors `NAME.scn:LINE:`);
#             stdout must be empty; exit 2 (or NAME.rc).
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
    (cd "$fixtures" && "$adapter" "$name.scn" >"$tmp/out" 2>"$tmp/err")
    rc=$?
    if [ -e "$fixtures/$name.out" ]; then
        want_rc=0
        [ -e "$fixtures/$name.rc" ] && want_rc=$(cat "$fixtures/$name.rc")
        if [ "$rc" != "$want_rc" ]; then
            fail "$name" "exit status $rc, expected $want_rc"
        elif ! cmp -s "$tmp/out" "$fixtures/$name.out"; then
            fail "$name" "stdout differs:"
            diff "$fixtures/$name.out" "$tmp/out" | head -20
        elif [ -s "$tmp/err" ]; then
            fail "$name" "unexpected stderr: $(head -1 "$tmp/err")"
        else
            pass
        fi
    elif [ -e "$fixtures/$name.err" ]; then
        want_rc=2
        [ -e "$fixtures/$name.rc" ] && want_rc=$(cat "$fixtures/$name.rc")
        local prefix first
        prefix=$(head -1 "$fixtures/$name.err")
        first=$(head -1 "$tmp/err")
        if [ "$rc" != "$want_rc" ]; then
            fail "$name" "exit status $rc, expected $want_rc (stderr: $first)"
        elif [ -s "$tmp/out" ]; then
            fail "$name" "stdout not empty: $(head -1 "$tmp/out")"
        elif [ "${first#"$prefix"}" = "$first" ]; then
            fail "$name" "stderr '$first' does not start with '$prefix'"
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

expect_usage_error "no argument"
expect_usage_error "two arguments" "$fixtures/contract-example.scn" extra
expect_usage_error "missing file" "$tmp/does-not-exist.scn"
expect_usage_error "directory" "$fixtures"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
