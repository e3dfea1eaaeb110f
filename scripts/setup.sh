#!/usr/bin/env bash
# Install what is missing (Debian 12 packages, and the pinned Node.js in .tools/) and build.
#
#   scripts/setup.sh            install missing packages, build build/ejournal (warnings are errors)
#   scripts/setup.sh --asan     also build build-asan/ejournal (AddressSanitizer + UBSan)
#   scripts/setup.sh --no-build only install packages
#
# EJ_SETUP_ASAN=1 is the same as --asan; EJ_BUILD_DIR / EJ_ASAN_BUILD_DIR choose other build folders
# (default build, build-asan). Idempotent: installed packages are skipped, and the builds are
# incremental. Installing packages needs root; `apt-get update` runs only when an install fails
# without it.
set -euo pipefail

cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

asan=${EJ_SETUP_ASAN:-0}
build=1
for arg in "$@"; do
    case $arg in
        --asan) asan=1 ;;
        --no-build) build=0 ;;
        -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

say() { echo "setup.sh: $*" >&2; }

# --- packages ----------------------------------------------------------------------------------
# Libraries and tools checked by package; wrk, curl and jq by command, since they may come from
# elsewhere. Node.js and npm are not Debian's (18.x, end of life, too old for the pinned npm tools):
# scripts/node.sh fetches the pinned ones into .tools/ after this, with curl (ca-certificates for
# HTTPS).
packages=(build-essential cmake pkg-config libcivetweb-dev libpq-dev libjansson-dev libjwt-dev
          libargon2-dev libssl-dev postgresql-15 postgresql-contrib nginx openssl ca-certificates
          chromium  # chromium: the web client's browser tests
          clang libclang-rt-14-dev clang-format cppcheck  # stages fuzz (libFuzzer: its runtime is
          # libclang-rt-14-dev, only recommended by clang), format and cppcheck of test.sh
          python3)  # python3: clients/sync (ejournal-sync) and its tests

is_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing=()
for p in "${packages[@]}"; do
    is_installed "$p" || missing+=("$p")
done
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq) # the README's curl examples (clients/curl/), tested

if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
        say "missing packages: ${missing[*]}; run this script as root (or: sudo apt-get install ${missing[*]})"
        exit 1
    fi
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_install() {
        apt-get install -y -q --no-install-recommends "${missing[@]}"
    }
    # postgresql-15's maintainer scripts start a system cluster where they can; nothing here uses it
    # (scripts/pg.sh runs a private one), and on a machine without a service manager they skip it.
    if ! apt_install; then
        say "install failed; refreshing the package lists and retrying"
        apt-get update -q
        apt_install
    fi
fi

# The pinned Node.js and npm (downloaded once, checked against pinned hashes; see scripts/node.sh).
bash scripts/node.sh >/dev/null

((build)) || exit 0

# --- builds ------------------------------------------------------------------------------------
bdir=${EJ_BUILD_DIR:-build}
adir=${EJ_ASAN_BUILD_DIR:-build-asan}
say "building $bdir/ejournal"
cmake -S . -B "$bdir" -DEJ_WERROR=ON >/dev/null
cmake --build "$bdir" -j "$(nproc)"

if ((asan)); then
    say "building $adir/ejournal (ASan + UBSan)"
    cmake -S . -B "$adir" -DEJ_WERROR=ON -DEJ_ASAN=ON >/dev/null
    cmake --build "$adir" -j "$(nproc)"
fi
