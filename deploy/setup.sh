#!/usr/bin/env bash
# Makes a Debian 12 or Ubuntu 22.04+ machine ready to build, run and test VoiceGate:
#   1. the system packages (C libraries with their pkg-config files, sipp, baresip, build tools);
#   2. pjproject built with the gateway limits of deploy/config_site.h, installed under
#      /usr/local so that a plain `swift build` finds it through pkg-config.
# Run as root or as a user with sudo. Idempotent: a second run installs nothing and rebuilds
# nothing; it finishes in seconds.
#
# Environment (all optional):
#   VOICEGATE_PJ_PREFIX   where pjproject goes (default /usr/local)
#   VOICEGATE_PJ_SOURCE   an unpacked pjproject source tree to build instead of fetching one
#   VOICEGATE_FORCE_PJ=1  rebuild pjproject even when the stamp says it is current
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${VOICEGATE_PJ_PREFIX:-/usr/local}"
pj_version="2.12.1"

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
  as_root() { sudo "$@"; }
else
  die "run as root, or install sudo: packages and pjproject go into system folders"
fi

[ -r /etc/os-release ] || die "no /etc/os-release: only Debian 12 and Ubuntu 22.04+ are supported"
. /etc/os-release
case "${ID:-}:${ID_LIKE:-}" in
  debian:*|ubuntu:*|*:*debian*) ;;
  *) die "unsupported system '${PRETTY_NAME:-unknown}': only Debian 12 and Ubuntu 22.04+ are supported" ;;
esac

# ---------------------------------------------------------------------------------------------
# 1. System packages
# ---------------------------------------------------------------------------------------------
packages=(
  build-essential g++ make pkg-config ca-certificates tar gzip xz-utils  # building pjproject
  libopus-dev libssl-dev libsrtp2-dev uuid-dev                          # pjproject's codecs, TLS, SRTP
  libsqlite3-dev                                                        # the conversation store
  libmicrohttpd-dev                                                     # health, metrics, admin API
  flite1-dev                                                            # text to speech: flite and its US English voices
  sip-tester                                                            # sipp, for the tests
  baresip-core                                                          # baresip softphone + modules, interop test
  stunnel4 openssl python3                                              # TLS peer for sipp, test certificates, the test bot
  procps iproute2                                                       # ps, ss: used by the tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "system packages: all present"
fi

# ---------------------------------------------------------------------------------------------
# 2. pjproject with gateway limits
# ---------------------------------------------------------------------------------------------
# Configure flags: a server build (no sound device, no video, no echo canceller), epoll for more
# than 1024 sockets, the distribution's libsrtp2 and libopus. Debian strips the bundled gsm,
# speex, ilbc and g7221 codecs from the source, so they are off.
configure_flags=(
  --prefix="$prefix"
  --enable-epoll
  --disable-sound --disable-video --disable-v4l2 --disable-sdl --disable-ffmpeg
  --disable-openh264 --disable-vpx --disable-libyuv --disable-libwebrtc
  --disable-android-mediacodec --disable-opencore-amr --disable-silk --disable-bcg729
  --disable-speex-aec --disable-speex-codec --disable-gsm-codec --disable-ilbc-codec
  --disable-g7221-codec
  --disable-pjsua2
  --with-external-srtp
)

stamp_file="$prefix/lib/voicegate-pjproject.stamp"
stamp="$( { echo "pjproject $pj_version"; echo "${configure_flags[*]}"; cat "$here/config_site.h"; } | sha256sum | cut -d' ' -f1)"

pj_is_current() {
  [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] \
    && PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --exists libpjproject
}

# Finds a pjproject source tree and prints its path. On Debian 12 there is no pjproject package
# of any kind, but the full 2.12.1 source ships inside the `ring` (Jami) source package. apt is
# pointed at a private deb-src list made from the machine's own binary sources, so the machine's
# apt configuration is not changed and no mirror is named here.
fetch_pjproject_source() {
  local work="$1"
  mkdir -p "$work/lists/partial" "$work/parts"
  : > "$work/sources.list"
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed -E 's/^Types:.*/Types: deb-src/' "$f" > "$work/parts/$(basename "$f")"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -nE 's/^deb[[:space:]]+/deb-src /p' "$f" >> "$work/sources.list"
  done
  local apt=(apt-get -qq -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/parts"
             -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
  log "fetching the package index of source packages"
  (cd "$work" && as_root "${apt[@]}" update) >&2 || die "apt-get update of the private deb-src list failed"
  local pkg
  for pkg in pjproject ring jami; do
    if (cd "$work" && as_root "${apt[@]}" source --download-only "$pkg") >/dev/null 2>&1; then
      log "downloaded source package '$pkg'"
      break
    fi
  done
  as_root chown -R "$(id -u):$(id -g)" "$work"
  local tarball
  tarball="$(ls "$work"/*.orig.tar.* 2>/dev/null | head -n 1)"
  [ -n "$tarball" ] || die "no source package with pjproject could be downloaded (tried pjproject, ring, jami)"
  case "$(basename "$tarball")" in
    pjproject_*) tar -xf "$tarball" -C "$work" ;;
    *) tar -xf "$tarball" -C "$work" --wildcards '*/contrib/tarballs-unpacked/pjproject-*' ;;
  esac
  local tree
  tree="$(dirname "$(find "$work" -maxdepth 7 -name version.mak -path '*pjproject*' | head -n 1)")"
  [ -f "$tree/pjlib/include/pj/config.h" ] || die "the source package holds no pjproject tree"
  grep -q "PJ_VERSION_MINOR *:= *12" "$tree/version.mak" \
    || log "warning: expected pjproject $pj_version, found $(grep -E 'PJ_VERSION_(MAJOR|MINOR|REV) ' "$tree/version.mak" | awk '{print $4}' | paste -sd.)"
  echo "$tree"
}

build_pjproject() {
  local work tree
  work="$(mktemp -d "${TMPDIR:-/tmp}/voicegate-pj.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  if [ -n "${VOICEGATE_PJ_SOURCE:-}" ]; then
    cp -a "$VOICEGATE_PJ_SOURCE" "$work/src"
    tree="$work/src"
  else
    tree="$(fetch_pjproject_source "$work")"
  fi
  cp "$here/config_site.h" "$tree/pjlib/include/pj/config_site.h"
  log "configuring pjproject in $tree"
  # -fPIC: the static libraries are linked into Swift executables, which are position independent.
  (cd "$tree" && CFLAGS="-O2 -fPIC" CXXFLAGS="-O2 -fPIC" ./configure "${configure_flags[@]}" >"$work/configure.log" 2>&1) \
    || { tail -n 30 "$work/configure.log" >&2; die "pjproject configure failed"; }
  log "building pjproject (about a minute)"
  (cd "$tree" && make dep >"$work/make.log" 2>&1 && make -j"$(nproc)" >>"$work/make.log" 2>&1) \
    || { tail -n 40 "$work/make.log" >&2; die "pjproject build failed"; }
  log "installing pjproject under $prefix"
  (cd "$tree" && as_root make install >>"$work/make.log" 2>&1) \
    || { tail -n 20 "$work/make.log" >&2; die "pjproject install failed"; }
  # The pjsua sample application of the same build: the benchmark's baseline and a test peer.
  as_root install -D -m 0755 "$(ls "$tree"/pjsip-apps/bin/pjsua-* | head -n 1)" "$prefix/bin/pjsua"
  echo "$stamp" | as_root tee "$stamp_file" >/dev/null
}

if [ "${VOICEGATE_FORCE_PJ:-0}" != 1 ] && pj_is_current; then
  log "pjproject $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion libpjproject): current (gateway limits)"
else
  build_pjproject
  log "pjproject $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion libpjproject) installed"
fi

# pjproject installs static libraries only, yet its .pc file keeps their own dependencies (opus,
# srtp, ssl, the resampler) in Libs.private, which `swift build` does not read. Fold them into Libs.
pc="$prefix/lib/pkgconfig/libpjproject.pc"
if grep -q '^Libs.private:' "$pc"; then
  log "folding Libs.private into Libs in $pc (static libraries)"
  private="$(sed -n 's/^Libs.private:[[:space:]]*//p' "$pc")"
  as_root sed -i -e '/^Libs.private:/d' -e "s|^Libs:.*|& ${private}|" "$pc"
fi

# A prefix outside pkg-config's default path needs to be told once, system-wide.
if ! pkg-config --exists libpjproject; then
  as_root mkdir -p /usr/local/share/pkgconfig
  as_root ln -sf "$prefix/lib/pkgconfig/libpjproject.pc" /usr/local/share/pkgconfig/libpjproject.pc
fi
pkg-config --exists libpjproject opus || die "pkg-config cannot find libpjproject and opus after setup"
log "ready"
