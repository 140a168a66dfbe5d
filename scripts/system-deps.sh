#!/usr/bin/env bash
# Makes sure the system programs crmlens's tests drive are present: a MariaDB
# server (mariadbd, mariadb-install-db) and Debian's Chromium. Installs them
# with apt-get when run as root on Debian; otherwise says exactly what is
# missing and how to get it. Exit status 1 when something is still missing.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

have mariadbd && have mariadb-install-db || missing+=(mariadb-server)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged MariaDB service; the tests start their own.
  exit 0
fi

echo "system-deps: missing ${missing[*]}." >&2
echo "  Debian/Ubuntu: sudo apt-get install ${missing[*]}" >&2
echo "  (tests start their own mariadbd on a temporary directory and drive /usr/bin/chromium headless;" >&2
echo "   set CRMLENS_TEST_MYSQL_URL to use an existing MySQL/MariaDB, CHROMIUM_PATH for another Chromium)" >&2
exit 1
