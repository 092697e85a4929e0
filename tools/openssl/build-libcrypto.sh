#!/usr/bin/env bash
# Builds only the shared libcrypto of an OpenSSL release, out of tree, and stages it for the adapter.
#
#   build-libcrypto.sh VERSION     prints the prefix: PREFIX/lib/libcrypto.so*, PREFIX/include/openssl/*.h
#
# The source comes from fetch-source.sh (cached). The build is cached under $ASYNCREF_OPENSSL_CACHE/VERSION
# (default artifacts/openssl/VERSION): a second call only checks the stamp. Everything that does not feed
# libcrypto's ASYNC code is switched off (no tests, docs or assembly; most algorithms), and the build runs
# under `nice -n 19` because the machine is shared. If the reduced configuration does not build, the plain
# one (`shared no-tests no-docs no-asm`) is tried once before giving up.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${ASYNCREF_OPENSSL_CACHE:-$repo_root/artifacts/openssl}"
die() { echo "build-libcrypto: $*" >&2; exit 1; }

[ $# -eq 1 ] || { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
version="$1"
prefix="$cache/$version"
stamp="$prefix/.asyncref-built"
if [ -f "$stamp" ]; then
  echo "$prefix"
  exit 0
fi

src="$("$repo_root/tools/openssl/fetch-source.sh" "$version")" || die "OpenSSL $version: no source (see above)"
mkdir -p "$prefix"
exec 9>"$prefix/.build.lock"
flock 9
if [ -f "$stamp" ]; then echo "$prefix"; exit 0; fi

# The options this release's Configure knows, out of a candidate list: `"name",` in its disablable list.
supported() {
  local opt
  for opt in "$@"; do
    grep -q "^ *\"$opt\",\$" "$src/Configure" && printf 'no-%s ' "$opt"
  done
  return 0
}

# Algorithms and subsystems that ASYNC never touches. For 3.x this is the release's own `no-bulk` list (what
# OpenSSL's minimal CI build switches off) minus what must stay: shared, dso, async, and the init machinery.
bulk="$(awk '/^ *"bulk" *=> *\[/{on=1} on{print} on&&/\]/{exit}' "$src/Configure" |
        grep -oE '"[a-z0-9-]+"' | tr -d '"' | grep -vx 'bulk' || true)"
if [ -n "$bulk" ]; then
  keep='^(shared|dso|async|atexit|autoload-config|filenames|ui-console|fips-securitychecks)$'
  reduced="$(supported $(echo "$bulk" | grep -vE "$keep"))"
else
  # 1.1.1 has no `bulk`: the same kind of list, written out.
  reduced="$(supported engine comp idea seed camellia whirlpool rc2 rc4 md4 mdc2 cast bf srp ct cms ts ocsp \
             aria sm2 sm3 sm4 siphash blake2 rmd160 scrypt ocb chacha poly1305 srtp nextprotoneg psk)"
fi
base="shared $(supported tests docs apps engine legacy module) no-asm"

build_dir="$prefix/build"
log="$prefix/build.log"
configured=""
try_build() {
  local options="$1"
  configured="$options"
  rm -rf "$build_dir"
  mkdir -p "$build_dir"
  echo "build-libcrypto: OpenSSL $version: Configure $options" >&2
  local start=$SECONDS
  (
    cd "$build_dir"
    # -O1: about a third less compile time than the default -O3; ASYNC's behaviour does not depend on it.
    nice -n 19 perl "$src/Configure" linux-x86_64 $options -O1 -g0
    nice -n 19 make -j"$(nproc)" build_generated
    nice -n 19 make -j"$(nproc)" libcrypto.so
  ) >"$log" 2>&1 || return 1
  echo "build-libcrypto: OpenSSL $version built in $((SECONDS - start)) s" >&2
}

if ! try_build "$base $reduced"; then
  tail -n 15 "$log" >&2
  echo "build-libcrypto: OpenSSL $version: the reduced configuration failed; trying the plain one" >&2
  cp "$log" "$prefix/build-reduced.log"
  try_build "$base" || { tail -n 15 "$log" >&2; die "OpenSSL $version does not build (log: $log)"; }
fi

# Stage: the library (and its soname link) and the public headers, generated ones from the build tree.
rm -rf "$prefix/lib" "$prefix/include"
mkdir -p "$prefix/lib" "$prefix/include"
real="$(cd "$build_dir" && ls libcrypto.so.* | head -n 1)"
[ -n "$real" ] || die "OpenSSL $version: no libcrypto.so.* after the build (log: $log)"
cp -L "$build_dir/$real" "$prefix/lib/$real"
ln -sf "$real" "$prefix/lib/libcrypto.so"
cp -r "$src/include/openssl" "$prefix/include/"
cp "$build_dir"/include/openssl/*.h "$prefix/include/openssl/"
# CPU seconds of the build (user + system of all children): unlike wall time, not inflated by a busy machine.
# `times` must run in this shell (inside $(...) it would report the subshell's own, zero, times).
times > "$prefix/.times"
cpu="$(tail -n 1 "$prefix/.times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.0f", u[1]*60 + u[2] + s[1]*60 + s[2] }')"
rm -f "$prefix/.times"
printf 'version %s\nconfigure %s\nlibrary %s\ncpu-seconds %s\n' "$version" "$configured" "$real" "$cpu" > "$stamp"
# The object files are not needed once the library is staged.
rm -rf "$build_dir"
echo "$prefix"
