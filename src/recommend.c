/*-------------------------------------------------------------------------
 *
 * recommend.c
 *	  Recommendations: the item-item model build and per-customer scoring.
 *
 * Input.  omni.interaction_signals, one row per signal of every channel
 * (tracked views, wishlists, carts, order lines with POS sales, returns).
 * A signal weighs by its kind (omni.recommend_settings: purchase > cart >
 * wishlist > view, a return negative) and decays exponentially with its age
 * (a half-life in days).
 *
 * Model (omni.refresh_recommendations).  The customer x SKU matrix of
 * decayed, kind-weighted sums, damped with log(1 + w), is held in memory in
 * compressed rows (per customer) and columns (per SKU).  For each SKU i the
 * co-occurrences with every SKU j are accumulated in a dense vector by
 * walking i's customers and their SKUs (cost: the sum over customers of
 * their distinct SKUs squared, no |SKU|^2 matrix), then
 *
 *	   sim(i, j) = sum_u w_ui w_uj / (|w_i| |w_j| + shrinkage)
 *
 * (cosine with shrinkage), and the top N neighbours of i are kept as two
 * arrays in one row of omni.recommend_neighbours, with the SKU's repeat rate
 * (how often its buyers buy it again, computed in SQL).  Popularity,
 * trending and per-store popularity are aggregated in SQL in the same
 * transaction.
 *
 * Scoring (omni.recommend).  The customer's latest HISTORY_LIMIT signals,
 * summed per SKU in C: affinity (kind-weighted, decayed from their own
 * latest signal with history_half_life, a basket counting once), and per
 * SKU bought the baskets holding it and the customer's baskets since the
 * first and the last of them.  Four parts:
 *
 *	   repeat:   the chance that j is in their next basket,
 *	             (baskets with j since the first - 1 + repeat_prior * rate(j))
 *	             / (baskets since the first + repeat_prior),
 *	             + repeat_recency * 2^-(baskets since the last with j),
 *	             + their cart, wishlist and view signals of j
 *	   similar:  sum over their EXPANDED_HISTORY likeliest items h of
 *	             affinity(h) * sim(h, j), divided by the customer's largest
 *	   others:   the similarity-weighted share of the customer's most
 *	             similar customers who bought j (their row of
 *	             omni.recommend_customer_items, built at refresh by the same
 *	             neighbour code on the transposed matrix), 0..1
 *	   popular:  popularity(j) / the top one (per store with a location)
 *
 * blended with blend_repeat, blend_similar, blend_others, blend_popular
 * (tuned on a validation split, see doc/recommend.md).  Repeat and others
 * are on the same scale (chances of being in the next basket), which is
 * what lets one weight mix them: the repeat-explore split of next-basket
 * recommendation.  An item whose net signal is not positive (returned) is
 * never recommended.  The reason is the customer's own signal when there is
 * one, else the part that contributed most.  With a location, candidates
 * best first are checked in chunks with omni.available() until k are on
 * the shelf.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(omni_refresh_recommendations);
PG_FUNCTION_INFO_V1(omni_recommend);

/* SKUs are at most 64 characters (omni.products check) */
#define SKU_KEY_LEN 80
/* popular candidates considered per call */
#define POPULAR_POOL 100
/* SKUs kept per customer of what their similar customers buy */
#define CUSTOMER_ITEMS 50
/* signals read per customer, newest first (older ones weigh little) */
#define HISTORY_LIMIT 2000
/* history items whose neighbours are read, strongest first */
#define EXPANDED_HISTORY 200
/* weight of popularity that only breaks ties (cold start, empty parts) */
#define POPULAR_TIEBREAK 1e-6

#define LN2 0.6931471805599453

/* ---------------------------------------------------------------- settings */

typedef struct RecSettings
{
	double		weight_purchase;
	double		weight_cart;
	double		weight_wishlist;
	double		weight_view;
	double		weight_return;
	double		model_half_life;
	double		shrinkage;
	int			neighbours;
	double		history_half_life;
	double		blend_similar;
	double		blend_repeat;
	double		blend_popular;
	double		trending_half_life;
	double		blend_others;
	int			customer_neighbours;
	double		repeat_prior;
	double		repeat_smoothing;
	double		repeat_recency;
	double		repeat_rate;	/* all-SKU repeat rate of the last build */
} RecSettings;

/* ---------------------------------------------------------------- plans */

typedef enum RecPlan
{
	PLAN_SETTINGS,
	PLAN_CUSTOMER_EXISTS,
	PLAN_LOCATION_EXISTS,
	PLAN_HISTORY,
	PLAN_NEIGHBOURS,
	PLAN_POPULAR,
	PLAN_STORE_POPULAR,
	PLAN_AVAILABLE,
	PLAN_CUSTOMER_ITEMS,
	NUM_REC_PLANS
} RecPlan;

typedef struct RecPlanDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[8];
} RecPlanDef;

static const RecPlanDef rec_plan_defs[NUM_REC_PLANS] = {
	[PLAN_SETTINGS] = {
		"SELECT weight_purchase, weight_cart, weight_wishlist, weight_view, weight_return,"
		" model_half_life, shrinkage, neighbours, history_half_life, blend_similar,"
		" blend_repeat, blend_popular, trending_half_life, blend_others, customer_neighbours,"
		" repeat_prior, repeat_smoothing, repeat_recency,"
		" coalesce((SELECT m.repeat_rate FROM omni.recommend_model m), 0)"
		" FROM omni.recommend_settings", 0, {0}
	},
	[PLAN_CUSTOMER_EXISTS] = {
		"SELECT 1 FROM omni.customers c WHERE c.customer_id = $1", 1, {INT8OID}
	},
	[PLAN_LOCATION_EXISTS] = {
		"SELECT 1 FROM omni.locations l WHERE l.code = $1", 1, {TEXTOID}
	},
	/* the customer's latest signals; aggregated per SKU in C */
	[PLAN_HISTORY] = {
		"SELECT x.sku, x.kind, x.at FROM omni.interaction_signals x"
		" WHERE x.customer_id = $1 ORDER BY x.at DESC LIMIT $2",
		2, {INT8OID, INT4OID}
	},
	[PLAN_NEIGHBOURS] = {
		"SELECT n.sku, n.neighbours, n.scores, n.repeat_rate FROM omni.recommend_neighbours n"
		" WHERE n.sku = ANY ($1) ORDER BY n.sku", 1, {TEXTARRAYOID}
	},
	[PLAN_POPULAR] = {
		"SELECT p.sku, p.popularity FROM omni.recommend_popularity p"
		" ORDER BY p.popularity DESC, p.sku LIMIT $1", 1, {INT4OID}
	},
	[PLAN_STORE_POPULAR] = {
		"SELECT p.sku, p.popularity FROM omni.recommend_store_popularity p"
		" WHERE p.location = $1 ORDER BY p.popularity DESC, p.sku LIMIT $2", 2, {TEXTOID, INT4OID}
	},
	[PLAN_CUSTOMER_ITEMS] = {
		"SELECT c.skus, c.scores FROM omni.recommend_customer_items c WHERE c.customer_id = $1",
		1, {INT8OID}
	},
	[PLAN_AVAILABLE] = {
		"SELECT u.sku FROM unnest($1::text[]) WITH ORDINALITY AS u(sku, n)"
		" WHERE omni.available(u.sku, $2) > 0 ORDER BY u.n", 2, {TEXTARRAYOID, TEXTOID}
	},
};

static SPIPlanPtr rec_plans[NUM_REC_PLANS];

static SPIPlanPtr
RecGetPlan(RecPlan which)
{
	return OmniKeepPlan(&rec_plans[which], rec_plan_defs[which].sql,
						rec_plan_defs[which].nargs, rec_plan_defs[which].argtypes);
}

/* Runs a kept plan read-only; returns the number of rows */
static uint64
RecExec(RecPlan which, Datum *values, const char *nulls)
{
	int			rc;

	rc = SPI_execute_plan(RecGetPlan(which), values, nulls, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

static double
ColFloat8(int row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? 0.0 : DatumGetFloat8(d);
}

static char *
ColText(int row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static void
ReadSettings(RecSettings *s)
{
	bool		isnull;

	if (RecExec(PLAN_SETTINGS, NULL, NULL) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("omni.recommend_settings must hold exactly one row"),
				 errhint("Restore it with INSERT INTO omni.recommend_settings DEFAULT VALUES.")));
	s->weight_purchase = ColFloat8(0, 1);
	s->weight_cart = ColFloat8(0, 2);
	s->weight_wishlist = ColFloat8(0, 3);
	s->weight_view = ColFloat8(0, 4);
	s->weight_return = ColFloat8(0, 5);
	s->model_half_life = ColFloat8(0, 6);
	s->shrinkage = ColFloat8(0, 7);
	s->neighbours = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 8, &isnull));
	s->history_half_life = ColFloat8(0, 9);
	s->blend_similar = ColFloat8(0, 10);
	s->blend_repeat = ColFloat8(0, 11);
	s->blend_popular = ColFloat8(0, 12);
	s->trending_half_life = ColFloat8(0, 13);
	s->blend_others = ColFloat8(0, 14);
	s->customer_neighbours = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
														 SPI_tuptable->tupdesc, 15, &isnull));
	s->repeat_prior = ColFloat8(0, 16);
	s->repeat_smoothing = ColFloat8(0, 17);
	s->repeat_recency = ColFloat8(0, 18);
	s->repeat_rate = ColFloat8(0, 19);
}

static void
CopySkuKey(char *key, const char *sku)
{
	memset(key, 0, SKU_KEY_LEN);
	strlcpy(key, sku, SKU_KEY_LEN);
}

/* ================================================================ model build */

typedef struct SkuIndexEntry
{
	char		sku[SKU_KEY_LEN];
	int			index;
} SkuIndexEntry;

/* The customer x SKU matrix, by rows and by columns */
typedef struct RecMatrix
{
	int			ncustomers;
	int			nskus;
	int64		nnz;
	char	  **skus;			/* SKU of each column */
	int64	   *customers;		/* customer id of each row */
	int		   *row_start;		/* ncustomers + 1 */
	int		   *row_sku;		/* nnz */
	float	   *row_w;			/* nnz */
	int		   *col_start;		/* nskus + 1 */
	int		   *col_customer;	/* nnz */
	float	   *col_w;			/* nnz */
	double	   *norm;			/* nskus */
} RecMatrix;

typedef struct Neighbour
{
	float		score;
	int			sku;
} Neighbour;

static const char *const build_signals_sql =
"WITH s AS (SELECT x.customer_id, x.sku, x.kind, x.at FROM omni.interaction_signals x"
"            WHERE x.customer_id IS NOT NULL),"
" r AS (SELECT max(s.at) AS latest FROM s)"
" SELECT s.customer_id, s.sku,"
"   sum(CASE s.kind WHEN 'purchase' THEN $1 WHEN 'cart' THEN $2"
"                   WHEN 'wishlist' THEN $3 WHEN 'view' THEN $4 ELSE $5 END"
"       * exp(-0.6931471805599453 * date_part('epoch', r.latest - s.at) / 86400.0 / $6))::float8"
"  FROM s CROSS JOIN r"
" GROUP BY s.customer_id, s.sku ORDER BY s.customer_id, s.sku";

static int
SkuIndex(HTAB *index, RecMatrix *m, const char *sku, int *capacity)
{
	char		key[SKU_KEY_LEN];
	SkuIndexEntry *e;
	bool		found;

	CopySkuKey(key, sku);
	e = hash_search(index, key, HASH_ENTER, &found);
	if (!found)
	{
		if (m->nskus == *capacity)
		{
			*capacity *= 2;
			m->skus = repalloc(m->skus, sizeof(char *) * *capacity);
		}
		e->index = m->nskus;
		m->skus[m->nskus++] = pstrdup(sku);
	}
	return e->index;
}

/*
 * Reads the decayed, kind-weighted customer x SKU sums (SQL does the
 * aggregation) into compressed rows; only positive net signals count.
 */
static void
LoadMatrix(RecMatrix *m, const RecSettings *s, int64 *signals)
{
	Oid			types[6] = {FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID};
	Datum		values[6];
	HASHCTL		ctl;
	HTAB	   *index;
	int			capacity = 1024;
	int64		last_customer = 0;
	uint64		i,
				n;
	int			rc;

	values[0] = Float8GetDatum(s->weight_purchase);
	values[1] = Float8GetDatum(s->weight_cart);
	values[2] = Float8GetDatum(s->weight_wishlist);
	values[3] = Float8GetDatum(s->weight_view);
	values[4] = Float8GetDatum(s->weight_return);
	values[5] = Float8GetDatum(s->model_half_life);
	rc = SPI_execute_with_args(build_signals_sql, 6, types, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading omni.interaction_signals failed: %s", SPI_result_code_string(rc));
	n = SPI_processed;
	*signals = (int64) n;

	ctl.keysize = SKU_KEY_LEN;
	ctl.entrysize = sizeof(SkuIndexEntry);
	ctl.hcxt = CurrentMemoryContext;
	index = hash_create("omni recommend sku index", 4096, &ctl,
						HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	memset(m, 0, sizeof(*m));
	m->skus = palloc(sizeof(char *) * capacity);
	m->row_start = palloc(sizeof(int) * (n + 2));
	m->customers = palloc(sizeof(int64) * (n + 1));
	m->row_sku = palloc(sizeof(int) * (n + 1));
	m->row_w = palloc(sizeof(float) * (n + 1));
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		int64		customer = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 1, &isnull));
		char	   *sku = ColText(i, 2);
		double		w = ColFloat8(i, 3);

		if (sku == NULL || !(w > 0))
			continue;
		if (m->ncustomers == 0 || customer != last_customer)
		{
			m->customers[m->ncustomers] = customer;
			m->row_start[m->ncustomers++] = (int) m->nnz;
			last_customer = customer;
		}
		m->row_sku[m->nnz] = SkuIndex(index, m, sku, &capacity);
		m->row_w[m->nnz] = (float) log1p(w);
		m->nnz++;
	}
	m->row_start[m->ncustomers] = (int) m->nnz;
	hash_destroy(index);
	SPI_freetuptable(SPI_tuptable);
}

/* The same matrix by columns, and each column's norm */
static void
TransposeMatrix(RecMatrix *m)
{
	int		   *fill;
	int			u,
				j;
	int64		p;

	m->col_start = palloc0(sizeof(int) * (m->nskus + 1));
	m->col_customer = palloc(sizeof(int) * (m->nnz + 1));
	m->col_w = palloc(sizeof(float) * (m->nnz + 1));
	m->norm = palloc0(sizeof(double) * (m->nskus + 1));
	for (p = 0; p < m->nnz; p++)
		m->col_start[m->row_sku[p] + 1]++;
	for (j = 0; j < m->nskus; j++)
		m->col_start[j + 1] += m->col_start[j];
	fill = palloc(sizeof(int) * (m->nskus + 1));
	memcpy(fill, m->col_start, sizeof(int) * (m->nskus + 1));
	for (u = 0; u < m->ncustomers; u++)
	{
		for (p = m->row_start[u]; p < m->row_start[u + 1]; p++)
		{
			int			q = fill[m->row_sku[p]]++;

			m->col_customer[q] = u;
			m->col_w[q] = m->row_w[p];
			m->norm[m->row_sku[p]] += (double) m->row_w[p] * m->row_w[p];
		}
	}
	for (j = 0; j < m->nskus; j++)
		m->norm[j] = sqrt(m->norm[j]);
	pfree(fill);
}

/* a is better than b: higher score, then SKU first in byte order */
static bool
NeighbourBetter(const RecMatrix *m, const Neighbour *a, const Neighbour *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return strcmp(m->skus[a->sku], m->skus[b->sku]) < 0;
}

/* Min-heap of the best N neighbours: the root is the worst kept */
static void
HeapSiftDown(const RecMatrix *m, Neighbour *heap, int n, int i)
{
	for (;;)
	{
		int			worst = i,
					l = 2 * i + 1,
					r = 2 * i + 2;
		Neighbour	tmp;

		if (l < n && NeighbourBetter(m, &heap[worst], &heap[l]))
			worst = l;
		if (r < n && NeighbourBetter(m, &heap[worst], &heap[r]))
			worst = r;
		if (worst == i)
			return;
		tmp = heap[i];
		heap[i] = heap[worst];
		heap[worst] = tmp;
		i = worst;
	}
}

static void
HeapOffer(const RecMatrix *m, Neighbour *heap, int *n, int cap, Neighbour cand)
{
	if (*n < cap)
	{
		int			i = (*n)++;

		heap[i] = cand;
		while (i > 0)
		{
			int			parent = (i - 1) / 2;
			Neighbour	tmp;

			if (!NeighbourBetter(m, &heap[parent], &heap[i]))
				break;
			tmp = heap[i];
			heap[i] = heap[parent];
			heap[parent] = tmp;
			i = parent;
		}
	}
	else if (NeighbourBetter(m, &cand, &heap[0]))
	{
		heap[0] = cand;
		HeapSiftDown(m, heap, *n, 0);
	}
}

static const RecMatrix *sort_matrix;

static int
NeighbourCmp(const void *a, const void *b)
{
	const Neighbour *x = a;
	const Neighbour *y = b;

	if (NeighbourBetter(sort_matrix, x, y))
		return -1;
	if (NeighbourBetter(sort_matrix, y, x))
		return 1;
	return 0;
}

/*
 * The top neighbours of SKU i: co-occurrences accumulated in acc over i's
 * customers; touched lists the SKUs to score and reset.
 */
static int
NeighboursOf(const RecMatrix *m, const RecSettings *s, int i,
			 double *acc, int *touched, Neighbour *heap)
{
	int			ntouched = 0,
				nheap = 0,
				t;
	int64		p,
				q;

	for (p = m->col_start[i]; p < m->col_start[i + 1]; p++)
	{
		int			u = m->col_customer[p];
		double		wi = m->col_w[p];

		for (q = m->row_start[u]; q < m->row_start[u + 1]; q++)
		{
			int			j = m->row_sku[q];

			if (j == i)
				continue;
			if (acc[j] == 0.0)
				touched[ntouched++] = j;
			acc[j] += wi * m->row_w[q];
		}
	}
	for (t = 0; t < ntouched; t++)
	{
		int			j = touched[t];
		Neighbour	cand;

		cand.sku = j;
		cand.score = (float) (acc[j] / (m->norm[i] * m->norm[j] + s->shrinkage));
		acc[j] = 0.0;
		if (cand.score > 0)
			HeapOffer(m, heap, &nheap, s->neighbours, cand);
	}
	sort_matrix = m;
	qsort(heap, nheap, sizeof(Neighbour), NeighbourCmp);
	return nheap;
}

static void
StoreNeighbours(const RecMatrix *m, int i, const Neighbour *nb, int n, SPIPlanPtr insert)
{
	Datum	   *skus = palloc(sizeof(Datum) * (n + 1));
	Datum	   *scores = palloc(sizeof(Datum) * (n + 1));
	Datum		values[3];
	int			k;

	for (k = 0; k < n; k++)
	{
		skus[k] = CStringGetTextDatum(m->skus[nb[k].sku]);
		scores[k] = Float4GetDatum(nb[k].score);
	}
	values[0] = CStringGetTextDatum(m->skus[i]);
	values[1] = PointerGetDatum(construct_array(skus, n, TEXTOID, -1, false, TYPALIGN_INT));
	values[2] = PointerGetDatum(construct_array(scores, n, FLOAT4OID, sizeof(float4),
												true, TYPALIGN_INT));
	if (SPI_execute_plan(insert, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "storing the neighbours of \"%s\" failed", m->skus[i]);
	for (k = 0; k < n; k++)
		pfree(DatumGetPointer(skus[k]));
	pfree(skus);
	pfree(scores);
	pfree(DatumGetPointer(values[0]));
	pfree(DatumGetPointer(values[1]));
	pfree(DatumGetPointer(values[2]));
}

/* Computes and stores the neighbours of every SKU; returns the pairs kept */
static int64
BuildNeighbours(const RecMatrix *m, const RecSettings *s)
{
	double	   *acc = palloc0(sizeof(double) * (m->nskus + 1));
	int		   *touched = palloc(sizeof(int) * (m->nskus + 1));
	Neighbour  *heap = palloc(sizeof(Neighbour) * s->neighbours);
	Oid			types[3] = {TEXTOID, TEXTARRAYOID, FLOAT4ARRAYOID};
	SPIPlanPtr	insert;
	int64		pairs = 0;
	int			i;

	insert = SPI_prepare("INSERT INTO omni.recommend_neighbours (sku, neighbours, scores)"
						 " VALUES ($1, $2, $3)", 3, types);
	if (insert == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	for (i = 0; i < m->nskus; i++)
	{
		int			n;

		CHECK_FOR_INTERRUPTS();
		n = NeighboursOf(m, s, i, acc, touched, heap);
		/* a row even without neighbours: it carries the SKU's repeat rate */
		StoreNeighbours(m, i, heap, n, insert);
		pairs += n;
	}
	SPI_freeplan(insert);
	return pairs;
}

/*
 * The same matrix seen from the customers: rows are SKUs, columns
 * customers, so that NeighboursOf finds similar customers.
 */
static void
SwapMatrix(const RecMatrix *m, RecMatrix *t)
{
	int			u;
	int64		p;

	memset(t, 0, sizeof(*t));
	t->ncustomers = m->nskus;
	t->nskus = m->ncustomers;
	t->nnz = m->nnz;
	t->row_start = m->col_start;
	t->row_sku = m->col_customer;
	t->row_w = m->col_w;
	t->col_start = m->row_start;
	t->col_customer = m->row_sku;
	t->col_w = m->row_w;
	t->skus = palloc(sizeof(char *) * (m->ncustomers + 1));
	t->norm = palloc0(sizeof(double) * (m->ncustomers + 1));
	for (u = 0; u < m->ncustomers; u++)
	{
		/* zero-padded, so that ties between customers break by id */
		t->skus[u] = psprintf("%020lld", (long long) m->customers[u]);
		for (p = m->row_start[u]; p < m->row_start[u + 1]; p++)
			t->norm[u] += (double) m->row_w[p] * m->row_w[p];
		t->norm[u] = sqrt(t->norm[u]);
	}
}

/*
 * What the customers most like u buy: over u's customer_neighbours most
 * similar customers v, sum of sim(u, v) for those who bought j divided by
 * the sum of sim(u, v): the similarity-weighted share of them who bought it
 * (the neighbour half of TIFU-KNN), on the scale of a repeat chance so that
 * one blend weight mixes the two.  Top CUSTOMER_ITEMS SKUs kept.
 */
static int
CustomerItems(const RecMatrix *m, const Neighbour *peers, int npeers,
			  double *acc, int *touched, Neighbour *heap)
{
	int			ntouched = 0,
				nheap = 0,
				t,
				k;
	int64		p;
	double		total = 0;

	for (k = 0; k < npeers; k++)
	{
		int			v = peers[k].sku;

		total += peers[k].score;
		/* every stored weight is positive: v bought j (net of returns) */
		for (p = m->row_start[v]; p < m->row_start[v + 1]; p++)
		{
			int			j = m->row_sku[p];

			if (acc[j] == 0.0)
				touched[ntouched++] = j;
			acc[j] += peers[k].score;
		}
	}
	for (t = 0; t < ntouched; t++)
	{
		Neighbour	cand;

		cand.sku = touched[t];
		cand.score = (float) (acc[touched[t]] / total);
		acc[touched[t]] = 0.0;
		HeapOffer(m, heap, &nheap, CUSTOMER_ITEMS, cand);
	}
	sort_matrix = m;
	qsort(heap, nheap, sizeof(Neighbour), NeighbourCmp);
	return nheap;
}

static void
StoreCustomerItems(const RecMatrix *m, int64 customer, const Neighbour *items, int n,
				   SPIPlanPtr insert)
{
	Datum	   *skus = palloc(sizeof(Datum) * n);
	Datum	   *scores = palloc(sizeof(Datum) * n);
	Datum		values[3];
	int			k;

	for (k = 0; k < n; k++)
	{
		skus[k] = CStringGetTextDatum(m->skus[items[k].sku]);
		scores[k] = Float4GetDatum(items[k].score);
	}
	values[0] = Int64GetDatum(customer);
	values[1] = PointerGetDatum(construct_array(skus, n, TEXTOID, -1, false, TYPALIGN_INT));
	values[2] = PointerGetDatum(construct_array(scores, n, FLOAT4OID, sizeof(float4),
												true, TYPALIGN_INT));
	if (SPI_execute_plan(insert, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "storing the items of customer %lld failed", (long long) customer);
	for (k = 0; k < n; k++)
		pfree(DatumGetPointer(skus[k]));
	pfree(skus);
	pfree(scores);
	pfree(DatumGetPointer(values[1]));
	pfree(DatumGetPointer(values[2]));
}

/* Similar customers of every customer, and what they buy */
static void
BuildCustomerItems(const RecMatrix *m, const RecSettings *s)
{
	RecMatrix	t;
	RecSettings peer_settings = *s;
	double	   *acc;
	int		   *touched;
	Neighbour  *peers = palloc(sizeof(Neighbour) * s->customer_neighbours);
	Neighbour  *items = palloc(sizeof(Neighbour) * CUSTOMER_ITEMS);
	Oid			types[3] = {INT8OID, TEXTARRAYOID, FLOAT4ARRAYOID};
	SPIPlanPtr	insert;
	int			u;

	SwapMatrix(m, &t);
	acc = palloc0(sizeof(double) * (Max(m->nskus, m->ncustomers) + 1));
	touched = palloc(sizeof(int) * (Max(m->nskus, m->ncustomers) + 1));
	peer_settings.neighbours = s->customer_neighbours;
	insert = SPI_prepare("INSERT INTO omni.recommend_customer_items (customer_id, skus, scores)"
						 " VALUES ($1, $2, $3)", 3, types);
	if (insert == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	for (u = 0; u < m->ncustomers; u++)
	{
		int			npeers,
					nitems;

		CHECK_FOR_INTERRUPTS();
		npeers = NeighboursOf(&t, &peer_settings, u, acc, touched, peers);
		if (npeers == 0)
			continue;
		nitems = CustomerItems(m, peers, npeers, acc, touched, items);
		if (nitems > 0)
			StoreCustomerItems(m, m->customers[u], items, nitems, insert);
	}
	SPI_freeplan(insert);
}

static void
ExecWrite(const char *sql, int nargs, Oid *types, Datum *values)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);

	if (rc < 0)
		elog(ERROR, "\"%s\" failed: %s", sql, SPI_result_code_string(rc));
}

/* Popularity, trending and per-store popularity, set-based in SQL */
static void
BuildPopularity(const RecSettings *s)
{
	Oid			types[2] = {FLOAT8OID, FLOAT8OID};
	Datum		values[2];

	values[0] = Float8GetDatum(s->model_half_life);
	values[1] = Float8GetDatum(s->trending_half_life);
	ExecWrite("DELETE FROM omni.recommend_popularity", 0, NULL, NULL);
	ExecWrite("DELETE FROM omni.recommend_store_popularity", 0, NULL, NULL);
	/*
	 * popularity: buyers, each decayed by the age of their latest purchase
	 * of the SKU (an anonymous sale is a buyer of its own); trending: sales
	 */
	ExecWrite("WITH b AS (SELECT x.customer_id, x.sku, max(x.at) AS at, count(*) AS lines"
			  "             FROM omni.interaction_signals x WHERE x.kind = 'purchase'"
			  "            GROUP BY x.customer_id, x.sku, CASE WHEN x.customer_id IS NULL THEN x.at END),"
			  " s AS (SELECT b.*, date_part('epoch', max(b.at) OVER () - b.at) / 86400.0 AS age FROM b)"
			  " INSERT INTO omni.recommend_popularity (sku, popularity, trending, buyers)"
			  " SELECT s.sku, sum(exp(-0.6931471805599453 * s.age / $1)),"
			  "        sum(s.lines * exp(-0.6931471805599453 * s.age / $2)), count(DISTINCT s.customer_id)"
			  "   FROM s GROUP BY s.sku",
			  2, types, values);
	ExecWrite("WITH s AS (SELECT x.sku, x.location, x.qty,"
			  "                  date_part('epoch', max(x.at) OVER () - x.at) / 86400.0 AS age"
			  "             FROM omni.interaction_signals x WHERE x.kind = 'purchase')"
			  " INSERT INTO omni.recommend_store_popularity (location, sku, popularity)"
			  " SELECT s.location, s.sku, sum(s.qty * exp(-0.6931471805599453 * s.age / $1))"
			  "   FROM s WHERE s.location IS NOT NULL GROUP BY s.location, s.sku",
			  1, types, values);
}

/*
 * Repeat rates: for each SKU, over every customer who bought it, the
 * baskets after their first purchase of it that hold it again, divided by
 * the baskets they had after that first purchase (the chances).  A basket is
 * one customer's purchases at one instant (the lines of an order share it).
 * Each SKU's rate is mixed with repeat_smoothing chances at the all-SKU rate,
 * which is returned and is what a SKU without a row gets when scoring.
 * Some goods are bought again and again (tea lights), others once (a lamp):
 * with few baskets of their own a customer's repeat chance leans on it.
 */
static double
BuildRepeatRates(const RecSettings *s)
{
	Oid			types[1] = {FLOAT8OID};
	Datum		values[1];
	bool		isnull;
	int			rc;

	values[0] = Float8GetDatum(s->repeat_smoothing);
	rc = SPI_execute_with_args(
							   "WITH p AS (SELECT DISTINCT x.customer_id, x.sku, x.at FROM omni.interaction_signals x"
							   "            WHERE x.kind = 'purchase' AND x.customer_id IS NOT NULL),"
							   " b AS (SELECT y.customer_id, y.at,"
							   "              row_number() OVER (PARTITION BY y.customer_id ORDER BY y.at) AS idx,"
							   "              count(*) OVER (PARTITION BY y.customer_id) AS n"
							   "         FROM (SELECT DISTINCT p.customer_id, p.at FROM p) y),"
							   " ci AS (SELECT p.sku, count(*) - 1 AS again, max(b.n) - min(b.idx) AS chances"
							   "          FROM p JOIN b ON b.customer_id = p.customer_id AND b.at = p.at"
							   "         GROUP BY p.customer_id, p.sku),"
							   " it AS (SELECT ci.sku, sum(ci.again)::float8 AS again, sum(ci.chances)::float8 AS chances"
							   "          FROM ci GROUP BY ci.sku),"
							   " g AS (SELECT coalesce(sum(it.again) / nullif(sum(it.chances), 0), 0)::float8 AS rate FROM it),"
							   " u AS (UPDATE omni.recommend_neighbours n"
							   "          SET repeat_rate = (it.again + $1 * g.rate) / (it.chances + $1)"
							   "         FROM it, g WHERE it.sku = n.sku RETURNING 1)"
							   " SELECT g.rate FROM g",
							   1, types, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "computing the repeat rates failed: %s", SPI_result_code_string(rc));
	return DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

static void
RecordBuild(const RecMatrix *m, int64 signals, int64 pairs, double repeat_rate, double ms)
{
	Oid			types[6] = {FLOAT8OID, INT4OID, INT4OID, INT8OID, INT8OID, FLOAT8OID};
	Datum		values[6];

	values[0] = Float8GetDatum(ms);
	values[1] = Int32GetDatum(m->ncustomers);
	values[2] = Int32GetDatum(m->nskus);
	values[3] = Int64GetDatum(signals);
	values[4] = Int64GetDatum(pairs);
	values[5] = Float8GetDatum(repeat_rate);
	ExecWrite("INSERT INTO omni.recommend_model AS m"
			  " (id, built_at, build_ms, customers, skus, signals, neighbour_pairs, repeat_rate, settings)"
			  " SELECT true, now(), $1, $2, $3, $4, $5, $6, to_jsonb(s) - 'id'"
			  "   FROM omni.recommend_settings s"
			  " ON CONFLICT (id) DO UPDATE SET built_at = excluded.built_at,"
			  "   build_ms = excluded.build_ms, customers = excluded.customers,"
			  "   skus = excluded.skus, signals = excluded.signals,"
			  "   neighbour_pairs = excluded.neighbour_pairs, repeat_rate = excluded.repeat_rate,"
			  "   settings = excluded.settings",
			  6, types, values);
}

Datum
omni_refresh_recommendations(PG_FUNCTION_ARGS)
{
	MemoryContext build_cxt;
	MemoryContext old;
	RecSettings s;
	RecMatrix	m;
	instr_time	start,
				elapsed;
	int64		signals,
				pairs;
	double		repeat_rate;

	INSTR_TIME_SET_CURRENT(start);
	SPI_connect();
	build_cxt = AllocSetContextCreate(CurrentMemoryContext, "omni recommend build",
									  ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(build_cxt);
	/* one build at a time: a second one waits, then rebuilds on fresh data */
	ExecWrite("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('omni.refresh_recommendations'))",
			  0, NULL, NULL);
	ReadSettings(&s);
	LoadMatrix(&m, &s, &signals);
	TransposeMatrix(&m);
	/* readers keep the old rows until commit (DELETE, not TRUNCATE) */
	ExecWrite("DELETE FROM omni.recommend_neighbours", 0, NULL, NULL);
	pairs = BuildNeighbours(&m, &s);
	repeat_rate = BuildRepeatRates(&s);
	ExecWrite("DELETE FROM omni.recommend_customer_items", 0, NULL, NULL);
	BuildCustomerItems(&m, &s);
	BuildPopularity(&s);
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	RecordBuild(&m, signals, pairs, repeat_rate, INSTR_TIME_GET_MILLISEC(elapsed));
	MemoryContextSwitchTo(old);
	MemoryContextDelete(build_cxt);
	SPI_finish();
	PG_RETURN_VOID();
}

/* ================================================================ scoring */

typedef struct Candidate
{
	char		sku[SKU_KEY_LEN];
	int			history;		/* index in the history, or -1 */
	double		similar;
	double		others;			/* what similar customers buy */
	double		popular;
	bool		store_popular;	/* popular is the store's */
	double		best_contrib;
	int			best_source;	/* history index of the largest contribution */
	double		score;
	int			part;			/* 0 similar, 1 repeat, 2 popular, 3 others */
} Candidate;

typedef struct HistoryItem
{
	char	   *sku;
	double		affinity;		/* every kind, returns negative, decayed */
	double		intent;			/* cart, wishlist, view only, decayed */
	int			baskets;
	int			returns;
	int			first_ago;		/* baskets of the customer since the first */
	int			last_ago;		/* ... and since the last holding this SKU */
	double		rate;			/* the SKU's repeat rate */
	double		repeat;			/* chance of it in the next basket, + intent */
	bool		cart;
	bool		wishlist;
	bool		viewed;
	TimestampTz last_purchase;	/* time of the last basket counted */
	bool		just_bought;	/* bought within JUST_BOUGHT_USECS */
} HistoryItem;

/*
 * What the customer bought in the last day is not recommended back to them
 * (the shoe they are carrying out of the store); it still brings its
 * neighbours ("bought with X").  A day later it may come back as a repeat
 * purchase.
 */
#define JUST_BOUGHT_USECS	USECS_PER_DAY

typedef struct Scoring
{
	RecSettings settings;
	HTAB	   *candidates;
	HistoryItem *history;
	int			nhistory;
	const char *location;
} Scoring;

static Candidate *
CandidateGet(Scoring *sc, const char *sku)
{
	char		key[SKU_KEY_LEN];
	Candidate  *c;
	bool		found;

	CopySkuKey(key, sku);
	c = hash_search(sc->candidates, key, HASH_ENTER, &found);
	if (!found)
	{
		c->history = -1;
		c->similar = 0;
		c->others = 0;
		c->popular = 0;
		c->store_popular = false;
		c->best_contrib = 0;
		c->best_source = -1;
		c->score = 0;
		c->part = 2;
	}
	return c;
}

static void
CheckArguments(int64 customer, int k, const char *location)
{
	Datum		values[1];

	if (k <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be positive"),
				 errdetail("k is %d.", k),
				 errhint("Ask for at least one recommendation.")));
	values[0] = Int64GetDatum(customer);
	if (RecExec(PLAN_CUSTOMER_EXISTS, values, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OMNI_UNKNOWN_CUSTOMER),
				 errmsg("unknown customer %lld", (long long) customer),
				 errdetail("The customer id is not in omni.customers."),
				 errhint("Find or create the customer with omni.identify() first.")));
	if (location != NULL)
	{
		values[0] = CStringGetTextDatum(location);
		if (RecExec(PLAN_LOCATION_EXISTS, values, NULL) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OMNI_UNKNOWN_LOCATION),
					 errmsg("unknown location \"%s\"", location),
					 errdetail("The location code is not in omni.locations."),
					 errhint("Add it with omni.add_location() first.")));
	}
}

static double
KindWeight(const RecSettings *s, const char *kind, HistoryItem *h, bool *intent)
{
	*intent = false;
	if (strcmp(kind, "purchase") == 0)
	{
		h->baskets++;
		return s->weight_purchase;
	}
	*intent = true;
	if (strcmp(kind, "cart") == 0)
	{
		h->cart = true;
		return s->weight_cart;
	}
	if (strcmp(kind, "wishlist") == 0)
	{
		h->wishlist = true;
		return s->weight_wishlist;
	}
	if (strcmp(kind, "view") == 0)
	{
		h->viewed = true;
		return s->weight_view;
	}
	*intent = false;
	h->returns++;
	return s->weight_return;
}

/*
 * The chance that the SKU is in the customer's next basket, estimated from
 * their own baskets since they first bought it, with repeat_prior baskets
 * at the SKU's repeat rate mixed in (next-basket studies find repeat
 * purchases carry most of the signal; the SKU's rate sorts the goods
 * bought again from those bought once), plus repeat_recency for what was in
 * their latest baskets, plus their cart, wishlist and view signals.
 */
static void
RepeatScore(const RecSettings *s, HistoryItem *h)
{
	double		again = h->baskets + s->weight_return * h->returns - 1;

	h->repeat = h->intent;
	if (h->baskets == 0)
		return;
	h->repeat += (Max(again, 0) + s->repeat_prior * h->rate) / (h->first_ago + s->repeat_prior);
	h->repeat += s->repeat_recency * pow(0.5, h->last_ago);
}

/*
 * The customer's history per SKU: kind-weighted signals decayed from their
 * latest one (rows come newest first), and the purchases counted.
 */
static void
LoadHistory(Scoring *sc, int64 customer)
{
	const RecSettings *s = &sc->settings;
	Datum		values[2];
	TimestampTz latest = 0;
	TimestampTz basket_at = 0;
	int			nbaskets = 0,
				item;
	uint64		n,
				i;

	values[0] = Int64GetDatum(customer);
	values[1] = Int32GetDatum(HISTORY_LIMIT);
	n = RecExec(PLAN_HISTORY, values, NULL);
	sc->history = palloc0(sizeof(HistoryItem) * (n + 1));
	sc->nhistory = 0;
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *sku = ColText(i, 1);
		char	   *kind = ColText(i, 2);
		TimestampTz at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
		double		age_days,
					w;
		bool		intent;
		Candidate  *c;
		HistoryItem *h;

		if (sku == NULL || kind == NULL)
			continue;
		if (i == 0)
			latest = at;
		age_days = (double) (latest - at) / USECS_PER_DAY;
		c = CandidateGet(sc, sku);
		if (c->history < 0)
		{
			c->history = sc->nhistory++;
			sc->history[c->history].sku = c->sku;
		}
		h = &sc->history[c->history];
		/* a basket counts once: lines of one order or invoice share their time */
		if (strcmp(kind, "purchase") == 0)
		{
			if (GetCurrentTransactionStartTimestamp() - at < JUST_BOUGHT_USECS)
				h->just_bought = true;
			if (nbaskets == 0 || at != basket_at)
			{
				nbaskets++;
				basket_at = at;
			}
			if (h->baskets > 0 && at == h->last_purchase)
				continue;
			/* newest first: the first basket seen is the last one */
			if (h->baskets == 0)
				h->last_ago = nbaskets - 1;
			h->first_ago = nbaskets - 1;
			h->last_purchase = at;
		}
		w = KindWeight(s, kind, h, &intent) * exp(-LN2 * age_days / s->history_half_life);
		h->affinity += w;
		if (intent)
			h->intent += w;
	}
	/* the repeat rates come with the neighbours; until then the average */
	for (item = 0; item < sc->nhistory; item++)
	{
		sc->history[item].rate = s->repeat_rate;
		RepeatScore(s, &sc->history[item]);
	}
}

static int
HistoryRepeatCmp(const void *a, const void *b)
{
	const HistoryItem *x = *(HistoryItem *const *) a;
	const HistoryItem *y = *(HistoryItem *const *) b;

	if (x->repeat != y->repeat)
		return x->repeat > y->repeat ? -1 : 1;
	if (x->affinity != y->affinity)
		return x->affinity > y->affinity ? -1 : 1;
	return strcmp(x->sku, y->sku);
}

/*
 * Adds affinity(h) * sim(h, j) for every neighbour j of every liked item h,
 * and sets the repeat rates of the items read.
 */
static void
AddNeighbours(Scoring *sc)
{
	Datum	   *skus;
	Datum		values[1];
	int			nliked = 0,
				i;
	uint64		n,
				r;

	HistoryItem **liked;

	liked = palloc(sizeof(HistoryItem *) * (sc->nhistory + 1));
	for (i = 0; i < sc->nhistory; i++)
		if (sc->history[i].affinity > 0)
			liked[nliked++] = &sc->history[i];
	if (nliked == 0)
		return;
	/*
	 * the neighbours of the likeliest items only (by their repeat chance at
	 * the average rate): bounded work per call; the others keep the average
	 * repeat rate, which changes their rank little
	 */
	qsort(liked, nliked, sizeof(HistoryItem *), HistoryRepeatCmp);
	nliked = Min(nliked, EXPANDED_HISTORY);
	skus = palloc(sizeof(Datum) * nliked);
	for (i = 0; i < nliked; i++)
		skus[i] = CStringGetTextDatum(liked[i]->sku);
	values[0] = PointerGetDatum(construct_array(skus, nliked, TEXTOID, -1, false, TYPALIGN_INT));
	n = RecExec(PLAN_NEIGHBOURS, values, NULL);
	for (r = 0; r < n; r++)
	{
		char	   *sku = ColText(r, 1);
		bool		isnull;
		ArrayType  *nbs = DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[r],
														   SPI_tuptable->tupdesc, 2, &isnull));
		ArrayType  *scs = DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[r],
														   SPI_tuptable->tupdesc, 3, &isnull));
		Datum	   *nb_elems,
				   *sc_elems;
		int			nnb,
					nsc,
					src,
					e;
		double		w;

		src = CandidateGet(sc, sku)->history;
		w = sc->history[src].affinity;
		{
			Datum		rate = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 4, &isnull);

			if (!isnull)
			{
				sc->history[src].rate = DatumGetFloat8(rate);
				RepeatScore(&sc->settings, &sc->history[src]);
			}
		}
		deconstruct_array(nbs, TEXTOID, -1, false, TYPALIGN_INT, &nb_elems, NULL, &nnb);
		deconstruct_array(scs, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT,
						  &sc_elems, NULL, &nsc);
		for (e = 0; e < nnb && e < nsc; e++)
		{
			Candidate  *c = CandidateGet(sc, TextDatumGetCString(nb_elems[e]));
			double		contrib = w * DatumGetFloat4(sc_elems[e]);

			c->similar += contrib;
			if (contrib > c->best_contrib)
			{
				c->best_contrib = contrib;
				c->best_source = src;
			}
		}
	}
}

/* What similar customers buy (as of the last refresh) */
static void
AddOthers(Scoring *sc, int64 customer)
{
	Datum		values[1];
	bool		isnull;
	Datum	   *sku_elems,
			   *score_elems;
	int			nsku,
				nscore,
				e;

	values[0] = Int64GetDatum(customer);
	if (RecExec(PLAN_CUSTOMER_ITEMS, values, NULL) == 0)
		return;
	deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
					  TEXTOID, -1, false, TYPALIGN_INT, &sku_elems, NULL, &nsku);
	deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)),
					  FLOAT4OID, sizeof(float4), true, TYPALIGN_INT, &score_elems, NULL, &nscore);
	for (e = 0; e < nsku && e < nscore; e++)
		CandidateGet(sc, TextDatumGetCString(sku_elems[e]))->others = DatumGetFloat4(score_elems[e]);
}

/* Popular items as candidates; the store's when a location is given */
static void
AddPopular(Scoring *sc)
{
	Datum		values[2];
	uint64		n,
				r;
	double		top = 0;

	values[0] = Int32GetDatum(POPULAR_POOL);
	n = RecExec(PLAN_POPULAR, values, NULL);
	for (r = 0; r < n; r++)
	{
		double		p = ColFloat8(r, 2);

		if (r == 0)
			top = p;
		if (top > 0)
			CandidateGet(sc, ColText(r, 1))->popular = p / top;
	}
	if (sc->location == NULL)
		return;
	values[0] = CStringGetTextDatum(sc->location);
	values[1] = Int32GetDatum(POPULAR_POOL);
	n = RecExec(PLAN_STORE_POPULAR, values, NULL);
	for (r = 0; r < n; r++)
	{
		double		p = ColFloat8(r, 2);
		Candidate  *c;

		if (r == 0)
			top = p;
		if (top <= 0)
			break;
		c = CandidateGet(sc, ColText(r, 1));
		if (p / top >= c->popular)
		{
			c->popular = p / top;
			c->store_popular = true;
		}
	}
}

static int
CandidateCmp(const void *a, const void *b)
{
	const Candidate *x = *(Candidate *const *) a;
	const Candidate *y = *(Candidate *const *) b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->sku, y->sku);
}

/* Blends the three parts; returns the eligible candidates best first */
static Candidate **
RankCandidates(Scoring *sc, int *ncand)
{
	const RecSettings *s = &sc->settings;
	HASH_SEQ_STATUS seq;
	Candidate  *c;
	Candidate **list;
	double		max_similar = 0;
	int			n = 0;

	hash_seq_init(&seq, sc->candidates);
	while ((c = hash_seq_search(&seq)) != NULL)
	{
		max_similar = Max(max_similar, c->similar);
	}
	list = palloc(sizeof(Candidate *) * (hash_get_num_entries(sc->candidates) + 1));
	hash_seq_init(&seq, sc->candidates);
	while ((c = hash_seq_search(&seq)) != NULL)
	{
		double		parts[4] = {0, 0, 0, 0};
		int			p;

		if (c->history >= 0 && sc->history[c->history].affinity <= 0)
			continue;			/* returned, or no net positive signal */
		if (c->history >= 0 && sc->history[c->history].just_bought)
			continue;			/* bought today: not shown back to them */
		if (max_similar > 0)
			parts[0] = s->blend_similar * c->similar / max_similar;
		/* repeat and others are both chances of being in the next basket */
		if (c->history >= 0)
			parts[1] = s->blend_repeat * sc->history[c->history].repeat;
		parts[2] = s->blend_popular * c->popular;
		parts[3] = s->blend_others * c->others;
		/* the reason: the largest part, repeat first, popularity last */
		c->part = 2;
		c->score = POPULAR_TIEBREAK * c->popular;
		for (p = 0; p < 4; p++)
			c->score += parts[p];
		/* what they bought, carted, wished or viewed is the plainest reason */
		if (parts[1] > 0)
			c->part = 1;
		else if (parts[0] > 0 && parts[0] >= parts[3] && parts[0] >= parts[2])
			c->part = 0;
		else if (parts[3] > 0 && parts[3] >= parts[2])
			c->part = 3;
		list[n++] = c;
	}
	qsort(list, n, sizeof(Candidate *), CandidateCmp);
	*ncand = n;
	return list;
}

static char *
Reason(const Scoring *sc, const Candidate *c)
{
	if (c->part == 0 && c->best_source >= 0)
	{
		const HistoryItem *h = &sc->history[c->best_source];

		return psprintf("%s %s", h->baskets > 0 ? "bought with" : "similar to", h->sku);
	}
	if (c->part == 1 && c->history >= 0)
	{
		const HistoryItem *h = &sc->history[c->history];

		if (h->baskets >= 2)
			return pstrdup("you buy this often");
		if (h->baskets == 1)
			return pstrdup("you bought this before");
		if (h->cart)
			return pstrdup("in your cart");
		if (h->wishlist)
			return pstrdup("on your wishlist");
		return pstrdup("you viewed this");
	}
	if (c->part == 3)
		return pstrdup("customers like you buy this");
	return pstrdup(c->store_popular ? "popular in this store" : "popular now");
}

/*
 * Keeps, best first, up to k candidates (all of them without a location;
 * with one, those available there now, checked in chunks).
 */
static int
FilterAvailable(Scoring *sc, Candidate **list, int n, int k, Candidate **out)
{
	int			kept = 0,
				next = 0,
				least = 16;

	if (sc->location == NULL)
	{
		kept = Min(n, k);
		memcpy(out, list, sizeof(Candidate *) * kept);
		return kept;
	}
	while (kept < k && next < n)
	{
		/* chunks grow: where little is on the shelf, few round trips */
		int			chunk = Min(n - next, Max(2 * (k - kept), least));
		Datum	   *skus = palloc(sizeof(Datum) * chunk);
		Datum		values[2];
		uint64		r,
					got;
		int			i,
					pos = next;

		for (i = 0; i < chunk; i++)
			skus[i] = CStringGetTextDatum(list[next + i]->sku);
		values[0] = PointerGetDatum(construct_array(skus, chunk, TEXTOID, -1, false, TYPALIGN_INT));
		values[1] = CStringGetTextDatum(sc->location);
		got = RecExec(PLAN_AVAILABLE, values, NULL);
		/* rows come back in list order: walk both */
		for (r = 0; r < got && kept < k; r++)
		{
			char	   *sku = ColText(r, 1);

			while (pos < next + chunk && strcmp(list[pos]->sku, sku) != 0)
				pos++;
			if (pos < next + chunk)
				out[kept++] = list[pos++];
		}
		next += chunk;
		least = Min(least * 2, 4096);
	}
	return kept;
}

Datum
omni_recommend(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Scoring		sc;
	HASHCTL		ctl;
	Candidate **list;
	Candidate **out;
	int64		customer;
	int			k,
				n,
				kept,
				i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("customer_id must not be NULL")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must not be NULL")));
	customer = PG_GETARG_INT64(0);
	k = PG_GETARG_INT32(1);
	memset(&sc, 0, sizeof(sc));
	sc.location = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	CheckArguments(customer, k, sc.location);
	ReadSettings(&sc.settings);

	ctl.keysize = SKU_KEY_LEN;
	ctl.entrysize = sizeof(Candidate);
	ctl.hcxt = CurrentMemoryContext;
	sc.candidates = hash_create("omni recommend candidates", 256, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	LoadHistory(&sc, customer);
	AddNeighbours(&sc);
	AddOthers(&sc, customer);
	AddPopular(&sc);
	list = RankCandidates(&sc, &n);
	out = palloc(sizeof(Candidate *) * (Min(n, k) + 1));
	kept = FilterAvailable(&sc, list, n, k, out);

	for (i = 0; i < kept; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(out[i]->sku);
		values[1] = Float8GetDatum(out[i]->score);
		values[2] = CStringGetTextDatum(Reason(&sc, out[i]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
