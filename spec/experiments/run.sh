#!/usr/bin/env bash
# Compiles every experiment against a libcrypto and runs it.
#   run.sh [--lib PREFIX]           print the experiments' output
#   run.sh [--lib PREFIX] --check   compare it with results/VERSION.txt; exit 1 on a difference
# Without --lib the installed libcrypto is used; PREFIX is a staged release (PREFIX/include/openssl,
# PREFIX/lib/libcrypto.so), as tools/openssl/build-libcrypto.sh leaves it. VERSION is the library's own
# (OpenSSL_version), e.g. 3.0.19 or 1.1.1w.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="" check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) prefix="$(cd "$2" && pwd)" || exit 2; shift 2 ;;
    --check) check=1; shift ;;
    *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
flags=()
[ -n "$prefix" ] && flags=(-I "$prefix/include" -L "$prefix/lib" -Wl,-rpath,"$prefix/lib")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
build() { gcc -std=gnu11 -O0 -Wall -Wextra -Werror -pthread "${flags[@]}" -o "$out/$1" "$2" -lcrypto; }

printf '#include <openssl/crypto.h>\n#include <stdio.h>\nint main(void){char v[64];sscanf(OpenSSL_version(OPENSSL_VERSION),"OpenSSL %%63s",v);puts(v);return 0;}\n' > "$out/version.c"
build version "$out/version.c" || exit 1
version="$("$out/version")"

status=0
for src in $(ls "$here"/e*.c | sort -V); do
  name="$(basename "$src" .c)"
  echo "### $name" >> "$out/all.txt"
  # -O0: E13 measures stack depth, which optimisation would change.
  if build "$name" "$src"; then
    "$out/$name" >> "$out/all.txt" 2>&1
  else
    echo "does not compile" >> "$out/all.txt"
    status=1
  fi
done
if [ $check = 0 ]; then
  cat "$out/all.txt"
elif [ ! -f "$here/results/$version.txt" ]; then
  cat "$out/all.txt"
  echo "run.sh: no recorded results for OpenSSL $version (results/$version.txt)" >&2
  status=1
elif diff -u "$here/results/$version.txt" "$out/all.txt"; then
  echo "OpenSSL $version: every experiment printed what results/$version.txt records"
else
  status=1
fi
exit $status
