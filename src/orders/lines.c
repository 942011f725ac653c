/*-------------------------------------------------------------------------
 *
 * lines.c
 *	  omni.parse_lines(jsonb): an order's lines, checked, as rows.
 *
 * The rules live in lines_reader.c, which is plain C so that libFuzzer can
 * run it outside the server (test/fuzz/lines_fuzz.c).  Here a jsonb is
 * turned into the reader's events, the reader's verdict into the errors
 * the API documents, and the catalogue is asked about the SKUs, once for
 * all the lines.  omni.route reads its lines through OmniReadLines too.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "orders/lines_reader.h"

/*
 * The first line, in line order, whose SKU is not in the catalogue.  A
 * probe of the primary key per line, not an anti-join that would read the
 * whole catalogue.
 */
static SPIPlanPtr unknown_sku_plan;
static const char *const unknown_sku_sql =
"SELECT s.sku FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY s(sku, n)"
" WHERE (SELECT true FROM omni.products p WHERE p.sku = s.sku) IS NULL"
" ORDER BY s.n LIMIT 1";

/* raises the shared OM003 of src/sql/20_catalogue.sql */
static SPIPlanPtr check_sku_plan;
static const char *const check_sku_sql = "SELECT omni.check_sku($1)";

static void
FeedValue(OmniLinesReader *r, JsonbValue *v, int level);

/*
 * The events of one container.  Only the array and its elements' own keys
 * and values matter to the rules, so containers below a line are passed as
 * empty ones: the reader needs their type, not their contents.
 */
static void
FeedContainer(OmniLinesReader *r, JsonbContainer *c, int level)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		switch (tok)
		{
			case WJB_BEGIN_ARRAY:
				omni_lines_event(r, OMNI_JSON_BEGIN_ARRAY, NULL, 0);
				break;
			case WJB_END_ARRAY:
				omni_lines_event(r, OMNI_JSON_END_ARRAY, NULL, 0);
				break;
			case WJB_BEGIN_OBJECT:
				omni_lines_event(r, OMNI_JSON_BEGIN_OBJECT, NULL, 0);
				break;
			case WJB_END_OBJECT:
				omni_lines_event(r, OMNI_JSON_END_OBJECT, NULL, 0);
				break;
			case WJB_KEY:
				omni_lines_event(r, OMNI_JSON_KEY, v.val.string.val, v.val.string.len);
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				FeedValue(r, &v, level);
				break;
			case WJB_DONE:
				break;
		}
	}
}

static void
FeedValue(OmniLinesReader *r, JsonbValue *v, int level)
{
	switch (v->type)
	{
		case jbvNull:
			omni_lines_event(r, OMNI_JSON_NULL, NULL, 0);
			break;
		case jbvBool:
			omni_lines_event(r, v->val.boolean ? OMNI_JSON_TRUE : OMNI_JSON_FALSE, NULL, 0);
			break;
		case jbvString:
			omni_lines_event(r, OMNI_JSON_STRING, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			{
				char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out,
																	NumericGetDatum(v->val.numeric)));

				omni_lines_event(r, OMNI_JSON_NUMBER, s, strlen(s));
				break;
			}
		case jbvBinary:
			{
				bool		is_object = JsonContainerIsObject(v->val.binary.data);

				/* level 0 is the lines array: its objects are the lines */
				if (level == 0 && is_object)
					FeedContainer(r, v->val.binary.data, level + 1);
				else
				{
					omni_lines_event(r, is_object ? OMNI_JSON_BEGIN_OBJECT : OMNI_JSON_BEGIN_ARRAY, NULL, 0);
					omni_lines_event(r, is_object ? OMNI_JSON_END_OBJECT : OMNI_JSON_END_ARRAY, NULL, 0);
				}
				break;
			}
		default:
			elog(ERROR, "unexpected jsonb value type %d in order lines", (int) v->type);
	}
}

/* jsonb's text of a value, as format('%s', jsonb) writes it */
static char *
ValueText(JsonbValue *v)
{
	Jsonb	   *j;

	if (v->type == jbvBinary)
		return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
	j = JsonbValueToJsonb(v);
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

static JsonbValue *
Element(Jsonb *jb, int line)
{
	JsonbValue *v = getIthJsonbValueFromContainer(&jb->root, (uint32) (line - 1));

	if (v == NULL)
		elog(ERROR, "order line %d not found", line);
	return v;
}

/* The reader's verdict on the shape, in omni.parse_lines' words */
static void
ReportShape(OmniLinesReader *r, Jsonb *jb)
{
	JsonbValue *elem;
	JsonbValue *qty;

	switch (r->error)
	{
		case OMNI_LINES_OK:
		case OMNI_LINES_REPEATED_SKU:
			return;
		case OMNI_LINES_NOT_ARRAY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lines must be a JSON array"),
					 errdetail("Got %s.", r->top_type),
					 errhint("Pass [{\"sku\": \"SHOE-1\", \"qty\": 1}, ...].")));
			break;
		case OMNI_LINES_BAD_COUNT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lines must hold 1 to %d lines", OMNI_LINES_MAX),
					 errdetail("Got %d.", r->count)));
			break;
		case OMNI_LINES_NOT_OBJECT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("line %d is not a JSON object", r->line),
					 errdetail("Got %s.", ValueText(Element(jb, r->line)))));
			break;
		case OMNI_LINES_NO_SKU:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("line %d has no sku", r->line),
					 errdetail("Got %s.", ValueText(Element(jb, r->line))),
					 errhint("Each line needs \"sku\" (a string) and \"qty\" (a positive integer).")));
			break;
		case OMNI_LINES_QTY_NOT_NUMBER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("line %d needs a positive integer qty", r->line),
					 errdetail("Got %s.", ValueText(Element(jb, r->line)))));
			break;
		case OMNI_LINES_BAD_QTY:
			elem = Element(jb, r->line);
			qty = getKeyJsonValueFromContainer(elem->val.binary.data, "qty", 3, NULL);
			if (qty == NULL)
				elog(ERROR, "qty of order line %d not found", r->line);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("line %d needs a positive integer qty", r->line),
					 errdetail("Got %s.", ValueText(qty))));
			break;
		case OMNI_LINES_MALFORMED:
			elog(ERROR, "order lines: the jsonb gave an impossible event sequence");
			break;
	}
}

/* The first unknown SKU raises OM003; needs an SPI connection */
static void
CheckSkus(OmniLinesReader *r)
{
	Datum	   *skus = palloc(sizeof(Datum) * r->nlines);
	Datum		values[1];
	static const Oid argtypes[1] = {TEXTARRAYOID};
	static const Oid check_argtypes[1] = {TEXTOID};
	bool		isnull;

	for (int i = 0; i < r->nlines; i++)
		skus[i] = PointerGetDatum(cstring_to_text_with_len(r->lines[i].sku,
														   (int) r->lines[i].sku_len));
	values[0] = PointerGetDatum(construct_array(skus, r->nlines, TEXTOID, -1, false,
												TYPALIGN_INT));
	OmniKeepGenericPlan(&unknown_sku_plan, unknown_sku_sql, 1, argtypes);
	if (SPI_execute_plan(unknown_sku_plan, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed for \"%s\"", unknown_sku_sql);
	if (SPI_processed == 0)
		return;
	values[0] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	OmniKeepPlan(&check_sku_plan, check_sku_sql, 1, check_argtypes);
	SPI_execute_plan(check_sku_plan, values, NULL, true, 1);
	/* check_sku raised OM003; if the SKU appeared meanwhile, go on */
}

/*
 * Reads an order's lines into *r (palloc'd by the caller), raising the
 * errors of omni.parse_lines: 22023 for the shape (array, count, each line,
 * in line order), OM003 for the first unknown SKU, then 22023 for a SKU on
 * two lines.  The caller is connected to SPI.  r's SKUs point into the
 * jsonb, which must stay as it is while they are used.
 */
void
OmniReadLines(Datum lines, bool isnull, OmniLinesReader *r)
{
	Jsonb	   *jb;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lines must be a JSON array"),
				 errdetail("Got NULL."),
				 errhint("Pass [{\"sku\": \"SHOE-1\", \"qty\": 1}, ...].")));
	jb = DatumGetJsonbP(lines);
	omni_lines_init(r);
	if (JB_ROOT_IS_SCALAR(jb))
	{
		JsonbValue	v;

		if (!JsonbExtractScalar(&jb->root, &v))
			elog(ERROR, "scalar jsonb without its scalar");
		FeedValue(r, &v, 0);
	}
	else
		FeedContainer(r, &jb->root, 0);
	omni_lines_finish(r);
	ReportShape(r, jb);

	CheckSkus(r);
	if (r->error == OMNI_LINES_REPEATED_SKU)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("SKU \"%s\" appears on lines %d and %d",
						pnstrdup(r->lines[r->line - 1].sku, r->lines[r->line - 1].sku_len),
						r->first_line, r->line),
				 errdetail("Each SKU may appear on one line only."),
				 errhint("Put the whole quantity of a SKU on one line.")));
}

/*
 * omni.parse_lines(lines jsonb) RETURNS TABLE (line int, sku text, qty int)
 * STABLE: reads omni.products.
 */
PG_FUNCTION_INFO_V1(omni_parse_lines);
Datum
omni_parse_lines(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	OmniLinesReader *r;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	r = palloc(sizeof(OmniLinesReader));
	OmniReadLines(PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0), PG_ARGISNULL(0), r);
	for (int i = 0; i < r->nlines; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = PointerGetDatum(cstring_to_text_with_len(r->lines[i].sku,
															 (int) r->lines[i].sku_len));
		values[2] = Int32GetDatum(r->lines[i].qty);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
