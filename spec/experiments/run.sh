#!/usr/bin/env bash
# Compiles every experiment against the installed libcrypto and runs it.
#   run.sh            print each experiment's output
#   run.sh --check    compare with the recorded outputs (eN.txt, from libcrypto 3.0.19); exit 1 on a difference
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${TMPDIR:-/tmp}/asyncref-experiments.$$"
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
status=0
for src in $(ls "$here"/e*.c | sort -V); do
  name="$(basename "$src" .c)"
  # -O0: E13 measures stack depth, which optimisation would change.
  if ! gcc -std=gnu11 -O0 -Wall -Wextra -Werror -pthread -o "$out/$name" "$src" -lcrypto; then
    echo "$name: does not compile" >&2
    status=1
    continue
  fi
  "$out/$name" > "$out/$name.txt" 2>&1
  if [ "${1:-}" = --check ]; then
    if diff -u "$here/$name.txt" "$out/$name.txt"; then echo "$name: as recorded"; else status=1; fi
  else
    echo "### $name"
    cat "$out/$name.txt"
  fi
done
exit $status
