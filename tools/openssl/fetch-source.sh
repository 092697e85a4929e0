#!/usr/bin/env bash
# Fetches an OpenSSL release's source from the Debian archive and unpacks its upstream (orig) tarball.
#
#   fetch-source.sh VERSION [DEST]   unpack upstream VERSION (e.g. 3.6.3, 1.1.1w) into DEST; print DEST
#   fetch-source.sh --newest SERIES  print the newest upstream version of SERIES (1.1.1, 3.0, 3.5, 3.6, 4.0)
#   fetch-source.sh --newest-fetchable SERIES
#                                    fetch the newest SERIES version the mirror serves into the cache; print it
#   fetch-source.sh --list           print every upstream version the source index offers, with its Debian version
#   fetch-source.sh --update         refresh the private source index
#
# apt runs with a private configuration (APT_CONFIG): its own deb-src list, state and cache under the cache
# directory, so the system's sources and package lists are never touched. Results are cached: a second call
# for the same VERSION only checks that DEST is complete. The cache directory is $ASYNCREF_OPENSSL_CACHE,
# default artifacts/openssl (CI points it outside the clone so reruns are cheap).
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${ASYNCREF_OPENSSL_CACHE:-$repo_root/artifacts/openssl}"
apt_dir="$cache/apt"
# Index older than this many seconds is refreshed before a lookup fails.
index_max_age="${ASYNCREF_APT_INDEX_MAX_AGE:-86400}"

die() { echo "fetch-source: $*" >&2; exit 1; }

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

setup_apt() {
  mkdir -p "$apt_dir/etc/sources.list.d" "$apt_dir/etc/preferences.d" "$apt_dir/state/lists/partial" \
           "$apt_dir/cache/archives/partial" "$apt_dir/download"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$keyring" ] || die "the Debian archive keyring $keyring is missing (apt-get install debian-archive-keyring)"
  cat > "$apt_dir/etc/sources.list" <<SOURCES
deb-src [signed-by=$keyring] http://deb.debian.org/debian bullseye main
deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
deb-src [signed-by=$keyring] http://deb.debian.org/debian trixie main
deb-src [signed-by=$keyring] http://deb.debian.org/debian sid main
deb-src [signed-by=$keyring] http://deb.debian.org/debian experimental main
SOURCES
  cat > "$apt_dir/apt.conf" <<CONF
Dir::Etc "$apt_dir/etc";
Dir::Etc::sourcelist "$apt_dir/etc/sources.list";
Dir::Etc::sourceparts "$apt_dir/etc/sources.list.d";
Dir::Etc::preferences "$apt_dir/etc/preferences";
Dir::Etc::preferencesparts "$apt_dir/etc/preferences.d";
Dir::Etc::parts "$apt_dir/etc/apt.conf.d";
Dir::State "$apt_dir/state";
Dir::State::status "/var/lib/dpkg/status";
Dir::Cache "$apt_dir/cache";
APT::Sandbox::User "root";
Acquire::Languages "none";
// The archive here is a dated snapshot: sid/experimental Release files are past their Valid-Until.
Acquire::Check-Valid-Until "false";
Acquire::IndexTargets::deb::Packages::DefaultEnabled "false";
CONF
  mkdir -p "$apt_dir/etc/apt.conf.d"
  export APT_CONFIG="$apt_dir/apt.conf"
}

update_index() {
  echo "fetch-source: updating the private source index ($apt_dir)" >&2
  apt-get -q update >"$apt_dir/update.log" 2>&1 || {
    tail -n 20 "$apt_dir/update.log" >&2
    die "apt-get update failed (log: $apt_dir/update.log)"
  }
  grep -E '^(W|E):' "$apt_dir/update.log" >&2 || true
  touch "$apt_dir/index.stamp"
}

index_is_fresh() {
  [ -f "$apt_dir/index.stamp" ] && [ $(( $(date +%s) - $(stat -c %Y "$apt_dir/index.stamp") )) -lt "$index_max_age" ]
}

ensure_index() { [ -f "$apt_dir/index.stamp" ] || update_index; }

# "debian-version<TAB>upstream-version" for every openssl source package in the index.
debian_versions() {
  apt-cache showsrc openssl 2>/dev/null | awk '/^Package: /{p=$2} /^Version: /{ if (p=="openssl") print $2 }' |
    sort -u | while read -r deb; do
      local up="${deb#*:}"; up="${up%-*}"
      printf '%s\t%s\n' "$deb" "$up"
    done
}

# Sorts upstream versions oldest first (dpkg order: 1.1.1w < 3.0.20 < 3.0.22 < 4.0.2).
sort_versions() { sort -V; }

newest_of_series() {
  local series="$1"
  debian_versions | cut -f2 | { grep -E "^${series//./\\.}(\.|[a-z]|$)" || true; } | sort_versions | tail -n 1
}

list_versions() { debian_versions | awk -F'\t' '{print $2 "\t" $1}' | sort -V; }

# The Debian version to download for an upstream version: the newest Debian revision of it.
debian_version_of() {
  local want="$1"
  debian_versions | awk -F'\t' -v w="$want" '$2==w {print $1}' | sort -V | tail -n 1
}

fetch() {
  local version="$1" dest="$2"
  if [ -f "$dest/.asyncref-complete" ]; then
    echo "$dest"
    return 0
  fi
  ensure_index
  local deb
  deb="$(debian_version_of "$version")"
  if [ -z "$deb" ] && ! index_is_fresh; then
    update_index
    deb="$(debian_version_of "$version")"
  fi
  if [ -z "$deb" ]; then
    local offered
    offered="$(debian_versions | cut -f2 | sort -uV | paste -sd' ')"
    die "OpenSSL $version is not in the Debian source index (offered: ${offered:-nothing; is the network reachable?})"
  fi
  local dl="$apt_dir/download/$deb"
  mkdir -p "$dl"
  local orig
  orig="$(ls "$dl"/openssl_"$version".orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n 1 || true)"
  if [ -z "$orig" ]; then
    # A version the index lists but the mirror no longer serves fails fast; remember that until the next update.
    if [ -f "$dl/.unavailable" ] && [ "$dl/.unavailable" -nt "$apt_dir/index.stamp" ]; then
      die "OpenSSL $version (openssl=$deb) could not be downloaded: $(cat "$dl/.unavailable")"
    fi
    echo "fetch-source: downloading openssl $deb" >&2
    local status=0
    (cd "$dl" && apt-get -q source --download-only "openssl=$deb") >"$dl/download.log" 2>&1 || status=$?
    orig="$(ls "$dl"/openssl_"$version".orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n 1 || true)"
    if [ -z "$orig" ]; then
      local reason
      reason="$(grep -m1 -oE '(404|403|Not Found|Unable to locate|Could not resolve|Temporary failure)[^[]*' "$dl/download.log" | tr -s ' ' | sed 's/ *$//' || true)"
      reason="the archive did not serve its orig tarball (${reason:-apt-get exit $status}; log: $dl/download.log)"
      echo "$reason" > "$dl/.unavailable"
      die "OpenSSL $version (openssl=$deb) could not be downloaded: $reason"
    fi
    # Only the upstream tarball is needed; a missing .dsc or Debian patch tarball does not matter here.
    [ "$status" -eq 0 ] || echo "fetch-source: openssl=$deb: only the orig tarball was served (enough to build)" >&2
  fi
  local tmp="$dest.partial.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  tar -xf "$orig" -C "$tmp" --strip-components=1 || { rm -rf "$tmp"; die "cannot unpack $orig"; }
  [ -f "$tmp/crypto/async/async.c" ] || { rm -rf "$tmp"; die "$orig does not look like an OpenSSL source tree"; }
  printf 'upstream %s\ndebian %s\ntarball %s\n' "$version" "$deb" "$(basename "$orig")" > "$tmp/.asyncref-complete"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$tmp" "$dest"
  echo "$dest"
}

[ $# -ge 1 ] || usage
mkdir -p "$cache"
# One fetch at a time per cache (CI and a developer may share one outside the clone).
exec 9>"$cache/.fetch.lock"
flock 9
command -v apt-get >/dev/null || die "apt-get is required"
case "$1" in
  -h|--help) usage ;;
  --newest)
    [ $# -eq 2 ] || usage
    setup_apt; ensure_index
    v="$(newest_of_series "$2")"
    if [ -z "$v" ] && ! index_is_fresh; then update_index; v="$(newest_of_series "$2")"; fi
    [ -n "$v" ] || die "no OpenSSL $2.x in the Debian source index"
    echo "$v" ;;
  --newest-fetchable)
    # Newest version of SERIES whose source can actually be downloaded (the index may list newer
    # versions than the mirror serves); fetches it into the cache and prints the version.
    [ $# -eq 2 ] || usage
    setup_apt; ensure_index
    for v in $(debian_versions | cut -f2 | { grep -E "^${2//./\\.}(\.|[a-z]|$)" || true; } | sort -uV | tac); do
      if (fetch "$v" "$cache/src/$v") >/dev/null; then echo "$v"; exit 0; fi
    done
    die "no OpenSSL $2.x source could be downloaded" ;;
  --list)
    setup_apt; ensure_index; list_versions ;;
  --update)
    setup_apt; update_index ;;
  -*) usage ;;
  *)
    [ $# -le 2 ] || usage
    [[ "$1" =~ ^[0-9]+\.[0-9]+\.[0-9]+[a-z]*$ ]] || die "'$1' is not an OpenSSL version (expected e.g. 3.6.3 or 1.1.1w)"
    setup_apt
    fetch "$1" "${2:-$cache/src/$1}" ;;
esac
