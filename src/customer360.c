/*-------------------------------------------------------------------------
 *
 * customer360.c
 *	  omni.customer_360(customer_id): everything about a customer in one
 *	  jsonb document, for the POS and the support desk.
 *
 * The document used to be built in PL/pgSQL as json text and turned into
 * jsonb once; that spent most of its time outside the reads: planning one
 * large statement on every call, formatting every value as text, and parsing
 * the whole text again.  Here each part is a small kept query returning plain
 * columns (generic plans whenever the plan cache finds them as good), and the
 * document is built as one JsonbValue tree encoded once.  The keys of the
 * objects are the column names of the queries, so the SQL below is where the
 * document's shape is written down.
 *
 * Values come out exactly as the json text did: integers and numerics as
 * numbers, timestamps in JSON's ISO format, jsonb embedded as is.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(omni_customer_360);

/*
 * The queries.  Each takes the customer ($1 bigint) or the customer and every
 * id merged into it ($1 bigint[]), or the ids of the rows found before; the
 * limits and orders are the documented ones (doc/orders.md).
 */
#define C360_CUSTOMER \
	"SELECT omni.order_customer($1)"

/* the customer and every id merged into it, whose rows may not have moved yet */
#define C360_MERGED \
	"WITH RECURSIVE m(id) AS (" \
	"    SELECT $1::bigint" \
	"    UNION" \
	"    SELECT c.customer_id FROM omni.customers c JOIN m ON c.merged_into = m.id)" \
	" SELECT m.id FROM m ORDER BY m.id"

/* only the key columns of omni.customers and omni.identities (privacy) */
#define C360_PROFILE \
	"SELECT c.profile," \
	"       coalesce((SELECT a.balance FROM omni.loyalty_accounts a WHERE a.customer_id = $1), 0) AS balance" \
	"  FROM omni.customers c WHERE c.customer_id = $1"

#define C360_IDENTITIES \
	"SELECT i.channel, i.identity_id, i.source_key, i.attributes" \
	"  FROM omni.identities i WHERE i.customer_id = ANY ($1)" \
	" ORDER BY i.channel, i.identity_id"

#define C360_ORDERS \
	"SELECT y.order_id, y.channel, y.mode, y.status, y.placed_at, y.total, y.points, y.pickup_location" \
	"  FROM unnest($1::bigint[]) u(id)," \
	"       LATERAL (SELECT * FROM omni.orders o WHERE o.customer_id = u.id" \
	"                 ORDER BY o.placed_at DESC, o.order_id DESC LIMIT 100) y" \
	" ORDER BY y.placed_at DESC, y.order_id DESC LIMIT 100"

#define C360_ORDER_LINES \
	"SELECT l.order_id, l.line, l.sku, l.qty, l.unit_price, l.returned_qty" \
	"  FROM omni.order_lines l WHERE l.order_id = ANY ($1)" \
	" ORDER BY l.order_id, l.line"

#define C360_FULFILMENTS \
	"SELECT f.order_id, f.location, f.kind, f.status" \
	"  FROM omni.fulfilments f WHERE f.order_id = ANY ($1)" \
	" ORDER BY f.order_id, f.location"

#define C360_RETURNS \
	"SELECT y.return_id, y.order_id, y.location, y.returned_at, y.amount, y.points_refunded" \
	"  FROM unnest($1::bigint[]) u(id)," \
	"       LATERAL (SELECT * FROM omni.returns r WHERE r.customer_id = u.id" \
	"                 ORDER BY r.returned_at DESC, r.return_id DESC LIMIT 100) y" \
	" ORDER BY y.returned_at DESC, y.return_id DESC LIMIT 100"

#define C360_RETURN_LINES \
	"SELECT rl.return_id, rl.sku, rl.qty" \
	"  FROM omni.return_lines rl WHERE rl.return_id = ANY ($1)" \
	" ORDER BY rl.return_id, rl.line"

/* in one pass over the index (interactions_customer_idx covers both columns) */
#define C360_COUNTS \
	"SELECT x.event, x.channel, count(*) AS n, GROUPING(x.event, x.channel) AS g" \
	"  FROM omni.interactions x WHERE x.customer_id = ANY ($1)" \
	" GROUP BY GROUPING SETS ((x.event), (x.channel), ())"

#define C360_RECENT \
	"SELECT y.channel, y.event, y.sku, y.at" \
	"  FROM unnest($1::bigint[]) u(id)," \
	"       LATERAL (SELECT * FROM omni.interactions i WHERE i.customer_id = u.id" \
	"                 ORDER BY i.at DESC, i.interaction_id DESC LIMIT 50) y" \
	" ORDER BY y.at DESC, y.interaction_id DESC LIMIT 50"

#define C360_LOYALTY \
	"SELECT y.delta, y.reason, y.channel, y.order_id, y.balance_after, y.at" \
	"  FROM unnest($1::bigint[]) u(id)," \
	"       LATERAL (SELECT * FROM omni.loyalty_ledger l WHERE l.customer_id = u.id" \
	"                 ORDER BY l.entry_id DESC LIMIT 20) y" \
	" ORDER BY y.entry_id DESC LIMIT 20"

/* orders still waiting, found by omni.orders_open_idx however long the history */
#define C360_OPEN_ORDERS \
	"SELECT o.order_id FROM omni.orders o" \
	" WHERE o.customer_id = ANY ($1) AND o.status IN ('placed', 'partially_shipped', 'ready_for_pickup')"

#define C360_RESERVATIONS \
	"SELECT r.reservation_id, a.order_id, r.sku, r.location, r.qty, r.expires_at" \
	"  FROM omni.order_allocations a" \
	"  JOIN omni.reservations r ON r.reservation_id = a.reservation_id" \
	" WHERE a.order_id = ANY ($1) AND r.status = 'active' AND r.expires_at > now()" \
	" ORDER BY r.reservation_id"

enum
{
	Q_CUSTOMER,
	Q_MERGED,
	Q_PROFILE,
	Q_IDENTITIES,
	Q_ORDERS,
	Q_ORDER_LINES,
	Q_FULFILMENTS,
	Q_RETURNS,
	Q_RETURN_LINES,
	Q_COUNTS,
	Q_RECENT,
	Q_LOYALTY,
	Q_OPEN_ORDERS,
	Q_RESERVATIONS,
	Q_COUNT
};

static const char *const c360_sql[Q_COUNT] = {
	C360_CUSTOMER, C360_MERGED, C360_PROFILE, C360_IDENTITIES, C360_ORDERS,
	C360_ORDER_LINES, C360_FULFILMENTS, C360_RETURNS, C360_RETURN_LINES,
	C360_COUNTS, C360_RECENT, C360_LOYALTY, C360_OPEN_ORDERS, C360_RESERVATIONS
};

/* which queries take one customer id rather than an array of ids */
static const bool c360_scalar_arg[Q_COUNT] = {
	[Q_CUSTOMER] = true, [Q_MERGED] = true, [Q_PROFILE] = true
};

/*
 * Which queries let the plan cache choose a custom plan per call: those whose
 * best plan depends on how many rows the customer has (the counts read all
 * their interactions, the open orders may be most of their orders).  Every
 * other query is by primary key or walks an index in its ORDER BY with a
 * LIMIT, so its generic plan is the right one for any customer, and forcing
 * it saves planning on every call (where the statistics see few customers
 * with many rows each, the plan cache would otherwise keep re-planning).
 */
static const bool c360_custom_plan[Q_COUNT] = {
	[Q_COUNTS] = true, [Q_OPEN_ORDERS] = true
};

static SPIPlanPtr c360_plans[Q_COUNT];

static SPIPlanPtr
c360_plan(int q)
{
	Oid			argtype = c360_scalar_arg[q] ? INT8OID : INT8ARRAYOID;

	if (c360_custom_plan[q])
		return OmniKeepPlan(&c360_plans[q], c360_sql[q], 1, &argtype);
	return OmniKeepGenericPlan(&c360_plans[q], c360_sql[q], 1, &argtype);
}

/* a query's rows, kept until SPI_finish */
typedef struct C360Rows
{
	SPITupleTable *tuptable;
	uint64		n;
} C360Rows;

static C360Rows
c360_run_nullable(int q, Datum arg, bool argnull)
{
	SPIPlanPtr	plan = c360_plan(q);
	C360Rows	rows;
	int			rc;

	rc = SPI_execute_plan(plan, &arg, argnull ? "n" : NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "customer_360: SPI_execute_plan failed: %s",
			 SPI_result_code_string(rc));
	rows.tuptable = SPI_tuptable;
	rows.n = SPI_processed;
	return rows;
}

static inline C360Rows
c360_run(int q, Datum arg)
{
	return c360_run_nullable(q, arg, false);
}

static inline Datum
c360_get(C360Rows *rows, uint64 row, int attno, bool *isnull)
{
	return SPI_getbinval(rows->tuptable->vals[row], rows->tuptable->tupdesc,
						 attno, isnull);
}

static inline int64
c360_get_int8(C360Rows *rows, uint64 row, int attno)
{
	bool		isnull;
	Datum		d = c360_get(rows, row, attno, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

static Datum
c360_int8_array(int64 *ids, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = Int64GetDatum(ids[i]);
	return PointerGetDatum(construct_array(elems, n, INT8OID, sizeof(int64),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* one bigint column of every row */
static int64 *
c360_column_int8(C360Rows *rows, int attno)
{
	int64	   *ids = palloc(sizeof(int64) * Max(rows->n, 1));

	for (uint64 i = 0; i < rows->n; i++)
		ids[i] = c360_get_int8(rows, i, attno);
	return ids;
}

/* ---------------------------------------------------------------- jsonb */

static void
c360_push_string(JsonbParseState **st, JsonbIteratorToken seq,
				 const char *s, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = len;
	pushJsonbValue(st, seq, &v);
}

static void
c360_push_key(JsonbParseState **st, const char *key)
{
	c360_push_string(st, WJB_KEY, key, strlen(key));
}

static void
c360_push_null(JsonbParseState **st, JsonbIteratorToken seq)
{
	JsonbValue	v;

	v.type = jbvNull;
	pushJsonbValue(st, seq, &v);
}

static void
c360_push_numeric(JsonbParseState **st, JsonbIteratorToken seq, Numeric num)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = num;
	pushJsonbValue(st, seq, &v);
}

static void
c360_push_int8(JsonbParseState **st, JsonbIteratorToken seq, int64 i)
{
	c360_push_numeric(st, seq, int64_to_numeric(i));
}

/* one column's value, as json_build_object would have written it */
static void
c360_push_datum(JsonbParseState **st, JsonbIteratorToken seq,
				Datum d, bool isnull, Oid typid)
{
	JsonbValue	v;

	if (isnull)
	{
		c360_push_null(st, seq);
		return;
	}
	switch (typid)
	{
		case INT2OID:
			c360_push_int8(st, seq, DatumGetInt16(d));
			break;
		case INT4OID:
			c360_push_int8(st, seq, DatumGetInt32(d));
			break;
		case INT8OID:
			c360_push_int8(st, seq, DatumGetInt64(d));
			break;
		case NUMERICOID:
			{
				Numeric		num = DatumGetNumeric(d);

				/* json has no NaN or infinity: written as strings */
				if (numeric_is_nan(num) || numeric_is_inf(num))
				{
					char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, d));

					c360_push_string(st, seq, s, strlen(s));
				}
				else
					c360_push_numeric(st, seq, num);
				break;
			}
		case TEXTOID:
			{
				text	   *t = DatumGetTextPP(d);

				c360_push_string(st, seq, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				break;
			}
		case TIMESTAMPTZOID:
			{
				char	   *s = JsonEncodeDateTime(palloc(MAXDATELEN + 1), d,
												   TIMESTAMPTZOID, NULL);

				c360_push_string(st, seq, s, strlen(s));
				break;
			}
		case JSONBOID:
			{
				Jsonb	   *jb = DatumGetJsonbP(d);

				/* pushJsonbValue copies a container in, token by token */
				v.type = jbvBinary;
				v.val.binary.data = &jb->root;
				v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
				pushJsonbValue(st, seq, &v);
				break;
			}
		default:
			elog(ERROR, "customer_360: no json form for type %u", typid);
	}
}

/* columns first..last of a row as an object keyed by the column names */
static void
c360_push_row(JsonbParseState **st, C360Rows *rows, uint64 row, int first, int last)
{
	TupleDesc	desc = rows->tuptable->tupdesc;

	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	for (int att = first; att <= last; att++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, att - 1);
		bool		isnull;
		Datum		d = c360_get(rows, row, att, &isnull);

		c360_push_key(st, NameStr(a->attname));
		c360_push_datum(st, WJB_VALUE, d, isnull, a->atttypid);
	}
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* every row as an object, in an array; [] when there is none */
static void
c360_push_rows(JsonbParseState **st, C360Rows *rows, int first, int last)
{
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (uint64 i = 0; i < rows->n; i++)
		c360_push_row(st, rows, i, first, last);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/*
 * The child rows of one parent, from rows sorted by the parent id in column
 * 1 (keys holds that column): an array of columns 2..last, or null when
 * there is none (as the correlated json_agg was).
 */
static void
c360_push_children(JsonbParseState **st, C360Rows *rows, const int64 *keys,
				   int64 parent)
{
	uint64		lo = 0,
				hi = rows->n;
	int			last = rows->tuptable->tupdesc->natts;

	while (lo < hi)
	{
		uint64		mid = lo + (hi - lo) / 2;

		if (keys[mid] < parent)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= rows->n || keys[lo] != parent)
	{
		c360_push_null(st, WJB_VALUE);
		return;
	}
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (; lo < rows->n && keys[lo] == parent; lo++)
		c360_push_row(st, rows, lo, 2, last);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* a parent list (orders, returns) with its children under child_key(s) */
static void
c360_push_parents(JsonbParseState **st, C360Rows *parents,
				  C360Rows *children1, const char *key1,
				  C360Rows *children2, const char *key2)
{
	int			last = parents->tuptable->tupdesc->natts;
	int64	   *keys1 = c360_column_int8(children1, 1);
	int64	   *keys2 = children2 ? c360_column_int8(children2, 1) : NULL;

	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (uint64 i = 0; i < parents->n; i++)
	{
		TupleDesc	desc = parents->tuptable->tupdesc;
		int64		id = c360_get_int8(parents, i, 1);

		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		for (int att = 1; att <= last; att++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, att - 1);
			bool		isnull;
			Datum		d = c360_get(parents, i, att, &isnull);

			c360_push_key(st, NameStr(a->attname));
			c360_push_datum(st, WJB_VALUE, d, isnull, a->atttypid);
		}
		c360_push_key(st, key1);
		c360_push_children(st, children1, keys1, id);
		if (children2)
		{
			c360_push_key(st, key2);
			c360_push_children(st, children2, keys2, id);
		}
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* ---------------------------------------------------------------- the 360 */

Datum
omni_customer_360(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	JsonbParseState *st = NULL;
	JsonbValue *doc;
	Jsonb	   *result;
	C360Rows	rows,
				orders,
				lines,
				fulfilments,
				returns,
				rlines,
				profile;
	int64		cust;
	int64	   *ids;
	int			nids;
	Datum		idarr;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "customer_360: SPI_connect failed");

	/*
	 * OM006 for an unknown customer, merges followed: order_customer's rules.
	 * Not strict: a NULL id is an unknown customer too.
	 */
	rows = c360_run_nullable(Q_CUSTOMER, PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0),
							 PG_ARGISNULL(0));
	cust = DatumGetInt64(c360_get(&rows, 0, 1, &isnull));

	rows = c360_run(Q_MERGED, Int64GetDatum(cust));
	ids = c360_column_int8(&rows, 1);
	nids = (int) rows.n;
	idarr = c360_int8_array(ids, nids);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);

	c360_push_key(&st, "customer_id");
	c360_push_int8(&st, WJB_VALUE, cust);

	c360_push_key(&st, "merged_ids");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < nids; i++)
		if (ids[i] != cust)
			c360_push_int8(&st, WJB_ELEM, ids[i]);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	/* the balance goes under "loyalty" below */
	profile = c360_run(Q_PROFILE, Int64GetDatum(cust));
	c360_push_key(&st, "profile");
	if (profile.n > 0)
		c360_push_datum(&st, WJB_VALUE, c360_get(&profile, 0, 1, &isnull), isnull,
						JSONBOID);
	else
		c360_push_null(&st, WJB_VALUE);

	c360_push_key(&st, "identities");
	rows = c360_run(Q_IDENTITIES, idarr);
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (uint64 i = 0; i < rows.n;)
	{
		text	   *ch = DatumGetTextPP(c360_get(&rows, i, 1, &isnull));
		uint64		j = i;

		c360_push_string(&st, WJB_KEY, VARDATA_ANY(ch), VARSIZE_ANY_EXHDR(ch));
		pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
		for (; j < rows.n; j++)
		{
			text	   *cj = DatumGetTextPP(c360_get(&rows, j, 1, &isnull));

			if (VARSIZE_ANY_EXHDR(cj) != VARSIZE_ANY_EXHDR(ch) ||
				memcmp(VARDATA_ANY(cj), VARDATA_ANY(ch), VARSIZE_ANY_EXHDR(ch)) != 0)
				break;
			c360_push_row(&st, &rows, j, 2, 4);
		}
		pushJsonbValue(&st, WJB_END_ARRAY, NULL);
		i = j;
	}
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	orders = c360_run(Q_ORDERS, idarr);
	{
		Datum		oids = c360_int8_array(c360_column_int8(&orders, 1), (int) orders.n);

		lines = c360_run(Q_ORDER_LINES, oids);
		fulfilments = c360_run(Q_FULFILMENTS, oids);
	}
	c360_push_key(&st, "orders");
	c360_push_parents(&st, &orders, &lines, "lines", &fulfilments, "fulfilments");

	returns = c360_run(Q_RETURNS, idarr);
	rlines = c360_run(Q_RETURN_LINES,
					  c360_int8_array(c360_column_int8(&returns, 1), (int) returns.n));
	c360_push_key(&st, "returns");
	c360_push_parents(&st, &returns, &rlines, "lines", NULL, NULL);

	c360_push_key(&st, "interactions");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	rows = c360_run(Q_COUNTS, idarr);
	{
		int64		total = 0;

		for (int g = 1; g <= 2; g++)
		{
			c360_push_key(&st, g == 1 ? "by_event" : "by_channel");
			pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
			for (uint64 i = 0; i < rows.n; i++)
			{
				if (c360_get_int8(&rows, i, 4) != g)
					continue;
				/* GROUPING() is 1 on the rows per event, 2 per channel, 3 the total */
				c360_push_datum(&st, WJB_KEY, c360_get(&rows, i, g == 1 ? 1 : 2, &isnull),
								false, TEXTOID);
				c360_push_int8(&st, WJB_VALUE, c360_get_int8(&rows, i, 3));
			}
			pushJsonbValue(&st, WJB_END_OBJECT, NULL);
		}
		for (uint64 i = 0; i < rows.n; i++)
			if (c360_get_int8(&rows, i, 4) == 3)
				total = c360_get_int8(&rows, i, 3);
		c360_push_key(&st, "total");
		c360_push_int8(&st, WJB_VALUE, total);
	}
	rows = c360_run(Q_RECENT, idarr);
	c360_push_key(&st, "recent");
	c360_push_rows(&st, &rows, 1, rows.tuptable->tupdesc->natts);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	c360_push_key(&st, "loyalty");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	c360_push_key(&st, "balance");
	if (profile.n > 0)
		c360_push_datum(&st, WJB_VALUE, c360_get(&profile, 0, 2, &isnull), isnull,
						INT4OID);
	else
		c360_push_int8(&st, WJB_VALUE, 0);
	rows = c360_run(Q_LOYALTY, idarr);
	c360_push_key(&st, "recent");
	c360_push_rows(&st, &rows, 1, rows.tuptable->tupdesc->natts);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	rows = c360_run(Q_OPEN_ORDERS, idarr);
	rows = c360_run(Q_RESERVATIONS,
					c360_int8_array(c360_column_int8(&rows, 1), (int) rows.n));
	c360_push_key(&st, "open_reservations");
	c360_push_rows(&st, &rows, 1, rows.tuptable->tupdesc->natts);

	doc = pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	/* the result outlives SPI's memory; the tree it is built from does not */
	MemoryContextSwitchTo(caller);
	result = JsonbValueToJsonb(doc);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}
