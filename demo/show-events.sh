#!/usr/bin/env bash
# Step 3 of the journey: the events the store screens got for order
# $OMNI_DEMO_ORDER, from the omni-listen that scripts/demo.sh started in
# the background (its output: $OMNI_DEMO_LISTEN_OUT).  Waits until the
# order's event has arrived (the events worker sends NOTIFYs after commit).
# Where no background listener runs (or no events worker serves this
# database), one omni-listen replays the log since the journey started.
out=${OMNI_DEMO_LISTEN_OUT:-}
order=${OMNI_DEMO_ORDER:?}
from=${OMNI_DEMO_EVENTS_FROM:-0}
pattern="\"order_id\": $order[,}]"
if [ -n "$out" ] && [ -f "$out" ]; then
	for _ in $(seq 1 100); do
		grep -qE "$pattern" "$out" && break
		sleep 0.2
	done
fi
if [ -z "$out" ] || ! grep -qE "$pattern" "$out" 2>/dev/null; then
	echo "    (replaying the event log since the journey started)"
	out=$(mktemp)
	"${PGBIN:-}${PGBIN:+/}omni-listen" -c omni_stock -c omni_order --since "${from:-0}" >"$out" 2>/dev/null &
	pid=$!
	for _ in $(seq 1 50); do
		grep -qE "$pattern" "$out" && break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
fi
# the events after the journey started: the order and its stock
grep -E "$pattern|\"omni_stock\"" "$out" | awk -v from="$from" '
	{ if (match($0, /"event_id": [0-9]+/)) { id = substr($0, RSTART + 12, RLENGTH - 12) + 0; if (id > from) print "      " $0 } }'
