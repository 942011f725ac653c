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
	# omni-listen -d takes a connection string here: a bare database name is refused
	"${PGBIN:-}${PGBIN:+/}omni-listen" -d "dbname=${OMNI_DEMO_DB:-${PGDATABASE:-omnichannel}}" -c omni_stock -c omni_order --since "${from:-0}" >"$out" 2>/dev/null &
	pid=$!
	for _ in $(seq 1 50); do
		grep -qE "$pattern" "$out" && break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
fi
# the events after the journey started: the order's, and the stock of its
# SKUs at the pickup store (OMNI_DEMO_SKUS, OMNI_DEMO_STORE), as a store
# screen filters them
skus=$(echo "${OMNI_DEMO_SKUS:-}" | tr ' ' '|')
grep -E "$pattern|\"omni_stock\"" "$out" |
	grep -E "$pattern|\"sku\": \"(${skus:-.*})\".*\"location\": \"${OMNI_DEMO_STORE:-[^\"]*}\"" |
	awk -v from="$from" '
	{ if (match($0, /"event_id": [0-9]+/)) { id = substr($0, RSTART + 12, RLENGTH - 12) + 0; if (id > from) print "      " $0 } }'
