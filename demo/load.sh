#!/usr/bin/env bash
# Loads the demo retailer into database $1 (default omnichannel) of the
# server PG* points at: demo/generate.sql lays out the generator (catalogue,
# prices, the people and their channel records), then each loading step runs
# in OMNI_DEMO_JOBS sessions at once (default 2), every write through the
# public omni.* API.  Sizes: OMNI_DEMO_STORES (max 34), OMNI_DEMO_SKUS,
# OMNI_DEMO_CUSTOMERS.  Prints the time of every step.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-omnichannel}
JOBS=${OMNI_DEMO_JOBS:-2}
STORES=${OMNI_DEMO_STORES:-34}
SKUS=${OMNI_DEMO_SKUS:-2000}
CUSTOMERS=${OMNI_DEMO_CUSTOMERS:-20000}
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DB")

# every session loads with asynchronous commit: the load commits often
export PGOPTIONS="${PGOPTIONS:-} -c synchronous_commit=off -c omni.default_country=BR -c client_min_messages=warning -c gin_pending_list_limit=64"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
step_started=0
step()
{
	step_started=$(now_ms)
	printf '  %-46s' "$1"
}
done_step()
{
	local rows=$1
	printf '%9s rows %7.1f s\n' "$rows" "$(( $(now_ms) - step_started ))e-3"
	"${PSQL[@]}" -c "SELECT demo.mark('$2', $rows)" >/dev/null
}
# run "CALL demo.NAME(args..., part, nparts)" in JOBS sessions at once
parallel()
{
	local call=$1 pids=() rc=0
	for ((i = 0; i < JOBS; i++)); do
		"${PSQL[@]}" -c "CALL demo.$call$i, $JOBS)" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	return $rc
}
count() { "${PSQL[@]}" -At -c "$1"; }

t0=$(now_ms)
step "generator, catalogue and prices"
"${PSQL[@]}" -v stores="$STORES" -v skus="$SKUS" -v customers="$CUSTOMERS" -f demo/generate.sql >/dev/null
done_step "$(count 'SELECT count(*) FROM omni.products')" 'catalogue and prices'

step "stock: one receipt per (SKU, location)"
parallel "load_stock("
done_step "$(count 'SELECT count(*) FROM omni.stock_levels')" 'stock'

for ch in app web pos social support marketplace; do
	step "identify: $ch records"
	parallel "load_identities('$ch', "
	done_step "$(count "SELECT count(*) FROM omni.identities WHERE channel = '$ch'")" "identify: $ch"
done

step "a year of interactions (omni.track)"
parallel "load_interactions("
done_step "$(count 'SELECT count(*) FROM omni.interactions')" 'interactions'

step "online orders: place, deliver, cancel, return"
parallel "load_orders("
done_step "$(count "SELECT count(*) FROM omni.orders WHERE channel <> 'pos'")" 'online orders'

step "store sales (omni.record_pos_sale)"
parallel "load_pos_sales("
done_step "$(count "SELECT count(*) FROM omni.orders WHERE channel = 'pos'")" 'store sales'

step "recommendation model"
"${PSQL[@]}" -c "SELECT omni.refresh_recommendations()" -c "ANALYZE" >/dev/null
done_step "$(count 'SELECT count(*) FROM omni.interactions')" 'recommendations'

printf '  %-46s%22.1f s\n' "load total" "$(( $(now_ms) - t0 ))e-3"
