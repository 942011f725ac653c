#!/usr/bin/env bash
# libFuzzer runs of the parsers, outside the server, with ASan and UBSan.
#   scripts/fuzz.sh [RUNS [NAME...]]   each harness test/fuzz/NAME_fuzz.c
#                            (or only the NAMEs given) runs RUNS inputs
#                            (default 10,000,000: `make fuzz`)
# Seeds: test/fuzz/corpus/NAME/ (read only); what a run learns goes to a
# scratch corpus under /tmp, so the checkout stays clean.  A crash leaves
# its input in test/fuzz/ as crash-*, to be turned into a regression test.
# Prints "N passed, N failed" (one per harness).
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10000000}
shift $(($# > 0 ? 1 : 0))
ONLY=" $* "
CC=${FUZZ_CC:-clang}
pass=0
fail=0
for h in test/fuzz/*_fuzz.c; do
	name=$(basename "$h" _fuzz.c)
	[ "$ONLY" = "  " ] || [[ "$ONLY" == *" $name "* ]] || continue
	# a harness names the files it needs in a " * sources:" comment line;
	# otherwise it fuzzes src/**/NAME_parse.c
	src=$(sed -nE 's/^ \* sources: (.*)$/\1/p' "$h")
	[ -n "$src" ] || src=$(find src -name "${name}_parse.c" | head -n 1)
	bin="test/fuzz/${name}_fuzz.bin"
	if ! $CC -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I src -I src/types "$h" $src -o "$bin"; then
		echo "fuzz: $name does not build"
		fail=$((fail + 1))
		continue
	fi
	# a harness whose inputs are costly to run may ask for fewer runs in
	# the short pass of make test (" * short-runs-divisor: N")
	runs=$RUNS
	div=$(sed -nE 's/^ \* short-runs-divisor: ([0-9]+)$/\1/p' "$h")
	[ -n "$div" ] && [ "$RUNS" -lt 10000000 ] && runs=$((RUNS / div))
	scratch=$(mktemp -d)
	start=$(date +%s)
	if "./$bin" -runs="$runs" -max_len=512 -artifact_prefix=test/fuzz/ \
		-print_final_stats=1 "$scratch" "test/fuzz/corpus/$name" >"$scratch.log" 2>&1; then
		execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$scratch.log")
		echo "fuzz: $name ok, ${execs:-?} executions in $(($(date +%s) - start)) s, no crash"
		pass=$((pass + 1))
	else
		tail -n 40 "$scratch.log"
		echo "fuzz: $name FAILED (input saved as test/fuzz/crash-*)"
		fail=$((fail + 1))
	fi
	rm -rf "$scratch" "$scratch.log"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
