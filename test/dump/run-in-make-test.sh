#!/usr/bin/env bash
# pg_dump and restore: a database using the extension, with a retailer's
# data in it, is dumped and restored into a new database without a single
# error, and the restored data is the same (catalogue, prices, stock and
# its ledger, reservations).  Needs a running server, as in `make test`.
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

for db in omni_dump_src omni_dump_dst; do
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
done
psql -X -q -v ON_ERROR_STOP=1 -d omni_dump_src >/dev/null <<'SQL'
CREATE EXTENSION omnichannel;
\i demo/load.sql
SELECT omni.add_channel('kiosk', 'In-store kiosk', true);
SELECT omni.receive(p.sku, l.code, 10) FROM omni.products p, omni.locations l;
SELECT omni.reserve('BOLA-FUT-5', 'store-sp-paulista', 2, ref => 'cart-1');
SELECT omni.sell('GARRAFA-1L', 'dc-cajamar', 3, 'web');
SQL
check "a database with the extension and data is set up" $?

pg_dump -d omni_dump_src -f "$tmp/dump.sql" 2>"$tmp/dump.err"
check "pg_dump succeeds" $?
psql -X -q -v ON_ERROR_STOP=1 -d omni_dump_dst -f "$tmp/dump.sql" >"$tmp/restore.log" 2>&1
rc=$?
[ $rc -ne 0 ] && tail -n 20 "$tmp/restore.log"
check "the dump restores without an error" $rc

# the same content on both sides, table by table
summary="SELECT string_agg(format('%s=%s', t, md5(r)), ' ' ORDER BY t) FROM (
  SELECT 'channels' t, string_agg(format('%s|%s|%s', channel, name, builtin), ',' ORDER BY channel) r FROM omni.channels UNION ALL
  SELECT 'products', string_agg(format('%s|%s|%s', sku, name, attributes), ',' ORDER BY sku) FROM omni.products UNION ALL
  SELECT 'locations', string_agg(format('%s|%s|%s', code, kind, can_ship), ',' ORDER BY code) FROM omni.locations UNION ALL
  SELECT 'prices', string_agg(format('%s|%s|%s|%s', sku, channel, price, valid_from), ',' ORDER BY sku, channel, valid_from) FROM omni.prices UNION ALL
  SELECT 'stock', string_agg(format('%s|%s|%s|%s|%s', sku, location, on_hand, reserved, available), ',' ORDER BY sku, location) FROM omni.stock_levels UNION ALL
  SELECT 'ledger', string_agg(format('%s|%s|%s|%s', sku, location, delta, reason), ',' ORDER BY movement_id) FROM omni.stock_movements UNION ALL
  SELECT 'reservations', string_agg(format('%s|%s|%s|%s', reservation_id, sku, qty, status), ',' ORDER BY reservation_id) FROM omni.reservations
) s"
src=$(psql -X -At -d omni_dump_src -c "$summary")
dst=$(psql -X -At -d omni_dump_dst -c "$summary")
[ -n "$src" ] && [ "$src" = "$dst" ]
check "the restored catalogue, prices, stock, ledger and reservations equal the original" $?
problems=$(psql -X -At -d omni_dump_dst -c "SELECT count(*) FROM omni.check_stock()")
[ "$problems" = 0 ]
check "the restored stock is consistent with its ledger" $?
id=$(psql -X -At -d omni_dump_dst -c "SELECT omni.reserve('BOLA-FUT-5', 'store-sp-paulista', 1)")
maxid=$(psql -X -At -d omni_dump_dst -c "SELECT max(reservation_id) FROM omni.reservations WHERE reservation_id <> $id")
[ -n "$id" ] && [ "$id" -gt "$maxid" ]
check "new reservations after a restore get fresh ids" $?

psql -X -q -d postgres -c "DROP DATABASE omni_dump_src" -c "DROP DATABASE omni_dump_dst"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
