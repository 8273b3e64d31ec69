#!/usr/bin/env bash
# Prepare a fresh Debian 12 machine for `npm test`: the integration tests start real influxd,
# mosquitto, victoria-metrics and postgres processes themselves (no systemd needed), so only the
# binaries must exist. Then make node_modules match package-lock.json.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# mosquitto lives in /usr/sbin, which is not on every user's PATH; look there too.
have() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/local/sbin/$1" ]
}

# Debian keeps PostgreSQL's initdb and postgres in /usr/lib/postgresql/<major>/bin, off the
# PATH; the store's tests (test/support/postgres.ts) look there.
have_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1
}

missing=()
packages=()
for pair in influxd:influxdb mosquitto:mosquitto victoria-metrics:victoria-metrics; do
  bin="${pair%%:*}"
  have "$bin" || { missing+=("$bin"); packages+=("${pair#*:}"); }
done
# The package also creates the `postgres` user the tests run the server as when run as root.
have_postgres || { missing+=(initdb); packages+=(postgresql); }

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ensure-test-env: missing ${missing[*]}; installing Debian packages ${packages[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
  for bin in influxd mosquitto victoria-metrics; do
    have "$bin" || { echo "ensure-test-env: $bin still missing after apt-get install" >&2; exit 1; }
  done
  have_postgres || { echo "ensure-test-env: initdb still missing after apt-get install" >&2; exit 1; }
else
  echo "ensure-test-env: influxd, mosquitto, victoria-metrics and postgresql are installed"
fi

node scripts/ensure-deps.js
