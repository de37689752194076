#!/usr/bin/env bash
# Makes a Debian 12 or Ubuntu 22.04+ machine ready to build, run and test VoiceGate:
#   1. the system packages (C libraries with their pkg-config files, sipp, baresip, tshark, chromium,
#      build tools);
#   2. pjproject built with the gateway limits of deploy/config_site.h, installed under
#      /usr/local so that a plain `swift build` finds it through pkg-config;
#   3. PocketSphinx 5.1.1 (the offline speech recognizer) with its US English model, built from
#      its PyPI source release and installed under the same prefix;
#   4. VADER's sentiment lexicon (vaderSentiment 3.3.2, MIT licence), taken from its PyPI source
#      release to $prefix/share/voicegate/sentiment/ with the licence.
# Run as root or as a user with sudo. Idempotent: a second run installs nothing and rebuilds
# nothing; it finishes in seconds.
#
# Environment (all optional):
#   VOICEGATE_PJ_PREFIX   where pjproject goes (default /usr/local)
#   VOICEGATE_PJ_SOURCE   an unpacked pjproject source tree to build instead of fetching one
#   VOICEGATE_FORCE_PJ=1  rebuild pjproject even when the stamp says it is current
#   VOICEGATE_PS_SDIST    a downloaded pocketsphinx-5.1.1.tar.gz to build instead of fetching one
#                         (its sha256 is checked all the same)
#   VOICEGATE_FORCE_PS=1  rebuild PocketSphinx even when the stamp says it is current
#   VOICEGATE_VADER_SDIST a downloaded vaderSentiment-3.3.2.tar.gz to take the lexicon from instead
#                         of fetching one (its sha256 is checked all the same)
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
  cmake python3-pip                                                     # building PocketSphinx, fetching its source from PyPI
  libopus-dev libssl-dev libsrtp2-dev uuid-dev                          # pjproject's codecs, TLS, SRTP
  libsqlite3-dev                                                        # the conversation store
  libmicrohttpd-dev                                                     # health, metrics, admin API
  flite1-dev                                                            # text to speech: flite and its US English voices
  sip-tester                                                            # sipp, for the tests
  baresip-core                                                          # baresip softphone + modules, interop test
  stunnel4 openssl python3                                              # TLS peer for sipp, test certificates, the test bot
  procps iproute2                                                       # ps, ss: used by the tests
  tshark                                                                # dumpcap: Benchmarks/barge-in.sh captures RTP on lo
  fonts-dejavu-core                                                     # a font for the headless browser's screenshots
  python3-prometheus-client                                             # a real Prometheus parser: the metrics tests read /metrics with it
)
# chromium: the supervisor page test's headless browser. Debian packages it; Ubuntu ships it only
# as a snap (chromium-browser), whose confinement hides the tests' temporary folders: there, set
# CHROMIUM to the path of a Chromium or Chrome binary for the tests.
case "${ID:-}" in
  ubuntu) ;;
  *) packages+=(chromium) ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing system packages: ${missing[*]}"
  # Through env, not export: sudo drops the caller's environment, and tshark's debconf question
  # (may non-superusers capture?) would otherwise wait for an answer.
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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

# ---------------------------------------------------------------------------------------------
# 3. PocketSphinx 5.1.1, the offline speech recognizer
# ---------------------------------------------------------------------------------------------
# Debian 12 ships pocketsphinx 0.8, which recognizes almost nothing of telephone-band audio; 5.x
# does well. CI machines reach Debian's archive and PyPI only, and the sdist of PocketSphinx's
# Python package on PyPI holds the whole C library with its CMake build, the pkg-config template
# and the en-us model. The build takes seconds.
ps_version="5.1.1"
ps_sha256="675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355"
# Static and position independent, like pjproject: linked into Swift executables, nothing to
# find at run time but the model, which goes to $prefix/share/pocketsphinx/model/en-us (the
# library compiles that folder in as its default). No test suite. The command-line programs come
# along into $prefix/bin: `pocketsphinx single FILE.wav` checks the model by hand.
ps_cmake_flags=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=OFF
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DBUILD_TESTING=OFF
  -DCMAKE_INSTALL_PREFIX="$prefix"
  -DCMAKE_INSTALL_LIBDIR=lib
)
ps_stamp_file="$prefix/lib/voicegate-pocketsphinx.stamp"
ps_stamp="$( { echo "pocketsphinx $ps_version $ps_sha256"; echo "${ps_cmake_flags[*]}"; } | sha256sum | cut -d' ' -f1)"
ps_pc="$prefix/lib/pkgconfig/pocketsphinx.pc"

ps_is_current() {
  [ -f "$ps_stamp_file" ] && [ "$(cat "$ps_stamp_file")" = "$ps_stamp" ] \
    && [ -f "$ps_pc" ] && [ -f "$prefix/share/pocketsphinx/model/en-us/en-us/mdef" ]
}

# Downloads the sdist into $1 with pip, the registry's own client. pip reads an sdist's metadata
# before it saves it, which means installing the build backend (scikit-build-core, Cython) in a
# throw-away environment: `--no-binary pocketsphinx` (not `:all:`) lets those come as wheels, so
# this takes seconds instead of compiling Cython for minutes. Nothing is installed for good.
fetch_pocketsphinx_sdist() {
  local dir="$1"
  python3 -m pip --version >/dev/null 2>&1 || die "python3 -m pip is not available (package python3-pip)"
  log "downloading the pocketsphinx $ps_version source release from PyPI"
  python3 -m pip download --quiet --no-cache-dir --disable-pip-version-check --no-deps \
      --no-binary pocketsphinx --dest "$dir" "pocketsphinx==$ps_version" >"$dir/pip.log" 2>&1 \
    || { tail -n 20 "$dir/pip.log" >&2; die "pip download of pocketsphinx $ps_version failed"; }
}

build_pocketsphinx() {
  local work sdist tree cmake_version
  # Its CMakeLists.txt asks for CMake 3.25 (Debian 12 has 3.25.1, Ubuntu 22.04 only 3.22).
  cmake_version="$(cmake --version | sed -n 's/^cmake version \([0-9.]*\).*/\1/p')"
  [ "$(printf '%s\n' 3.25 "$cmake_version" | sort -V | head -n 1)" = 3.25 ] \
    || die "PocketSphinx $ps_version needs CMake 3.25 or later, this machine has $cmake_version (on Ubuntu 22.04: Kitware's apt repository)"
  work="$(mktemp -d "${TMPDIR:-/tmp}/voicegate-ps.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  if [ -n "${VOICEGATE_PS_SDIST:-}" ]; then
    sdist="$VOICEGATE_PS_SDIST"
  else
    fetch_pocketsphinx_sdist "$work"
    sdist="$work/pocketsphinx-$ps_version.tar.gz"
  fi
  [ -f "$sdist" ] || die "no pocketsphinx source release at $sdist"
  # pip checks the index's hash; this checks that the index still serves the release we tested.
  echo "$ps_sha256  $sdist" | sha256sum -c --quiet - >/dev/null 2>&1 \
    || die "$sdist: sha256 $(sha256sum "$sdist" | cut -d' ' -f1), expected $ps_sha256"
  tar -xzf "$sdist" -C "$work"
  tree="$work/pocketsphinx-$ps_version"
  [ -f "$tree/CMakeLists.txt" ] || die "the pocketsphinx source release holds no CMakeLists.txt"
  log "configuring pocketsphinx $ps_version"
  cmake -S "$tree" -B "$work/build" "${ps_cmake_flags[@]}" >"$work/cmake.log" 2>&1 \
    || { tail -n 30 "$work/cmake.log" >&2; die "pocketsphinx configure failed"; }
  log "building pocketsphinx (seconds)"
  cmake --build "$work/build" -j"$(nproc)" >>"$work/cmake.log" 2>&1 \
    || { tail -n 40 "$work/cmake.log" >&2; die "pocketsphinx build failed"; }
  log "installing pocketsphinx under $prefix"
  as_root cmake --install "$work/build" >>"$work/cmake.log" 2>&1 \
    || { tail -n 20 "$work/cmake.log" >&2; die "pocketsphinx install failed"; }
  echo "$ps_stamp" | as_root tee "$ps_stamp_file" >/dev/null
}

if [ "${VOICEGATE_FORCE_PS:-0}" != 1 ] && ps_is_current; then
  log "pocketsphinx $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion pocketsphinx): current"
else
  build_pocketsphinx
  log "pocketsphinx $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion pocketsphinx) installed"
fi

# The library is static, so its -lm (Libs.private) must reach the link: `swift build` reads only
# Libs. And Cflags' second folder, include/pocketsphinx, would let its err.h shadow the C
# library's <err.h> in every module that imports ours; its own headers never need it.
if grep -q '^Libs.private:' "$ps_pc" || grep -q '^Cflags:.*/pocketsphinx' "$ps_pc"; then
  log "folding Libs.private into Libs and dropping include/pocketsphinx from Cflags in $ps_pc"
  private="$(sed -n 's/^Libs.private:[[:space:]]*//p' "$ps_pc")"
  as_root sed -i -e '/^Libs.private:/d' -e "s|^Libs:.*|& ${private}|" \
    -e 's|^\(Cflags:.*\) -I${includedir}/pocketsphinx|\1|' "$ps_pc"
fi

# A prefix outside pkg-config's default path needs to be told once, system-wide.
for pc_name in libpjproject pocketsphinx; do
  if ! pkg-config --exists "$pc_name"; then
    as_root mkdir -p /usr/local/share/pkgconfig
    as_root ln -sf "$prefix/lib/pkgconfig/$pc_name.pc" "/usr/local/share/pkgconfig/$pc_name.pc"
  fi
done
pkg-config --exists libpjproject opus pocketsphinx || die "pkg-config cannot find libpjproject, opus and pocketsphinx after setup"

# ---------------------------------------------------------------------------------------------
# 4. The sentiment lexicon
# ---------------------------------------------------------------------------------------------
# The core's SentimentAnalyzer is a port of VADER's code; its data, the 7,520-line lexicon of
# rated words, is not in this repository. It comes from the sdist of VADER's Python package on
# PyPI (which CI machines reach), pinned like PocketSphinx, and goes where the gateway and the
# tests read it, with the MIT licence that asks to travel along. Nothing is built, so no stamp:
# the installed lexicon's own sha256 says whether it is current.
vader_version="3.3.2"
vader_sha256="5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
vader_lexicon_sha256="1ec9c6e9ee19aade328f8beb393a6afa71a5bb3acf7d3cc22d4ef568df374bf5"
vader_dir="$prefix/share/voicegate/sentiment"

vader_is_current() {
  [ -f "$vader_dir/LICENSE.txt" ] \
    && echo "$vader_lexicon_sha256  $vader_dir/vader_lexicon.txt" | sha256sum -c --quiet - >/dev/null 2>&1
}

# Downloads the sdist into $1 with pip. As for PocketSphinx, pip reads the sdist's metadata
# before saving it, through setuptools in a throw-away environment; the package is pure Python,
# so that is quick (under half a minute), and nothing is installed for good.
fetch_vader_sdist() {
  local dir="$1"
  python3 -m pip --version >/dev/null 2>&1 || die "python3 -m pip is not available (package python3-pip)"
  log "downloading the vaderSentiment $vader_version source release from PyPI"
  python3 -m pip download --quiet --no-cache-dir --disable-pip-version-check --no-deps \
      --no-binary :all: --dest "$dir" "vaderSentiment==$vader_version" >"$dir/pip.log" 2>&1 \
    || { tail -n 20 "$dir/pip.log" >&2; die "pip download of vaderSentiment $vader_version failed"; }
}

install_vader_lexicon() {
  local work sdist tree
  work="$(mktemp -d "${TMPDIR:-/tmp}/voicegate-vader.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  if [ -n "${VOICEGATE_VADER_SDIST:-}" ]; then
    sdist="$VOICEGATE_VADER_SDIST"
  else
    fetch_vader_sdist "$work"
    sdist="$work/vaderSentiment-$vader_version.tar.gz"
  fi
  [ -f "$sdist" ] || die "no vaderSentiment source release at $sdist"
  echo "$vader_sha256  $sdist" | sha256sum -c --quiet - >/dev/null 2>&1 \
    || die "$sdist: sha256 $(sha256sum "$sdist" | cut -d' ' -f1), expected $vader_sha256"
  tree="vaderSentiment-$vader_version"
  tar -xzf "$sdist" -C "$work" "$tree/vaderSentiment/vader_lexicon.txt" "$tree/LICENSE.txt" \
    || die "the vaderSentiment source release holds no vader_lexicon.txt and LICENSE.txt"
  log "installing the sentiment lexicon in $vader_dir"
  as_root install -D -m 0644 "$work/$tree/vaderSentiment/vader_lexicon.txt" "$vader_dir/vader_lexicon.txt"
  as_root install -D -m 0644 "$work/$tree/LICENSE.txt" "$vader_dir/LICENSE.txt"
}

if vader_is_current; then
  log "sentiment lexicon (vaderSentiment $vader_version): current"
else
  install_vader_lexicon
  vader_is_current || die "$vader_dir/vader_lexicon.txt: sha256 differs from vaderSentiment $vader_version's lexicon"
  log "sentiment lexicon (vaderSentiment $vader_version) installed"
fi

log "ready"
