#!/bin/sh
# Installs the Debian packages tailgate needs to build, test and benchmark.
# Idempotent: only missing packages are installed, and each is named first.
# Usage: scripts/deps.sh [build|test|bench]   (default: test)
set -eu

need="${1:-test}"
build_pkgs="gcc make pkg-config libev-dev libluajit-5.1-dev libssl-dev zlib1g-dev libjansson-dev"
test_pkgs="libcmocka-dev nginx-light clang libclang-rt-14-dev curl python3 openssl python3-yaml"
bench_pkgs="wrk nghttp2-client hey python3-locust"

case "$need" in
build) pkgs="$build_pkgs" ;;
test) pkgs="$build_pkgs $test_pkgs" ;;
bench) pkgs="$build_pkgs $test_pkgs $bench_pkgs" ;;
*) echo "deps.sh: unknown set '$need' (build, test or bench)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "deps.sh: installing missing packages:$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if [ "${CI:-}" = "true" ] || ! $sudo apt-get install -y --no-install-recommends $missing; then
    $sudo apt-get update -q
    $sudo apt-get install -y --no-install-recommends $missing
fi
