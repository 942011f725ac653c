#!/usr/bin/env bash
# Accuracy smoke test of identity matching, run by `make test` against its
# private cluster (the PG* variables come from scripts/test.sh): FEBRL
# dataset1 fed one record at a time through omni.identify, then
# resolve_identities; FEBRL dataset3 bulk-loaded and resolved in batch.
# Each measured F1 must stay above a floor a little under what the matcher
# reaches today (see BENCHMARKS.md), so a regression in the comparators,
# the blocking keys or the training shows here.  Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
DB=identity_smoke
pass=0
fail=0

check()
{
	local what=$1 got=$2 floor=$3
	if [ -n "$got" ] && awk -v g="$got" -v f="$floor" 'BEGIN { exit !(g >= f) }'; then
		echo "ok: $what = $got (floor $floor)"
		pass=$((pass + 1))
	else
		echo "FAILED: $what = ${got:-none} (floor $floor)"
		fail=$((fail + 1))
	fi
}

q() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
f1() { q -At -c "SELECT f1 FROM bench.pairwise()"; }
prec() { q -At -c "SELECT precision FROM bench.pairwise()"; }

setup()
{
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" &&
		q -c "CREATE EXTENSION omnichannel" -f test/bench/identity/accuracy.sql >/dev/null &&
		PGDATABASE=$DB bash test/bench/identity/load.sh "$1"
}

if setup febrl1; then
	q -c "CALL bench.feed()"
	check "FEBRL dataset1 online F1" "$(f1)" 0.985
	check "FEBRL dataset1 online precision" "$(prec)" 0.995
	q -c "SELECT * FROM omni.resolve_identities()" >/dev/null
	check "FEBRL dataset1 batch F1" "$(f1)" 0.99
else
	fail=$((fail + 1))
fi

if setup febrl3; then
	q -c "CALL bench.import()"
	q -c "SELECT * FROM omni.resolve_identities()" >/dev/null
	check "FEBRL dataset3 batch F1" "$(f1)" 0.993
	check "FEBRL dataset3 batch precision" "$(prec)" 0.998
else
	fail=$((fail + 1))
fi

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
