/*-------------------------------------------------------------------------
 *
 * triggers.c
 *	  The trigger functions that turn changes of stock, prices and orders
 *	  into events (omni_stock, omni_price, omni_order).
 *
 * Stock.  omni.stock_slots holds a (sku, location) as several slot rows,
 * and one operation may write several of them (the exact path rebalances
 * every slot), so the stock trigger is a deferred constraint trigger: it
 * runs at commit, reads the pair's final totals and emits one event per
 * pair and transaction (a later firing with the same totals is skipped).
 *
 * Prices.  One event per row written to omni.prices, carrying the price
 * in force for that channel from valid_from on.
 *
 * Orders.  omni.order_event() is generic: attach it to any table with
 * columns order_id and status (see doc/events.md); an UPDATE that leaves
 * status as it was emits nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"

#include "events/events.h"

/* Totals of a pair already emitted by this transaction */
typedef struct StockSeen
{
	char	   *sku;
	char	   *location;
	int32		totals[3];		/* on_hand, reserved, available */
} StockSeen;

static List *stock_seen = NIL;	/* in TopTransactionContext */
static LocalTransactionId stock_seen_lxid = InvalidLocalTransactionId;
static bool subxact_callback_registered = false;

static SPIPlanPtr stock_totals_plan = NULL;
static SPIPlanPtr price_payload_plan = NULL;

/* A subtransaction that rolls back may take queued events with it */
static void
StockSeenSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		stock_seen = NIL;
}

static List *
StockSeenList(void)
{
	if (!subxact_callback_registered)
	{
		RegisterSubXactCallback(StockSeenSubXactCallback, NULL);
		subxact_callback_registered = true;
	}
	if (stock_seen_lxid != MyProc->lxid)
	{
		stock_seen = NIL;		/* the memory went with the old transaction */
		stock_seen_lxid = MyProc->lxid;
	}
	return stock_seen;
}

static TriggerData *
CheckRowTrigger(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", name)));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ... FOR EACH ROW", name)));
	return trigdata;
}

/* The row as it is after the change (the old row for a DELETE) */
static HeapTuple
TriggerRow(TriggerData *trigdata)
{
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return trigdata->tg_newtuple;
	return trigdata->tg_trigtuple;
}

/* Column value as text, or NULL; the column must exist */
static char *
ColumnText(TriggerData *trigdata, HeapTuple row, const char *column)
{
	TupleDesc	desc = trigdata->tg_relation->rd_att;
	int			attnum = SPI_fnumber(desc, column);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" has no column \"%s\"",
						RelationGetRelationName(trigdata->tg_relation), column),
				 errdetail("Trigger \"%s\" reads columns order_id and status.",
						   trigdata->tg_trigger->tgname),
				 errhint("Attach the trigger to a table with those columns.")));
	return SPI_getvalue(row, desc, attnum);
}

static SPIPlanPtr
KeepPlan(const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

/* on_hand, reserved and available of a pair, as omni.stock_levels shows */
static void
StockTotals(const char *sku, const char *location, int32 *totals)
{
	Datum		args[2];
	bool		isnull;
	int			i;

	if (stock_totals_plan == NULL)
	{
		Oid			types[2] = {TEXTOID, TEXTOID};

		stock_totals_plan = KeepPlan(
			"SELECT coalesce(sum(s.on_hand), 0)::int4, coalesce(sum(s.reserved), 0)::int4,"
			"       (SELECT coalesce(sum(r.qty), 0)::int4 FROM omni.reservations r"
			"         WHERE r.sku = $1 AND r.location = $2 AND r.status = 'active'"
			"           AND r.expires_at <= pg_catalog.now())"
			"  FROM omni.stock_slots s WHERE s.sku = $1 AND s.location = $2",
			2, types);
	}
	args[0] = CStringGetTextDatum(sku);
	args[1] = CStringGetTextDatum(location);
	if (SPI_execute_plan(stock_totals_plan, args, NULL, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read stock totals");
	for (i = 0; i < 3; i++)
		totals[i] = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, i + 1, &isnull));
	/* expired reservations no longer count as reserved */
	totals[1] -= totals[2];
	totals[2] = totals[0] - totals[1];
}

/* Has this transaction already emitted these very totals for the pair? */
static bool
StockAlreadySent(const char *sku, const char *location, const int32 *totals)
{
	ListCell   *lc;
	StockSeen  *seen;
	MemoryContext old;

	foreach(lc, StockSeenList())
	{
		seen = (StockSeen *) lfirst(lc);
		if (strcmp(seen->sku, sku) == 0 && strcmp(seen->location, location) == 0)
		{
			if (memcmp(seen->totals, totals, sizeof(seen->totals)) == 0)
				return true;
			memcpy(seen->totals, totals, sizeof(seen->totals));
			return false;
		}
	}
	old = MemoryContextSwitchTo(TopTransactionContext);
	seen = palloc(sizeof(StockSeen));
	seen->sku = pstrdup(sku);
	seen->location = pstrdup(location);
	memcpy(seen->totals, totals, sizeof(seen->totals));
	stock_seen = lappend(stock_seen, seen);
	MemoryContextSwitchTo(old);
	return false;
}

PG_FUNCTION_INFO_V1(omni_stock_event_trigger);
Datum
omni_stock_event_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CheckRowTrigger(fcinfo, "omni.stock_event_trigger");
	HeapTuple	row = TriggerRow(trigdata);
	char	   *sku;
	char	   *location;
	int32		totals[3];
	StringInfoData buf;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	sku = ColumnText(trigdata, row, "sku");
	location = ColumnText(trigdata, row, "location");
	StockTotals(sku, location, totals);
	if (!StockAlreadySent(sku, location, totals))
	{
		initStringInfo(&buf);
		appendStringInfoString(&buf, "{\"sku\": ");
		escape_json(&buf, sku);
		appendStringInfoString(&buf, ", \"location\": ");
		escape_json(&buf, location);
		appendStringInfo(&buf, ", \"on_hand\": %d, \"reserved\": %d, \"available\": %d}",
						 totals[0], totals[1], totals[2]);
		OmniEmitEvent("omni_stock", buf.data);
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(omni_price_event_trigger);
Datum
omni_price_event_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CheckRowTrigger(fcinfo, "omni.price_event_trigger");
	HeapTuple	row = TriggerRow(trigdata);
	TupleDesc	desc = trigdata->tg_relation->rd_att;
	Datum		args[3];
	char		nulls[3];
	const char *columns[3] = {"sku", "channel", "valid_from"};
	bool		isnull;
	int			i;

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		return PointerGetDatum(NULL);	/* history is never deleted by the API */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (price_payload_plan == NULL)
	{
		Oid			types[3] = {TEXTOID, TEXTOID, TIMESTAMPTZOID};

		price_payload_plan = KeepPlan(
			"SELECT pg_catalog.jsonb_build_object('sku', $1, 'channel', $2,"
			"       'price', omni.price($1, $2, $3), 'valid_from', $3)::text",
			3, types);
	}
	for (i = 0; i < 3; i++)
	{
		args[i] = SPI_getbinval(row, desc, SPI_fnumber(desc, columns[i]), &isnull);
		nulls[i] = isnull ? 'n' : ' ';
	}
	if (SPI_execute_plan(price_payload_plan, args, nulls, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not build the price event");
	OmniEmitEvent("omni_price",
				  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* order_id as a JSON number when it is one, else as a JSON string */
static void
AppendJsonScalar(StringInfo buf, Oid type, const char *value)
{
	if (value == NULL)
		appendStringInfoString(buf, "null");
	else if (type == INT2OID || type == INT4OID || type == INT8OID)
		appendStringInfoString(buf, value);
	else
		escape_json(buf, value);
}

PG_FUNCTION_INFO_V1(omni_order_event);
Datum
omni_order_event(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CheckRowTrigger(fcinfo, "omni.order_event");
	HeapTuple	row = TriggerRow(trigdata);
	TupleDesc	desc = trigdata->tg_relation->rd_att;
	char	   *order_id;
	char	   *status;
	StringInfoData buf;

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		return PointerGetDatum(NULL);
	order_id = ColumnText(trigdata, row, "order_id");
	status = ColumnText(trigdata, row, "status");
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		char	   *old_status = ColumnText(trigdata, trigdata->tg_trigtuple, "status");

		if ((old_status == NULL && status == NULL) ||
			(old_status != NULL && status != NULL && strcmp(old_status, status) == 0))
			return PointerGetDatum(NULL);
	}
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"order_id\": ");
	AppendJsonScalar(&buf, SPI_gettypeid(desc, SPI_fnumber(desc, "order_id")), order_id);
	appendStringInfoString(&buf, ", \"status\": ");
	AppendJsonScalar(&buf, TEXTOID, status);
	appendStringInfoChar(&buf, '}');
	OmniEmitEvent("omni_order", buf.data);
	return PointerGetDatum(NULL);
}
