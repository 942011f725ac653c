/*-------------------------------------------------------------------------
 *
 * routing.c
 *	  The fulfilment solver: which locations serve which lines of an order.
 *
 * Model.  Every line (a distinct SKU and a quantity) is served by one
 * source location that has the whole quantity available (omni.stock_levels,
 * so active reservations count).  A source costs a fixed amount once, when
 * it is used at all, and nothing per extra line:
 *
 *	 ship:             shipment_cost + cost_per_km * km(source, address)
 *	                   + handling(source) - priority_weight * priority
 *	 pickup/curbside:  the chosen store, always part of the plan, costs its
 *	                   handling only; any other source is a transfer to
 *	                   the store: transfer_cost
 *	                   + transfer_cost_per_km * km(source, store)
 *	                   + handling(source) - priority_weight * priority
 *
 * (each floored at zero).  So a plan's cost is the sum of its sources'
 * costs, and splitting an order costs one more shipment.  A line that no
 * single source can serve is split over several sources, cheapest first,
 * before the search; those sources are then open for the other lines.
 *
 * Search.  Choosing sources is a small set-cover problem.  A line that an
 * already-open source can serve never needs a new one (opening one only
 * adds cost), so branch and bound only branches on lines not yet covered,
 * with the bound "cost so far + the largest cheapest source of any
 * uncovered line".  Orders of up to omni.route_exact_max_lines lines are
 * solved exactly (a node limit stops pathological cases, keeping the best
 * plan found); bigger ones get a greedy cover (cheapest cost per line
 * served) improved by closing sources and replacing one or two open sources
 * by a single new one until nothing improves.  The greedy plan is also the
 * first incumbent of the exact search.  Candidates are sorted by cost, then
 * location code, and the search visits them in that order, so equal-cost
 * plans are resolved the same way every time.
 *
 * omni.route_method = 'nearest' gives the naive plan most platforms use
 * (the nearest source with stock per line), and 'exhaustive' tries every
 * assignment without pruning; both exist for comparisons (test/bench).
 *
 * Everything is read through SPI in one snapshot; the function writes
 * nothing (place_order reserves the plan it returns).
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

/* Settings (see OmniRoutingInit) */
static double route_cost_per_km = 0.01;
static double route_shipment_cost = 5.0;
static double route_transfer_cost = 2.0;
static double route_transfer_cost_per_km = 0.005;
static double route_priority_weight = 0.5;
static char *route_transfer_modes = NULL;
static int	route_exact_max_lines = 8;
static int	route_exact_max_nodes = 200000;
static int	route_method = 0;
static int	order_hold_minutes = 7 * 24 * 60;
static double loyalty_points_per_unit = 1.0;

enum
{
	METHOD_AUTO, METHOD_EXACT, METHOD_GREEDY, METHOD_NEAREST, METHOD_EXHAUSTIVE
};

static const struct config_enum_entry route_method_options[] = {
	{"auto", METHOD_AUTO, false},
	{"exact", METHOD_EXACT, false},
	{"greedy", METHOD_GREEDY, false},
	{"nearest", METHOD_NEAREST, false},
	{"exhaustive", METHOD_EXHAUSTIVE, false},
	{NULL, 0, false}
};

typedef enum RouteMode
{
	MODE_SHIP, MODE_PICKUP, MODE_CURBSIDE
} RouteMode;

static const char *const mode_names[] = {"ship", "pickup", "curbside"};

#define COST_EPSILON 1e-9

/* A location that may serve lines, with its cost when used */
typedef struct RouteSource
{
	char	   *code;
	double		km;				/* to the address or the pickup store */
	double		cost;			/* paid once if the plan uses it */
} RouteSource;

/* One candidate of a line: a source and what it has available */
typedef struct RouteCand
{
	int			source;
	int			available;
} RouteCand;

typedef struct RouteLine
{
	int			line;			/* 1-based position in the lines array */
	char	   *sku;
	int			qty;
	int			ncand;			/* sources holding the whole quantity ... */
	RouteCand  *cand;			/* ... sorted by cost, then code */
	int			nall;			/* every eligible source with some stock */
	RouteCand  *all;
	int			assigned;		/* source index, or -1 for a split line */
	int		   *split_qty;		/* per entry of all[], for a split line */
} RouteLine;

typedef struct RouteProblem
{
	RouteMode	mode;
	int			nlines;
	RouteLine  *lines;
	int			nsources;
	RouteSource *sources;
	int			store;			/* pickup store's source index, or -1 */
	bool		transfers;		/* may other sources send to the store? */
	bool	   *open;			/* sources used by the current plan */
	bool	   *fixed;			/* open whatever the plan: store, split lines */
	double		cost;			/* of the current plan */
	/* exact search */
	int		   *order;			/* lines to branch on, most constrained first */
	int			norder;
	bool	   *best_open;
	double		best_cost;
	long		nodes;
	bool		truncated;
} RouteProblem;

/* Queries, prepared once per backend (SPI_keepplan) */
typedef enum RoutePlanId
{
	PLAN_STORE, PLAN_CANDIDATES, NUM_ROUTE_PLANS
} RoutePlanId;

static const struct
{
	const char *sql;
	int			nargs;
	Oid			argtypes[2];
}			route_plan_defs[NUM_ROUTE_PLANS] = {
	[PLAN_STORE] = {
		"SELECT l.lat, l.lon, CASE $2 WHEN 'pickup' THEN l.can_pickup ELSE l.can_curbside END,"
		" l.active, omni.location_capacity_left(l.code)"
		" FROM omni.locations l WHERE l.code = $1",
		2, {TEXTOID, TEXTOID}
	},
	/* what each location may serve, from the inventory engine's view */
	[PLAN_CANDIDATES] = {
		"SELECT s.sku, l.code, l.lat, l.lon, s.available,"
		" coalesce(r.handling_cost, 0)::float8, l.priority,"
		" l.can_ship, l.kind <> 'locker'"
		" FROM omni.stock_levels s"
		" JOIN omni.locations l ON l.code = s.location"
		" LEFT JOIN omni.location_routing r ON r.location = l.code"
		" WHERE s.sku = ANY ($1) AND s.available > 0 AND l.active"
		" AND (r.daily_capacity IS NULL OR omni.location_capacity_left(l.code) > 0)"
		" ORDER BY s.sku, l.code",
		1, {TEXTARRAYOID}
	},
};

static SPIPlanPtr route_plans[NUM_ROUTE_PLANS];

/* Runs a kept plan read-only; errors on anything but a SELECT */
static void
RouteExec(RoutePlanId id, Datum *values)
{
	/* generic plans: re-planning took a third of a call's CPU */
	OmniKeepGenericPlan(&route_plans[id], route_plan_defs[id].sql, route_plan_defs[id].nargs,
						route_plan_defs[id].argtypes);
	if (SPI_execute_plan(route_plans[id], values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "routing query %d failed", id);
}

/*
 * Great-circle distance in km (haversine, mean Earth radius).
 */
static double
HaversineKm(double lat1, double lon1, double lat2, double lon2)
{
	double		p1 = lat1 * M_PI / 180.0;
	double		p2 = lat2 * M_PI / 180.0;
	double		dp = p2 - p1;
	double		dl = (lon2 - lon1) * M_PI / 180.0;
	double		a = sin(dp / 2) * sin(dp / 2) +
		cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	return 2.0 * 6371.0088 * asin(Min(1.0, sqrt(a)));
}

static RouteMode
ParseMode(const char *mode)
{
	for (int i = 0; i < lengthof(mode_names); i++)
		if (strcmp(mode, mode_names[i]) == 0)
			return (RouteMode) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown fulfilment mode \"%s\"", mode),
			 errhint("Use ship, pickup or curbside.")));
	return MODE_SHIP;			/* keep the compiler quiet */
}

static bool
TransfersAllowed(RouteMode mode)
{
	const char *list = route_transfer_modes ? route_transfer_modes : "";
	const char *name = mode_names[mode];
	size_t		len = strlen(name);

	for (const char *p = strstr(list, name); p != NULL; p = strstr(p + 1, name))
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
			(p[len] == '\0' || p[len] == ',' || p[len] == ' '))
			return true;
	return false;
}

static void
CheckCoordinates(RouteMode mode, bool lat_null, double lat, bool lon_null, double lon)
{
	if (mode != MODE_SHIP)
		return;
	if (lat_null || lon_null)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ship mode needs the delivery coordinates"),
				 errdetail("ship_lat and ship_lon must both be given."),
				 errhint("Geocode the delivery address first, or use pickup or curbside with a pickup_location.")));
	if (isnan(lat) || isnan(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid delivery coordinates (%g, %g)", lat, lon),
				 errdetail("Latitude is between -90 and 90, longitude between -180 and 180.")));
}

/*
 * Lines, validated as omni.parse_lines() does (22023 for a bad array, OM003
 * for an unknown SKU), in array order; read in C, not through the SQL
 * function, as reading them is a good part of a small order's routing.
 */
static void
LoadLines(RouteProblem *prob, Datum lines)
{
	OmniLinesReader *r = palloc(sizeof(OmniLinesReader));

	OmniReadLines(lines, false, r);
	prob->nlines = r->nlines;
	prob->lines = palloc0(sizeof(RouteLine) * Max(prob->nlines, 1));
	for (int i = 0; i < prob->nlines; i++)
	{
		RouteLine  *l = &prob->lines[i];

		l->line = i + 1;
		l->sku = pnstrdup(r->lines[i].sku, r->lines[i].sku_len);
		l->qty = r->lines[i].qty;
		l->assigned = -1;
	}
	pfree(r);
}

/* Location code -> source index, for the candidate rows */
typedef struct SourceEntry
{
	char		code[72];		/* location codes are at most 64 bytes */
	int			index;
} SourceEntry;

static int
FindOrAddSource(RouteProblem *prob, HTAB *index, const char *code)
{
	SourceEntry *e;
	bool		found;

	e = hash_search(index, code, HASH_ENTER, &found);
	if (!found)
	{
		e->index = prob->nsources++;
		prob->sources[e->index].code = pstrdup(code);
	}
	return e->index;
}

static double
SourceCost(RouteProblem *prob, bool is_store, double km, double handling, int priority)
{
	double		cost;

	if (is_store)
		return Max(0.0, handling);
	if (prob->mode == MODE_SHIP)
		cost = route_shipment_cost + route_cost_per_km * km;
	else
		cost = route_transfer_cost + route_transfer_cost_per_km * km;
	cost += handling - route_priority_weight * priority;
	return Max(0.0, cost);
}

/*
 * The pickup store: must exist (OM004), offer the mode (OM005) and have
 * capacity left today (OM005).  Returns its coordinates.
 */
static void
LoadStore(RouteProblem *prob, text *store, double *lat, double *lon)
{
	Datum		values[2] = {PointerGetDatum(store), CStringGetTextDatum(mode_names[prob->mode])};
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	bool		capable;
	char	   *code = text_to_cstring(store);

	RouteExec(PLAN_STORE, values);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OMNI_UNKNOWN_LOCATION),
				 errmsg("unknown location \"%s\"", code),
				 errdetail("The location code is not in omni.locations."),
				 errhint("Add it with omni.add_location() first.")));
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	*lat = DatumGetFloat8(SPI_getbinval(tup, desc, 1, &isnull));
	*lon = DatumGetFloat8(SPI_getbinval(tup, desc, 2, &isnull));
	capable = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull)) &&
		DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull));
	if (!capable)
		ereport(ERROR,
				(errcode(ERRCODE_OMNI_UNROUTABLE_ORDER),
				 errmsg("location \"%s\" does not offer %s", code, mode_names[prob->mode]),
				 errdetail("Its %s flag is off or the location is inactive.",
						   prob->mode == MODE_PICKUP ? "can_pickup" : "can_curbside"),
				 errhint("Choose another store, or another mode.")));
	SPI_getbinval(tup, desc, 5, &isnull);
	if (!isnull && DatumGetInt64(SPI_getbinval(tup, desc, 5, &isnull)) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_OMNI_UNROUTABLE_ORDER),
				 errmsg("location \"%s\" has no capacity left today", code),
				 errdetail("Its daily_capacity in omni.location_routing is used up by today's fulfilments."),
				 errhint("Choose another store, or raise its capacity.")));
}

/*
 * Every location that may serve the order's SKUs, with what it has
 * available, its capabilities and costs; one query.
 */
static int
LineSkuCmp(const void *a, const void *b, void *arg)
{
	const RouteProblem *prob = (const RouteProblem *) arg;

	return strcmp(prob->lines[*(const int *) a].sku, prob->lines[*(const int *) b].sku);
}

/* The line ordering this SKU (lines never share one: omni.parse_lines) */
static RouteLine *
FindLine(RouteProblem *prob, const int *by_sku, const char *sku)
{
	int			lo = 0;
	int			hi = prob->nlines - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(sku, prob->lines[by_sku[mid]].sku);

		if (c == 0)
			return &prob->lines[by_sku[mid]];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Columns of PLAN_CANDIDATES */
enum
{
	CAND_SKU = 1, CAND_CODE, CAND_LAT, CAND_LON, CAND_AVAILABLE, CAND_HANDLING,
	CAND_PRIORITY, CAND_CAN_SHIP, CAND_CAN_SEND
};

static Datum
CandValue(uint64 row, int col)
{
	bool		isnull;

	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
}

/* May this row's location serve the order in its mode? */
static bool
Eligible(RouteProblem *prob, uint64 row, const char *code, const char *store)
{
	if (prob->mode == MODE_SHIP)
		return DatumGetBool(CandValue(row, CAND_CAN_SHIP));
	if (strcmp(code, store) == 0)
		return true;
	return prob->transfers && DatumGetBool(CandValue(row, CAND_CAN_SEND));
}

/*
 * Every location that may serve the order's SKUs, with what it has
 * available, its capabilities and costs; one query.  Rows come sorted by
 * SKU; each line gets arrays of exactly its own candidates.
 */
static void
LoadCandidates(RouteProblem *prob, const char *store, double lat, double lon)
{
	Datum	   *skus = palloc(sizeof(Datum) * prob->nlines);
	int		   *by_sku = palloc(sizeof(int) * prob->nlines);
	RouteLine **row_line;
	Datum		values[1];
	HASHCTL		ctl;
	HTAB	   *index;
	uint64		nrows;

	for (int i = 0; i < prob->nlines; i++)
	{
		skus[i] = CStringGetTextDatum(prob->lines[i].sku);
		by_sku[i] = i;
	}
	qsort_arg(by_sku, prob->nlines, sizeof(int), LineSkuCmp, prob);
	values[0] = PointerGetDatum(construct_array(skus, prob->nlines, TEXTOID, -1, false, TYPALIGN_INT));
	RouteExec(PLAN_CANDIDATES, values);
	nrows = SPI_processed;

	ctl.keysize = sizeof(((SourceEntry *) 0)->code);
	ctl.entrysize = sizeof(SourceEntry);
	ctl.hcxt = CurrentMemoryContext;
	index = hash_create("omni route sources", 64, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	prob->sources = palloc0(sizeof(RouteSource) * (nrows + 1));
	prob->nsources = 0;
	prob->store = store ? FindOrAddSource(prob, index, store) : -1;

	/* first pass: which line each eligible row serves, and how many per line */
	row_line = palloc0(sizeof(RouteLine *) * (nrows + 1));
	for (uint64 r = 0; r < nrows; r++)
	{
		char	   *code = TextDatumGetCString(CandValue(r, CAND_CODE));

		if (!Eligible(prob, r, code, store))
			continue;
		row_line[r] = FindLine(prob, by_sku, TextDatumGetCString(CandValue(r, CAND_SKU)));
		if (row_line[r])
			row_line[r]->nall++;
	}
	for (int i = 0; i < prob->nlines; i++)
	{
		prob->lines[i].all = palloc(sizeof(RouteCand) * (prob->lines[i].nall + 1));
		prob->lines[i].cand = palloc(sizeof(RouteCand) * (prob->lines[i].nall + 1));
		prob->lines[i].nall = 0;
	}

	/* second pass: sources, their costs, and the candidates */
	for (uint64 r = 0; r < nrows; r++)
	{
		RouteLine  *line = row_line[r];
		char	   *code;
		double		km;
		int			avail;
		int			src;

		if (line == NULL)
			continue;
		code = TextDatumGetCString(CandValue(r, CAND_CODE));
		km = HaversineKm(DatumGetFloat8(CandValue(r, CAND_LAT)),
						 DatumGetFloat8(CandValue(r, CAND_LON)), lat, lon);
		avail = DatumGetInt32(CandValue(r, CAND_AVAILABLE));
		src = FindOrAddSource(prob, index, code);
		prob->sources[src].km = km;
		prob->sources[src].cost =
			SourceCost(prob, src == prob->store, km,
					   DatumGetFloat8(CandValue(r, CAND_HANDLING)),
					   DatumGetInt32(CandValue(r, CAND_PRIORITY)));
		line->all[line->nall].source = src;
		line->all[line->nall++].available = avail;
		if (avail >= line->qty)
		{
			line->cand[line->ncand].source = src;
			line->cand[line->ncand++].available = avail;
		}
	}
	hash_destroy(index);
}

/* qsort_arg comparators; arg is the RouteProblem */
static int
CandCmp(const void *a, const void *b, void *arg)
{
	const RouteProblem *prob = (const RouteProblem *) arg;
	const RouteSource *sa = &prob->sources[((const RouteCand *) a)->source];
	const RouteSource *sb = &prob->sources[((const RouteCand *) b)->source];

	if (sa->cost < sb->cost - COST_EPSILON)
		return -1;
	if (sa->cost > sb->cost + COST_EPSILON)
		return 1;
	return strcmp(sa->code, sb->code);
}

static int
CandNearCmp(const void *a, const void *b, void *arg)
{
	const RouteProblem *prob = (const RouteProblem *) arg;
	const RouteSource *sa = &prob->sources[((const RouteCand *) a)->source];
	const RouteSource *sb = &prob->sources[((const RouteCand *) b)->source];
	int			store = prob->store;

	/* the pickup store itself is nearest of all */
	if ((((const RouteCand *) a)->source == store) != (((const RouteCand *) b)->source == store))
		return ((const RouteCand *) a)->source == store ? -1 : 1;
	if (sa->km < sb->km - COST_EPSILON)
		return -1;
	if (sa->km > sb->km + COST_EPSILON)
		return 1;
	return strcmp(sa->code, sb->code);
}

static void
SortCandidates(RouteProblem *prob, bool by_distance)
{
	for (int i = 0; i < prob->nlines; i++)
	{
		RouteLine  *l = &prob->lines[i];

		qsort_arg(l->cand, l->ncand, sizeof(RouteCand), by_distance ? CandNearCmp : CandCmp, prob);
		qsort_arg(l->all, l->nall, sizeof(RouteCand), by_distance ? CandNearCmp : CandCmp, prob);
	}
}

static void
OpenSource(RouteProblem *prob, int src)
{
	if (!prob->open[src])
	{
		prob->open[src] = true;
		prob->cost += prob->sources[src].cost;
	}
}

/*
 * OM005 for a line that even all eligible sources together cannot serve,
 * saying why.
 */
static void
Unroutable(RouteProblem *prob, RouteLine *l, int total, const char *store)
{
	const char *where;

	if (prob->mode == MODE_SHIP)
		where = "at locations that can ship";
	else if (prob->transfers)
		where = psprintf("at \"%s\" and the locations that can transfer to it", store);
	else
		where = psprintf("at \"%s\" (transfers are not allowed for %s orders)",
						 store, mode_names[prob->mode]);
	ereport(ERROR,
			(errcode(ERRCODE_OMNI_UNROUTABLE_ORDER),
			 errmsg("no plan can fulfil the order in %s mode", mode_names[prob->mode]),
			 errdetail("Line %d (SKU \"%s\") needs %d, only %d available %s.",
					   l->line, l->sku, l->qty, total, where),
			 errhint(prob->mode == MODE_SHIP ? "Order a smaller quantity, or wait for stock." :
					 "Choose another store, ship the order, or order a smaller quantity.")));
}

/*
 * Lines that no single source can serve are split over several, cheapest
 * (or nearest) first; their sources are open from then on.
 */
static void
SplitLines(RouteProblem *prob, const char *store)
{
	for (int i = 0; i < prob->nlines; i++)
	{
		RouteLine  *l = &prob->lines[i];
		int			total = 0;
		int			need = l->qty;

		if (l->ncand > 0)
			continue;
		for (int k = 0; k < l->nall; k++)
			total += l->all[k].available;
		if (total < l->qty)
			Unroutable(prob, l, total, store);
		l->split_qty = palloc0(sizeof(int) * l->nall);
		/* sources already open first: they cost nothing more */
		for (int pass = 0; pass < 2 && need > 0; pass++)
			for (int k = 0; k < l->nall && need > 0; k++)
			{
				int			src = l->all[k].source;
				int			take;

				if ((pass == 0) != prob->open[src] || l->split_qty[k] > 0)
					continue;
				take = Min(need, l->all[k].available);
				l->split_qty[k] = take;
				need -= take;
				OpenSource(prob, src);
			}
	}
}

static bool
Covered(RouteProblem *prob, RouteLine *l, const bool *open)
{
	for (int k = 0; k < l->ncand; k++)
		if (open[l->cand[k].source])
			return true;
	return false;
}

/* Greedy cover: repeatedly open the source with the least cost per line served */
static void
Greedy(RouteProblem *prob)
{
	int		   *served = palloc(sizeof(int) * prob->nsources);

	for (;;)
	{
		int			best = -1;
		double		best_ratio = 0;
		bool		any = false;

		memset(served, 0, sizeof(int) * prob->nsources);
		for (int i = 0; i < prob->nlines; i++)
		{
			RouteLine  *l = &prob->lines[i];

			if (l->split_qty || Covered(prob, l, prob->open))
				continue;
			any = true;
			for (int k = 0; k < l->ncand; k++)
				served[l->cand[k].source]++;
		}
		if (!any)
			break;
		for (int s = 0; s < prob->nsources; s++)
		{
			double		ratio;

			if (served[s] == 0)
				continue;
			ratio = prob->sources[s].cost / served[s];
			if (best < 0 || ratio < best_ratio - COST_EPSILON ||
				(ratio <= best_ratio + COST_EPSILON &&
				 (served[s] > served[best] ||
				  (served[s] == served[best] &&
				   strcmp(prob->sources[s].code, prob->sources[best].code) < 0))))
			{
				best = s;
				best_ratio = ratio;
			}
		}
		OpenSource(prob, best);
	}
	pfree(served);
}

/*
 * Try to replace the open sources in "closing" by at most one closed
 * source, the cheapest that keeps every line covered; apply it if cheaper.
 * Only the lines that no other open source covers ("orphans") matter, and a
 * replacement must be a candidate of the first of them.
 */
static bool
TryReplace(RouteProblem *prob, const int *closing, int nclosing)
{
	double		saved = 0;
	int			best = -1;
	int			norphans = 0;
	RouteLine **orphans;

	for (int c = 0; c < nclosing; c++)
	{
		/* the pickup store and the sources of split lines stay */
		if (prob->fixed[closing[c]])
			return false;
		saved += prob->sources[closing[c]].cost;
	}
	if (saved <= COST_EPSILON)
		return false;

	orphans = palloc(sizeof(RouteLine *) * prob->nlines);
	for (int c = 0; c < nclosing; c++)
		prob->open[closing[c]] = false;
	for (int i = 0; i < prob->nlines; i++)
		if (!prob->lines[i].split_qty && !Covered(prob, &prob->lines[i], prob->open))
			orphans[norphans++] = &prob->lines[i];

	if (norphans == 0)
		best = -2;				/* closing alone is enough */
	for (int k = 0; norphans > 0 && k < orphans[0]->ncand; k++)
	{
		int			s = orphans[0]->cand[k].source;
		bool		covers = true;

		/* candidates are sorted by cost: the first that covers is cheapest */
		if (prob->sources[s].cost >= saved - COST_EPSILON)
			break;
		if (prob->open[s])
			continue;
		prob->open[s] = true;
		for (int o = 1; o < norphans && covers; o++)
			covers = Covered(prob, orphans[o], prob->open);
		prob->open[s] = false;
		if (covers)
		{
			best = s;
			break;
		}
	}
	pfree(orphans);

	if (best == -1)
	{
		for (int c = 0; c < nclosing; c++)
			prob->open[closing[c]] = true;
		return false;
	}
	prob->cost -= saved;
	if (best >= 0)
		OpenSource(prob, best);
	return true;
}

/* Pairs of open sources are tried only up to this many open sources */
#define IMPROVE_MAX_PAIRS_OPEN 40

/* Local improvement: close a source, or swap one or two for one, until stable */
static void
Improve(RouteProblem *prob)
{
	bool		improved = true;
	int			rounds = 0;

	while (improved && rounds++ < 100)
	{
		int			nopen = 0;

		for (int a = 0; a < prob->nsources; a++)
			nopen += prob->open[a];
		improved = false;
		for (int a = 0; a < prob->nsources && !improved; a++)
		{
			int			pair[2] = {a, -1};

			if (!prob->open[a])
				continue;
			if (TryReplace(prob, pair, 1))
			{
				improved = true;
				break;
			}
			for (int b = a + 1; b < prob->nsources && !improved &&
				 nopen <= IMPROVE_MAX_PAIRS_OPEN; b++)
			{
				if (!prob->open[b])
					continue;
				pair[1] = b;
				improved = TryReplace(prob, pair, 2);
			}
		}
	}
}

static int
OrderCmp(const void *a, const void *b, void *arg)
{
	const RouteProblem *prob = (const RouteProblem *) arg;
	const RouteLine *la = &prob->lines[*(const int *) a];
	const RouteLine *lb = &prob->lines[*(const int *) b];

	if (la->ncand != lb->ncand)
		return la->ncand - lb->ncand;
	return la->line - lb->line;
}

/* Branch and bound over the lines not covered by the open sources */
static void
Branch(RouteProblem *prob, int depth)
{
	double		bound = 0;
	RouteLine  *l = NULL;

	CHECK_FOR_INTERRUPTS();
	if (++prob->nodes > route_exact_max_nodes)
	{
		prob->truncated = true;
		return;
	}
	/* the next uncovered line, and the bound */
	for (int d = depth; d < prob->norder; d++)
	{
		RouteLine  *m = &prob->lines[prob->order[d]];

		if (Covered(prob, m, prob->open))
			continue;
		if (l == NULL)
		{
			l = m;
			depth = d;
		}
		/* candidates are sorted by cost: the first is the cheapest */
		bound = Max(bound, prob->sources[m->cand[0].source].cost);
	}
	if (l == NULL)
	{
		if (prob->cost < prob->best_cost - COST_EPSILON)
		{
			prob->best_cost = prob->cost;
			memcpy(prob->best_open, prob->open, sizeof(bool) * prob->nsources);
		}
		return;
	}
	if (prob->cost + bound >= prob->best_cost - COST_EPSILON)
		return;
	for (int k = 0; k < l->ncand && !prob->truncated; k++)
	{
		int			src = l->cand[k].source;

		if (prob->cost + prob->sources[src].cost >= prob->best_cost - COST_EPSILON)
			break;				/* sorted by cost: the rest cost more */
		prob->open[src] = true;
		prob->cost += prob->sources[src].cost;
		Branch(prob, depth + 1);
		prob->cost -= prob->sources[src].cost;
		prob->open[src] = false;
	}
}

static void
Exact(RouteProblem *prob)
{
	double		start_cost = 0;

	/* the search starts from the fixed sources only */
	for (int s = 0; s < prob->nsources; s++)
		if (prob->fixed[s])
			start_cost += prob->sources[s].cost;
	prob->best_open = palloc(sizeof(bool) * prob->nsources);
	memcpy(prob->best_open, prob->open, sizeof(bool) * prob->nsources);
	prob->best_cost = prob->cost;	/* the greedy incumbent */

	prob->order = palloc(sizeof(int) * prob->nlines);
	prob->norder = 0;
	for (int i = 0; i < prob->nlines; i++)
		if (!prob->lines[i].split_qty)
			prob->order[prob->norder++] = i;
	qsort_arg(prob->order, prob->norder, sizeof(int), OrderCmp, prob);

	memcpy(prob->open, prob->fixed, sizeof(bool) * prob->nsources);
	prob->cost = start_cost;
	Branch(prob, 0);
	memcpy(prob->open, prob->best_open, sizeof(bool) * prob->nsources);
	prob->cost = prob->best_cost;
}

/*
 * Every assignment of lines to candidates, without pruning: the reference
 * the benchmark holds the other methods against (slow beyond a few lines).
 */
static void
Enumerate(RouteProblem *prob, int i)
{
	RouteLine  *l;

	CHECK_FOR_INTERRUPTS();
	while (i < prob->nlines && prob->lines[i].split_qty)
		i++;
	if (i == prob->nlines)
	{
		if (prob->cost < prob->best_cost - COST_EPSILON)
		{
			prob->best_cost = prob->cost;
			memcpy(prob->best_open, prob->open, sizeof(bool) * prob->nsources);
		}
		return;
	}
	l = &prob->lines[i];
	for (int k = 0; k < l->ncand; k++)
	{
		int			src = l->cand[k].source;
		bool		was_open = prob->open[src];

		if (!was_open)
		{
			prob->open[src] = true;
			prob->cost += prob->sources[src].cost;
		}
		Enumerate(prob, i + 1);
		if (!was_open)
		{
			prob->open[src] = false;
			prob->cost -= prob->sources[src].cost;
		}
	}
}

static void
Exhaustive(RouteProblem *prob)
{
	prob->best_open = palloc(sizeof(bool) * prob->nsources);
	prob->best_cost = DBL_MAX;
	Enumerate(prob, 0);
	memcpy(prob->open, prob->best_open, sizeof(bool) * prob->nsources);
	prob->cost = prob->best_cost;
}

/* The naive plan: the nearest source with the whole quantity, per line */
static void
Nearest(RouteProblem *prob)
{
	for (int i = 0; i < prob->nlines; i++)
		if (!prob->lines[i].split_qty)
			OpenSource(prob, prob->lines[i].cand[0].source);
}

/* Each line goes to its cheapest open candidate */
static void
Assign(RouteProblem *prob)
{
	for (int i = 0; i < prob->nlines; i++)
	{
		RouteLine  *l = &prob->lines[i];

		if (l->split_qty)
			continue;
		for (int k = 0; k < l->ncand; k++)
			if (prob->open[l->cand[k].source])
			{
				l->assigned = l->cand[k].source;
				break;
			}
		Assert(l->assigned >= 0);
	}
}

static void
Solve(RouteProblem *prob, const char *store)
{
	int			method = route_method;

	prob->open = palloc0(sizeof(bool) * Max(prob->nsources, 1));
	prob->cost = 0;
	/* the customer comes to the pickup store whatever the plan */
	if (prob->store >= 0)
		OpenSource(prob, prob->store);
	SortCandidates(prob, method == METHOD_NEAREST);
	SplitLines(prob, store);
	prob->fixed = palloc(sizeof(bool) * Max(prob->nsources, 1));
	memcpy(prob->fixed, prob->open, sizeof(bool) * prob->nsources);
	if (method == METHOD_NEAREST)
	{
		Nearest(prob);
		SortCandidates(prob, false);	/* report the plan as usual */
	}
	else if (method == METHOD_EXHAUSTIVE)
		Exhaustive(prob);
	else
	{
		Greedy(prob);
		Improve(prob);
		if (method == METHOD_EXACT ||
			(method == METHOD_AUTO && prob->nlines <= route_exact_max_lines))
			Exact(prob);
	}
	Assign(prob);
}

/* One row of the result; sum(cost) over the rows is the plan's cost */
static void
EmitRow(Tuplestorestate *ts, TupleDesc desc, RouteLine *l, RouteSource *src,
		int qty, double cost)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	values[0] = Int32GetDatum(l->line);
	values[1] = CStringGetTextDatum(l->sku);
	values[2] = CStringGetTextDatum(src->code);
	values[3] = Int32GetDatum(qty);
	values[4] = Float8GetDatum(cost);
	tuplestore_putvalues(ts, desc, values, nulls);
}

static void
EmitPlan(RouteProblem *prob, Tuplestorestate *ts, TupleDesc desc)
{
	int		   *rows = palloc0(sizeof(int) * Max(prob->nsources, 1));

	/* a source's cost is shared evenly by the rows it serves */
	for (int i = 0; i < prob->nlines; i++)
	{
		RouteLine  *l = &prob->lines[i];

		if (!l->split_qty)
			rows[l->assigned]++;
		else
			for (int k = 0; k < l->nall; k++)
				if (l->split_qty[k] > 0)
					rows[l->all[k].source]++;
	}
	for (int i = 0; i < prob->nlines; i++)
	{
		RouteLine  *l = &prob->lines[i];

		if (!l->split_qty)
		{
			RouteSource *s = &prob->sources[l->assigned];

			EmitRow(ts, desc, l, s, l->qty, s->cost / rows[l->assigned]);
			continue;
		}
		for (int k = 0; k < l->nall; k++)
		{
			RouteSource *s = &prob->sources[l->all[k].source];

			if (l->split_qty[k] > 0)
				EmitRow(ts, desc, l, s, l->split_qty[k], s->cost / rows[l->all[k].source]);
		}
	}
}

/*
 * omni.route(lines jsonb, mode text, ship_lat float8, ship_lon float8,
 *			  pickup_location text)
 *	 RETURNS TABLE (line int, sku text, location text, qty int, cost float8)
 */
PG_FUNCTION_INFO_V1(omni_route);
Datum
omni_route(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RouteProblem prob;
	char	   *store = NULL;
	double		lat = 0;
	double		lon = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lines must not be null"),
				 errhint("Pass a JSON array such as [{\"sku\": \"SHOE-1\", \"qty\": 1}].")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mode must not be null"),
				 errhint("Use ship, pickup or curbside.")));

	InitMaterializedSRF(fcinfo, 0);
	memset(&prob, 0, sizeof(prob));
	prob.mode = ParseMode(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	prob.transfers = prob.mode != MODE_SHIP && TransfersAllowed(prob.mode);

	if (prob.mode == MODE_SHIP)
	{
		CheckCoordinates(prob.mode, PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_FLOAT8(2),
						 PG_ARGISNULL(3), PG_ARGISNULL(3) ? 0 : PG_GETARG_FLOAT8(3));
		lat = PG_GETARG_FLOAT8(2);
		lon = PG_GETARG_FLOAT8(3);
	}
	else if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s mode needs a pickup_location", mode_names[prob.mode]),
				 errhint("Pass the code of the store the customer comes to.")));

	SPI_connect();
	LoadLines(&prob, PG_GETARG_DATUM(0));
	if (prob.mode != MODE_SHIP)
	{
		store = text_to_cstring(PG_GETARG_TEXT_PP(4));
		LoadStore(&prob, PG_GETARG_TEXT_PP(4), &lat, &lon);
	}
	LoadCandidates(&prob, store, lat, lon);
	Solve(&prob, store);
	EmitPlan(&prob, rsinfo->setResult, rsinfo->setDesc);
	SPI_finish();
	return (Datum) 0;
}

void
OmniRoutingInit(void)
{
	DefineCustomRealVariable("omni.route_cost_per_km",
							 "Routing: cost of one shipment per km from its source to the delivery address.",
							 NULL, &route_cost_per_km, 0.01, 0, 1e6, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("omni.route_shipment_cost",
							 "Routing: fixed cost of each shipment (so that splitting an order costs).",
							 NULL, &route_shipment_cost, 5.0, 0, 1e9, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("omni.route_transfer_cost",
							 "Routing: fixed cost of a transfer from another location to the pickup store.",
							 NULL, &route_transfer_cost, 2.0, 0, 1e9, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("omni.route_transfer_cost_per_km",
							 "Routing: cost of a transfer per km to the pickup store.",
							 NULL, &route_transfer_cost_per_km, 0.005, 0, 1e6, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("omni.route_priority_weight",
							 "Routing: cost taken off a source per point of its location priority.",
							 "A source's cost never goes below zero.",
							 &route_priority_weight, 0.5, 0, 1e6, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("omni.route_transfer_modes",
							   "Routing: the modes in which a line the pickup store lacks may come by transfer.",
							   "A comma-separated list of pickup and curbside; empty: no transfers.",
							   &route_transfer_modes, "pickup,curbside", PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("omni.route_exact_max_lines",
							"Routing: orders with at most this many lines are solved exactly (branch and bound).",
							"Bigger orders get a greedy plan improved by local search.",
							&route_exact_max_lines, 8, 0, 64, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("omni.route_exact_max_nodes",
							"Routing: node limit of the exact search; past it the best plan found is kept.",
							NULL, &route_exact_max_nodes, 200000, 1, INT_MAX, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("omni.route_method",
							 "Routing: auto, exact, greedy; nearest (the naive plan) and exhaustive (no pruning) for comparisons.",
							 NULL, &route_method, METHOD_AUTO, route_method_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("omni.order_hold",
							"Orders: how long the reservations of a placed order hold the stock.",
							"Past it, omni.expire_reservations() gives the stock back.",
							&order_hold_minutes, 7 * 24 * 60, 1, INT_MAX / 2, PGC_USERSET, GUC_UNIT_MIN,
							NULL, NULL, NULL);
	DefineCustomRealVariable("omni.loyalty_points_per_unit",
							 "Loyalty: points earned per currency unit spent (rounded down per line).",
							 NULL, &loyalty_points_per_unit, 1.0, 0, 1e6, PGC_USERSET, 0, NULL, NULL, NULL);
}
