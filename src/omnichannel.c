/*-------------------------------------------------------------------------
 *
 * omnichannel.c
 *	  Library start-up and settings of the omnichannel extension.
 *
 * Kept thin on purpose: each part has its own ...Init() called from here.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	OmniTypesInit();
	OmniStockInit();
	OmniIdentityInit();
	OmniRoutingInit();
	OmniEventsInit();
	MarkGUCPrefixReserved("omni");
}

static SPIPlanPtr
KeepPlan(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes,
		 int cursor_options)
{
	if (*cache == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, (Oid *) argtypes,
											  cursor_options);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for \"%s\"", sql);
		*cache = plan;
	}
	return *cache;
}

SPIPlanPtr
OmniKeepPlan(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes)
{
	return KeepPlan(cache, sql, nargs, argtypes, 0);
}

SPIPlanPtr
OmniKeepGenericPlan(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes)
{
	return KeepPlan(cache, sql, nargs, argtypes, CURSOR_OPT_GENERIC_PLAN);
}
