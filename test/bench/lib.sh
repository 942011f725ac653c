# Sourced by test/bench/*.sh: build, install and start a private cluster of
# its own (port 54316 unless OMNI_PGPORT is set), stopped on exit.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
. scripts/pgenv.sh
export OMNI_PGPORT=${OMNI_PGPORT:-54316}
export OMNI_CLUSTER_DIR=${OMNI_CLUSTER_DIR:-/tmp/omnichannel-bench-$(id -u)}
if [ "${OMNI_BENCH_NO_SETUP:-0}" != 1 ]; then
	bash scripts/install-deps.sh >/dev/null
	bash scripts/build.sh >/dev/null
fi
eval "$(bash scripts/cluster.sh env)"
trap 'bash scripts/cluster.sh stop >/dev/null' EXIT
bash scripts/cluster.sh start >/dev/null
PGBENCH="$PGBIN/pgbench"
# OMNI_BENCH_DB=omnichannel runs in the database the events worker serves
# (cluster.sh creates it), so that events are published as in production
BENCH_DB=${OMNI_BENCH_DB:-bench}
[ "$BENCH_DB" = omnichannel ] || psql -X -q -d postgres -c "CREATE DATABASE $BENCH_DB"
psql -X -q -d "$BENCH_DB" -c "CREATE EXTENSION IF NOT EXISTS omnichannel"

# tps of a pgbench run: bench_tps NAME CLIENTS SECONDS SCRIPTFILE [pgbench args]
bench_tps()
{
	local name=$1 clients=$2 seconds=$3 script=$4
	shift 4
	local out
	out=$("$PGBENCH" -n -c "$clients" -j 2 -T "$seconds" -f "$script" "$@" "$BENCH_DB" 2>&1) ||
		{ echo "$out" >&2; return 1; }
	echo "$out" | sed -nE 's/^tps = ([0-9.]+) .*/\1/p' | cut -d. -f1
}

# average latency in ms of a pgbench run
bench_latency()
{
	local clients=$1 seconds=$2 script=$3
	shift 3
	"$PGBENCH" -n -c "$clients" -j 1 -T "$seconds" -f "$script" "$@" "$BENCH_DB" 2>&1 |
		sed -nE 's/^latency average = ([0-9.]+) ms.*/\1/p'
}

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'
}

# CPU time (ms) used so far by the private cluster's server processes: the
# postmaster, its live children, and the children it has reaped (backends
# that ended).  Differences of it give the server's CPU per transaction,
# which other work on the machine disturbs much less than throughput.
server_cpu_ms()
{
	local pm tick total p
	pm=$(head -1 "${OMNI_CLUSTER_LOG%/*}/data/postmaster.pid")
	tick=$(getconf CLK_TCK)
	total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
	for p in $(pgrep -P "$pm"); do
		total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo $((total * 1000 / tick))
}

# median of the numbers given as arguments
median()
{
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
