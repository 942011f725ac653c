/*-------------------------------------------------------------------------
 *
 * stock.c
 *	  The reservation engine: one stock for every channel, never oversold,
 *	  and fast on a hot SKU.
 *
 * The stock of a (sku, location) pair is split into slot rows of
 * omni.stock_slots, each holding part of the units on hand and counting the
 * reservations taken from it (0 <= reserved <= on_hand, a CHECK constraint).
 *
 * Fast path.  A reservation reads the slots without locking, then tries the
 * slots that seem to have enough, starting from a slot that depends on the
 * backend, taking a transaction-level lock on the slot with dontWait (a
 * try-lock in a lock tag space of our own, so no row lock has to be written
 * just to find out a slot is busy), and decrements the first one it gets
 * with a single guarded UPDATE (... AND on_hand - reserved >= qty).  The
 * guard, re-checked by the executor on the newest row version, is what makes
 * overselling impossible; the try-lock only steers concurrent buyers of one
 * hot SKU onto different rows.  A cold SKU costs one row update.
 *
 * Exact path.  When no single slot can serve the request, we take the
 * lock of every slot of the pair, in slot order, waiting (a lock held by
 * another transaction must never turn into a false "out of stock"),
 * release the pair's expired reservations, and decide on the exact total.
 * If enough is there, we take it and spread the remaining free units evenly
 * over the slots again, so that the fast path keeps hitting.  receive,
 * adjust, set_count and set_stock_slots always take this path: they are
 * rare and need totals.
 *
 * Lock order.  Every writer of a slot row holds the slot's lock first; a
 * transaction waits for slot locks only in slot order, pair by pair, and
 * never while it holds a row lock another writer could need.  So single
 * calls never deadlock each other (the torture run checks it).
 *
 * Reservations past their TTL stop counting at once: available() adds
 * them back, and the exact path releases them before it decides.  Both
 * read reservations only when a slot's earliest_expiry (a lower bound of
 * the expiry of its active reservations, kept by every writer of the slot
 * under the slot's lock) has passed: otherwise none can have expired, and
 * the slot rows alone are exact.  So reservations need no index by pair,
 * which cost more than a tenth of every reserve (BENCHMARKS.md), only the
 * index by expiry that expire_reservations() uses anyway.
 *
 * Everything runs through SPI with plans prepared once per backend, except
 * the fast path's reservation, which writes the slot and the reservation row
 * without the executor when the tables are as installed (src/stock/direct.c).
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "common/hashfn.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"

#include "stock/direct.h"

/* slots given to a (sku, location) when it first receives stock */
static int	omni_stock_slots = 8;

/*
 * Most reservations one expire_reservations() call releases: each distinct
 * slot it touches holds two locks until commit, and the lock table is
 * finite.  omni.expire_all_reservations() repeats it, committing between.
 */
static int	omni_expire_batch = 1000;

#define MAX_SLOTS 64

/* The fourth field of our lock tags; pg_advisory_* use 1 and 2 */
#define SLOT_LOCKTAG_KIND 3

typedef struct StockSlot
{
	int16		slot;
	int32		on_hand;
	int32		reserved;
	TimestampTz earliest_expiry;	/* of its active reservations, a lower
									 * bound; DT_NOEND when it has none */
	bool		changed;
} StockSlot;

typedef struct StockPair
{
	text	   *sku;
	text	   *location;
	int			nslots;
	StockSlot	slots[MAX_SLOTS];
	/* reserve only: the reservation row the fast path writes with its slot */
	text	   *ref;			/* may be NULL */
	Interval   *ttl;
	int64		reservation_id;
} StockPair;

/* What an operation does to the slot it lands on */
typedef enum StockTake
{
	TAKE_RESERVE,				/* reserved += qty */
	TAKE_SELL					/* on_hand -= qty */
} StockTake;

/*
 * Prepared plans, kept for the life of the backend.
 */
typedef enum StockPlanId
{
	PLAN_READ_SLOTS,
	PLAN_RESERVE_SLOT,
	PLAN_SELL_SLOT,
	PLAN_WRITE_SLOT,
	PLAN_INSERT_SLOT,
	PLAN_CREATE_FILLED,
	PLAN_DELETE_SLOT,
	PLAN_INSERT_RESERVATION,
	PLAN_INSERT_MOVEMENT,
	PLAN_EXPIRE_PAIR,
	PLAN_LOCK_RESERVATION,
	PLAN_CLOSE_RESERVATION,
	PLAN_SETTLE_SLOT,
	PLAN_EXPIRE_ALL,
	PLAN_AVAILABLE_AT,
	PLAN_AVAILABLE_ALL,
	PLAN_CHECK_SKU,
	PLAN_CHECK_LOCATION,
	PLAN_CHECK_CHANNEL,
	NUM_STOCK_PLANS
} StockPlanId;

typedef struct StockPlanDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[6];
} StockPlanDef;

static const StockPlanDef plan_defs[NUM_STOCK_PLANS] = {
	[PLAN_READ_SLOTS] = {
		"SELECT slot, on_hand, reserved, earliest_expiry FROM omni.stock_slots"
		" WHERE sku = $1 AND location = $2 ORDER BY slot",
		2, {TEXTOID, TEXTOID}
	},
	/*
	 * The fast path's reservation: the guarded slot UPDATE and the
	 * reservation row in one statement (one executor start-up instead of
	 * two on the hottest path); no row is inserted when the slot is short.
	 */
	[PLAN_RESERVE_SLOT] = {
		"WITH taken AS (UPDATE omni.stock_slots SET reserved = reserved + $4,"
		"  earliest_expiry = CASE WHEN reserved = 0 THEN now() + $6"
		"   ELSE least(earliest_expiry, now() + $6) END"
		"  WHERE sku = $1 AND location = $2 AND slot = $3"
		"  AND on_hand - reserved >= $4 RETURNING slot)"
		" INSERT INTO omni.reservations (sku, location, slot, qty, ref, expires_at)"
		" SELECT $1, $2, t.slot, $4, $5, now() + $6 FROM taken t"
		" RETURNING reservation_id",
		6, {TEXTOID, TEXTOID, INT2OID, INT4OID, TEXTOID, INTERVALOID}
	},
	[PLAN_SELL_SLOT] = {
		"UPDATE omni.stock_slots SET on_hand = on_hand - $4"
		" WHERE sku = $1 AND location = $2 AND slot = $3"
		" AND on_hand - reserved >= $4",
		4, {TEXTOID, TEXTOID, INT2OID, INT4OID}
	},
	[PLAN_WRITE_SLOT] = {
		"UPDATE omni.stock_slots SET on_hand = $4, reserved = $5, earliest_expiry = $6"
		" WHERE sku = $1 AND location = $2 AND slot = $3",
		6, {TEXTOID, TEXTOID, INT2OID, INT4OID, INT4OID, TIMESTAMPTZOID}
	},
	[PLAN_INSERT_SLOT] = {
		"INSERT INTO omni.stock_slots (sku, location, slot)"
		" SELECT $1, $2, s FROM generate_series(0, $3 - 1) s"
		" ON CONFLICT DO NOTHING",
		3, {TEXTOID, TEXTOID, INT4OID}
	},
	/* $4 units spread over $3 new slots, the first ones one unit more */
	[PLAN_CREATE_FILLED] = {
		"INSERT INTO omni.stock_slots (sku, location, slot, on_hand)"
		" SELECT $1, $2, s, $4 / $3 + CASE WHEN s < $4 % $3 THEN 1 ELSE 0 END"
		" FROM generate_series(0, $3 - 1) s"
		" ON CONFLICT DO NOTHING RETURNING on_hand",
		4, {TEXTOID, TEXTOID, INT4OID, INT4OID}
	},
	[PLAN_DELETE_SLOT] = {
		"DELETE FROM omni.stock_slots"
		" WHERE sku = $1 AND location = $2 AND slot = $3",
		3, {TEXTOID, TEXTOID, INT2OID}
	},
	[PLAN_INSERT_RESERVATION] = {
		"INSERT INTO omni.reservations (sku, location, slot, qty, ref, expires_at)"
		" VALUES ($1, $2, $3, $4, $5, now() + $6) RETURNING reservation_id",
		6, {TEXTOID, TEXTOID, INT2OID, INT4OID, TEXTOID, INTERVALOID}
	},
	[PLAN_INSERT_MOVEMENT] = {
		"INSERT INTO omni.stock_movements (sku, location, delta, reason, reference, channel)"
		" VALUES ($1, $2, $3, $4, $5, $6) RETURNING movement_id",
		6, {TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID, TEXTOID}
	},
	/*
	 * SKIP LOCKED: a locked expired reservation is being committed or
	 * released by its owner right now, so its units are not free for us.
	 */
	[PLAN_EXPIRE_PAIR] = {
		"UPDATE omni.reservations SET status = 'expired', closed_at = now()"
		" WHERE reservation_id IN (SELECT reservation_id FROM omni.reservations"
		"  WHERE sku = $1 AND location = $2 AND status = 'active'"
		"  AND expires_at BETWEEN $3 AND now() FOR UPDATE SKIP LOCKED)"
		" RETURNING slot, qty",
		3, {TEXTOID, TEXTOID, TIMESTAMPTZOID}
	},
	[PLAN_LOCK_RESERVATION] = {
		"SELECT sku, location, slot, qty, status, expires_at <= now(), ref,"
		" expires_at FROM omni.reservations WHERE reservation_id = $1 FOR UPDATE",
		1, {INT8OID}
	},
	[PLAN_CLOSE_RESERVATION] = {
		"UPDATE omni.reservations SET status = $2, closed_at = now()"
		" WHERE reservation_id = $1",
		2, {INT8OID, TEXTOID}
	},
	[PLAN_SETTLE_SLOT] = {
		"UPDATE omni.stock_slots SET on_hand = on_hand - $4, reserved = reserved - $5,"
		" earliest_expiry = CASE WHEN reserved = $5 THEN 'infinity' ELSE earliest_expiry END"
		" WHERE sku = $1 AND location = $2 AND slot = $3",
		5, {TEXTOID, TEXTOID, INT2OID, INT4OID, INT4OID}
	},
	/* pair and slot order, the order in which whole-pair lockers lock slots */
	[PLAN_EXPIRE_ALL] = {
		"WITH expired AS (UPDATE omni.reservations SET status = 'expired', closed_at = now()"
		"  WHERE reservation_id IN (SELECT reservation_id FROM omni.reservations"
		"   WHERE status = 'active' AND expires_at <= now()"
		"   ORDER BY sku, location, slot LIMIT $1 FOR UPDATE SKIP LOCKED)"
		"  RETURNING sku, location, slot, qty)"
		" SELECT sku, location, slot, sum(qty)::int4, count(*)::int4 FROM expired"
		" GROUP BY sku, location, slot ORDER BY sku, location, slot",
		1, {INT4OID}
	},
	/*
	 * Free units, and how many slot rows there are: a pair or SKU with slots
	 * is known (foreign keys), so only one without needs the catalogue checks.
	 * The expired reservations still counted in reserved are added back, only
	 * if a slot's earliest_expiry has passed, and only those expiring after
	 * the earliest bound (none of the pair's can expire before it).
	 */
	[PLAN_AVAILABLE_AT] = {
		"SELECT s.free + CASE WHEN s.first <= now() THEN"
		"   (SELECT coalesce(sum(qty), 0) FROM omni.reservations"
		"     WHERE sku = $1 AND location = $2 AND status = 'active'"
		"     AND expires_at BETWEEN s.first AND now()) ELSE 0 END, s.n"
		" FROM (SELECT coalesce(sum(on_hand - reserved), 0) AS free, count(*) AS n,"
		"              min(earliest_expiry) AS first"
		"       FROM omni.stock_slots WHERE sku = $1 AND location = $2) s",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_AVAILABLE_ALL] = {
		"SELECT s.free + CASE WHEN s.first <= now() THEN"
		"   (SELECT coalesce(sum(qty), 0) FROM omni.reservations"
		"     WHERE sku = $1 AND status = 'active'"
		"     AND expires_at BETWEEN s.first AND now()) ELSE 0 END, s.n"
		" FROM (SELECT coalesce(sum(on_hand - reserved), 0) AS free, count(*) AS n,"
		"              min(earliest_expiry) AS first"
		"       FROM omni.stock_slots WHERE sku = $1) s",
		1, {TEXTOID}
	},
	/* the shared checks of src/sql/20_catalogue.sql raise OM003, OM004, 22023 */
	[PLAN_CHECK_SKU] = {
		"SELECT omni.check_sku($1)",
		1, {TEXTOID}
	},
	[PLAN_CHECK_LOCATION] = {
		"SELECT omni.check_location($1)",
		1, {TEXTOID}
	},
	[PLAN_CHECK_CHANNEL] = {
		"SELECT omni.check_channel($1)",
		1, {TEXTOID}
	},
};

static SPIPlanPtr plans[NUM_STOCK_PLANS];

static SPIPlanPtr
StockPlan(StockPlanId id)
{
	return OmniKeepPlan(&plans[id], plan_defs[id].sql, plan_defs[id].nargs,
						plan_defs[id].argtypes);
}

/* Run a prepared plan; returns SPI_processed */
static uint64
StockExec(StockPlanId id, Datum *values, const char *nulls, int expected)
{
	int			rc;

	rc = SPI_execute_plan(StockPlan(id), values, nulls, false, 0);
	if (rc != expected)
		elog(ERROR, "stock statement failed: %s (%s)",
			 SPI_result_code_string(rc), plan_defs[id].sql);
	return SPI_processed;
}

static Datum
ResultDatum(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

static int32
ResultInt(uint64 row, int col)
{
	bool		isnull;
	Datum		d = ResultDatum(row, col, &isnull);

	if (isnull)
		return 0;
	/* our columns are int2 or int4 */
	if (SPI_gettypeid(SPI_tuptable->tupdesc, col) == INT2OID)
		return DatumGetInt16(d);
	if (SPI_gettypeid(SPI_tuptable->tupdesc, col) == INT8OID)
		return (int32) DatumGetInt64(d);
	return DatumGetInt32(d);
}

/* A text column of the last result, copied out of SPI's memory; NULL if null */
static text *
ResultText(uint64 row, int col)
{
	bool		isnull;
	Datum		d = ResultDatum(row, col, &isnull);

	if (isnull)
		return NULL;
	return DatumGetTextPP(SPI_datumTransfer(d, false, -1));
}

/*
 * Argument checks, one voice for every function.
 */
static text *
ArgText(FunctionCallInfo fcinfo, int n, const char *what)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	return PG_GETARG_TEXT_PP(n);
}

static int32
ArgQty(FunctionCallInfo fcinfo, int n, const char *what)
{
	int32		qty;

	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	qty = PG_GETARG_INT32(n);
	if (qty <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", what),
				 errdetail("Got %d.", qty),
				 errhint("Quantities are whole units greater than zero.")));
	return qty;
}

/*
 * SKU, location and channel checks: the SQL functions omni.check_sku,
 * omni.check_location and omni.check_channel raise the errors, so that the
 * API speaks with one voice whichever language a function is written in.
 */
static void
RunCheck(StockPlanId id, text *key)
{
	Datum		values[1] = {PointerGetDatum(key)};

	StockExec(id, values, NULL, SPI_OK_SELECT);
}

static void
CheckSku(text *sku)
{
	RunCheck(PLAN_CHECK_SKU, sku);
}

static void
CheckLocation(text *location)
{
	RunCheck(PLAN_CHECK_LOCATION, location);
}

static void
CheckChannel(text *channel)
{
	RunCheck(PLAN_CHECK_CHANNEL, channel);
}

static void
CheckPair(text *sku, text *location)
{
	CheckSku(sku);
	CheckLocation(location);
}

static void
InsufficientStock(StockPair *pair, int32 wanted, int64 available)
{
	ereport(ERROR,
			(errcode(ERRCODE_OMNI_INSUFFICIENT_STOCK),
			 errmsg("insufficient stock for SKU \"%s\" at location \"%s\"",
					text_to_cstring(pair->sku), text_to_cstring(pair->location)),
			 errdetail("Requested %d, available %lld.", wanted,
					   (long long) Max(available, 0)),
			 errhint("Ask for a smaller quantity or another location; omni.available() tells what is there.")));
}

/*
 * Locks.  Two kinds, in a lock tag space of our own (field 4 of an
 * advisory tag; pg_advisory_* use 1 and 2), keyed by 48 bits of hash of the
 * pair (a collision only makes two pairs or slots look busy together; the
 * guarded UPDATE and the CHECK constraint are what keep stock right):
 *
 * - the pair lock: shared by everyone who writes single slots (the fast
 *   path, and settling a reservation), exclusive for whole-pair writers
 *   (the exact path, receive, adjust, set_count, set_stock_slots);
 * - a slot lock per slot: the fast path try-locks it, settling waits for
 *   it.
 *
 * Every writer of a slot row thus holds, until it commits, either the pair
 * lock exclusively or the pair lock shared plus that slot's lock.  So a
 * fast-path UPDATE never meets a row another transaction has changed but
 * not committed: it never waits for a row lock and never re-checks its
 * guard on a newer row version (which would leave the row locked even when
 * the guard fails).  A buyer who fails on a slot therefore holds nothing of
 * the pair but its shared pair lock, and single calls never deadlock each
 * other; the torture run checks it.  Whole-pair writers take one lock per
 * pair, not one per slot, so that a bulk load stays within the lock table.
 */
#define PAIR_LOCKTAG_KIND 4

static void
PairLockTag(LOCKTAG *tag, StockPair *pair, int16 slot, uint16 kind)
{
	uint32		h;
	uint32		h2;

	h = hash_any((unsigned char *) VARDATA_ANY(pair->sku),
				 VARSIZE_ANY_EXHDR(pair->sku));
	h2 = hash_any((unsigned char *) VARDATA_ANY(pair->location),
				  VARSIZE_ANY_EXHDR(pair->location));
	h = hash_combine(h, h2);
	h2 = hash_combine(h2, h);
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, h,
						 ((uint32) slot << 16) | (h2 & 0xFFFF), kind);
}

static bool
SlotLock(StockPair *pair, int16 slot, bool wait)
{
	LOCKTAG		tag;

	PairLockTag(&tag, pair, slot, SLOT_LOCKTAG_KIND);
	return LockAcquire(&tag, ExclusiveLock, false, !wait) != LOCKACQUIRE_NOT_AVAIL;
}

/*
 * A try-lock whose slot turned out to be short protects nothing: let it go
 * at once, so that a buyer waiting in the fallback below never holds one
 * slot while queueing for another (two such buyers would deadlock).
 */
static void
SlotUnlock(StockPair *pair, int16 slot)
{
	LOCKTAG		tag;

	PairLockTag(&tag, pair, slot, SLOT_LOCKTAG_KIND);
	LockRelease(&tag, ExclusiveLock, false);
}

static void
PairLock(StockPair *pair, LOCKMODE mode)
{
	LOCKTAG		tag;

	PairLockTag(&tag, pair, 0, PAIR_LOCKTAG_KIND);
	(void) LockAcquire(&tag, mode, false, false);
}

static void
PairUnlock(StockPair *pair, LOCKMODE mode)
{
	LOCKTAG		tag;

	PairLockTag(&tag, pair, 0, PAIR_LOCKTAG_KIND);
	LockRelease(&tag, mode, false);
}

static void
ReadSlots(StockPair *pair)
{
	Datum		values[2] = {PointerGetDatum(pair->sku), PointerGetDatum(pair->location)};
	uint64		n;
	bool		isnull;

	n = StockExec(PLAN_READ_SLOTS, values, NULL, SPI_OK_SELECT);
	if (n > MAX_SLOTS)
		elog(ERROR, "too many stock slots (" UINT64_FORMAT ") for one pair", n);
	pair->nslots = (int) n;
	for (uint64 i = 0; i < n; i++)
	{
		pair->slots[i].slot = (int16) ResultInt(i, 1);
		pair->slots[i].on_hand = ResultInt(i, 2);
		pair->slots[i].reserved = ResultInt(i, 3);
		pair->slots[i].earliest_expiry = DatumGetTimestampTz(ResultDatum(i, 4, &isnull));
		pair->slots[i].changed = false;
	}
}

static int64
PairOnHand(StockPair *pair)
{
	int64		total = 0;

	for (int i = 0; i < pair->nslots; i++)
		total += pair->slots[i].on_hand;
	return total;
}

static int64
PairReserved(StockPair *pair)
{
	int64		total = 0;

	for (int i = 0; i < pair->nslots; i++)
		total += pair->slots[i].reserved;
	return total;
}

static StockSlot *
FindSlot(StockPair *pair, int16 slot)
{
	for (int i = 0; i < pair->nslots; i++)
		if (pair->slots[i].slot == slot)
			return &pair->slots[i];
	return NULL;
}

/*
 * Lock the whole pair (exclusively), creating its slots first if it has
 * none (only when "create"), and release its expired reservations, so that
 * the totals are exact.  Returns false if the pair has no slots and create
 * is false.  Once we hold the lock, no other transaction has an
 * uncommitted change in the pair's rows, so a plain read is exact.
 */
static bool
LockPair(StockPair *pair, bool create)
{
	Datum		values[3];
	uint64		n;

	values[0] = PointerGetDatum(pair->sku);
	values[1] = PointerGetDatum(pair->location);
	PairLock(pair, ExclusiveLock);
	ReadSlots(pair);
	if (pair->nslots == 0)
	{
		if (!create)
			return false;
		values[2] = Int32GetDatum(omni_stock_slots);
		StockExec(PLAN_INSERT_SLOT, values, NULL, SPI_OK_INSERT);
		ReadSlots(pair);
	}

	/*
	 * Before every slot's earliest_expiry, no reservation can have expired;
	 * none of the pair's expires before the earliest of them.
	 */
	{
		TimestampTz first = DT_NOEND;

		for (int i = 0; i < pair->nslots; i++)
			first = Min(first, pair->slots[i].earliest_expiry);
		if (first > GetCurrentTransactionStartTimestamp())
			return true;
		values[2] = TimestampTzGetDatum(first);
	}
	n = StockExec(PLAN_EXPIRE_PAIR, values, NULL, SPI_OK_UPDATE_RETURNING);
	for (uint64 i = 0; i < n; i++)
	{
		StockSlot  *s = FindSlot(pair, (int16) ResultInt(i, 1));

		if (s == NULL)
			elog(ERROR, "reservation refers to a missing stock slot");
		s->reserved -= ResultInt(i, 2);
		s->changed = true;
	}
	return true;
}

/*
 * Spread the pair's free units evenly over its slots, keeping every slot's
 * reservations covered: each slot gets on_hand = reserved + its share.
 * The total on hand is unchanged; only the split moves.
 */
static void
Rebalance(StockPair *pair)
{
	int64		free_units = PairOnHand(pair) - PairReserved(pair);
	int64		share;
	int64		extra;

	Assert(free_units >= 0);
	share = free_units / pair->nslots;
	extra = free_units % pair->nslots;
	for (int i = 0; i < pair->nslots; i++)
	{
		StockSlot  *s = &pair->slots[i];
		int64		target = s->reserved + share + (i < extra ? 1 : 0);

		if (target != s->on_hand)
		{
			s->on_hand = (int32) target;
			s->changed = true;
		}
	}
}

static void
WriteSlots(StockPair *pair)
{
	Datum		values[6];

	values[0] = PointerGetDatum(pair->sku);
	values[1] = PointerGetDatum(pair->location);
	for (int i = 0; i < pair->nslots; i++)
	{
		StockSlot  *s = &pair->slots[i];

		if (!s->changed)
			continue;
		values[2] = Int16GetDatum(s->slot);
		values[3] = Int32GetDatum(s->on_hand);
		values[4] = Int32GetDatum(s->reserved);
		/* a slot without reservations has none that could expire */
		if (s->reserved == 0)
			s->earliest_expiry = DT_NOEND;
		values[5] = TimestampTzGetDatum(s->earliest_expiry);
		StockExec(PLAN_WRITE_SLOT, values, NULL, SPI_OK_UPDATE);
		s->changed = false;
	}
}

static int64
InsertMovement(StockPair *pair, int32 delta, const char *reason,
			   text *reference, text *channel)
{
	Datum		values[6];
	char		nulls[6] = "      ";
	bool		isnull;

	values[0] = PointerGetDatum(pair->sku);
	values[1] = PointerGetDatum(pair->location);
	values[2] = Int32GetDatum(delta);
	values[3] = CStringGetTextDatum(reason);
	values[4] = PointerGetDatum(reference);
	values[5] = PointerGetDatum(channel);
	if (reference == NULL)
		nulls[4] = 'n';
	if (channel == NULL)
		nulls[5] = 'n';
	StockExec(PLAN_INSERT_MOVEMENT, values, nulls, SPI_OK_INSERT_RETURNING);
	return DatumGetInt64(ResultDatum(0, 1, &isnull));
}

/*
 * Apply "take" of qty to one slot with the guarded UPDATE.  False if the
 * slot no longer has enough.
 */
static bool
TakeFromSlot(StockPair *pair, int16 slot, int32 qty, StockTake take,
			 bool direct_only)
{
	Datum		values[6];
	char		nulls[6] = "      ";
	bool		isnull;

	values[0] = PointerGetDatum(pair->sku);
	values[1] = PointerGetDatum(pair->location);
	values[2] = Int16GetDatum(slot);
	values[3] = Int32GetDatum(qty);
	if (take == TAKE_SELL)
		return StockExec(PLAN_SELL_SLOT, values, NULL, SPI_OK_UPDATE) == 1;

	switch (StockDirectReserve(pair->sku, pair->location, slot, qty,
							   pair->ref, pair->ttl, &pair->reservation_id))
	{
		case STOCK_DIRECT_DONE:
			return true;
		case STOCK_DIRECT_SHORT:
			return false;
		case STOCK_DIRECT_NOT_USED:
			if (direct_only)
				return false;
			break;
	}
	if (pair->ref == NULL)
		nulls[4] = 'n';
	else
		values[4] = PointerGetDatum(pair->ref);
	values[5] = IntervalPGetDatum(pair->ttl);
	if (StockExec(PLAN_RESERVE_SLOT, values, nulls, SPI_OK_INSERT_RETURNING) != 1)
		return false;
	pair->reservation_id = DatumGetInt64(ResultDatum(0, 1, &isnull));
	return true;
}

/*
 * How many slots each pair has, as this backend last saw it: with it the
 * fast path can try a slot straight away, without reading the pair first.
 * A stale count is harmless: a slot that is gone or short fails the guarded
 * UPDATE and sends us to the full read, which refreshes the entry.
 */
#define SLOT_CACHE_KEYLEN	136
#define SLOT_CACHE_MAX		16384

typedef struct SlotCountEntry
{
	char		key[SLOT_CACHE_KEYLEN];
	int			nslots;
} SlotCountEntry;

static HTAB *slot_count_cache = NULL;

static SlotCountEntry *
SlotCountLookup(StockPair *pair, bool create)
{
	char		key[SLOT_CACHE_KEYLEN];
	int			skulen = VARSIZE_ANY_EXHDR(pair->sku);
	int			loclen = VARSIZE_ANY_EXHDR(pair->location);
	bool		found;

	/* catalogue checks keep codes short; anything longer is not cached */
	if (skulen + loclen + 2 > SLOT_CACHE_KEYLEN)
		return NULL;
	if (slot_count_cache == NULL ||
		(create && hash_get_num_entries(slot_count_cache) >= SLOT_CACHE_MAX))
	{
		HASHCTL		ctl;

		if (slot_count_cache != NULL)
			hash_destroy(slot_count_cache);
		ctl.keysize = SLOT_CACHE_KEYLEN;
		ctl.entrysize = sizeof(SlotCountEntry);
		slot_count_cache = hash_create("omni stock slot counts", 1024, &ctl,
									   HASH_ELEM | HASH_BLOBS);
	}
	memset(key, 0, sizeof(key));
	memcpy(key, VARDATA_ANY(pair->sku), skulen);
	memcpy(key + skulen + 1, VARDATA_ANY(pair->location), loclen);
	return hash_search(slot_count_cache, key, create ? HASH_ENTER : HASH_FIND,
					   &found);
}

/*
 * The fast path.  Returns the slot used, or -1 if no single slot could
 * serve the request without the exact path.
 */
static uint32 fast_turn = 0;

static int	TakeFastSlot(StockPair *pair, int32 qty, StockTake take,
						 SlotCountEntry *cached, uint32 turn);

static int
TakeFast(StockPair *pair, int32 qty, StockTake take)
{
	SlotCountEntry *cached = SlotCountLookup(pair, false);
	int			slot;

	PairLock(pair, ShareLock);
	slot = TakeFastSlot(pair, qty, take, cached, ++fast_turn);
	/* the exact path takes the pair lock exclusively: never upgrade */
	if (slot < 0)
		PairUnlock(pair, ShareLock);
	return slot;
}

/*
 * The first try of the fast path, under the pair lock (shared): one slot,
 * guessed without reading the pair.  Backends start at different slots,
 * and move on at each call.  A pair this backend has not seen yet most
 * likely has the default number of slots: guessing one saves reading the
 * pair first, which on stock spread over many SKUs is what nearly every
 * call would do.  A slot that does not exist fails the guarded write like
 * a short one.  direct_only: give up rather than write through SQL.
 */
static int
TakeGuessedSlot(StockPair *pair, int32 qty, StockTake take,
				SlotCountEntry *cached, uint32 turn, bool direct_only)
{
	int			nslots;
	int16		slot;

	if (cached != NULL && cached->nslots <= 0)
		return -1;
	nslots = cached != NULL ? cached->nslots : omni_stock_slots;
	slot = (int16) ((MyProcPid + turn) % nslots);
	if (!SlotLock(pair, slot, false))
		return -1;
	if (TakeFromSlot(pair, slot, qty, take, direct_only))
		return slot;
	SlotUnlock(pair, slot);
	return -1;
}

static int
TakeFastSlot(StockPair *pair, int32 qty, StockTake take,
			 SlotCountEntry *cached, uint32 turn)
{
	int			start;
	int			fallback = -1;
	int			slot = TakeGuessedSlot(pair, qty, take, cached, turn, false);

	if (slot >= 0)
		return slot;

	ReadSlots(pair);
	cached = SlotCountLookup(pair, true);
	if (cached != NULL)
		cached->nslots = pair->nslots;
	if (pair->nslots == 0)
		return -1;

	start = (int) ((MyProcPid + turn) % pair->nslots);
	for (int k = 0; k < pair->nslots; k++)
	{
		StockSlot  *s = &pair->slots[(start + k) % pair->nslots];

		if (s->on_hand - s->reserved < qty)
			continue;
		if (!SlotLock(pair, s->slot, false))
		{
			if (fallback < 0)
				fallback = s->slot;
			continue;
		}
		if (TakeFromSlot(pair, s->slot, qty, take, false))
			return s->slot;
		SlotUnlock(pair, s->slot);
	}

	/*
	 * Every slot that seemed to have enough is busy: queue on one of them
	 * rather than answer "out of stock" because of someone else's lock.
	 */
	if (fallback >= 0)
	{
		SlotLock(pair, (int16) fallback, true);
		if (TakeFromSlot(pair, (int16) fallback, qty, take, false))
			return fallback;
		SlotUnlock(pair, (int16) fallback);
	}
	return -1;
}

/*
 * The exact path: lock the pair, decide on its true total, take qty from
 * one slot after moving free units onto it, and rebalance.  Raises OM001
 * (or OM003/OM004) when it cannot.
 */
static int
TakeExact(StockPair *pair, int32 qty, StockTake take)
{
	int64		free_units;
	StockSlot  *target;

	if (!LockPair(pair, false))
	{
		CheckPair(pair->sku, pair->location);
		InsufficientStock(pair, qty, 0);
	}
	free_units = PairOnHand(pair) - PairReserved(pair);
	if (free_units < qty)
	{
		/* nothing was written yet but expirations, which may stay */
		WriteSlots(pair);
		InsufficientStock(pair, qty, free_units);
	}

	/* take qty as a whole from slot 0, then spread what is left */
	target = &pair->slots[0];
	if (take == TAKE_RESERVE)
	{
		target->earliest_expiry = StockBoundWith(target->reserved,
												 target->earliest_expiry,
												 StockExpiresAt(pair->ttl));
		target->reserved += qty;
	}
	else
		target->on_hand -= qty;
	target->changed = true;
	Rebalance(pair);
	WriteSlots(pair);
	return target->slot;
}

static void
InitPair(StockPair *pair, text *sku, text *location)
{
	pair->sku = sku;
	pair->location = location;
	pair->nslots = 0;
	pair->ref = NULL;
	pair->ttl = NULL;
	pair->reservation_id = 0;
}

/* The arguments of reserve, checked, one voice for both entry points */
static void
ReserveArgs(FunctionCallInfo fcinfo, StockPair *pair, int32 *qty)
{
	Interval   *ttl;

	InitPair(pair, ArgText(fcinfo, 0, "sku"), ArgText(fcinfo, 1, "location"));
	*qty = ArgQty(fcinfo, 2, "qty");
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("ttl must not be null")));
	ttl = PG_GETARG_INTERVAL_P(3);
	if (ttl->month < 0 || ttl->day < 0 || ttl->time < 0 ||
		(ttl->month == 0 && ttl->day == 0 && ttl->time == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ttl must be positive"),
				 errdetail("A reservation is held for a positive time, such as '15 minutes'.")));
	pair->ref = PG_ARGISNULL(4) ? NULL : PG_GETARG_TEXT_PP(4);
	pair->ttl = ttl;
}

/*
 * omni.reserve(sku, location, qty, ttl, ref) -> reservation id
 *
 * The one API function that is not SECURITY DEFINER.  Its common case, the
 * guessed slot written without the executor (src/stock/direct.c), runs no
 * SQL, resolves no name and checks no table privilege, so it needs neither
 * the owner's rights nor a pinned search_path; the SET clause that pins it
 * cost a spread reserve about a tenth of its time (two search_path
 * switches, and a recomputed namespace path at the caller's next
 * statement).  Everything else, the moment it would run SQL, goes to
 * omni.reserve_through_sql, which is SECURITY DEFINER with a pinned
 * search_path and does the whole reservation.  Who may reserve is still
 * decided by EXECUTE on this function (src/sql/95_security.sql).
 */
PG_FUNCTION_INFO_V1(omni_reserve);
Datum
omni_reserve(PG_FUNCTION_ARGS)
{
	StockPair	pair;
	int32		qty;

	ReserveArgs(fcinfo, &pair, &qty);
	if (DirectSessionAllows() && OmniEventsDirectProblem() == NULL)
	{
		PairLock(&pair, ShareLock);
		if (TakeGuessedSlot(&pair, qty, TAKE_RESERVE,
							SlotCountLookup(&pair, false), ++fast_turn, true) >= 0)
			PG_RETURN_INT64(pair.reservation_id);
		PairUnlock(&pair, ShareLock);
	}

	/* the same arguments, as the owner, with SQL */
	{
		Oid			argtypes[5] = {TEXTOID, TEXTOID, INT4OID, INTERVALOID, TEXTOID};
		FmgrInfo	flinfo;
		LOCAL_FCINFO(inner, 5);
		Datum		result;

		fmgr_info(LookupFuncName(list_make2(makeString("omni"),
											makeString("reserve_through_sql")),
								 5, argtypes, false),
				  &flinfo);
		InitFunctionCallInfoData(*inner, &flinfo, 5, PG_GET_COLLATION(), NULL, NULL);
		for (int i = 0; i < 5; i++)
			inner->args[i] = fcinfo->args[i];
		result = FunctionCallInvoke(inner);
		if (inner->isnull)
			elog(ERROR, "omni.reserve_through_sql returned null");
		PG_RETURN_DATUM(result);
	}
}

/*
 * omni.reserve_through_sql(sku, location, qty, ttl, ref) -> reservation id:
 * a whole reservation, fast path (again) and exact path, as the owner.
 */
PG_FUNCTION_INFO_V1(omni_reserve_through_sql);
Datum
omni_reserve_through_sql(PG_FUNCTION_ARGS)
{
	StockPair	pair;
	int32		qty;
	int			slot;
	Datum		values[6];
	char		nulls[6] = "      ";
	bool		isnull;
	int64		id;

	ReserveArgs(fcinfo, &pair, &qty);

	SPI_connect();
	if (TakeFast(&pair, qty, TAKE_RESERVE) >= 0)
	{
		SPI_finish();
		PG_RETURN_INT64(pair.reservation_id);
	}

	/* the exact path moved units onto one slot: reserve there */
	slot = TakeExact(&pair, qty, TAKE_RESERVE);
	values[0] = PointerGetDatum(pair.sku);
	values[1] = PointerGetDatum(pair.location);
	values[2] = Int16GetDatum((int16) slot);
	values[3] = Int32GetDatum(qty);
	if (pair.ref == NULL)
		nulls[4] = 'n';
	else
		values[4] = PointerGetDatum(pair.ref);
	values[5] = IntervalPGetDatum(pair.ttl);
	StockExec(PLAN_INSERT_RESERVATION, values, nulls, SPI_OK_INSERT_RETURNING);
	id = DatumGetInt64(ResultDatum(0, 1, &isnull));
	SPI_finish();
	PG_RETURN_INT64(id);
}

/*
 * omni.sell(sku, location, qty, channel) -> ledger movement id
 */
PG_FUNCTION_INFO_V1(omni_sell);
Datum
omni_sell(PG_FUNCTION_ARGS)
{
	StockPair	pair;
	int32		qty;
	text	   *channel;
	int64		id;

	InitPair(&pair, ArgText(fcinfo, 0, "sku"), ArgText(fcinfo, 1, "location"));
	qty = ArgQty(fcinfo, 2, "qty");
	channel = ArgText(fcinfo, 3, "channel");

	SPI_connect();
	CheckChannel(channel);
	if (TakeFast(&pair, qty, TAKE_SELL) < 0)
		TakeExact(&pair, qty, TAKE_SELL);
	id = InsertMovement(&pair, -qty, "sale", NULL, channel);
	SPI_finish();
	PG_RETURN_INT64(id);
}

/*
 * omni.stock_direct_path() -> 'on', or why the fast path of this session
 * and database writes through SQL instead (src/stock/direct.c)
 */
PG_FUNCTION_INFO_V1(omni_stock_direct_path);
Datum
omni_stock_direct_path(PG_FUNCTION_ARGS)
{
	const char *problem = StockDirectProblem();

	if (problem == NULL)
		PG_RETURN_TEXT_P(cstring_to_text("on"));
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("off: %s", problem)));
}

/*
 * Whole-pair changes of on-hand: receive and adjust add a delta, set_count
 * sets a total (the delta is then computed from the locked totals).
 */
typedef enum OnHandChange
{
	CHANGE_RECEIVE,
	CHANGE_ADJUST,
	CHANGE_COUNT
} OnHandChange;

/*
 * The first receipt of a pair creates its slots already filled.  Rows that
 * we insert are invisible to everyone until we commit, so this needs no
 * lock at all: a first stock load of many pairs in one transaction does not
 * fill the lock table.  Returns the units placed (all, unless another
 * transaction created some of the slots first).
 */
static int32
CreateFilledSlots(StockPair *pair, int32 qty)
{
	Datum		values[4];
	uint64		n;
	int64		placed = 0;

	values[0] = PointerGetDatum(pair->sku);
	values[1] = PointerGetDatum(pair->location);
	values[2] = Int32GetDatum(omni_stock_slots);
	values[3] = Int32GetDatum(qty);
	n = StockExec(PLAN_CREATE_FILLED, values, NULL, SPI_OK_INSERT_RETURNING);
	for (uint64 i = 0; i < n; i++)
		placed += ResultInt(i, 1);
	return (int32) placed;
}

static int32
ChangeOnHand(StockPair *pair, OnHandChange kind, int32 amount, const char *reason)
{
	int64		on_hand;
	int64		reserved;
	int64		delta;
	int64		result;

	CheckPair(pair->sku, pair->location);
	if (kind == CHANGE_RECEIVE)
	{
		ReadSlots(pair);
		if (pair->nslots == 0)
		{
			int32		placed = CreateFilledSlots(pair, amount);

			if (placed == amount)
			{
				InsertMovement(pair, amount, reason, NULL, NULL);
				return amount;
			}
			/* someone created the pair at the same time: add the rest */
			if (placed > 0)
				InsertMovement(pair, placed, reason, NULL, NULL);
			amount -= placed;
		}
	}
	LockPair(pair, true);
	on_hand = PairOnHand(pair);
	reserved = PairReserved(pair);

	delta = (kind == CHANGE_COUNT) ? (int64) amount - on_hand : amount;
	result = on_hand + delta;
	if (result > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("stock on hand would exceed %d units", PG_INT32_MAX)));
	if (result < reserved)
		ereport(ERROR,
				(errcode(ERRCODE_OMNI_INSUFFICIENT_STOCK),
				 errmsg("%s would leave less on hand than is reserved for SKU \"%s\" at location \"%s\"",
						kind == CHANGE_COUNT ? "count" : "adjustment",
						text_to_cstring(pair->sku), text_to_cstring(pair->location)),
				 errdetail("On hand %lld, reserved %lld, %s %lld.",
						   (long long) on_hand, (long long) reserved,
						   kind == CHANGE_COUNT ? "counted" : "change",
						   (long long) (kind == CHANGE_COUNT ? amount : delta)),
				 errhint("Release or commit reservations first, or adjust by less.")));

	if (delta != 0)
	{
		/* the units land on (or leave) slot 0; Rebalance spreads them */
		pair->slots[0].on_hand += (int32) delta;
		pair->slots[0].changed = true;
		Rebalance(pair);
		InsertMovement(pair, (int32) delta, reason, NULL, NULL);
	}
	WriteSlots(pair);
	return (int32) result;
}

static const char *
ArgReason(FunctionCallInfo fcinfo, int n)
{
	char	   *reason;

	reason = text_to_cstring(ArgText(fcinfo, n, "reason"));
	if (reason[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reason must not be empty"),
				 errhint("Say why stock changed, such as \"damage\", \"shrink\" or \"found\".")));
	return reason;
}

PG_FUNCTION_INFO_V1(omni_receive);
Datum
omni_receive(PG_FUNCTION_ARGS)
{
	StockPair	pair;
	int32		qty;
	const char *reason;
	int32		result;

	InitPair(&pair, ArgText(fcinfo, 0, "sku"), ArgText(fcinfo, 1, "location"));
	qty = ArgQty(fcinfo, 2, "qty");
	reason = ArgReason(fcinfo, 3);

	SPI_connect();
	result = ChangeOnHand(&pair, CHANGE_RECEIVE, qty, reason);
	SPI_finish();
	PG_RETURN_INT32(result);
}

PG_FUNCTION_INFO_V1(omni_adjust);
Datum
omni_adjust(PG_FUNCTION_ARGS)
{
	StockPair	pair;
	int32		delta;
	const char *reason;
	int32		result;

	InitPair(&pair, ArgText(fcinfo, 0, "sku"), ArgText(fcinfo, 1, "location"));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("delta must not be null")));
	delta = PG_GETARG_INT32(2);
	if (delta == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delta must not be zero"),
				 errhint("A positive delta adds units (found), a negative one removes them (damage, shrink).")));
	reason = ArgReason(fcinfo, 3);

	SPI_connect();
	result = ChangeOnHand(&pair, CHANGE_ADJUST, delta, reason);
	SPI_finish();
	PG_RETURN_INT32(result);
}

PG_FUNCTION_INFO_V1(omni_set_count);
Datum
omni_set_count(PG_FUNCTION_ARGS)
{
	StockPair	pair;
	int32		counted;
	int32		result;

	InitPair(&pair, ArgText(fcinfo, 0, "sku"), ArgText(fcinfo, 1, "location"));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("counted must not be null")));
	counted = PG_GETARG_INT32(2);
	if (counted < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("counted must not be negative"),
				 errdetail("Got %d.", counted)));

	SPI_connect();
	result = ChangeOnHand(&pair, CHANGE_COUNT, counted, "count");
	SPI_finish();
	PG_RETURN_INT32(result);
}

/*
 * commit_reservation and release_reservation: lock the reservation row,
 * check it is active and unexpired, then settle its slot.
 */
static void
CloseReservation(int64 id, bool commit)
{
	Datum		values[5];
	bool		isnull;
	StockPair	pair;
	int16		slot;
	int32		qty;
	char	   *status;
	bool		expired;
	text	   *ref;

	values[0] = Int64GetDatum(id);
	if (StockExec(PLAN_LOCK_RESERVATION, values, NULL, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OMNI_RESERVATION_NOT_ACTIVE),
				 errmsg("reservation %lld does not exist", (long long) id)));

	InitPair(&pair, ResultText(0, 1), ResultText(0, 2));
	slot = (int16) ResultInt(0, 3);
	qty = ResultInt(0, 4);
	status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5);
	expired = DatumGetBool(ResultDatum(0, 6, &isnull));
	ref = ResultText(0, 7);

	if (strcmp(status, "active") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OMNI_RESERVATION_NOT_ACTIVE),
				 errmsg("reservation %lld is not active", (long long) id),
				 errdetail("It is %s.", status)));
	if (expired)
		ereport(ERROR,
				(errcode(ERRCODE_OMNI_RESERVATION_NOT_ACTIVE),
				 errmsg("reservation %lld is not active", (long long) id),
				 errdetail("It expired at %s.",
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 8)),
				 errhint("Reserve again: expired units went back on sale.")));

	PairLock(&pair, ShareLock);
	SlotLock(&pair, slot, true);
	values[0] = PointerGetDatum(pair.sku);
	values[1] = PointerGetDatum(pair.location);
	values[2] = Int16GetDatum(slot);
	values[3] = Int32GetDatum(commit ? qty : 0);
	values[4] = Int32GetDatum(qty);
	StockExec(PLAN_SETTLE_SLOT, values, NULL, SPI_OK_UPDATE);

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(commit ? "committed" : "released");
	StockExec(PLAN_CLOSE_RESERVATION, values, NULL, SPI_OK_UPDATE);

	if (commit)
	{
		char		reference[64];

		snprintf(reference, sizeof(reference), "reservation %lld", (long long) id);
		InsertMovement(&pair, -qty, "sale",
					   ref ? ref : cstring_to_text(reference), NULL);
	}
}

static int64
ArgReservation(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("reservation_id must not be null")));
	return PG_GETARG_INT64(0);
}

PG_FUNCTION_INFO_V1(omni_commit_reservation);
Datum
omni_commit_reservation(PG_FUNCTION_ARGS)
{
	int64		id = ArgReservation(fcinfo);

	SPI_connect();
	CloseReservation(id, true);
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(omni_release_reservation);
Datum
omni_release_reservation(PG_FUNCTION_ARGS)
{
	int64		id = ArgReservation(fcinfo);

	SPI_connect();
	CloseReservation(id, false);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * omni.expire_reservations(): mark every expired active reservation
 * expired, then give its units back, slot by slot in slot order.
 */
PG_FUNCTION_INFO_V1(omni_expire_reservations);
Datum
omni_expire_reservations(PG_FUNCTION_ARGS)
{
	uint64		groups;
	int64		count = 0;
	Datum	   *rows;

	SPI_connect();
	{
		Datum		limit[1] = {Int32GetDatum(omni_expire_batch)};

		groups = StockExec(PLAN_EXPIRE_ALL, limit, NULL, SPI_OK_SELECT);
	}

	/* copy the groups out: the next statement replaces SPI_tuptable */
	rows = palloc(sizeof(Datum) * 5 * Max(groups, 1));
	for (uint64 i = 0; i < groups; i++)
	{
		bool		isnull;

		for (int c = 0; c < 4; c++)
			rows[i * 5 + c] = SPI_datumTransfer(ResultDatum(i, c + 1, &isnull),
												c >= 2, c < 2 ? -1 : (c == 2 ? 2 : 4));
		count += ResultInt(i, 5);
	}
	for (uint64 i = 0; i < groups; i++)
	{
		Datum		values[5];
		StockPair	pair;

		InitPair(&pair, DatumGetTextPP(rows[i * 5]), DatumGetTextPP(rows[i * 5 + 1]));
		PairLock(&pair, ShareLock);
		SlotLock(&pair, DatumGetInt16(rows[i * 5 + 2]), true);
		values[0] = rows[i * 5];
		values[1] = rows[i * 5 + 1];
		values[2] = rows[i * 5 + 2];
		values[3] = Int32GetDatum(0);
		values[4] = rows[i * 5 + 3];
		StockExec(PLAN_SETTLE_SLOT, values, NULL, SPI_OK_UPDATE);
	}
	SPI_finish();
	PG_RETURN_INT32((int32) count);
}

/*
 * omni.available(sku, location DEFAULT NULL)
 */
PG_FUNCTION_INFO_V1(omni_available);
Datum
omni_available(PG_FUNCTION_ARGS)
{
	text	   *sku = ArgText(fcinfo, 0, "sku");
	Datum		values[2];
	bool		isnull;
	int64		available;

	SPI_connect();
	values[0] = PointerGetDatum(sku);
	if (PG_ARGISNULL(1))
		StockExec(PLAN_AVAILABLE_ALL, values, NULL, SPI_OK_SELECT);
	else
	{
		values[1] = PointerGetDatum(PG_GETARG_TEXT_PP(1));
		StockExec(PLAN_AVAILABLE_AT, values, NULL, SPI_OK_SELECT);
	}
	available = DatumGetInt64(ResultDatum(0, 1, &isnull));
	if (DatumGetInt64(ResultDatum(0, 2, &isnull)) == 0)
	{
		/* no stock row: unknown SKU or location (OM003, OM004), or none yet */
		CheckSku(sku);
		if (!PG_ARGISNULL(1))
			CheckLocation(PG_GETARG_TEXT_PP(1));
	}
	SPI_finish();
	PG_RETURN_INT32((int32) Min(available, PG_INT32_MAX));
}

/*
 * omni.set_stock_slots(sku, location, slots): grow or shrink the number of
 * slots of a pair.  A slot still holding reservations cannot go.
 */
PG_FUNCTION_INFO_V1(omni_set_stock_slots);
Datum
omni_set_stock_slots(PG_FUNCTION_ARGS)
{
	StockPair	pair;
	int32		want;
	Datum		values[3];

	InitPair(&pair, ArgText(fcinfo, 0, "sku"), ArgText(fcinfo, 1, "location"));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("slots must not be null")));
	want = PG_GETARG_INT32(2);
	if (want < 1 || want > MAX_SLOTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("slots must be between 1 and %d", MAX_SLOTS),
				 errdetail("Got %d.", want)));

	SPI_connect();
	CheckPair(pair.sku, pair.location);
	LockPair(&pair, true);
	values[0] = PointerGetDatum(pair.sku);
	values[1] = PointerGetDatum(pair.location);

	if (want > pair.nslots)
	{
		/* new slots are numbered 0..want-1, existing ones are kept */
		values[2] = Int32GetDatum(want);
		WriteSlots(&pair);
		StockExec(PLAN_INSERT_SLOT, values, NULL, SPI_OK_INSERT);
		LockPair(&pair, false);
	}
	else
	{
		/* drop the highest-numbered slots that hold no reservation */
		int			keep = pair.nslots;

		while (keep > want && pair.slots[keep - 1].reserved == 0)
			keep--;
		if (keep < pair.nslots)
		{
			int64		moved = 0;

			for (int i = keep; i < pair.nslots; i++)
			{
				moved += pair.slots[i].on_hand;
				values[2] = Int16GetDatum(pair.slots[i].slot);
				StockExec(PLAN_DELETE_SLOT, values, NULL, SPI_OK_DELETE);
			}
			pair.nslots = keep;
			pair.slots[0].on_hand += (int32) moved;
			pair.slots[0].changed = true;
		}
	}
	Rebalance(&pair);
	WriteSlots(&pair);
	SPI_finish();
	PG_RETURN_INT32(pair.nslots);
}

void
OmniStockInit(void)
{
	DefineCustomIntVariable("omni.stock_slots",
							"Number of slots a SKU's stock at one location is split into when it is first received.",
							"More slots let more concurrent buyers of one SKU proceed at once; omni.set_stock_slots() changes an existing pair.",
							&omni_stock_slots,
							8, 1, MAX_SLOTS,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("omni.expire_batch",
							"Most expired reservations one omni.expire_reservations() call releases.",
							"Each slot touched holds locks until commit; omni.expire_all_reservations() repeats the call, committing in between.",
							&omni_expire_batch,
							1000, 1, 100000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
}
