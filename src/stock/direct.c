/*-------------------------------------------------------------------------
 *
 * direct.c
 *	  The fast-path reservation, written without the executor.
 *
 * The fast path of src/stock.c reserves from one slot whose lock it holds:
 * the guarded slot UPDATE and the reservation INSERT.  Run through SPI,
 * the executor's start-up and the re-parsing of the two tables' five CHECK
 * constraints cost more than the writes (BENCHMARKS.md, "Inventory").  Here
 * the same two writes go straight to the heap and its indexes (src/direct.c
 * says when that is allowed), and the code enforces what the CHECKs and
 * the skipped trigger would:
 *
 *	 - the guard: the slot's newest version must have on_hand - reserved >=
 *	   qty, so 0 <= reserved <= on_hand still holds after the write;
 *	 - earliest_expiry: lowered to the new reservation's expiry (set to it
 *	   when the slot held none), as the SQL path does;
 *	 - slot >= 0 and the other columns: untouched;
 *	 - the reservation row is born valid: qty > 0 (checked by the caller),
 *	   status 'active' with closed_at NULL;
 *	 - the stock_slots_events trigger: OmniStockChanged() records the event.
 *
 * Why reading the newest version is safe without the executor's
 * re-checking: every writer of a slot row holds that slot's lock or the
 * pair's lock exclusively until it commits (src/stock.c, "Locks"), and we
 * hold the slot's lock, so no other transaction has an uncommitted version
 * of the row, and a snapshot taken now sees the last committed one.  If
 * the row was changed anyway (a manual UPDATE outside the API), heap_update
 * reports it, nothing has been written, and the caller takes the SQL path.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "stock/direct.h"

/* column numbers, as the validators below make sure */
#define SLOT_COL_SKU		1
#define SLOT_COL_LOCATION	2
#define SLOT_COL_SLOT		3
#define SLOT_COL_ON_HAND	4
#define SLOT_COL_RESERVED	5
#define SLOT_COL_EARLIEST	6
#define SLOT_NCOLS			6

#define RES_NCOLS			10

static const DirectColumn slot_columns[SLOT_NCOLS] = {
	{"sku", TEXTOID}, {"location", TEXTOID}, {"slot", INT2OID},
	{"on_hand", INT4OID}, {"reserved", INT4OID},
	{"earliest_expiry", TIMESTAMPTZOID}
};
static const char *const slot_checks[] = {
	"stock_slots_slot_check", "stock_slots_never_oversold"
};

static const DirectColumn reservation_columns[RES_NCOLS] = {
	{"reservation_id", INT8OID}, {"sku", TEXTOID}, {"location", TEXTOID},
	{"slot", INT2OID}, {"qty", INT4OID}, {"status", TEXTOID},
	{"ref", TEXTOID}, {"created_at", TIMESTAMPTZOID},
	{"expires_at", TIMESTAMPTZOID}, {"closed_at", TIMESTAMPTZOID}
};
static const char *const reservation_checks[] = {
	"reservations_qty_check", "reservations_status_check", "reservations_check"
};

/* stock_slots: its primary key must be (sku, location, slot) */
static const char *
ValidateSlots(Relation rel, DirectCache *cache)
{
	Relation	index;
	bool		ok;

	cache->index = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(cache->index))
		return "it has no primary key";
	index = index_open(cache->index, AccessShareLock);
	ok = index->rd_rel->relam == BTREE_AM_OID &&
		index->rd_index->indnkeyatts == 3 &&
		index->rd_index->indkey.values[0] == SLOT_COL_SKU &&
		index->rd_index->indkey.values[1] == SLOT_COL_LOCATION &&
		index->rd_index->indkey.values[2] == SLOT_COL_SLOT;
	index_close(index, AccessShareLock);
	return ok ? NULL : "its primary key is not (sku, location, slot)";
}

/* reservations: reservation_id must come from its identity sequence */
static const char *
ValidateReservations(Relation rel, DirectCache *cache)
{
	cache->sequence = getIdentitySequence(RelationGetRelid(rel), 1, true);
	if (!OidIsValid(cache->sequence))
		return "reservation_id is not an identity column";
	return NULL;
}

/*
 * The stock_slots_events trigger may be skipped: OmniStockChanged() does
 * its work.  Foreign key triggers of stock_slots are skipped too: the fast
 * path never changes sku or location (src/direct.c).
 */
static DirectCache slots_cache = {
	.relname = "stock_slots",
	.columns = slot_columns, .ncolumns = SLOT_NCOLS,
	.checks = slot_checks, .nchecks = lengthof(slot_checks),
	.trigger_kind = TRIGGER_TYPE_UPDATE, .allowed_trigger = "stock_slots_events",
	.validate = ValidateSlots
};
static DirectCache reservations_cache = {
	.relname = "reservations",
	.columns = reservation_columns, .ncolumns = RES_NCOLS,
	.checks = reservation_checks, .nchecks = lengthof(reservation_checks),
	.trigger_kind = TRIGGER_TYPE_INSERT,
	.validate = ValidateReservations
};

/*
 * Why the direct path is off for this database, or NULL when it is on
 * (omni.stock_direct_path() shows it to the DBA).
 */
const char *
StockDirectProblem(void)
{
	Relation	rel;

	if (!DirectSessionAllows())
		return "this session's settings (read-only, parallel, repeatable read or serializable, or session_replication_role) use the SQL path";
	rel = DirectOpen(&slots_cache, AccessShareLock);
	if (rel == NULL)
		return psprintf("omni.stock_slots: %s", slots_cache.problem);
	table_close(rel, AccessShareLock);
	rel = DirectOpen(&reservations_cache, AccessShareLock);
	if (rel == NULL)
		return psprintf("omni.reservations: %s", reservations_cache.problem);
	table_close(rel, AccessShareLock);
	/* reserve's fast path records its event without SQL too (src/stock.c) */
	return OmniEventsDirectProblem();
}

TimestampTz
StockExpiresAt(Interval *ttl)
{
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
												   IntervalPGetDatum(ttl)));
}

/*
 * Fetch the newest version of a slot row into *tslot; false if there is no
 * such slot.
 */
static bool
FetchSlot(Relation rel, Relation index, Snapshot snapshot, text *sku,
		  text *location, int16 slot, TupleTableSlot *tslot)
{
	ScanKeyData keys[3];
	IndexScanDesc scan;
	bool		found;

	/* compare in the index's collations, as a query would */
	ScanKeyEntryInitialize(&keys[0], 0, SLOT_COL_SKU, BTEqualStrategyNumber,
						   InvalidOid, index->rd_indcollation[0], F_TEXTEQ,
						   PointerGetDatum(sku));
	ScanKeyEntryInitialize(&keys[1], 0, SLOT_COL_LOCATION, BTEqualStrategyNumber,
						   InvalidOid, index->rd_indcollation[1], F_TEXTEQ,
						   PointerGetDatum(location));
	ScanKeyEntryInitialize(&keys[2], 0, SLOT_COL_SLOT, BTEqualStrategyNumber,
						   InvalidOid, InvalidOid, F_INT2EQ,
						   Int16GetDatum(slot));
	scan = index_beginscan(rel, index, snapshot, 3, 0);
	index_rescan(scan, keys, 3, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, tslot);
	index_endscan(scan);
	return found;
}

/*
 * Reserve qty from one slot whose slot lock (and pair lock, shared) the
 * caller holds.
 */
StockDirectResult
StockDirectReserve(text *sku, text *location, int16 slot, int32 qty,
				   text *ref, Interval *ttl, int64 *reservation_id)
{
	Relation	slots;
	Relation	reservations;
	Relation	index;
	Snapshot	snapshot;
	TupleTableSlot *tslot;
	StockDirectResult result = STOCK_DIRECT_NOT_USED;
	bool		isnull;
	TimestampTz expires_at;

	if (!DirectSessionAllows())
		return STOCK_DIRECT_NOT_USED;
	slots = DirectOpen(&slots_cache, RowExclusiveLock);
	if (slots == NULL)
		return STOCK_DIRECT_NOT_USED;
	reservations = DirectOpen(&reservations_cache, RowExclusiveLock);
	if (reservations == NULL)
	{
		table_close(slots, RowExclusiveLock);
		return STOCK_DIRECT_NOT_USED;
	}
	index = index_open(slots_cache.index, RowExclusiveLock);
	expires_at = StockExpiresAt(ttl);

	/* see our own earlier writes of this statement, as SPI would */
	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	tslot = table_slot_create(slots, NULL);

	if (!FetchSlot(slots, index, snapshot, sku, location, slot, tslot))
		result = STOCK_DIRECT_SHORT;
	else
	{
		int32		on_hand = DatumGetInt32(slot_getattr(tslot, SLOT_COL_ON_HAND, &isnull));
		int32		reserved = DatumGetInt32(slot_getattr(tslot, SLOT_COL_RESERVED, &isnull));

		if ((int64) on_hand - reserved < qty)
			result = STOCK_DIRECT_SHORT;
		else
		{
			bool		should_free;
			HeapTuple	old = ExecFetchSlotHeapTuple(tslot, true, &should_free);
			Datum		values[SLOT_NCOLS] = {0};
			bool		nulls[SLOT_NCOLS] = {0};
			bool		replace[SLOT_NCOLS] = {0};
			HeapTuple	new;
			TM_FailureData tmfd;
			LockTupleMode lockmode;

			values[SLOT_COL_RESERVED - 1] = Int32GetDatum(reserved + qty);
			replace[SLOT_COL_RESERVED - 1] = true;
			values[SLOT_COL_EARLIEST - 1] = TimestampTzGetDatum(
				StockBoundWith(reserved,
							   DatumGetTimestampTz(slot_getattr(tslot, SLOT_COL_EARLIEST, &isnull)),
							   expires_at));
			replace[SLOT_COL_EARLIEST - 1] = true;
			new = heap_modify_tuple(old, RelationGetDescr(slots), values, nulls, replace);
			if (heap_update(slots, &tslot->tts_tid, new, GetCurrentCommandId(true),
							InvalidSnapshot, true, &tmfd, &lockmode) == TM_Ok)
			{
				if (!HeapTupleIsHeapOnly(new))
					DirectIndexInsert(slots, new, true);
				result = STOCK_DIRECT_DONE;
			}
			/* else changed outside the API: nothing written, SQL path */
		}
	}
	ExecDropSingleTupleTableSlot(tslot);
	UnregisterSnapshot(snapshot);
	index_close(index, NoLock);

	if (result == STOCK_DIRECT_DONE)
	{
		Datum		values[RES_NCOLS];
		bool		nulls[RES_NCOLS] = {0};

		*reservation_id = nextval_internal(reservations_cache.sequence, false);
		values[0] = Int64GetDatum(*reservation_id);
		values[1] = PointerGetDatum(sku);
		values[2] = PointerGetDatum(location);
		values[3] = Int16GetDatum(slot);
		values[4] = Int32GetDatum(qty);
		values[5] = CStringGetTextDatum("active");
		values[6] = PointerGetDatum(ref);
		nulls[6] = (ref == NULL);
		values[7] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		values[8] = TimestampTzGetDatum(expires_at);
		nulls[9] = true;
		DirectInsert(&reservations_cache, reservations, values, nulls);
		if (slots_cache.allowed_trigger_enabled)
			OmniStockChanged(text_to_cstring(sku), text_to_cstring(location));
	}
	table_close(reservations, NoLock);
	table_close(slots, NoLock);
	return result;
}
