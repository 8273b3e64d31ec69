#!/usr/bin/env bash
# Prepare a fresh Debian 12 machine for `npm test`: the integration tests start real influxd,
# mosquitto and victoria-metrics processes themselves (no systemd needed), so only the
# binaries must exist. Then make node_modules match package-lock.json.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# mosquitto lives in /usr/sbin, which is not on every user's PATH; look there too.
have() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/local/sbin/$1" ]
}

missing=()
for bin in influxd mosquitto victoria-metrics; do
  have "$bin" || missing+=("$bin")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ensure-test-env: missing ${missing[*]}; installing Debian packages influxdb mosquitto victoria-metrics"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends influxdb mosquitto victoria-metrics
  for bin in influxd mosquitto victoria-metrics; do
    have "$bin" || { echo "ensure-test-env: $bin still missing after apt-get install" >&2; exit 1; }
  done
else
  echo "ensure-test-env: influxd, mosquitto and victoria-metrics are installed"
fi

node scripts/ensure-deps.js
