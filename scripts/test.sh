#!/usr/bin/env bash
# `make test`: set-up, build, a private cluster, then every test suite.
# Ends with "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/pgenv.sh
top=$(pwd)

bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || exit 1

eval "$(bash scripts/cluster.sh env)"
trap 'bash scripts/cluster.sh stop' EXIT
bash scripts/cluster.sh start || exit 1

pass=0
fail=0
report()
{
	echo "== $1: $2 passed, $3 failed"
	pass=$((pass + $2))
	fail=$((fail + $3))
}

started=$(date +%s)

# 1. Plain-C unit tests of the parsers, with sanitizers, no server.
out=$(bash scripts/unit-test.sh 2>&1)
echo "$out"
line=$(echo "$out" | tail -n 1)
if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	report unit "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
else
	report unit 0 1
fi

# pg_regress prints one "... ok" / "... FAILED" line per test.
count_regress()
{
	local name=$1 log=$2 rc=$3 p f
	p=$(grep -cE '\.\.\. ok' "$log")
	f=$(grep -cE '\.\.\. (FAILED|failed)' "$log")
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	report "$name" "$p" "$f"
}

# 2. pg_regress (sql/ + expected/).
make -s installcheck ISOLATION= >"$top/.regress.log" 2>&1
rc=$?
cat .regress.log
[ -f regression.diffs ] && head -n 200 regression.diffs
count_regress regress .regress.log $rc

# 3. pg_isolation_regress (test/isolation/specs).
make -s installcheck REGRESS= >"$top/.isolation.log" 2>&1
rc=$?
cat .isolation.log
[ -f output_iso/regression.diffs ] && head -n 200 output_iso/regression.diffs
count_regress isolation .isolation.log $rc

# 4. pgTAP under pg_prove, in the database pg_cron serves.
psql -X -q -v ON_ERROR_STOP=1 -d omnichannel \
	-c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION pgtap" \
	-c "CREATE EXTENSION omnichannel CASCADE"
if [ $? -ne 0 ]; then
	report pgtap 0 1
else
	pg_prove --verbose -d omnichannel test/pgtap/*.sql >"$top/.pgtap.log" 2>&1
	rc=$?
	grep -vE '^ok ' .pgtap.log
	ok=$(grep -cE '^ok ' .pgtap.log)
	failed=$(grep -cE '^not ok ' .pgtap.log)
	# a file that died early ran fewer tests than it planned: those failed too
	missing=$(sed -nE 's/.*You planned ([0-9]+) tests? but ran ([0-9]+).*/\1 \2/p' .pgtap.log |
		awk '{ s += $1 - $2 } END { print s + 0 }')
	failed=$((failed + missing))
	[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
	report pgtap "$ok" "$failed"
fi

# Suites added by later work plug in here: every executable
# test/*/run-in-make-test.sh prints "N passed, N failed" as its last line.
for t in test/*/run-in-make-test.sh; do
	[ -e "$t" ] || continue
	out=$(bash "$t" 2>&1)
	rc=$?
	echo "$out"
	line=$(echo "$out" | tail -n 1)
	if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		f=${BASH_REMATCH[2]}
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		report "$t" "${BASH_REMATCH[1]}" "$f"
	else
		report "$t" 0 1
	fi
done

if grep -qE 'server process .* was terminated by signal' "$OMNI_CLUSTER_LOG" 2>/dev/null; then
	echo "== the server log shows a crashed backend:"
	grep -E 'terminated by signal' "$OMNI_CLUSTER_LOG"
	report server-crash 0 1
fi

echo "make test: $(($(date +%s) - started)) s of tests"
# stop the cluster now, so that the summary is the closing line
trap - EXIT
bash scripts/cluster.sh stop
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
