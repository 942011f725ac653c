#!/usr/bin/env bash
# The demo keeps working: a small demo retailer (5 stores, 50 SKUs, 200
# people) is generated twice (it must be the same both times), loaded with
# demo/load.sh, then the journey, the flash sale and the identity statistics
# of `make demo` run against it, and their key facts are checked.
#
# Run by `make test` (scripts/test.sh) against its cluster, in databases of
# its own; prints "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/pgenv.sh
DB=demo_test
DB2=demo_test_again
tmp=$(mktemp -d)
. test/lib.sh
trap 'rm -rf "$tmp"' EXIT

finish()
{
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
sql() { psql -X -At -q -v ON_ERROR_STOP=1 -d "${2:-$DB}" -c "SET omni.default_country = 'BR'" -c "$1"; }
fresh_db()
{
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null &&
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "CREATE EXTENSION omnichannel"
}

echo "demo: a small retailer, the journey, a flash sale, identity statistics"
export OMNI_DEMO_STORES=5 OMNI_DEMO_SKUS=50 OMNI_DEMO_CUSTOMERS=200
fresh_db $DB || finish
bash demo/load.sh $DB >"$tmp/load.out" 2>&1
rc=$?
cat "$tmp/load.out"
check "demo/load.sh loads the small retailer" $rc 0
[ $rc -eq 0 ] || finish

check "stores, distribution centres, locker" \
	"$(sql "SELECT string_agg(kind || '=' || n, ' ' ORDER BY kind) FROM (SELECT kind, count(*) n FROM omni.locations GROUP BY 1) x")" \
	"locker=1 store=5 warehouse=2"
check "SKUs (50 generated and the journey's 2), each with a price" \
	"$(sql "SELECT count(*) || ' ' || count(omni.price(sku, 'web')) FROM omni.products")" "52 52"
check "stock in every location that holds stock" \
	"$(sql "SELECT count(DISTINCT location) FROM omni.stock_levels WHERE on_hand > 0")" 7
check "every generated record went through omni.identify" \
	"$(sql "SELECT count(*) FROM demo.records r JOIN omni.identities i USING (channel, source_key)")" \
	"$(sql "SELECT count(*) FROM demo.records")"
check "some people have records in several channels" \
	"$(sql "SELECT count(*) > 20 FROM (SELECT p FROM demo.records GROUP BY p HAVING count(*) > 1) x")" t
check "interactions span a year" \
	"$(sql "SELECT min(at) < now() - interval '300 days' AND max(at) > now() - interval '60 days' FROM omni.interactions")" t
check "orders of every kind: ship, pickup, instore; delivered, cancelled, returned" \
	"$(sql "SELECT bool_and(x) FROM (VALUES
	         (EXISTS (SELECT 1 FROM omni.orders WHERE mode = 'ship')),
	         (EXISTS (SELECT 1 FROM omni.orders WHERE mode IN ('pickup', 'curbside'))),
	         (EXISTS (SELECT 1 FROM omni.orders WHERE channel = 'pos')),
	         (EXISTS (SELECT 1 FROM omni.orders WHERE status IN ('shipped', 'picked_up'))),
	         (EXISTS (SELECT 1 FROM omni.orders WHERE status = 'cancelled')),
	         (EXISTS (SELECT 1 FROM omni.returns))) v(x)")" t
check "stock is consistent after the load (omni.check_stock)" "$(sql "SELECT count(*) FROM omni.check_stock()")" 0

# The generator is deterministic: a second database gets the same data.
fresh_db $DB2 >/dev/null || finish
psql -X -q -v ON_ERROR_STOP=1 -v stores=5 -v skus=50 -v customers=200 -d $DB2 -f demo/generate.sql >/dev/null 2>&1
check "demo/generate.sql runs again in another database" $? 0
digest="SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
          SELECT format('%s %s %s', p, source_key, attrs) x FROM demo.records
          UNION ALL SELECT format('%s %s %s', sku, name, price) FROM demo.products
          UNION ALL SELECT format('%s %s %s %s', p, k, mode, lines) FROM demo.orders
          UNION ALL SELECT format('%s %s %s %s', p, k, event, sku) FROM demo.interactions) y"
check "the generator is deterministic (same people, records, products, orders)" \
	"$(sql "$digest" $DB2)" "$(sql "$digest")"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2" 2>/dev/null

# The journey, as make demo runs it (omni-listen replays the events).
before=$(sql "SELECT coalesce(max(event_id), 0) FROM omni.events")
psql -X -v ON_ERROR_STOP=1 -d $DB -f demo/journey.sql >"$tmp/journey.out" 2>&1
rc=$?
cat "$tmp/journey.out"
check "demo/journey.sql runs to the end" $rc 0
cust=$(sql "SELECT customer_id FROM omni.identities WHERE channel = 'app' AND source_key = 'app-luiza'")
check "1. the social record is linked to her app customer (by e-mail key)" \
	"$(sql "SELECT customer_id || ' ' || link_rule FROM omni.identities WHERE channel = 'social' AND source_key = '@lu.corre.sp'")" \
	"$cust email"
order=$(sql "SELECT max(order_id) FROM omni.orders WHERE customer_id = $cust AND channel = 'app'")
check "2-3. the app order is a pickup at the nearest store with the shoe" \
	"$(sql "SELECT mode || ' ' || pickup_location FROM omni.orders WHERE order_id = $order")" "pickup store-sp-pinheiros"
check "3. omni-listen printed the order's events" \
	"$(grep -cE "\"order_id\": $order[,}]" "$tmp/journey.out" | awk '{ print ($1 > 0) }')" 1
check "3. ... and the stock events of the reservation" \
	"$(grep -E '"omni_stock"' "$tmp/journey.out" | grep -c 'COR-VENTO-PRO-38.*store-sp-pinheiros' | awk '{ print ($1 > 0) }')" 1
check "4. the POS finds her by a differently formatted phone" \
	"$(sql "SELECT customer_id FROM omni.match_candidates('{\"phone\": \"11 98765 4321\"}', 1)")" "$cust"
check "4. she redeemed points at the POS" \
	"$(sql "SELECT count(*) FROM omni.loyalty_ledger WHERE customer_id = $cust AND reason = 'redeem' AND channel = 'pos'")" 1
check "5. recommendations for her store, all on its shelf" \
	"$(sql "SELECT count(*) || ' ' || bool_and(omni.available(sku, 'store-sp-pinheiros') > 0) FROM omni.recommend($cust, 5, 'store-sp-pinheiros')")" \
	"5 true"
check "6. the return was taken at another store" \
	"$(sql "SELECT status || ' ' || (SELECT location FROM omni.returns WHERE order_id = $order) FROM omni.orders WHERE order_id = $order")" \
	"partially_returned store-sp-paulista"
check "6. the support desk sees one customer with every channel" \
	"$(sql "SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(omni.customer_360($cust)->'identities') k")" \
	"app,pos,social,support"
check "the journey left the stock consistent" "$(sql "SELECT count(*) FROM omni.check_stock()")" 0

# The flash sale: more buyers than units, and no oversell.
OMNI_DEMO_FLASH_CLIENTS=8 OMNI_DEMO_FLASH_ATTEMPTS=400 OMNI_DEMO_FLASH_UNITS=60 \
	bash demo/flash.sh $DB >"$tmp/flash.out" 2>&1
rc=$?
cat "$tmp/flash.out"
check "demo/flash.sh runs" $rc 0
check "flash sale: every attempt answered" "$(sql "SELECT count(*) FROM demo.flash_log")" 400
check "flash sale: exactly the units were sold" \
	"$(sql "SELECT count(*) FROM demo.flash_log WHERE outcome = 'bought'") $(sql "SELECT count(*) FROM omni.order_lines WHERE sku = 'FLASH-CAMISA-2026'")" "60 60"
check "flash sale: available 0, reserved = units" \
	"$(sql "SELECT on_hand || ' ' || reserved || ' ' || available FROM omni.stock_levels WHERE sku = 'FLASH-CAMISA-2026'")" "60 60 0"
check "flash sale: omni.check_stock() is empty" "$(sql "SELECT count(*) FROM omni.check_stock()")" 0

# Identity statistics against the generator's ground truth.
psql -X -v ON_ERROR_STOP=1 -d $DB -f demo/identity-stats.sql >"$tmp/ident.out" 2>&1
rc=$?
cat "$tmp/ident.out"
check "demo/identity-stats.sql runs (with omni.resolve_identities)" $rc 0
stats=$(sql "SELECT (SELECT count(*) FROM demo.records),
                   (SELECT count(DISTINCT p) FROM demo.records),
                   (SELECT count(DISTINCT i.customer_id) FROM demo.records r JOIN omni.identities i USING (channel, source_key)),
                   (SELECT count(*) FROM (SELECT r.p FROM demo.records r JOIN omni.identities i USING (channel, source_key)
                                           GROUP BY r.p HAVING count(DISTINCT i.customer_id) > 1) x),
                   (SELECT count(*) FROM (SELECT i.customer_id FROM demo.records r JOIN omni.identities i USING (channel, source_key)
                                           GROUP BY i.customer_id HAVING count(DISTINCT r.p) > 1) x)")
read -r records people customers split mixing <<<"$(echo "$stats" | tr '|' ' ')"
echo "# $records records of $people people became $customers customers ($split people split, $mixing customers mixing people)"
check "fewer customers than records" "$([ "$customers" -lt "$records" ] && echo yes)" yes
check "about one customer per person (within 15%)" \
	"$([ $((customers * 100)) -le $((people * 115)) ] && [ $((customers * 100)) -ge $((people * 95)) ] && echo yes)" yes
finish
