/*-------------------------------------------------------------------------
 *
 * lookup.c
 *	  The hot path of identify and match_candidates: the model and the term
 *	  frequencies of a record read once, its blocking keys chosen, the
 *	  candidates fetched by the blocking index, scored, and the best
 *	  identity per customer returned best first.
 *
 * Written in SQL this was four functions (identity_model, identity_tf,
 * identity_query, identity_candidates); PostgreSQL 15 parses and plans a
 * SQL function again at every call from another query, which cost more
 * than the look-up itself.  Here every query is a kept SPI plan.
 *
 *-------------------------------------------------------------------------
 */
#define OMNI_IDENTITY_SERVER
#include "identity/identity.h"
#include "omnichannel.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "nodes/parsenodes.h"

PG_FUNCTION_INFO_V1(omni_identity_lookup);
PG_FUNCTION_INFO_V1(omni_identity_explain_identity);
PG_FUNCTION_INFO_V1(omni_identity_bridge_ok);

/* The model in use and the term-frequency ratios of one record */
typedef struct Scoring
{
	OmniWeights mw;
	bool		has_tf;
	double		tf[OMNI_NTF];
} Scoring;

static SPIPlanPtr model_plan;
static SPIPlanPtr terms_plan;
static SPIPlanPtr hot_plan;
static SPIPlanPtr cand_plan;
static SPIPlanPtr one_plan;
static SPIPlanPtr bridge_plan;
static SPIPlanPtr cannot_plan;

/*
 * Plans are kept always generic (OmniKeepGenericPlan): the look-up runs
 * thousands of times with parameters of one shape, and the plan cache's
 * default would plan some of them again at every call.
 */

static double *
ArrayOfFloats(Datum d, int want, const char *what)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);

	if (ARR_NDIM(arr) != 1 || ARR_ELEMTYPE(arr) != FLOAT8OID || ARR_HASNULL(arr) ||
		ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) != want)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("omni.identity_model holds a malformed %s", what),
				 errhint("Run omni.train_matcher() to rebuild the model.")));
	return (double *) ARR_DATA_PTR(arr);
}

/*
 * The model (omni.identity_model) and the record's term-frequency ratios:
 * the value's frequency (omni.identity_terms, a value seen at most once
 * counting as seen once) over the chance that two random records agree on
 * the field.  As omni.identity_tf, no frequency before the first training.
 * Called inside SPI.
 */
static void
LoadScoring(const OmniRecord *rec, Scoring *sc)
{
	bool		isnull;
	double	   *u_exact;
	double		n;
	Datum		args[OMNI_NTF];
	char		nulls[OMNI_NTF];
	double		freq[OMNI_NTF];

	if (SPI_execute_plan(OmniKeepGenericPlan(&model_plan,
									  "SELECT m.model, m.u_exact, m.identities::float8, "
									  "m.trained_at IS NOT NULL FROM omni.identity_model m",
									  0, NULL),
						 NULL, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("omni.identity_model must hold exactly one row"),
				 errhint("Run omni.train_matcher() to rebuild the model.")));
	OmniWeightsFromModel(&sc->mw,
						 ArrayOfFloats(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull),
									   OMNI_MODEL_LEN, "model"));
	sc->has_tf = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	if (!sc->has_tf)
		return;
	u_exact = ArrayOfFloats(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull),
							OMNI_NTF, "u_exact");
	n = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	/* copied out: the next SPI call frees this tuple table */
	for (int k = 0; k < OMNI_NTF; k++)
		freq[k] = u_exact[k];
	for (int k = 0; k < OMNI_NTF; k++)
		sc->tf[k] = freq[k];

	{
		bool		any = false;

		for (int k = 0; k < OMNI_NTF; k++)
			any |= rec->len[omni_tf_fields[k]] > 0;
		if (!any)
		{
			/* no field with a frequency: every ratio is that of a value seen once */
			for (int k = 0; k < OMNI_NTF; k++)
				sc->tf[k] = (1.0 / (n > 1.0 ? n : 1.0)) / (sc->tf[k] > 1e-9 ? sc->tf[k] : 1e-9);
			return;
		}
	}
	for (int k = 0; k < OMNI_NTF; k++)
	{
		int			f = omni_tf_fields[k];

		nulls[k] = rec->len[f] > 0 ? ' ' : 'n';
		args[k] = rec->len[f] > 0 ?
			PointerGetDatum(cstring_to_text_with_len(rec->v[f], rec->len[f])) : (Datum) 0;
		freq[k] = 1.0 / (n > 1.0 ? n : 1.0);
	}
	{
		Oid			types[OMNI_NTF] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};

		if (SPI_execute_plan(OmniKeepGenericPlan(&terms_plan,
										  "SELECT t.field_no, t.freq FROM omni.identity_terms t "
										  "WHERE (t.field_no = 0 AND t.value = $1) OR (t.field_no = 1 AND t.value = $2) "
										  "OR (t.field_no = 3 AND t.value = $3) OR (t.field_no = 4 AND t.value = $4)",
										  OMNI_NTF, types),
							 args, nulls, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_plan failed on omni.identity_terms");
	}
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			f = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		double		fr = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));

		for (int k = 0; k < OMNI_NTF; k++)
			if (omni_tf_fields[k] == f)
				freq[k] = fr;
	}
	for (int k = 0; k < OMNI_NTF; k++)
		sc->tf[k] = freq[k] / (sc->tf[k] > 1e-9 ? sc->tf[k] : 1e-9);
}

/*
 * The keys to search: the record's blocking keys without the hot ones
 * (omni.identity_hot_keys, blocks too big to be worth reading), unless all
 * of them are hot.
 */
static int
ChooseKeys(const OmniRecord *rec, uint32_t *keys)
{
	int			n = OmniBlockingKeys(rec, keys, OMNI_MAX_BLOCKING_KEYS);
	Datum		d[OMNI_MAX_BLOCKING_KEYS];
	Datum		arg;
	Oid			type = INT4ARRAYOID;
	int			out = 0;
	bool		isnull;

	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		d[i] = Int32GetDatum((int32) keys[i]);
	arg = PointerGetDatum(construct_array(d, n, INT4OID, 4, true, TYPALIGN_INT));
	if (SPI_execute_plan(OmniKeepGenericPlan(&hot_plan,
									  "SELECT h.key FROM omni.identity_hot_keys h WHERE h.key = ANY ($1)",
									  1, &type),
						 &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed on omni.identity_hot_keys");
	if (SPI_processed == 0 || SPI_processed >= (uint64) n)
		return n;
	for (int i = 0; i < n; i++)
	{
		bool		hot = false;

		for (uint64 j = 0; j < SPI_processed && !hot; j++)
			hot = (uint32_t) DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[j], SPI_tuptable->tupdesc,
														 1, &isnull)) == keys[i];
		if (!hot)
			keys[out++] = keys[i];
	}
	return out;
}

typedef struct Candidate
{
	int64		customer_id;
	int64		identity_id;
	double		weight;
	int			row;
} Candidate;

/* per customer: best weight first, then the oldest identity */
static int
CmpByCustomer(const void *a, const void *b)
{
	const Candidate *x = a,
			   *y = b;

	if (x->customer_id != y->customer_id)
		return x->customer_id < y->customer_id ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->identity_id < y->identity_id ? -1 : x->identity_id > y->identity_id;
}

/* best first; equal weights by customer id, so the order is stable */
static int
CmpByWeight(const void *a, const void *b)
{
	const Candidate *x = a,
			   *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->customer_id < y->customer_id ? -1 : x->customer_id > y->customer_id;
}

/*
 * omni.identity_lookup(norm jsonb, k int, min_weight float8)
 *	 RETURNS TABLE (customer_id bigint, identity_id bigint, channel text,
 *					match_weight float8, explanation jsonb)
 *
 * The k customers best matching a matching record, each with its best
 * identity, at or above min_weight (NULL: any), best first.  At most
 * omni.identity_max_candidates identities are scored.
 */
Datum
omni_identity_lookup(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Jsonb	   *norm;
	int			k;
	bool		has_min = !PG_ARGISNULL(2);
	double		min_weight = has_min ? PG_GETARG_FLOAT8(2) : 0.0;
	OmniRecord	rec;
	Scoring		sc;
	uint32_t	keys[OMNI_MAX_BLOCKING_KEYS];
	int			nkeys;
	Candidate  *cands;
	int			ncand = 0,
				nbest = 0;
	SPITupleTable *tt;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(1) || PG_GETARG_INT32(1) < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be positive"),
				 errdetail("Got %s.", PG_ARGISNULL(1) ? "NULL" : psprintf("%d", PG_GETARG_INT32(1)))));
	k = PG_GETARG_INT32(1);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	norm = PG_GETARG_JSONB_P(0);
	OmniRecordFromJsonb(norm, &rec);

	SPI_connect();
	LoadScoring(&rec, &sc);
	nkeys = ChooseKeys(&rec, keys);
	if (nkeys > 0)
	{
		Datum		d[OMNI_MAX_BLOCKING_KEYS];
		Datum		args[2];
		Oid			types[2] = {INT4ARRAYOID, INT4OID};

		for (int i = 0; i < nkeys; i++)
			d[i] = Int32GetDatum((int32) keys[i]);
		args[0] = PointerGetDatum(construct_array(d, nkeys, INT4OID, 4, true, TYPALIGN_INT));
		args[1] = Int32GetDatum(omni_identity_max_candidates);
		if (SPI_execute_plan(OmniKeepGenericPlan(&cand_plan,
										  "SELECT i.customer_id, i.identity_id, i.channel, i.norm "
										  "FROM omni.identities i WHERE i.norm OPERATOR(omni.&&) $1 LIMIT $2",
										  2, types),
							 args, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_plan failed on omni.identities");
	}
	tt = nkeys > 0 ? SPI_tuptable : NULL;
	cands = palloc(sizeof(Candidate) * (tt ? SPI_processed + 1 : 1));
	for (uint64 i = 0; tt != NULL && i < SPI_processed; i++)
	{
		bool		isnull;
		OmniRecord	other;
		OmniPairScore ps;

		OmniRecordFromJsonb(DatumGetJsonbP(SPI_getbinval(tt->vals[i], tt->tupdesc, 4, &isnull)), &other);
		OmniScoreRecords(&sc.mw, sc.has_tf ? sc.tf : NULL, &rec, &other, &ps);
		if (has_min && ps.total < min_weight)
			continue;
		cands[ncand].customer_id = DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull));
		cands[ncand].identity_id = DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull));
		cands[ncand].weight = ps.total;
		cands[ncand].row = (int) i;
		ncand++;
	}

	/* the best identity of each customer, then the customers best first */
	qsort(cands, ncand, sizeof(Candidate), CmpByCustomer);
	for (int i = 0; i < ncand; i++)
		if (i == 0 || cands[i].customer_id != cands[i - 1].customer_id)
			cands[nbest++] = cands[i];
	qsort(cands, nbest, sizeof(Candidate), CmpByWeight);

	for (int i = 0; i < nbest && i < k; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		bool		isnull;
		HeapTuple	row = tt->vals[cands[i].row];
		OmniRecord	other;
		OmniPairScore ps;

		OmniRecordFromJsonb(DatumGetJsonbP(SPI_getbinval(row, tt->tupdesc, 4, &isnull)), &other);
		OmniScoreRecords(&sc.mw, sc.has_tf ? sc.tf : NULL, &rec, &other, &ps);
		values[0] = Int64GetDatum(cands[i].customer_id);
		values[1] = Int64GetDatum(cands[i].identity_id);
		values[2] = SPI_getbinval(row, tt->tupdesc, 3, &isnull);
		values[3] = Float8GetDatum(cands[i].weight);
		values[4] = JsonbPGetDatum(OmniExplainScore(&sc.mw, &ps));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * omni.identity_explain_identity(norm jsonb, identity_id bigint) -> jsonb:
 * why a record matches one identity (a deterministic link is explained
 * too), under the model in use; NULL for an unknown identity.
 */
Datum
omni_identity_explain_identity(PG_FUNCTION_ARGS)
{
	Jsonb	   *norm = PG_GETARG_JSONB_P(0);
	Datum		id = PG_GETARG_DATUM(1);
	Oid			type = INT8OID;
	OmniRecord	rec;
	Scoring		sc;
	Jsonb	   *result = NULL;

	OmniRecordFromJsonb(norm, &rec);
	SPI_connect();
	LoadScoring(&rec, &sc);
	if (SPI_execute_plan(OmniKeepGenericPlan(&one_plan,
									  "SELECT i.norm FROM omni.identities i WHERE i.identity_id = $1",
									  1, &type),
						 &id, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed on omni.identities");
	if (SPI_processed == 1)
	{
		bool		isnull;
		OmniRecord	other;
		OmniPairScore ps;
		Jsonb	   *j;

		OmniRecordFromJsonb(DatumGetJsonbP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
														 1, &isnull)), &other);
		OmniScoreRecords(&sc.mw, sc.has_tf ? sc.tf : NULL, &rec, &other, &ps);
		j = OmniExplainScore(&sc.mw, &ps);
		result = SPI_palloc(VARSIZE(j));
		memcpy(result, j, VARSIZE(j));
	}
	SPI_finish();
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(result);
}

/* Is a text value (NULL: none) among the distinct values seen so far? */
static bool
AddDistinct(const char **seen, int *nseen, const char *v)
{
	if (v == NULL)
		return false;
	for (int i = 0; i < *nseen; i++)
		if (strcmp(seen[i], v) == 0)
			return false;
	seen[(*nseen)++] = v;
	return true;
}

/*
 * omni.identity_bridge_ok(email_key text, phone text, keep bigint,
 *						   other bigint) -> boolean
 *
 * identify found a second customer (other) over the threshold beside the
 * one it links the record to (keep): may it merge them?  Not when a
 * cannot-link decision runs between their identities, when any pair of
 * their identities scores at or below omni.identity_nonmatch_threshold
 * (without term-frequency adjustment), or when the two customers and the
 * record (email_key, phone) hold more than one email or more than one
 * phone.  In C with kept plans: identify asks it whenever a second
 * customer qualifies, which after a bulk import is often.
 */
Datum
omni_identity_bridge_ok(PG_FUNCTION_ARGS)
{
	Datum		ids[2];
	Datum		arg;
	Oid			type = INT8ARRAYOID;
	Oid			types2[2] = {INT8OID, INT8OID};
	Scoring		sc;
	OmniRecord *recs;
	bool	   *is_keep;
	const char **emails,
			  **phones;
	int			nemails = 0,
				nphones = 0,
				n;
	double		p = omni_identity_nonmatch_threshold,
				nonmatch;
	bool		ok = true;
	SPITupleTable *tt;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_BOOL(false);
	ids[0] = PG_GETARG_DATUM(2);
	ids[1] = PG_GETARG_DATUM(3);
	if (p < 1e-12)
		p = 1e-12;
	if (p > 0.999999999)
		p = 0.999999999;
	nonmatch = log2(p / (1.0 - p));

	SPI_connect();
	if (SPI_execute_plan(OmniKeepGenericPlan(&cannot_plan,
									  "SELECT 1 FROM omni.identity_constraints k "
									  "JOIN omni.identities a ON a.identity_id = k.identity_a "
									  "JOIN omni.identities b ON b.identity_id = k.identity_b "
									  "WHERE k.kind = 'cannot_link' AND "
									  "((a.customer_id = $1 AND b.customer_id = $2) OR "
									  "(a.customer_id = $2 AND b.customer_id = $1)) LIMIT 1",
									  2, types2),
						 ids, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed on omni.identity_constraints");
	if (SPI_processed > 0)
	{
		SPI_finish();
		PG_RETURN_BOOL(false);
	}

	arg = PointerGetDatum(construct_array(ids, 2, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	if (SPI_execute_plan(OmniKeepGenericPlan(&bridge_plan,
									  "SELECT i.customer_id, i.norm, i.email_key, i.phone::text "
									  "FROM omni.identities i WHERE i.customer_id = ANY ($1)",
									  1, &type),
						 &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed on omni.identities");
	tt = SPI_tuptable;
	n = (int) SPI_processed;
	recs = palloc(sizeof(OmniRecord) * (n + 1));
	is_keep = palloc(sizeof(bool) * (n + 1));
	emails = palloc(sizeof(char *) * (n + 2));
	phones = palloc(sizeof(char *) * (n + 2));
	AddDistinct(emails, &nemails, PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)));
	AddDistinct(phones, &nphones, PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)));
	for (int i = 0; i < n; i++)
	{
		bool		isnull;

		is_keep[i] = DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull)) ==
			DatumGetInt64(ids[0]);
		OmniRecordFromJsonb(DatumGetJsonbP(SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull)), &recs[i]);
		AddDistinct(emails, &nemails, SPI_getvalue(tt->vals[i], tt->tupdesc, 3));
		AddDistinct(phones, &nphones, SPI_getvalue(tt->vals[i], tt->tupdesc, 4));
	}
	if (nemails > 1 || nphones > 1)
		ok = false;
	if (ok)
	{
		/* the model only: the terms of every identity are not worth a query each */
		OmniRecord	none;

		memset(&none, 0, sizeof(none));
		LoadScoring(&none, &sc);
		for (int i = 0; i < n && ok; i++)
			for (int j = 0; j < n && ok; j++)
			{
				OmniPairScore ps;

				if (!is_keep[i] || is_keep[j])
					continue;
				OmniScoreRecords(&sc.mw, NULL, &recs[i], &recs[j], &ps);
				ok = ps.total > nonmatch;
			}
	}
	SPI_finish();
	PG_RETURN_BOOL(ok);
}
