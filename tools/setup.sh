#!/usr/bin/env bash
# Installs every Debian package ser needs to build, run and test, and
# nothing else. Idempotent: does nothing when all are present. Run as root.
set -euo pipefail

packages=(
  g++ meson ninja-build pkg-config
  libboost-dev libboost-filesystem-dev libfmt-dev libssl-dev libsqlite3-dev
  libgtest-dev libbenchmark-dev default-libmysqlclient-dev
  python3 sip-tester iproute2 nftables conntrack tcpdump procps mariadb-server sqlite3 rtpengine-daemon
  clang libclang-rt-14-dev kamailio python3-prometheus-client
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run as root (or sudo) to install them" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
