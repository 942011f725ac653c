/*-------------------------------------------------------------------------
 *
 * score.c
 *	  Fellegi-Sunter scoring of two identity records, its explanation, and
 *	  the EM estimation of the m probabilities.
 *
 * Each field of a pair is compared to an agreement level (compare.c).  For
 * each field f and level l the model holds m = P(level | same person) and
 * u = P(level | different people); the pair's match weight is the prior
 * log2-odds plus the sum over fields of log2(m/u) (Fellegi and Sunter 1969,
 * as Splink presents it).  u comes from random pairs, m from EM over the
 * candidate pairs (omni.train_matcher in SQL); a field missing on either
 * side adds nothing.  For an exact agreement on a name, postcode or city,
 * u is replaced by the frequency of that very value, so sharing "smith"
 * counts less than sharing "zbyszewski": the caller passes, for each such
 * field, the value's frequency divided by the average chance that two
 * random records agree on the field (omni.identity_tf), and the exact
 * weight is lowered by log2 of that ratio when it is above 1.
 *
 *-------------------------------------------------------------------------
 */
#define OMNI_IDENTITY_SERVER
#include "identity/identity.h"

#include <math.h>

#include "fmgr.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(omni_identity_levels);
PG_FUNCTION_INFO_V1(omni_identity_weight);
PG_FUNCTION_INFO_V1(omni_identity_levels_weight);
PG_FUNCTION_INFO_V1(omni_identity_explain);
PG_FUNCTION_INFO_V1(omni_identity_em);

const char *const omni_field_names[OMNI_NFIELDS] = {
	"first_name", "last_name", "birth_date", "postcode", "city", "address", "email", "phone"
};
const char *const omni_field_keys[OMNI_NKEYS] = {
	"fn", "ln", "dob", "pc", "ct", "ad", "em", "ph", "fp", "lp"
};
const int	omni_tf_fields[OMNI_NTF] = {
	OMNI_F_FIRST_NAME, OMNI_F_LAST_NAME, OMNI_F_POSTCODE, OMNI_F_CITY
};
static const char *const level_names[OMNI_NLEVELS] = {"none", "weak", "close", "exact"};

/* probabilities are kept away from 0 so every weight is finite */
#define PROB_FLOOR 1e-6

void
OmniRecordFromJsonb(Jsonb *jb, OmniRecord *rec)
{
	/* an array or a scalar is no record: its keys would be read as pairs */
	bool		object = JsonContainerIsObject(&jb->root);

	for (int k = 0; k < OMNI_NKEYS; k++)
	{
		JsonbValue	v;

		rec->v[k] = NULL;
		rec->len[k] = 0;
		if (object && getKeyJsonValueFromContainer(&jb->root, omni_field_keys[k],
										 strlen(omni_field_keys[k]), &v) &&
			v.type == jbvString)
		{
			rec->v[k] = v.val.string.val;
			rec->len[k] = v.val.string.len;
		}
	}
}

static bool
Same(const OmniRecord *a, int fa, const OmniRecord *b, int fb)
{
	return a->len[fa] > 0 && a->len[fa] == b->len[fb] &&
		memcmp(a->v[fa], b->v[fb], a->len[fa]) == 0;
}

void
OmniRecordLevels(const OmniRecord *a, const OmniRecord *b, int *levels)
{
#define ARGS(f) a->v[f], a->len[f], b->v[f], b->len[f]
	levels[OMNI_F_FIRST_NAME] = omni_compare_names(ARGS(OMNI_F_FIRST_NAME), 1);
	levels[OMNI_F_LAST_NAME] = omni_compare_names(ARGS(OMNI_F_LAST_NAME), 0);
	levels[OMNI_F_BIRTH_DATE] = omni_compare_dates(ARGS(OMNI_F_BIRTH_DATE));
	levels[OMNI_F_POSTCODE] = omni_compare_postcodes(ARGS(OMNI_F_POSTCODE));
	levels[OMNI_F_CITY] = omni_compare_text(ARGS(OMNI_F_CITY));
	levels[OMNI_F_ADDRESS] = omni_compare_address(ARGS(OMNI_F_ADDRESS));
	/* identifiers: equal or not, nothing in between */
	if (a->len[OMNI_F_EMAIL] == 0 || b->len[OMNI_F_EMAIL] == 0)
		levels[OMNI_F_EMAIL] = OMNI_LEVEL_NULL;
	else
		levels[OMNI_F_EMAIL] = Same(a, OMNI_F_EMAIL, b, OMNI_F_EMAIL) ?
			OMNI_LEVEL_EXACT : OMNI_LEVEL_NONE;
	/* a phone with one wrong digit is close, like a postcode */
	levels[OMNI_F_PHONE] = omni_compare_postcodes(ARGS(OMNI_F_PHONE));
#undef ARGS

	/*
	 * Postcode and city say one thing, where the person lives: counted as
	 * two independent fields they counted it twice (Fellegi-Sunter assumes
	 * independence), and neighbours sharing one name looked like one
	 * person.  So when both records have a postcode, the postcode field
	 * grades the place with the city's help and the city adds nothing:
	 *	exact: same postcode;
	 *	close: one edit apart (a typo) in the same city;
	 *	weak: one edit apart in another city, or another postcode in the
	 *		  same city (or the same postcode area);
	 * and the city field speaks only when a postcode is missing.
	 */
	if (levels[OMNI_F_POSTCODE] != OMNI_LEVEL_NULL)
	{
		bool		same_city = levels[OMNI_F_CITY] >= OMNI_LEVEL_CLOSE;
		int			pc = levels[OMNI_F_POSTCODE];

		if (pc == OMNI_LEVEL_CLOSE)
			levels[OMNI_F_POSTCODE] = same_city ? OMNI_LEVEL_CLOSE : OMNI_LEVEL_WEAK;
		else if (pc != OMNI_LEVEL_EXACT)
			levels[OMNI_F_POSTCODE] = (same_city || pc == OMNI_LEVEL_WEAK) ?
				OMNI_LEVEL_WEAK : OMNI_LEVEL_NONE;
		levels[OMNI_F_CITY] = OMNI_LEVEL_NULL;
	}

	/*
	 * First and last name swapped (a form filled the wrong way round, with
	 * or without a typo): when the crossed names agree better than the
	 * names as given, they count, at most as close; when only one of them
	 * does, the last name counts as weak.
	 */
	if (levels[OMNI_F_FIRST_NAME] < OMNI_LEVEL_CLOSE &&
		levels[OMNI_F_LAST_NAME] < OMNI_LEVEL_CLOSE &&
		a->len[OMNI_F_FIRST_NAME] > 0 && a->len[OMNI_F_LAST_NAME] > 0 &&
		b->len[OMNI_F_FIRST_NAME] > 0 && b->len[OMNI_F_LAST_NAME] > 0)
	{
		int			x1 = omni_compare_names(a->v[OMNI_F_FIRST_NAME], a->len[OMNI_F_FIRST_NAME],
											b->v[OMNI_F_LAST_NAME], b->len[OMNI_F_LAST_NAME], 0);
		int			x2 = omni_compare_names(a->v[OMNI_F_LAST_NAME], a->len[OMNI_F_LAST_NAME],
											b->v[OMNI_F_FIRST_NAME], b->len[OMNI_F_FIRST_NAME], 0);

		if (x1 >= OMNI_LEVEL_CLOSE && x2 >= OMNI_LEVEL_CLOSE)
			levels[OMNI_F_FIRST_NAME] = levels[OMNI_F_LAST_NAME] = OMNI_LEVEL_CLOSE;
		else if ((x1 >= OMNI_LEVEL_CLOSE || x2 >= OMNI_LEVEL_CLOSE) &&
				 levels[OMNI_F_LAST_NAME] < OMNI_LEVEL_WEAK)
		{
			/*
			 * One name typed in the other field, the other name other or
			 * mistyped beyond recognition ("raquel lodge", "garnett
			 * raquel"): some evidence, counted as a weak last name (EM
			 * weighs that level like any other)
			 */
			levels[OMNI_F_LAST_NAME] = OMNI_LEVEL_WEAK;
		}
	}
}

/* The model array checked and read; weights log2(m/u) computed once per call site */
typedef struct ModelCache
{
	double		model[OMNI_MODEL_LEN];
	OmniWeights mw;
} ModelCache;

static double
Clamp(double p)
{
	return p < PROB_FLOOR ? PROB_FLOOR : (p > 1.0 ? 1.0 : p);
}

static double *
FloatArray(ArrayType *arr, int want, const char *what)
{
	if (ARR_NDIM(arr) > 1 || ARR_ELEMTYPE(arr) != FLOAT8OID || ARR_HASNULL(arr) ||
		ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) != want)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a float8 array of %d elements without NULLs", what, want),
				 errhint("Use the model built by omni.identity_model().")));
	return (double *) ARR_DATA_PTR(arr);
}

static ModelCache *
GetModel(FunctionCallInfo fcinfo, ArrayType *arr)
{
	ModelCache *mc = (ModelCache *) fcinfo->flinfo->fn_extra;
	double	   *model = FloatArray(arr, OMNI_MODEL_LEN, "model");

	if (mc != NULL && memcmp(mc->model, model, sizeof(mc->model)) == 0)
		return mc;
	if (mc == NULL)
	{
		mc = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(ModelCache));
		fcinfo->flinfo->fn_extra = mc;
	}
	memcpy(mc->model, model, sizeof(mc->model));
	OmniWeightsFromModel(&mc->mw, model);
	return mc;
}

void
OmniWeightsFromModel(OmniWeights *mw, const double *model)
{
	mw->prior = model[0];
	for (int f = 0; f < OMNI_NFIELDS; f++)
		for (int l = 0; l < OMNI_NLEVELS; l++)
			mw->w[f][l] = log2(Clamp(model[OMNI_MODEL_M(f, l)]) /
							   Clamp(model[OMNI_MODEL_U(f, l)]));
}

/* Term frequencies of the first record's values, or NULL */
static double *
GetTf(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *arr;

	if (PG_ARGISNULL(argno))
		return NULL;
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) == 0)
		return NULL;
	return FloatArray(arr, OMNI_NTF, "term frequencies");
}

/* Weight of one field at its level, and whether its frequency was used */
static double
FieldWeight(const OmniWeights *mc, const double *tf, int f, int level, bool *tf_used)
{
	*tf_used = false;
	if (level == OMNI_LEVEL_EXACT && tf != NULL)
	{
		for (int k = 0; k < OMNI_NTF; k++)
		{
			/*
			 * Only common values are discounted; a rare one is not raised
			 * above the average exact weight: a rare surname shared at one
			 * postcode is the mark of a family as much as of one person,
			 * and boosting it linked relatives (precision 0.980 -> 0.996
			 * on the NCVR benchmark when left out).
			 */
			if (omni_tf_fields[k] == f && tf[k] > 1.0)
			{
				*tf_used = true;
				return mc->w[f][level] - log2(tf[k]);
			}
		}
	}
	return mc->w[f][level];
}

typedef OmniPairScore PairScore;

static void WeighLevels(const OmniWeights *mc, const double *tf, PairScore *ps);

static void
ScorePair(FunctionCallInfo fcinfo, PairScore *ps)
{
	Jsonb	   *ja = PG_GETARG_JSONB_P(0);
	Jsonb	   *jb = PG_GETARG_JSONB_P(1);
	ModelCache *mc = GetModel(fcinfo, PG_GETARG_ARRAYTYPE_P(2));
	double	   *tf = GetTf(fcinfo, 3);
	OmniRecord	a,
				b;

	OmniRecordFromJsonb(ja, &a);
	OmniRecordFromJsonb(jb, &b);
	OmniScoreRecords(&mc->mw, tf, &a, &b, ps);
}

void
OmniScoreRecords(const OmniWeights *mw, const double *tf,
				 const OmniRecord *a, const OmniRecord *b, OmniPairScore *ps)
{
	OmniRecordLevels(a, b, ps->levels);
	WeighLevels(mw, tf, ps);
}

static void
WeighLevels(const OmniWeights *mc, const double *tf, PairScore *ps)
{
	ps->total = mc->prior;
	for (int f = 0; f < OMNI_NFIELDS; f++)
	{
		ps->weights[f] = 0.0;
		ps->tf_used[f] = false;
		if (ps->levels[f] == OMNI_LEVEL_NULL)
			continue;
		ps->weights[f] = FieldWeight(mc, tf, f, ps->levels[f], &ps->tf_used[f]);
		ps->total += ps->weights[f];
	}
}

/* omni.identity_levels(a jsonb, b jsonb) -> int2[]: -1 where a side is missing */
Datum
omni_identity_levels(PG_FUNCTION_ARGS)
{
	OmniRecord	a,
				b;
	int			levels[OMNI_NFIELDS];
	Datum		d[OMNI_NFIELDS];

	OmniRecordFromJsonb(PG_GETARG_JSONB_P(0), &a);
	OmniRecordFromJsonb(PG_GETARG_JSONB_P(1), &b);
	OmniRecordLevels(&a, &b, levels);
	for (int f = 0; f < OMNI_NFIELDS; f++)
		d[f] = Int16GetDatum((int16) levels[f]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, OMNI_NFIELDS, INT2OID, 2, true, TYPALIGN_SHORT));
}

/* omni.identity_weight(a, b, model, tf) -> match weight (log2 odds) */
Datum
omni_identity_weight(PG_FUNCTION_ARGS)
{
	PairScore	ps;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	ScorePair(fcinfo, &ps);
	PG_RETURN_FLOAT8(ps.total);
}

/*
 * omni.identity_levels_weight(levels int2[], model, tf) -> match weight of
 * levels already computed: resolve_identities compares each pair once, for
 * EM and for scoring both.
 */
Datum
omni_identity_levels_weight(PG_FUNCTION_ARGS)
{
	ArrayType  *alev;
	ModelCache *mc;
	double	   *tf;
	PairScore	ps;
	int16	   *lev;

	/* not STRICT, for the tf argument: the others may not be NULL */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	alev = PG_GETARG_ARRAYTYPE_P(0);
	mc = GetModel(fcinfo, PG_GETARG_ARRAYTYPE_P(1));
	tf = GetTf(fcinfo, 2);

	if (ARR_ELEMTYPE(alev) != INT2OID || ARR_HASNULL(alev) || ARR_NDIM(alev) != 1 ||
		ArrayGetNItems(ARR_NDIM(alev), ARR_DIMS(alev)) != OMNI_NFIELDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("levels must be an int2 array of %d elements", OMNI_NFIELDS),
				 errhint("Use omni.identity_levels(a, b).")));
	lev = (int16 *) ARR_DATA_PTR(alev);
	for (int f = 0; f < OMNI_NFIELDS; f++)
	{
		if (lev[f] < OMNI_LEVEL_NULL || lev[f] >= OMNI_NLEVELS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("agreement level %d out of range", lev[f]),
					 errdetail("Levels run from -1 (missing) to %d (exact).", OMNI_NLEVELS - 1)));
		ps.levels[f] = lev[f];
	}
	WeighLevels(&mc->mw, tf, &ps);
	PG_RETURN_FLOAT8(ps.total);
}

static double
Round3(double x)
{
	return rint(x * 1000.0) / 1000.0;
}

/*
 * omni.identity_explain(a, b, model, tf) -> jsonb: the match weight, the
 * probability, the prior and, per field present on both sides, its level
 * and weight, so that a person can see why two records were linked.
 */
Datum
omni_identity_explain(PG_FUNCTION_ARGS)
{
	PairScore	ps;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	ScorePair(fcinfo, &ps);
	PG_RETURN_JSONB_P(OmniExplainScore(&((ModelCache *) fcinfo->flinfo->fn_extra)->mw, &ps));
}

Jsonb *
OmniExplainScore(const OmniWeights *mw, const OmniPairScore *ps)
{
	StringInfoData buf;
	double		prob;
	bool		first = true;

	prob = 1.0 / (1.0 + pow(2.0, -ps->total));
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"match_weight\": %.3f, \"probability\": %.6f, "
					 "\"prior_weight\": %.3f, \"fields\": {",
					 Round3(ps->total), prob, Round3(mw->prior));
	for (int f = 0; f < OMNI_NFIELDS; f++)
	{
		if (ps->levels[f] == OMNI_LEVEL_NULL)
			continue;
		appendStringInfo(&buf, "%s\"%s\": {\"level\": \"%s\", \"weight\": %.3f%s}",
						 first ? "" : ", ", omni_field_names[f],
						 level_names[ps->levels[f]], Round3(ps->weights[f]),
						 ps->tf_used[f] ? ", \"tf_adjusted\": true" : "");
		first = false;
	}
	appendStringInfoString(&buf, "}}");
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/*
 * No agreement level is impossible for the same person: EM with few fields
 * can drive an m to zero (every pair disagreeing on the postcode is then
 * called a non-match, which keeps that m at zero), so m is kept at or above
 * M_FLOOR and the levels renormalised.
 */
#define M_FLOOR 0.01

static void
MStep(double *p, const double *sum, double total, double floor)
{
	double		norm = 0.0;

	for (int l = 0; l < OMNI_NLEVELS; l++)
	{
		p[l] = sum[l] / total;
		if (p[l] < floor)
			p[l] = floor;
		norm += p[l];
	}
	for (int l = 0; l < OMNI_NLEVELS; l++)
		p[l] /= norm;
}

/*
 * omni.identity_em(levels int2[], counts float8[], model float8[],
 *					 iterations int, estimate_m boolean, estimate_u boolean,
 *					 ignore_fields int4[])
 *
 * EM over distinct comparison patterns (levels holds n patterns of
 * OMNI_NFIELDS levels, counts how often each occurs).  The prior is always
 * re-estimated; m and u when asked.  Fields in ignore_fields count as
 * missing: training over pairs that agree on a field by construction (the
 * pairs of one blocking rule) must not learn anything about that field.
 * A field no pattern has keeps the m and u it came with.  Returns the new
 * model.
 *
 * As Splink does, the trainer fixes u (estimated from random pairs) and
 * runs this once per training rule, each ignoring the fields of its rule.
 */
Datum
omni_identity_em(PG_FUNCTION_ARGS)
{
	ArrayType  *alev = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *acnt = PG_GETARG_ARRAYTYPE_P(1);
	double	   *model0 = FloatArray(PG_GETARG_ARRAYTYPE_P(2), OMNI_MODEL_LEN, "model");
	int			iterations = PG_GETARG_INT32(3);
	bool		estimate_m = PG_GETARG_BOOL(4);
	bool		estimate_u = PG_GETARG_BOOL(5);
	ArrayType  *aign = PG_GETARG_ARRAYTYPE_P(6);
	int			n = ArrayGetNItems(ARR_NDIM(acnt), ARR_DIMS(acnt));
	int			nign = ArrayGetNItems(ARR_NDIM(aign), ARR_DIMS(aign));
	bool		ignore[OMNI_NFIELDS] = {0};
	int16	   *lev;
	double	   *cnt = FloatArray(acnt, n, "counts");
	double		model[OMNI_MODEL_LEN];
	double	   *post = palloc(sizeof(double) * (n > 0 ? n : 1));
	Datum	   *d;

	if (ARR_ELEMTYPE(alev) != INT2OID || ARR_HASNULL(alev) ||
		ArrayGetNItems(ARR_NDIM(alev), ARR_DIMS(alev)) != n * OMNI_NFIELDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("levels must hold %d int2 values per pattern", OMNI_NFIELDS)));
	if (ARR_ELEMTYPE(aign) != INT4OID || ARR_HASNULL(aign))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ignore_fields must be an int4 array without NULLs")));
	for (int i = 0; i < nign; i++)
	{
		int			f = ((int32 *) ARR_DATA_PTR(aign))[i];

		if (f >= 0 && f < OMNI_NFIELDS)
			ignore[f] = true;
	}
	lev = (int16 *) ARR_DATA_PTR(alev);
	memcpy(model, model0, sizeof(model));

	for (int it = 0; it < iterations && n > 0; it++)
	{
		double		lambda = 1.0 / (1.0 + pow(2.0, -model[0]));
		double		msum[OMNI_NFIELDS][OMNI_NLEVELS] = {{0}};
		double		usum[OMNI_NFIELDS][OMNI_NLEVELS] = {{0}};
		double		total = 0.0,
					matched = 0.0;

		/* E step: the probability that each pattern is a match */
		for (int p = 0; p < n; p++)
		{
			double		lm = log(lambda),
						lu = log(1.0 - lambda);

			for (int f = 0; f < OMNI_NFIELDS; f++)
			{
				int			l = lev[p * OMNI_NFIELDS + f];

				if (l < 0 || l >= OMNI_NLEVELS || ignore[f])
					continue;
				lm += log(Clamp(model[OMNI_MODEL_M(f, l)]));
				lu += log(Clamp(model[OMNI_MODEL_U(f, l)]));
			}
			post[p] = 1.0 / (1.0 + exp(lu - lm));
		}
		/* M step */
		for (int p = 0; p < n; p++)
		{
			total += cnt[p];
			matched += cnt[p] * post[p];
			for (int f = 0; f < OMNI_NFIELDS; f++)
			{
				int			l = lev[p * OMNI_NFIELDS + f];

				if (l < 0 || l >= OMNI_NLEVELS || ignore[f])
					continue;
				msum[f][l] += cnt[p] * post[p];
				usum[f][l] += cnt[p] * (1.0 - post[p]);
			}
		}
		if (total <= 0.0)
			break;
		lambda = Clamp(matched / total);
		if (lambda >= 1.0)
			lambda = 1.0 - PROB_FLOOR;
		model[0] = log2(lambda / (1.0 - lambda));
		for (int f = 0; f < OMNI_NFIELDS; f++)
		{
			double		fsum = 0.0,
						gsum = 0.0;

			for (int l = 0; l < OMNI_NLEVELS; l++)
			{
				fsum += msum[f][l];
				gsum += usum[f][l];
			}
			if (estimate_m && fsum > 1e-9)
				MStep(&model[OMNI_MODEL_M(f, 0)], msum[f], fsum, M_FLOOR);
			if (estimate_u && gsum > 1e-9)
				MStep(&model[OMNI_MODEL_U(f, 0)], usum[f], gsum, PROB_FLOOR);
		}
	}

	d = palloc(sizeof(Datum) * OMNI_MODEL_LEN);
	for (int i = 0; i < OMNI_MODEL_LEN; i++)
		d[i] = Float8GetDatum(model[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, OMNI_MODEL_LEN, FLOAT8OID, 8,
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
