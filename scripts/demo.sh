#!/usr/bin/env bash
# `make demo`: set-up, build, a private cluster, a small demo retailer and a
# guided tour of the SQL API.  The cluster is stopped at the end, also on
# failure; OMNI_DEMO_KEEP=1 leaves it running to explore with psql.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pgenv.sh

bash scripts/install-deps.sh
bash scripts/build.sh

eval "$(bash scripts/cluster.sh env)"
if [ "${OMNI_DEMO_KEEP:-0}" != 1 ]; then
	trap 'bash scripts/cluster.sh stop' EXIT
fi
bash scripts/cluster.sh start

psql -X -q -v ON_ERROR_STOP=1 -d omnichannel <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION omnichannel CASCADE;
SQL
psql -X -q -v ON_ERROR_STOP=1 -d omnichannel -f demo/load.sql
echo
psql -X -v ON_ERROR_STOP=1 -d omnichannel -f demo/tour.sql
echo
echo "demo: done."
if [ "${OMNI_DEMO_KEEP:-0}" = 1 ]; then
	echo "demo: the cluster keeps running: psql -h $PGHOST -p $PGPORT -U postgres omnichannel"
	echo "demo: stop it with: bash scripts/cluster.sh stop"
fi
