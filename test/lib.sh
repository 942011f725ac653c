# Sourced by the end-to-end suites (test/*/run-in-make-test.sh) that compare
# facts with what they must be: counts their checks for the closing
# "N passed, N failed" line.
pass=0
fail=0

# check NAME GOT EXPECTED
check()
{
	if [ "$2" = "$3" ]; then
		echo "ok $1"
		pass=$((pass + 1))
	else
		echo "not ok $1: expected [$3], got [$2]"
		fail=$((fail + 1))
	fi
}
