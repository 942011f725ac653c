/*-------------------------------------------------------------------------
 *
 * resolve.c
 *	  The core of resolve_identities in one pass of C: candidate pairs from
 *	  the blocking keys, each compared once, the prior re-estimated from
 *	  their comparison patterns, and the guarded union-find.
 *
 * In SQL the same work built every pair of every block (about 70 million
 * at a million identities), de-duplicated them with a sort of tuples and
 * compared each through a jsonb function call.  Here the records are read
 * once into memory, and each record takes its partners from its rarest
 * blocks first, whole blocks only, until it has max_partners of them:
 * a record in a small block (a rare name at a postcode) meets all of it,
 * while a common name in a big city is compared with the few dozen
 * records that share its most selective keys, not with thousands.  The
 * smallest block of a record is always taken (up to max_block), so no
 * record loses every candidate.
 *
 *-------------------------------------------------------------------------
 */
#define OMNI_IDENTITY_SERVER
#include "identity/identity.h"
#include "omnichannel.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(omni_identity_resolve_core);

/* tens of millions of pairs and keys: a sort specialised to 64-bit integers */
#define ST_SORT sort_uint64
#define ST_ELEMENT_TYPE uint64
#define ST_COMPARE(a, b) (*(a) < *(b) ? -1 : *(a) > *(b))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* one blocking key of one record: the key in the high half, the record below */
typedef uint64 KeyEntry;
#define ENTRY(key, idx) (((uint64) (key) << 32) | (uint32) (idx))
#define ENTRY_KEY(e)	((uint32_t) ((e) >> 32))
#define ENTRY_IDX(e)	((int32) ((e) & 0xffffffff))

typedef struct ResolveNode
{
	OmniRecord	rec;			/* points into the arena */
	int32		email;
	int64		phone;
	bool		has_tf;
	double		tf[OMNI_NTF];
} ResolveNode;

/* a detached pair's partial weight that means "shares an email or phone" */
#define DET_PAIR	FLT_MAX
#define SURE_WEIGHT 1000.0

/* the number of comparison patterns: 5 values (-1..3) per field */
#define NPATTERNS	390625

static int
CmpInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return x < y ? -1 : x > y;
}

typedef struct Block
{
	int32		lo;
	int32		size;
} Block;

static int
CmpBlockSize(const void *a, const void *b)
{
	const Block *x = a,
			   *y = b;

	if (x->size != y->size)
		return x->size - y->size;
	return x->lo - y->lo;
}

/* first entry with this key */
static int
LowerBound(const KeyEntry *e, int n, uint32_t key)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (ENTRY_KEY(e[mid]) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A growable array of int64, in a huge allocation */
typedef struct PairList
{
	int64	   *v;
	Size		n;
	Size		cap;
} PairList;

static void
PairPush(PairList *pl, int64 x)
{
	if (pl->n == pl->cap)
	{
		pl->cap *= 2;
		pl->v = repalloc_huge(pl->v, sizeof(int64) * pl->cap);
	}
	pl->v[pl->n++] = x;
}

static char *
ArenaCopy(char **arena, Size *left, const char *s, int len)
{
	char	   *out;

	if ((Size) len > *left)
	{
		Size		size = Max((Size) len, 1024 * 1024);

		*arena = palloc(size);
		*left = size;
	}
	out = *arena;
	memcpy(out, s, len);
	*arena += len;
	*left -= len;
	return out;
}

/*
 * Reads pg_temp._ri_nodes (idx 0..n-1 in order, norm, em, ph, tf) into
 * nodes and their blocking keys into a KeyEntry array; returns n.
 */
static int
ReadNodes(ResolveNode **nodes_out, KeyEntry **entries_out, int *nentries_out)
{
	Portal		portal;
	int			n = 0,
				cap = 1024,
				ne = 0,
				necap = 16384;
	ResolveNode	   *nodes = palloc(sizeof(ResolveNode) * cap);
	KeyEntry   *entries = palloc(sizeof(KeyEntry) * necap);
	char	   *arena = NULL;
	Size		left = 0;

	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT x.idx, x.norm, x.em, x.ph, x.tf FROM pg_temp._ri_nodes x ORDER BY x.idx",
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			ResolveNode	   *nd;
			OmniRecord	rec;
			uint32_t	keys[OMNI_MAX_BLOCKING_KEYS];
			int			nk;
			Datum		tf;

			if (DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull)) != n)
				elog(ERROR, "_ri_nodes must be numbered 0..n-1 in order");
			if (n == cap)
			{
				cap *= 2;
				nodes = repalloc_huge(nodes, sizeof(ResolveNode) * cap);
			}
			nd = &nodes[n];
			OmniRecordFromJsonb(DatumGetJsonbP(SPI_getbinval(tup, desc, 2, &isnull)), &rec);
			for (int k = 0; k < OMNI_NKEYS; k++)
			{
				nd->rec.len[k] = rec.len[k];
				nd->rec.v[k] = rec.len[k] > 0 ? ArenaCopy(&arena, &left, rec.v[k], rec.len[k]) : NULL;
			}
			nd->email = DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
			nd->phone = DatumGetInt64(SPI_getbinval(tup, desc, 4, &isnull));
			tf = SPI_getbinval(tup, desc, 5, &isnull);
			nd->has_tf = false;
			if (!isnull)
			{
				ArrayType  *arr = DatumGetArrayTypeP(tf);

				if (ARR_NDIM(arr) == 1 && ARR_ELEMTYPE(arr) == FLOAT8OID && !ARR_HASNULL(arr) &&
					ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) == OMNI_NTF)
				{
					nd->has_tf = true;
					memcpy(nd->tf, ARR_DATA_PTR(arr), sizeof(double) * OMNI_NTF);
				}
			}
			nk = OmniBlockingKeys(&nd->rec, keys, OMNI_MAX_BLOCKING_KEYS);
			if (ne + nk > necap)
			{
				necap *= 2;
				entries = repalloc_huge(entries, sizeof(KeyEntry) * necap);
			}
			for (int k = 0; k < nk; k++)
				entries[ne++] = ENTRY(keys[k], n);
			n++;
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	*nodes_out = nodes;
	*entries_out = entries;
	*nentries_out = ne;
	return n;
}

/*
 * omni.identity_resolve_core(base_model float8[], fit_prior boolean,
 *		match float8, nonmatch float8, max_partners int, max_block int,
 *		OUT labels int4[], OUT model float8[], OUT pairs bigint)
 *
 * For resolve_identities, inside its transaction: the nodes are in the
 * temporary table _ri_nodes.  Returns each node's cluster (its smallest
 * node), the model used (base_model with its prior re-estimated from the
 * candidate pairs when fit_prior) and the number of candidate pairs.
 */
Datum
omni_identity_resolve_core(PG_FUNCTION_ARGS)
{
	ArrayType  *amodel = PG_GETARG_ARRAYTYPE_P(0);
	bool		fit_prior = PG_GETARG_BOOL(1);
	double		match = PG_GETARG_FLOAT8(2);
	double		nonmatch = PG_GETARG_FLOAT8(3);
	int			max_partners = PG_GETARG_INT32(4);
	int			max_block = PG_GETARG_INT32(5);
	double		model[OMNI_MODEL_LEN];
	OmniWeights mw;
	MemoryContext work,
				old;
	ResolveNode	   *nodes;
	KeyEntry   *entries;
	int			nentries,
				n;
	PairList	pl;
	float	   *partial;
	double	   *counts;
	Size		npairs;
	int64	   *cons = NULL;
	bool	   *cons_must = NULL;
	int			ncons = 0;
	bool	   *joined;
	int32	   *ea,
			   *eb,
			   *em;
	int64	   *ph;
	double	   *ew;
	Size		ne = 0,
				necap;
	int32	   *labels;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	Datum	   *d;

	if (ARR_NDIM(amodel) != 1 || ARR_ELEMTYPE(amodel) != FLOAT8OID || ARR_HASNULL(amodel) ||
		ArrayGetNItems(ARR_NDIM(amodel), ARR_DIMS(amodel)) != OMNI_MODEL_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model must be a float8 array of %d elements without NULLs", OMNI_MODEL_LEN)));
	if (max_partners < 1 || max_block < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_partners must be positive and max_block at least 2")));
	memcpy(model, ARR_DATA_PTR(amodel), sizeof(model));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "identity_resolve_core must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	work = AllocSetContextCreate(CurrentMemoryContext, "identity resolve", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	SPI_connect();

	/* 1. the records and their keys, the keys sorted into blocks */
	n = ReadNodes(&nodes, &entries, &nentries);
	sort_uint64(entries, nentries);

	/* 2. each record's partners, rarest blocks first, whole blocks only */
	pl.cap = Max((Size) n * 8, 1024);
	pl.n = 0;
	pl.v = palloc_extended(sizeof(int64) * pl.cap, MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
	{
		uint32_t	keys[OMNI_MAX_BLOCKING_KEYS];
		Block		blocks[OMNI_MAX_BLOCKING_KEYS];
		int			nk = OmniBlockingKeys(&nodes[i].rec, keys, OMNI_MAX_BLOCKING_KEYS);
		int			nb = 0,
					taken = 0;

		for (int k = 0; k < nk; k++)
		{
			int			lo = LowerBound(entries, nentries, keys[k]);
			int			hi = lo;

			while (hi < nentries && ENTRY_KEY(entries[hi]) == keys[k])
				hi++;
			if (hi - lo >= 2 && hi - lo <= max_block)
			{
				blocks[nb].lo = lo;
				blocks[nb].size = hi - lo;
				nb++;
			}
		}
		qsort(blocks, nb, sizeof(Block), CmpBlockSize);
		for (int b = 0; b < nb; b++)
		{
			if (b > 0 && taken + blocks[b].size - 1 > max_partners)
				break;
			for (int e = blocks[b].lo; e < blocks[b].lo + blocks[b].size; e++)
			{
				int			j = ENTRY_IDX(entries[e]);

				if (j != i)
					PairPush(&pl, j > i ? ((int64) i << 32) | j : ((int64) j << 32) | i);
			}
			taken += blocks[b].size - 1;
		}
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(entries);
	sort_uint64((uint64 *) pl.v, pl.n);
	npairs = 0;
	for (Size p = 0; p < pl.n; p++)
		if (npairs == 0 || pl.v[p] != pl.v[npairs - 1])
			pl.v[npairs++] = pl.v[p];

	/* 3. each pair compared once: its pattern counted, its weight kept */
	OmniWeightsFromModel(&mw, model);
	mw.prior = 0.0;				/* the prior is added once it is known */
	partial = palloc_extended(sizeof(float) * (npairs + 1), MCXT_ALLOC_HUGE);
	counts = palloc0(sizeof(double) * NPATTERNS);
	for (Size p = 0; p < npairs; p++)
	{
		int			a = (int) (pl.v[p] >> 32);
		int			b = (int) (pl.v[p] & 0xffffffff);
		OmniPairScore ps;
		int			pattern = 0;

		OmniScoreRecords(&mw, nodes[a].has_tf ? nodes[a].tf : NULL,
						 &nodes[a].rec, &nodes[b].rec, &ps);
		for (int f = OMNI_NFIELDS - 1; f >= 0; f--)
			pattern = pattern * 5 + (ps.levels[f] + 1);
		counts[pattern] += 1.0;
		if ((nodes[a].email != 0 && nodes[a].email == nodes[b].email) ||
			(nodes[a].phone != 0 && nodes[a].phone == nodes[b].phone))
			partial[p] = DET_PAIR;
		else
			partial[p] = (float) ps.total;
		if ((p & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	/* 4. the prior from exactly these pairs (EM, m and u fixed) */
	if (fit_prior && npairs > 0)
	{
		int			npat = 0;
		Datum	   *lev,
				   *cnt;
		Datum		args[5];
		Oid			types[5] = {INT2ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, INT8OID, INT8OID};
		Datum		md[OMNI_MODEL_LEN];
		bool		isnull;

		for (int q = 0; q < NPATTERNS; q++)
			if (counts[q] > 0)
				npat++;
		lev = palloc(sizeof(Datum) * npat * OMNI_NFIELDS);
		cnt = palloc(sizeof(Datum) * npat);
		npat = 0;
		for (int q = 0; q < NPATTERNS; q++)
		{
			int			x = q;

			if (counts[q] <= 0)
				continue;
			for (int f = 0; f < OMNI_NFIELDS; f++)
			{
				lev[npat * OMNI_NFIELDS + f] = Int16GetDatum((int16) (x % 5 - 1));
				x /= 5;
			}
			cnt[npat++] = Float8GetDatum(counts[q]);
		}
		for (int i = 0; i < OMNI_MODEL_LEN; i++)
			md[i] = Float8GetDatum(model[i]);
		args[0] = PointerGetDatum(construct_array(lev, npat * OMNI_NFIELDS, INT2OID, 2, true, TYPALIGN_SHORT));
		args[1] = PointerGetDatum(construct_array(cnt, npat, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		args[2] = PointerGetDatum(construct_array(md, OMNI_MODEL_LEN, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		args[3] = Int64GetDatum((int64) npairs);
		args[4] = Int64GetDatum((int64) n);
		if (SPI_execute_with_args("SELECT omni.identity_prior($1, $2, $3, $4, $5)",
								  5, types, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "omni.identity_prior failed");
		{
			ArrayType  *res = DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
															   1, &isnull));

			if (isnull || ArrayGetNItems(ARR_NDIM(res), ARR_DIMS(res)) != OMNI_MODEL_LEN)
				elog(ERROR, "omni.identity_prior returned no model");
			memcpy(model, ARR_DATA_PTR(res), sizeof(model));
		}
	}

	/* 5. decisions made by hand replace the scores of their pairs */
	if (SPI_execute("SELECT (least(na.idx, nb.idx)::int8 << 32) | greatest(na.idx, nb.idx)::int8, "
					"k.kind = 'must_link' "
					"FROM omni.identity_constraints k "
					"JOIN pg_temp._ri_nodes na ON na.identity_id = k.identity_a "
					"JOIN pg_temp._ri_nodes nb ON nb.identity_id = k.identity_b "
					"ORDER BY 1", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading omni.identity_constraints failed");
	ncons = (int) SPI_processed;
	cons = palloc(sizeof(int64) * (ncons + 1));
	cons_must = palloc(sizeof(bool) * (ncons + 1));
	for (int c = 0; c < ncons; c++)
	{
		bool		isnull;

		cons[c] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[c], SPI_tuptable->tupdesc, 1, &isnull));
		cons_must[c] = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[c], SPI_tuptable->tupdesc, 2, &isnull));
	}

	/*
	 * 6. the edges: joining pairs, and non-matching pairs between records
	 * that each have a joining pair (no other can be chained)
	 */
	joined = palloc0(sizeof(bool) * (n + 1));
	for (Size p = 0; p < npairs; p++)
	{
		if (ncons > 0 && bsearch(&pl.v[p], cons, ncons, sizeof(int64), CmpInt64) != NULL)
			continue;
		if (partial[p] == DET_PAIR || model[0] + partial[p] >= match)
		{
			joined[pl.v[p] >> 32] = true;
			joined[pl.v[p] & 0xffffffff] = true;
		}
	}
	for (int c = 0; c < ncons; c++)
		if (cons_must[c])
			joined[cons[c] >> 32] = joined[cons[c] & 0xffffffff] = true;
	necap = 1024;
	ea = palloc(sizeof(int32) * necap);
	eb = palloc(sizeof(int32) * necap);
	ew = palloc(sizeof(double) * necap);
	for (Size p = 0; p < npairs + ncons; p++)
	{
		int64		pair;
		double		w;

		if (p < npairs)
		{
			pair = pl.v[p];
			if (ncons > 0 && bsearch(&pair, cons, ncons, sizeof(int64), CmpInt64) != NULL)
				continue;
			w = partial[p] == DET_PAIR ? SURE_WEIGHT : model[0] + partial[p];
			if (w < match && (w > nonmatch || !joined[pair >> 32] || !joined[pair & 0xffffffff]))
				continue;
		}
		else
		{
			pair = cons[p - npairs];
			w = cons_must[p - npairs] ? SURE_WEIGHT : -SURE_WEIGHT;
		}
		if (ne == necap)
		{
			necap *= 2;
			ea = repalloc_huge(ea, sizeof(int32) * necap);
			eb = repalloc_huge(eb, sizeof(int32) * necap);
			ew = repalloc_huge(ew, sizeof(double) * necap);
		}
		ea[ne] = (int32) (pair >> 32);
		eb[ne] = (int32) (pair & 0xffffffff);
		ew[ne] = w;
		ne++;
	}
	pfree(partial);
	pfree(pl.v);

	/* 7. the guarded union-find */
	em = palloc(sizeof(int32) * (n + 1));
	ph = palloc(sizeof(int64) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		em[i] = nodes[i].email;
		ph[i] = nodes[i].phone;
	}
	/* the labels outlive SPI and the work context */
	labels = MemoryContextAlloc(old, sizeof(int32) * (n + 1));
	OmniClusterNodes(n, em, ph, (int) ne, ea, eb, ew, match, nonmatch, labels);

	SPI_finish();
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);
	d = palloc(sizeof(Datum) * (n + 1));
	for (int i = 0; i < n; i++)
		d[i] = Int32GetDatum(labels[i]);
	values[0] = PointerGetDatum(construct_array(d, n, INT4OID, 4, true, TYPALIGN_INT));
	pfree(d);
	d = palloc(sizeof(Datum) * OMNI_MODEL_LEN);
	for (int i = 0; i < OMNI_MODEL_LEN; i++)
		d[i] = Float8GetDatum(model[i]);
	values[1] = PointerGetDatum(construct_array(d, OMNI_MODEL_LEN, FLOAT8OID, 8, FLOAT8PASSBYVAL,
												TYPALIGN_DOUBLE));
	values[2] = Int64GetDatum((int64) npairs);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
