#!/usr/bin/env bash
# Installs what the end-to-end benchmarks compare against (Kamailio 5.6 from
# Debian) and drive with (sipp, Debian package sip-tester). Idempotent: asks
# apt-get only for what is missing, and does nothing when all is present.
# Run as root (on Debian 12).
set -euo pipefail
packages=(kamailio kamailio-mysql-modules sip-tester mariadb-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-bench: kamailio $(dpkg-query -W -f='${Version}' kamailio), sipp $(dpkg-query -W -f='${Version}' sip-tester) present"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "setup-bench: missing ${missing[*]}; run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The Debian package may start a system instance on 5060; the benchmark runs its own.
if [[ " ${missing[*]} " == *" kamailio "* ]]; then
  systemctl disable --now kamailio > /dev/null 2>&1 || true
fi
