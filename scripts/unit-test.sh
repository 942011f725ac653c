#!/usr/bin/env bash
# Plain-C unit tests: test/unit/NAME_test.c is built with src/**/NAME.c and
# the sanitizers, outside the server, and prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

CC=${CC:-cc}
pass=0
fail=0
for t in test/unit/*_test.c; do
	[ -e "$t" ] || continue
	name=$(basename "$t" _test.c)
	src=$(find src -name "$name.c" | head -n 1)
	bin="test/unit/$name.bin"
	if ! $CC -std=c99 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
		-fno-sanitize-recover=all -I src -I src/types "$t" $src -o "$bin"; then
		echo "unit: $name does not build"
		fail=$((fail + 1))
		continue
	fi
	out=$("./$bin" 2>&1)
	rc=$?
	echo "$out" | tail -n 20
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		echo "unit: $name printed no summary (exit $rc)"
		fail=$((fail + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
