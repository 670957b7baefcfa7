#!/usr/bin/env bash
# Installs what the end-to-end benchmarks compare against (Kamailio 5.6
# from Debian) and drive with (sipp). Idempotent; run as root.
set -euo pipefail
packages=(kamailio sip-tester)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "setup-bench: all present"; exit 0; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The Debian package may start a system instance; the benchmark runs its own.
systemctl disable --now kamailio >/dev/null 2>&1 || true
