/*-------------------------------------------------------------------------
 *
 * direct.c
 *	  Writing rows without the executor, for the hottest writes: the
 *	  fast-path reservation (src/stock/direct.c) and the event queue row
 *	  (src/events.c).
 *
 * Through SPI a one-row write costs a plan-cache check, an executor
 * start-up and shut-down, and a fresh parse of every CHECK constraint of
 * the table (the executor reads each one from its stored text at every
 * statement).  On the reservation path that cost more than the writes
 * themselves (BENCHMARKS.md, "Inventory").  So these paths form the tuple
 * and call the heap and index access methods, as the logical replication
 * apply worker does.
 *
 * That skips what the executor adds: triggers, CHECK constraints, row
 * security, privileges.  Hence the rule: a direct write goes only to a table
 * whose columns, constraints and triggers are exactly the ones its caller
 * knows and enforces itself.  Each caller describes them in a validator; a
 * DBA's trigger or constraint, a changed column, anything unexpected, and
 * the caller takes its SQL path, which is always correct.  So do sessions
 * in which the executor would behave differently: read-only transactions,
 * parallel mode, repeatable read and serializable (whose rules for
 * concurrent updates the executor applies), and a session_replication_role
 * other than origin (which changes which triggers fire).
 *
 * A validation holds until the next relation cache invalidation, which
 * PostgreSQL sends for every change of a table's definition, triggers and
 * constraints included.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

/* bumped by every relation cache invalidation: validations are stale */
static uint64 direct_generation = 1;
static bool direct_callback_registered = false;

static const char *DirectTableProblem(Relation rel, DirectCache *cache);

static void
DirectInvalidate(Datum arg, Oid relid)
{
	direct_generation++;
}

bool
DirectSessionAllows(void)
{
	return !XactReadOnly && !IsInParallelMode() &&
		!IsolationUsesXactSnapshot() &&
		SessionReplicationRole == SESSION_REPLICATION_ROLE_ORIGIN;
}

/*
 * Open omni.<relname> for a direct write, or return NULL (nothing locked)
 * when the caller must take its SQL path; cache->problem then says why.
 */
Relation
DirectOpen(DirectCache *cache, LOCKMODE lockmode)
{
	Relation	rel;

	if (!direct_callback_registered)
	{
		CacheRegisterRelcacheCallback(DirectInvalidate, (Datum) 0);
		direct_callback_registered = true;
	}
	if (cache->generation != direct_generation || !OidIsValid(cache->relid))
	{
		Oid			nsp = get_namespace_oid("omni", true);

		cache->relid = OidIsValid(nsp) ? get_relname_relid(cache->relname, nsp) : InvalidOid;
	}
	if (!OidIsValid(cache->relid))
	{
		cache->problem = "the table does not exist";
		return NULL;
	}
	rel = try_table_open(cache->relid, lockmode);
	if (rel == NULL)
	{
		cache->relid = InvalidOid;
		cache->problem = "the table was dropped";
		return NULL;
	}
	/* opening may have processed invalidations: compare only now */
	if (cache->generation != direct_generation)
	{
		uint64		generation = direct_generation;

		const char *problem = DirectTableProblem(rel, cache);

		if (problem == NULL && cache->validate != NULL)
			problem = cache->validate(rel, cache);
		/* the validator's words may be palloc'd: keep a copy */
		cache->problem = NULL;
		if (problem != NULL)
		{
			strlcpy(cache->problem_buf, problem, sizeof(cache->problem_buf));
			cache->problem = cache->problem_buf;
		}
		cache->generation = generation;
	}
	if (cache->problem != NULL)
	{
		table_close(rel, lockmode);
		return NULL;
	}
	return rel;
}

/* What every table written directly must be: a plain heap table */
static const char *
DirectCommonProblem(Relation rel)
{
	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		return "it is not a plain heap table";
	if (rel->rd_rel->relhassubclass)
		return "it has inheritance children";
	if (rel->rd_rel->relrowsecurity)
		return "row-level security is enabled on it";
	return NULL;
}

/*
 * Are the table's columns exactly these, in this order?  Generated or
 * dropped columns, or another type, are a difference.
 */
static bool
DirectColumnsAre(Relation rel, const DirectColumn *columns, int ncolumns)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (desc->natts != ncolumns)
		return false;
	for (int i = 0; i < ncolumns; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated != '\0' ||
			att->atttypid != columns[i].type ||
			strcmp(NameStr(att->attname), columns[i].name) != 0)
			return false;
	}
	return true;
}

/* Are the table's CHECK constraints exactly these (by name, any order)? */
static bool
DirectChecksAre(Relation rel, const char *const *names, int nnames)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	int			nchecks = constr != NULL ? constr->num_check : 0;

	if (nchecks != nnames)
		return false;
	for (int i = 0; i < nchecks; i++)
	{
		bool		known = false;

		for (int j = 0; j < nnames && !known; j++)
			known = strcmp(constr->check[i].ccname, names[j]) == 0;
		if (!known)
			return false;
	}
	return true;
}

/*
 * A problem with the table's triggers for the cache's kind of write
 * (TRIGGER_TYPE_INSERT or TRIGGER_TYPE_UPDATE), or NULL.  Skipped safely
 * are only: foreign key triggers when the caller updates rows without
 * changing any key (updates only: a foreign key is checked on insert), and
 * the cache's allowed trigger, whose work the caller does itself; whether
 * that one is enabled goes to cache->allowed_trigger_enabled.
 */
static const char *
DirectTriggersProblem(Relation rel, DirectCache *cache)
{
	TriggerDesc *trigdesc = rel->trigdesc;
	int16		kind = cache->trigger_kind;
	const char *allowed = cache->allowed_trigger;

	cache->allowed_trigger_enabled = false;
	if (trigdesc == NULL)
		return NULL;
	for (int i = 0; i < trigdesc->numtriggers; i++)
	{
		Trigger    *t = &trigdesc->triggers[i];

		if ((t->tgtype & kind) == 0)
			continue;
		if (kind == TRIGGER_TYPE_UPDATE && t->tgisinternal &&
			RI_FKey_trigger_type(t->tgfoid) != RI_TRIGGER_NONE)
			continue;
		if (allowed != NULL && strcmp(t->tgname, allowed) == 0)
		{
			if (t->tgenabled == TRIGGER_DISABLED)
				continue;
			if (t->tgenabled != TRIGGER_FIRES_ON_ORIGIN || !TRIGGER_FOR_ROW(t->tgtype) ||
				!TRIGGER_FOR_AFTER(t->tgtype) || t->tgqual != NULL ||
				t->tgnattr != 0)
				return psprintf("its trigger \"%s\" is not as installed", t->tgname);
			cache->allowed_trigger_enabled = true;
			continue;
		}
		return psprintf("it has trigger \"%s\"", t->tgname);
	}
	return NULL;
}

/* Is the table as the cache describes it?  NULL, or what differs */
static const char *
DirectTableProblem(Relation rel, DirectCache *cache)
{
	const char *problem = DirectCommonProblem(rel);

	if (problem != NULL)
		return problem;
	if (!DirectColumnsAre(rel, cache->columns, cache->ncolumns))
		return "its columns are not the ones this version knows";
	if (!DirectChecksAre(rel, cache->checks, cache->nchecks))
		return "its CHECK constraints are not the ones this version knows";
	return DirectTriggersProblem(rel, cache);
}

/*
 * Index entries for a tuple just written by heap_insert, or by a heap_update
 * that could not be HOT (update = true).  The executor's own routine, so
 * partial, expression and unique indexes behave as under INSERT or UPDATE.
 */
void
DirectIndexInsert(Relation rel, HeapTuple tuple, bool update)
{
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;

	if (!RelationGetForm(rel)->relhasindex)
		return;
	estate = CreateExecutorState();
	rri = makeNode(ResultRelInfo);
	/* no range table entry: the executor then treats every index as touched */
	InitResultRelInfo(rri, rel, 0, NULL, 0);
	ExecOpenIndices(rri, false);
	if (rri->ri_NumIndices > 0)
	{
		slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);
		ExecStoreHeapTuple(tuple, slot, false);
		(void) ExecInsertIndexTuples(rri, slot, estate, update, false, NULL, NIL);
		ExecDropSingleTupleTableSlot(slot);
	}
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
}

/*
 * The index entries of an inserted row, as ExecInsertIndexTuples makes
 * them, without rebuilding every index's description and recompiling its
 * predicate at each row: DirectInsert keeps them from one relation cache
 * invalidation to the next (they were a fifth of a reservation's writes).
 * Plain column indexes only, partial or not, unique or not; a table with
 * an expression index, a deferrable or exclusion constraint, or more
 * indexes than we keep, gets the executor's routine instead.
 */
#define DIRECT_MAX_INDEXES 8

typedef struct DirectIndexes
{
	uint64		generation;
	MemoryContext context;
	bool		usable;
	int			nindexes;
	Oid			oids[DIRECT_MAX_INDEXES];
	IndexInfo  *info[DIRECT_MAX_INDEXES];
	ExprState  *predicate[DIRECT_MAX_INDEXES];	/* NULL: not partial */
	ExprContext *econtext;		/* evaluates predicates */
	TupleTableSlot *slot;
} DirectIndexes;

static void
DirectDescribeIndexes(DirectCache *cache, Relation rel)
{
	DirectIndexes *ix = cache->indexes;
	MemoryContext old;
	List	   *oids;
	ListCell   *lc;

	if (ix == NULL)
	{
		ix = MemoryContextAllocZero(TopMemoryContext, sizeof(DirectIndexes));
		ix->context = AllocSetContextCreate(TopMemoryContext, "omni direct indexes",
											ALLOCSET_SMALL_SIZES);
		cache->indexes = ix;
	}
	MemoryContextReset(ix->context);
	ix->usable = false;
	ix->nindexes = 0;
	ix->generation = 0;			/* valid only once complete */

	old = MemoryContextSwitchTo(ix->context);
	oids = RelationGetIndexList(rel);
	ix->usable = list_length(oids) <= DIRECT_MAX_INDEXES;
	foreach(lc, oids)
	{
		Relation	index;
		IndexInfo  *info;
		bool		plain;

		if (!ix->usable)
			break;
		index = index_open(lfirst_oid(lc), RowExclusiveLock);
		info = BuildIndexInfo(index);
		plain = info->ii_Expressions == NIL && info->ii_ExclusionOps == NULL &&
			index->rd_index->indimmediate && index->rd_index->indisready;
		index_close(index, NoLock);
		if (!plain)
		{
			ix->usable = false;
			break;
		}
		ix->oids[ix->nindexes] = lfirst_oid(lc);
		ix->info[ix->nindexes] = info;
		ix->predicate[ix->nindexes] = info->ii_Predicate == NIL ? NULL :
			ExecInitQual((List *) expression_planner((Expr *) info->ii_Predicate), NULL);
		ix->nindexes++;
	}
	if (ix->usable)
	{
		ix->econtext = CreateStandaloneExprContext();
		ix->slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(rel)),
											&TTSOpsHeapTuple);
	}
	MemoryContextSwitchTo(old);
	ix->generation = cache->generation;
}

/* Insert a row and its index entries */
void
DirectInsert(DirectCache *cache, Relation rel, Datum *values, bool *isnull)
{
	HeapTuple	tuple = heap_form_tuple(RelationGetDescr(rel), values, isnull);
	DirectIndexes *ix;

	heap_insert(rel, tuple, GetCurrentCommandId(true), 0, NULL);
	if (!RelationGetForm(rel)->relhasindex)
		return;
	if (cache->indexes == NULL || cache->indexes->generation != cache->generation)
		DirectDescribeIndexes(cache, rel);
	ix = cache->indexes;
	if (!ix->usable)
	{
		DirectIndexInsert(rel, tuple, false);
		return;
	}

	ExecStoreHeapTuple(tuple, ix->slot, false);
	ix->econtext->ecxt_scantuple = ix->slot;
	for (int i = 0; i < ix->nindexes; i++)
	{
		Relation	index;
		Datum		key[INDEX_MAX_KEYS];
		bool		keynull[INDEX_MAX_KEYS];

		if (ix->predicate[i] != NULL && !ExecQual(ix->predicate[i], ix->econtext))
			continue;
		index = index_open(ix->oids[i], RowExclusiveLock);
		FormIndexDatum(ix->info[i], ix->slot, NULL, key, keynull);
		index_insert(index, key, keynull, &tuple->t_self, rel,
					 index->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, ix->info[i]);
		index_close(index, NoLock);
	}
	ResetExprContext(ix->econtext);
	ExecClearTuple(ix->slot);
}
