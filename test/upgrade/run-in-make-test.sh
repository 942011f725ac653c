#!/usr/bin/env bash
# The upgrade path: install the released 0.1, ALTER EXTENSION ... UPDATE,
# then check that the result is identical to a fresh install of the current
# version (every object, column, constraint, index, trigger, view, comment,
# grant and seed row), and run the pgTAP suite against the updated database.
# Needs a running server (PGHOST/PGPORT/PGUSER), as in `make test`.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check()
{
	if [ "$2" = 0 ]; then
		echo "ok - $1"
		pass=$((pass + 1))
	else
		echo "not ok - $1"
		fail=$((fail + 1))
	fi
}

old=$(sed -nE "s/^default_version = '(.*)'/\1/p" omnichannel.control)
for db in omni_upgraded omni_fresh; do
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
done
psql -X -q -v ON_ERROR_STOP=1 -d omni_upgraded \
	-c "CREATE EXTENSION omnichannel VERSION '0.1'" \
	-c "ALTER EXTENSION omnichannel UPDATE" >"$tmp/update.log" 2>&1
check "CREATE EXTENSION omnichannel VERSION '0.1' then ALTER EXTENSION UPDATE to $old" $?
cat "$tmp/update.log"
version=$(psql -X -At -d omni_upgraded -c "SELECT extversion FROM pg_extension WHERE extname = 'omnichannel'")
[ "$version" = "$old" ]
check "the updated extension reports version $old (got $version)" $?

psql -X -q -v ON_ERROR_STOP=1 -d omni_fresh -c "CREATE EXTENSION omnichannel" >/dev/null
psql -X -At -d omni_upgraded -f test/upgrade/describe.sql >"$tmp/upgraded.txt"
psql -X -At -d omni_fresh -f test/upgrade/describe.sql >"$tmp/fresh.txt"
diff -u "$tmp/fresh.txt" "$tmp/upgraded.txt" >"$tmp/diff.txt"
rc=$?
[ $rc -ne 0 ] && head -n 60 "$tmp/diff.txt"
[ -s "$tmp/fresh.txt" ] || rc=1
check "an updated 0.1 is identical to a fresh $old ($(wc -l <"$tmp/fresh.txt") facts compared)" $rc

psql -X -q -d omni_upgraded -c "CREATE EXTENSION pgtap" >/dev/null
pg_prove --verbose -d omni_upgraded test/pgtap/*.sql >"$tmp/prove.log" 2>&1
rc=$?
tests=$(grep -cE '^ok ' "$tmp/prove.log")
[ $rc -ne 0 ] && grep -vE '^ok ' "$tmp/prove.log" | head -n 40
check "the pgTAP suite passes on the updated database ($tests tests)" $rc

psql -X -q -d postgres -c "DROP DATABASE omni_upgraded" -c "DROP DATABASE omni_fresh"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
