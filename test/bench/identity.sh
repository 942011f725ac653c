#!/usr/bin/env bash
# Identity benchmark: accuracy (pairwise precision, recall, F1) and speed.
#
#   bash test/bench/identity.sh accuracy         FEBRL 4a+4b, FEBRL 3, NCVR ocp_20 and ocp_0
#                                                (OMNI_BENCH_SETS chooses among febrl1 febrl3
#                                                febrl4 ncvr20 ncvr0)
#   bash test/bench/identity.sh speed [N] [C]    N generated identities (default 1000000),
#                                                C timed calls (default 2000); resolve_identities
#                                                is timed when N <= OMNI_BENCH_RESOLVE_MAX (300000)
#   bash test/bench/identity.sh all [N]
#
# Builds and installs the extension, starts the private cluster (re-created,
# see scripts/cluster.sh; OMNI_PGPORT, OMNI_CLUSTER_DIR, PG_ROOT as for make
# test) and stops it at the end.  Data: OMNI_DATA_DIR (default
# /work/shared/data).  Not part of make test: the speed run takes minutes.
#
# Accuracy, for each data set, two ways:
#   online: records fed one by one through omni.identify, each in its own
#           transaction, in a fixed shuffled order; omni.train_matcher() runs
#           as the table reaches 500, 1000, 2000, ... identities;
#   batch:  then omni.resolve_identities() re-clusters everything.
#   import: (batch only) records bulk-loaded as separate customers, then
#           omni.resolve_identities().
# Truth: records of one entity (FEBRL rec-N, NCVR recid) are one customer;
# every pair of records is counted (pairwise precision, recall, F1).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/pgenv.sh
export OMNI_DATA_DIR=${OMNI_DATA_DIR:-/work/shared/data}
what=${1:-all}
N=${2:-1000000}
CALLS=${3:-2000}
SETS=${OMNI_BENCH_SETS:-febrl4 febrl3 ncvr20 ncvr0}

bash scripts/build.sh >/dev/null
eval "$(bash scripts/cluster.sh env)"
trap 'bash scripts/cluster.sh stop >/dev/null' EXIT
bash scripts/cluster.sh start >/dev/null

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

fresh_db()
{
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "SET client_min_messages = warning" \
		-c "CREATE EXTENSION omnichannel" -f test/bench/identity/accuracy.sql -f test/bench/identity/speed.sql
}

pairwise() { psql -X -At -F ' ' -d "$1" -c "SELECT precision, recall, f1, predicted_pairs, true_pairs FROM bench.pairwise()"; }

accuracy()
{
	local set=$1 db=acc_$1 t
	fresh_db "$db"
	PGDATABASE=$db bash test/bench/identity/load.sh "$set"
	local n; n=$(psql -X -At -d "$db" -c "SELECT count(*) FROM bench.records")
	t=$(now)
	psql -X -q -d "$db" -c "CALL bench.feed()"
	echo "$set online ($n records, $(secs "$t") s): precision recall F1 predicted true = $(pairwise "$db")"
	t=$(now)
	psql -X -q -d "$db" -c "SELECT * FROM omni.resolve_identities()" >/dev/null
	echo "$set online+batch (resolve $(secs "$t") s): precision recall F1 predicted true = $(pairwise "$db")"

	fresh_db "$db"
	PGDATABASE=$db bash test/bench/identity/load.sh "$set"
	psql -X -q -d "$db" -c "CALL bench.import()"
	t=$(now)
	psql -X -q -d "$db" -c "SELECT * FROM omni.resolve_identities()" >/dev/null
	echo "$set import+batch (resolve $(secs "$t") s): precision recall F1 predicted true = $(pairwise "$db")"
	psql -X -q -d postgres -c "DROP DATABASE $db"
}

# Runs SQL in one session and prints the CPU seconds its backend used (the
# wall clock of a shared machine says little by itself).
cpu_call()
{
	psql -X -q -At -d "$1" <<SQL
SELECT split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint
       + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint AS t0 \gset
$2;
SELECT round((split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint
              + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint - :t0) / 100.0, 1);
SQL
}

speed()
{
	local db=speed t
	fresh_db $db
	for p in 0 1 2 3 4; do
		psql -X -q -d $db -c "\\copy bench.voters FROM '$OMNI_DATA_DIR/ncvr/ncvr_numrec_5000_modrec_2_ocp_0_myp_${p}_nump_5.csv' WITH (FORMAT csv, HEADER true)"
	done
	t=$(now); psql -X -q -d $db -c "CALL bench.generate($N)"; echo "generate $N identities: $(secs "$t") s"
	t=$(now); psql -X -q -d $db -c "CALL bench.bulk_import()"; echo "bulk import + blocking index: $(secs "$t") s"
	t=$(now); psql -X -q -d $db -c "SELECT omni.train_matcher()" >/dev/null; echo "train_matcher: $(secs "$t") s"
	t=$(now); c=$(cpu_call $db "CALL bench.time_identify($CALLS)")
	echo "$CALLS identify calls: $(secs "$t") s, backend CPU $c s (commits included)"
	t=$(now); c=$(cpu_call $db "CALL bench.time_match($CALLS)")
	echo "$CALLS match_candidates calls: $(secs "$t") s, backend CPU $c s"
	psql -X -d $db -c "SELECT * FROM bench.latency"
	if [ "$N" -le "${OMNI_BENCH_RESOLVE_MAX:-300000}" ]; then
		t=$(now)
		c=$(cpu_call $db "SELECT * FROM omni.resolve_identities()" | tr '\n' ' ')
		echo "resolve_identities on $(psql -X -At -d $db -c "SELECT count(*) FROM omni.identities") identities: $(secs "$t") s, (clusters|merged backend-CPU-s) $c"
	else
		echo "resolve_identities skipped above OMNI_BENCH_RESOLVE_MAX=${OMNI_BENCH_RESOLVE_MAX:-300000} identities"
	fi
	psql -X -q -d postgres -c "DROP DATABASE $db"
}

case "$what" in
accuracy) for s in $SETS; do accuracy $s; done ;;
speed) speed ;;
all) for s in $SETS; do accuracy $s; done; speed ;;
*) echo "usage: $0 accuracy|speed|all [N] [CALLS]" >&2; exit 2 ;;
esac
