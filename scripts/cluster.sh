#!/usr/bin/env bash
# The private PostgreSQL cluster that `make demo` and `make test` use.
# It never touches a system cluster: initdb into a folder of our own, its own
# port and socket directory, run as the unprivileged "postgres" user when we
# are root (initdb and postgres refuse to run as root).
#
#   scripts/cluster.sh start     initdb afresh and start
#   scripts/cluster.sh stop      stop (fast, then immediate) if running
#   scripts/cluster.sh env       print the PG* variables to reach it
#
# Settings: OMNI_PGPORT (default 54315), OMNI_CLUSTER_DIR (default
# .pgcluster under the checkout, or a folder under /tmp when the postgres
# user cannot write there), PGVER and PG_ROOT (scripts/pgenv.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/pgenv.sh"
PORT=${OMNI_PGPORT:-54315}
RUN_AS=postgres

as_owner()
{
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$RUN_AS" -- "$@"
	else
		"$@"
	fi
}

cluster_dir()
{
	if [ -n "${OMNI_CLUSTER_DIR:-}" ]; then
		echo "$OMNI_CLUSTER_DIR"
		return
	fi
	local d="$here/.pgcluster"
	mkdir -p "$d"
	[ "$(id -u)" -eq 0 ] && chown "$RUN_AS" "$d"
	# A clean clone may sit where postgres cannot reach (e.g. under /root),
	# and a socket path must stay under 107 bytes.
	if as_owner test -w "$d" -a -x "$d" && [ ${#d} -lt 80 ]; then
		echo "$d"
	else
		echo "/tmp/omnichannel-$(printf '%s' "$here" | cksum | cut -d' ' -f1)"
	fi
}

DIR=$(cluster_dir)
DATA="$DIR/data"
SOCK="$DIR/run"
LOG="$DIR/server.log"

do_stop()
{
	if [ -f "$DATA/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			as_owner "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
		echo "cluster: stopped ($DATA)"
	fi
}

do_start()
{
	do_stop
	if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
		echo "cluster: port $PORT is already used by another server; choose another with OMNI_PGPORT" >&2
		exit 1
	fi
	mkdir -p "$DIR"
	[ "$(id -u)" -eq 0 ] && chown "$RUN_AS" "$DIR"
	# a fresh log too: make test looks in it for crashed backends of this run
	as_owner rm -rf "$DATA" "$SOCK" "$LOG"
	as_owner mkdir -p "$SOCK"
	as_owner "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 \
		--locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
		{ cat "$DIR/initdb.log" >&2; exit 1; }
	cat >>"$DATA/postgresql.conf" <<CONF

# omnichannel private cluster
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'pg_cron,omnichannel'
cron.database_name = 'omnichannel'
max_connections = 150
shared_buffers = 256MB
fsync = on
synchronous_commit = on
max_prepared_transactions = 10
# whole-pair stock changes take one lock per pair until commit
max_locks_per_transaction = 256
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
# events (doc/events.md): logical decoding lets writers record events as
# WAL messages the events worker reads from its slot; with any other
# wal_level (OMNI_WAL_LEVEL=replica) events go through omni.event_queue
wal_level = ${OMNI_WAL_LEVEL:-logical}
max_replication_slots = 10
max_wal_senders = 10
max_slot_wal_keep_size = 4GB
CONF
	# this server may only load output plugins it lists as trusted: the
	# events worker's slot uses the omnichannel library as its plugin
	if plugins=$(as_owner "$PGBIN/postgres" -D "$DATA" -C output_plugin_libraries 2>/dev/null); then
		echo "output_plugin_libraries = '${plugins:+$plugins, }omnichannel'" >>"$DATA/postgresql.conf"
	fi
	as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null ||
		{ cat "$LOG" >&2; exit 1; }
	# the database pg_cron serves (cron.database_name): its launcher
	# restarts every few seconds until it exists
	as_owner "$PGBIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres \
		-c "CREATE DATABASE omnichannel" >/dev/null
	echo "cluster: started on port $PORT, socket $SOCK, data $DATA"
}

case "${1:-}" in
	start) do_start ;;
	stop) do_stop ;;
	env)
		echo "export PGHOST='$SOCK' PGPORT='$PORT' PGUSER=postgres"
		echo "export OMNI_CLUSTER_LOG='$LOG'"
		;;
	*)
		echo "usage: $0 start|stop|env" >&2
		exit 2
		;;
esac
