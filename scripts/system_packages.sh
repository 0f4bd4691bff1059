#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real (Redis, a Prometheus Pushgateway,
# Chromium) when they are missing and this user can (root with apt-get). Never fails the build:
# a server that is still missing makes its tests skip, or fail under CI=true (tests/system.py).
set -u
declare -A PROGRAM=(
  [redis-server]=redis-server
  [prometheus-pushgateway]=prometheus-pushgateway
  [chromium]=chromium
)
missing=()
for package in "${!PROGRAM[@]}"; do
  command -v "${PROGRAM[$package]}" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system packages missing (${missing[*]}); not root with apt-get, so their tests skip" >&2
  exit 0
fi
echo "installing system packages for the tests: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || echo "apt-get update failed" >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || echo "apt-get install ${missing[*]} failed; their tests skip (or fail under CI=true)" >&2
exit 0
