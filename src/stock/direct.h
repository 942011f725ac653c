/*-------------------------------------------------------------------------
 *
 * direct.h
 *	  The fast-path reservation written without the executor
 *	  (src/stock/direct.c), called by src/stock.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_STOCK_DIRECT_H
#define OMNI_STOCK_DIRECT_H

#include "postgres.h"

#include "datatype/timestamp.h"

typedef enum StockDirectResult
{
	STOCK_DIRECT_DONE,			/* reserved: *reservation_id is set */
	STOCK_DIRECT_SHORT,			/* the slot is missing or short; nothing written */
	STOCK_DIRECT_NOT_USED		/* use the SQL path; nothing written */
} StockDirectResult;

extern StockDirectResult StockDirectReserve(text *sku, text *location,
											int16 slot, int32 qty,
											text *ref, Interval *ttl,
											int64 *reservation_id);
extern const char *StockDirectProblem(void);

/* When a reservation made now for ttl expires: now() + ttl, as SQL says */
extern TimestampTz StockExpiresAt(Interval *ttl);

/*
 * A slot's earliest_expiry once a reservation expiring at expires_at joins
 * its "reserved" ones: that expiry if it held none, else the earlier of the
 * two (PLAN_RESERVE_SLOT in src/stock.c says the same in SQL).
 */
static inline TimestampTz
StockBoundWith(int32 reserved, TimestampTz bound, TimestampTz expires_at)
{
	return (reserved == 0 || expires_at < bound) ? expires_at : bound;
}

#endif							/* OMNI_STOCK_DIRECT_H */
