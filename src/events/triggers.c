/*-------------------------------------------------------------------------
 *
 * triggers.c
 *	  The trigger functions that turn changes of stock, prices and orders
 *	  into events (omni_stock, omni_price, omni_order).
 *
 * Stock.  omni.stock_slots holds a (sku, location) as several slot rows,
 * and one operation may write several of them (the exact path rebalances
 * every slot), so the stock trigger records one event per pair and
 * transaction, with the pair only: no query on the reservation hot path.
 * The numberer adds the totals (on_hand, reserved, available) when it
 * publishes, after commit, from the committed state: never older than the
 * change, and the last event of a pair always shows its latest totals
 * (totals read inside the writer could miss a concurrent commit).
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

/* Pairs this transaction already recorded an event for */
typedef struct StockSeen
{
	char	   *sku;
	char	   *location;
} StockSeen;

static List *stock_seen = NIL;	/* in TopTransactionContext */
static LocalTransactionId stock_seen_lxid = InvalidLocalTransactionId;
static bool subxact_callback_registered = false;

static SPIPlanPtr price_payload_plan = NULL;

/* A subtransaction that rolls back takes its events with it */
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

/* First change of this pair in this transaction?  Then remember it. */
static bool
StockFirstChange(const char *sku, const char *location)
{
	ListCell   *lc;
	StockSeen  *seen;
	MemoryContext old;

	foreach(lc, StockSeenList())
	{
		seen = (StockSeen *) lfirst(lc);
		if (strcmp(seen->sku, sku) == 0 && strcmp(seen->location, location) == 0)
			return false;
	}
	old = MemoryContextSwitchTo(TopTransactionContext);
	seen = palloc(sizeof(StockSeen));
	seen->sku = pstrdup(sku);
	seen->location = pstrdup(location);
	stock_seen = lappend(stock_seen, seen);
	MemoryContextSwitchTo(old);
	return true;
}

void
OmniStockChanged(const char *sku, const char *location)
{
	StringInfoData buf;

	if (!StockFirstChange(sku, location))
		return;
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"sku\": ");
	escape_json(&buf, sku);
	appendStringInfoString(&buf, ", \"location\": ");
	escape_json(&buf, location);
	appendStringInfoChar(&buf, '}');
	OmniEmitEvent("omni_stock", buf.data);
}

PG_FUNCTION_INFO_V1(omni_stock_event_trigger);
Datum
omni_stock_event_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CheckRowTrigger(fcinfo, "omni.stock_event_trigger");
	HeapTuple	row = TriggerRow(trigdata);
	char	   *sku = ColumnText(trigdata, row, "sku");
	char	   *location = ColumnText(trigdata, row, "location");

	OmniStockChanged(sku, location);
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
	{
		Oid			types[3] = {TEXTOID, TEXTOID, TIMESTAMPTZOID};

		OmniKeepPlan(&price_payload_plan,
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
