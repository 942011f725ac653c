/*-------------------------------------------------------------------------
 *
 * omnichannel.h
 *	  Declarations shared by the parts of the omnichannel extension.
 *
 * Each part (types, stock, identity, routing, recommend, events) keeps its
 * internals to itself; what another part may call is declared here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNICHANNEL_H
#define OMNICHANNEL_H

#include "postgres.h"

#include "executor/spi.h"
#include "storage/lockdefs.h"
#include "utils/relcache.h"
#include "orders/lines_reader.h"

/*
 * Our own SQLSTATEs, class "OM".  The same list, with a sentence each, is in
 * src/sql/00_errors.sql (table omni.error_codes) and in README.md.
 */
#define ERRCODE_OMNI_INSUFFICIENT_STOCK			MAKE_SQLSTATE('O','M','0','0','1')
#define ERRCODE_OMNI_RESERVATION_NOT_ACTIVE		MAKE_SQLSTATE('O','M','0','0','2')
#define ERRCODE_OMNI_UNKNOWN_SKU				MAKE_SQLSTATE('O','M','0','0','3')
#define ERRCODE_OMNI_UNKNOWN_LOCATION			MAKE_SQLSTATE('O','M','0','0','4')
#define ERRCODE_OMNI_UNROUTABLE_ORDER			MAKE_SQLSTATE('O','M','0','0','5')
#define ERRCODE_OMNI_UNKNOWN_CUSTOMER			MAKE_SQLSTATE('O','M','0','0','6')
#define ERRCODE_OMNI_INVALID_TRANSITION			MAKE_SQLSTATE('O','M','0','0','7')

/* omni.default_country: ISO 3166 alpha-2 used to read national phone numbers */
extern char *omni_default_country;

/*
 * A query prepared once per backend and kept: *cache is NULL the first time.
 * Every part runs its SQL through SPI plans made this way.
 */
extern SPIPlanPtr OmniKeepPlan(SPIPlanPtr *cache, const char *sql, int nargs,
							   const Oid *argtypes);

/*
 * The same, but always run with its generic plan.  The plan cache re-plans
 * a query on every call while the custom plans look cheaper than the
 * generic one; for a query that runs in a fraction of a millisecond and
 * whose best plan does not depend on its arguments (key lookups), planning
 * then costs as much as running.
 */
extern SPIPlanPtr OmniKeepGenericPlan(SPIPlanPtr *cache, const char *sql,
									  int nargs, const Oid *argtypes);

/*
 * An order's lines (jsonb), checked as omni.parse_lines() documents: raises
 * 22023 or OM003, else fills *r.  Needs an SPI connection.
 */
extern void OmniReadLines(Datum lines, bool isnull, OmniLinesReader *r);

/*
 * Direct writes, without the executor, for the hottest paths (src/direct.c).
 * A DirectCache describes a table of schema omni as its caller knows it:
 * its columns, its CHECK constraints and the triggers the caller may skip.
 * DirectOpen checks the table against it (and runs the caller's validator,
 * if any, for what else it needs) and opens it, or says why not.
 */
typedef struct DirectCache DirectCache;
typedef const char *(*DirectValidator) (Relation rel, DirectCache *cache);

typedef struct DirectColumn
{
	const char *name;
	Oid			type;
} DirectColumn;

struct DirectCache
{
	const char *relname;
	const DirectColumn *columns;	/* exactly these, in this order */
	int			ncolumns;
	const char *const *checks;	/* exactly these CHECKs, enforced by the caller */
	int			nchecks;
	int16		trigger_kind;	/* TRIGGER_TYPE_INSERT or TRIGGER_TYPE_UPDATE */
	const char *allowed_trigger;	/* whose work the caller does, or NULL */
	DirectValidator validate;	/* further checks, or NULL */
	/* filled in by DirectOpen */
	uint64		generation;
	Oid			relid;
	const char *problem;		/* NULL: direct writes allowed */
	char		problem_buf[NAMEDATALEN + 64];
	bool		allowed_trigger_enabled;
	/* for the validator's findings */
	Oid			index;
	Oid			sequence;
	/* DirectInsert's description of the table's indexes (src/direct.c) */
	struct DirectIndexes *indexes;
};

extern bool DirectSessionAllows(void);
extern Relation DirectOpen(DirectCache *cache, LOCKMODE lockmode);
extern void DirectIndexInsert(Relation rel, HeapTuple tuple, bool update);
extern void DirectInsert(DirectCache *cache, Relation rel, Datum *values,
						 bool *isnull);

/*
 * Record the omni_stock event of a (sku, location) for this transaction,
 * as the stock_slots_events trigger does (src/events/triggers.c).
 */
extern void OmniStockChanged(const char *sku, const char *location);
extern const char *OmniEventsDirectProblem(void);

/* Each part's start-up, called from _PG_init */
extern void OmniTypesInit(void);
extern void OmniStockInit(void);
extern void OmniIdentityInit(void);
extern void OmniRoutingInit(void);
extern void OmniEventsInit(void);

#endif							/* OMNICHANNEL_H */
