#!/usr/bin/env bash
# Recommendation benchmark on UCI Online Retail (doc/recommend.md):
# loads the data through the API (identify, track), holds out each
# customer's last invoice (test) and the one before (validation), tunes the
# settings on validation only, then prints, in one run, NDCG@10, Recall@10,
# HR@10 and precision@10 of ours against global popularity, item-kNN alone
# and personal popularity on the test split, recommend() latency p50/p99
# with and without a store filter, and the refresh time on the full set.
#
#   test/bench/recommend.sh          (OMNI_BENCH_TUNE=0 skips the tuning and
#                                     uses omni.recommend_settings as installed)
. "$(dirname "$0")/lib.sh"
DATA=${OMNI_RETAIL_DATA:-$top/../shared/data/retail/online_retail_uci.csv.gz}
TUNE=${OMNI_BENCH_TUNE:-1}
CALLS=${OMNI_BENCH_CALLS:-1000}
[ -r "$DATA" ] || { echo "recommend bench: $DATA not found" >&2; exit 1; }
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"; }
qv() { psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"; }
now_ms() { date +%s%3N; }
tmp_tune=$(mktemp -d)
trap 'rm -rf "$tmp_tune"; bash scripts/cluster.sh stop >/dev/null' EXIT

echo "recommend bench: $(basename "$DATA")"
q -c "CREATE SCHEMA rb" -c "CREATE TABLE rb.raw (invoice text, stockcode text, description text,
      qty int, at timestamp, price numeric, customer text, country text)"
gzip -dc "$DATA" | q -c "\copy rb.raw FROM STDIN WITH (FORMAT csv, HEADER true)"
q -f test/bench/recommend/load.sql
q -f test/bench/recommend/eval.sql

t0=$(now_ms)
lines=$(qv -c "SELECT rb.load_phase('train')")
t1=$(now_ms)
echo "loaded $lines training lines through omni.track in $(( (t1 - t0) / 1000 )) s"

# one evaluation of ours on a phase with the settings given as SQL SET items
evaluate() {
	local phase=$1 label=$2 set=$3
	qv -c "UPDATE omni.recommend_settings SET $set" \
	   -c "SELECT rb.run_ours('$phase', '$label')" \
	   -c "SELECT round(ndcg::numeric, 4) FROM rb.metrics('$phase', '$label')" | tail -1
}
best_of() { sort -k1,1gr | head -1; }
# tune_model SETTING LABEL BLEND VALUE...: for each value of a setting the
# model is built with, rebuild and evaluate (as LABEL, with the blend given
# as SQL SET items) on validation; leaves the best value set (the model is
# rebuilt by the next step) and in $best
tune_model() {
	local name=$1 label=$2 blend=$3 v ndcg
	shift 3
	for v in "$@"; do
		q -c "UPDATE omni.recommend_settings SET $name = $v" -c "SELECT omni.refresh_recommendations()" >/dev/null
		ndcg=$(evaluate val "$label" "$blend")
		echo "  $name=$v  $label NDCG@10=$ndcg"
		echo "$ndcg $v" >>"$tmp_tune/$name"
	done
	best=$(best_of <"$tmp_tune/$name" | cut -d' ' -f2)
	q -c "UPDATE omni.recommend_settings SET $name = $best" >/dev/null
}

if [ "$TUNE" = 1 ]; then
	echo "== tuning on the validation split (model trained without the last two invoices)"
	# while the repeat part is tuned: what similar customers buy at 0.05,
	# no item neighbours, no popularity (the installed defaults)
	base="blend_repeat = 1, blend_similar = 0, blend_popular = 0, blend_others = 0.05"
	# 1. the item-item model: shrinkage, judged on item-kNN alone
	tune_model shrinkage knn "blend_similar = 1, blend_repeat = 0, blend_popular = 0, blend_others = 0" 0 10 50
	best_shrink=$best
	# 2. how much a return counts against a purchase (0: ignored)
	tune_model weight_return ours "$base" -1 0
	best_wr=$best
	# 3. the SKU repeat rates: how much of the all-SKU rate each gets
	tune_model repeat_smoothing ours "$base" 20 100
	best_rs=$best
	# 4. how many similar customers
	tune_model customer_neighbours ours "$base" 30 100
	best_cn=$best
	q -c "SELECT omni.refresh_recommendations()" >/dev/null
	# 5. the customer's repeat chance: weight of the SKU's rate, recency bonus
	for rp in 5 10 20; do
		for rr in 0 0.05 0.1; do
			ndcg=$(evaluate val ours "$base, repeat_prior = $rp, repeat_recency = $rr")
			echo "  repeat_prior=$rp repeat_recency=$rr  NDCG@10=$ndcg"
			echo "$ndcg $rp $rr" >>"$tmp_tune/rep"
		done
	done
	read -r _ best_rp best_rr < <(best_of <"$tmp_tune/rep")
	# 6. the blend
	for others in 0 0.03 0.05 0.1; do
		for sim in 0 0.005 0.02; do
			for pop in 0 0.01; do
				ndcg=$(evaluate val ours "repeat_prior = $best_rp, repeat_recency = $best_rr, blend_similar = $sim, blend_repeat = 1, blend_popular = $pop, blend_others = $others")
				echo "  blend_others=$others blend_similar=$sim blend_popular=$pop  NDCG@10=$ndcg"
				echo "$ndcg $sim $pop $others" >>"$tmp_tune/blend"
			done
		done
	done
	read -r val_ndcg best_sim best_pop best_others < <(best_of <"$tmp_tune/blend")
	q -c "UPDATE omni.recommend_settings SET repeat_prior = $best_rp, repeat_recency = $best_rr, blend_similar = $best_sim,
	      blend_repeat = 1, blend_popular = $best_pop, blend_others = $best_others"
	q -c "SELECT rb.run_personal_popularity('val')"
	val_pp=$(qv -c "SELECT round(ndcg::numeric, 4) FROM rb.metrics('val', 'personal_popularity')")
	echo "  chosen: shrinkage=$best_shrink weight_return=$best_wr repeat_smoothing=$best_rs customer_neighbours=$best_cn" \
	     "repeat_prior=$best_rp repeat_recency=$best_rr blend_similar=$best_sim blend_popular=$best_pop blend_others=$best_others"
	echo "  validation NDCG@10 $val_ndcg; personal popularity $val_pp ($(awk -v a="$val_ndcg" -v b="$val_pp" 'BEGIN { printf "%.3f", a / b }')x)"
fi

echo "== test split (model trained on everything but each customer's last invoice)"
qv -c "SELECT rb.load_phase('val')" >/dev/null
t0=$(now_ms)
q -c "SELECT omni.refresh_recommendations()" >/dev/null
t1=$(now_ms)
refresh_s=$(awk -v ms=$(( t1 - t0 )) 'BEGIN { printf "%.1f", ms / 1000 }')
t0=$(now_ms)
q -c "SELECT rb.run_ours('test', 'ours')"
t1=$(now_ms)
segment_ms=$(( t1 - t0 ))
settings=$(qv -c "SELECT shrinkage, weight_return, history_half_life, blend_similar, blend_repeat, blend_popular, blend_others, customer_neighbours, repeat_prior, repeat_smoothing, repeat_recency FROM omni.recommend_settings")
read -r s_shrink s_wr s_hl s_sim s_rep s_pop s_others s_cn s_rp s_rs s_rr <<<"$settings"
q -c "CREATE TEMP TABLE keep AS SELECT * FROM omni.recommend_settings" \
  -c "UPDATE omni.recommend_settings SET blend_similar = 1, blend_repeat = 0, blend_popular = 0, blend_others = 0" \
  -c "SELECT rb.run_ours('test', 'item_knn')" \
  -c "UPDATE omni.recommend_settings SET blend_similar = 0" -c "UPDATE omni.recommend_settings SET blend_similar = keep.blend_similar, blend_repeat = keep.blend_repeat, blend_popular = keep.blend_popular, blend_others = keep.blend_others FROM keep" \
  -c "SELECT rb.run_popularity('test')" -c "SELECT rb.run_personal_popularity('test')"
if [ "$s_wr" != "-1" ]; then
	q -c "UPDATE omni.recommend_settings SET weight_return = -1" -c "SELECT omni.refresh_recommendations()" \
	  -c "SELECT rb.run_ours('test', 'ours_returns_-1')" \
	  -c "UPDATE omni.recommend_settings SET weight_return = $s_wr" -c "SELECT omni.refresh_recommendations()" >/dev/null
fi
q -P footer=off <<SQL
SELECT m.method, m.customers,
       round(m.ndcg::numeric, 4) AS "NDCG@10", round(m.recall::numeric, 4) AS "Recall@10",
       round(m.hr::numeric, 4) AS "HR@10", round(m.prec::numeric, 4) AS "P@10",
       round((m.ndcg / pp.ndcg)::numeric, 3) AS "NDCG vs personal pop"
  FROM (SELECT * FROM rb.metrics('test', 'ours') UNION ALL
        SELECT * FROM rb.metrics('test', 'ours_returns_-1') WHERE EXISTS (SELECT 1 FROM rb.recs WHERE method = 'ours_returns_-1') UNION ALL SELECT * FROM rb.metrics('test', 'item_knn')
        UNION ALL SELECT * FROM rb.metrics('test', 'personal_popularity')
        UNION ALL SELECT * FROM rb.metrics('test', 'popularity')) m
 CROSS JOIN rb.metrics('test', 'personal_popularity') pp;
SQL
echo "settings: shrinkage=$s_shrink weight_return=$s_wr history_half_life=$s_hl blend_similar=$s_sim blend_repeat=$s_rep blend_popular=$s_pop blend_others=$s_others customer_neighbours=$s_cn repeat_prior=$s_rp repeat_smoothing=$s_rs repeat_recency=$s_rr"
q -P footer=off -c "SELECT customers, skus, signals, neighbour_pairs, round(repeat_rate::numeric, 4) AS repeat_rate FROM omni.recommend_model"
echo "refresh_recommendations() on the full set: $refresh_s s"
echo "scoring the $(qv -c "SELECT count(*) FROM rb.truth WHERE phase = 'test'") test customers in one LATERAL query: $(( segment_ms / 1000 )).$(( segment_ms % 1000 / 100 )) s"

# a store stocking every other SKU, for the location filter
q <<'SQL'
SELECT omni.add_location('rb-store', 'Bench store', 'store', 51.5, -0.1);
SELECT count(omni.receive(sku, 'rb-store', 100))
  FROM (SELECT sku FROM omni.products ORDER BY md5(sku) LIMIT (SELECT count(*) / 2 FROM omni.products)) p;
SQL
echo "recommend(c, 10) latency over $CALLS random customers (server side):"
qv -c "SELECT 'no location: p50 ' || round(p50_ms::numeric, 2) || ' ms, p99 ' || round(p99_ms::numeric, 2) || ' ms, max ' || round(max_ms::numeric, 1) || ' ms; CPU ' || round(cpu_ms::numeric, 2) || ' ms a call' FROM rb.latency($CALLS, NULL)"
qv -c "SELECT 'store filter: p50 ' || round(p50_ms::numeric, 2) || ' ms, p99 ' || round(p99_ms::numeric, 2) || ' ms, max ' || round(max_ms::numeric, 1) || ' ms; CPU ' || round(cpu_ms::numeric, 2) || ' ms a call' FROM rb.latency($CALLS, 'rb-store')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
