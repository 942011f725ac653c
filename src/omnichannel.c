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
