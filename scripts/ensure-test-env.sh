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

have_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -q .
}

# Debian's python3-pymodbus, for the system python3 (not a pyenv one that may shadow it).
have_pymodbus() {
  # Its servers import pyserial and serial_asyncio, which the Debian package only recommends.
  /usr/bin/python3 -c 'import pymodbus, serial, serial_asyncio' >/dev/null 2>&1
}

missing=()
packages=()
for pair in influxd:influxdb mosquitto:mosquitto victoria-metrics:victoria-metrics; do
  bin="${pair%%:*}"
  have "$bin" || { missing+=("$bin"); packages+=("${pair#*:}"); }
done
# The package also creates the `postgres` user the tests run the server as when run as root.
have_postgres || { missing+=(initdb); packages+=(postgresql); }
# The console's browser tests drive Debian's chromium (no browser downloads here) and need a CJK
# font, or the Chinese pages render as boxes.
have chromium || { missing+=(chromium); packages+=(chromium); }
have_cjk_font || { missing+=(cjk-font); packages+=(fonts-noto-cjk); }
# pymodbus is the independent Modbus peer of the wire tests; socat makes the serial pty pairs.
have_pymodbus || {
  missing+=(pymodbus)
  packages+=(python3-pymodbus python3-serial python3-serial-asyncio)
}
have socat || { missing+=(socat); packages+=(socat); }

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
  have chromium || { echo "ensure-test-env: chromium still missing after apt-get install" >&2; exit 1; }
  have_pymodbus || { echo "ensure-test-env: pymodbus still missing after apt-get install" >&2; exit 1; }
else
  echo "ensure-test-env: influxd, mosquitto, victoria-metrics, postgresql, chromium, pymodbus and socat are installed"
fi

node scripts/ensure-deps.js
