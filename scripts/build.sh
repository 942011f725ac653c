#!/usr/bin/env bash
# Build and install the extension (and, once it exists, omni-listen) into
# PostgreSQL 15.  Installing writes under /usr, so it needs root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pgenv.sh
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo

start=$(date +%s)
make -s -j2 PG_CONFIG="$PG_CONFIG"
$SUDO make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
if [ -f bin/Makefile ]; then
	make -s -C bin PG_CONFIG="$PG_CONFIG"
	$SUDO make -s -C bin install PG_CONFIG="$PG_CONFIG" >/dev/null
fi
echo "build: built and installed in $(($(date +%s) - start)) s"
