/*-------------------------------------------------------------------------
 *
 * events.c
 *	  Events: every committed change of stock, price or order reaches the
 *	  channels as a NOTIFY and stays in the log omni.events for replay.
 *
 * NOTIFY inside the writing transaction would serialise every writer of
 * the cluster on the notify queue's lock (PreCommit_Notify holds it across
 * the commit's WAL flush), so a writer never NOTIFYs.  Its triggers only
 * record the event (OmniEmitEvent), in one of two ways:
 *
 *	 decoding mode  a transactional logical message (pg_logical_emit_message
 *					in C): no shared hot spot at all; used when the logical
 *					slot "omni_events" of this database exists, which the
 *					events worker creates when wal_level = logical.
 *	 queue mode		a row in omni.event_queue (everywhere else).
 *
 * After commit the writer sets the events worker's latch.  The worker
 * (src/events/worker.c) numbers what committed, appends it to omni.events
 * and NOTIFYs in one transaction per batch.  Numbering after commit, by one
 * numberer at a time, is what makes omni.events_since() safe: a listener
 * that saw event n has seen every event below n, and an event committed
 * late gets a higher id instead of appearing behind one already handed out.
 *
 * In a database no worker serves, omni.events_since() does the numbering
 * itself before it reads, so replay works in every database.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "replication/message.h"
#include "replication/slot.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "events/events.h"

char	   *omni_events_database = NULL;
int			omni_events_naptime = 1000;

EventsShared *omni_events_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* this transaction recorded events: wake the worker when it commits */
static bool events_pending = false;

static SPIPlanPtr queue_plan = NULL;

static void
EventsShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(EventsShared)));
}

static void
EventsShmemStartup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	omni_events_shared = ShmemInitStruct("omnichannel events",
										 sizeof(EventsShared), &found);
	if (!found)
	{
		memset(omni_events_shared, 0, sizeof(EventsShared));
		SpinLockInit(&omni_events_shared->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Wake the worker that serves this database, if one does.  Called after
 * commit, so it must not fail.
 */
static void
WakeEventsWorker(void)
{
	Latch	   *latch = NULL;

	if (omni_events_shared == NULL)
		return;
	SpinLockAcquire(&omni_events_shared->mutex);
	if (omni_events_shared->worker_pid != 0 &&
		omni_events_shared->database == MyDatabaseId)
		latch = omni_events_shared->latch;
	SpinLockRelease(&omni_events_shared->mutex);
	if (latch)
		SetLatch(latch);
}

static void
EventsXactCallback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (events_pending)
				WakeEventsWorker();
			events_pending = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:	/* COMMIT PREPARED: the worker's naptime */
			events_pending = false;
			break;
		default:
			break;
	}
}

/*
 * Does this database record events as logical messages?  Only once the
 * worker's slot exists for this database and has finished its creation
 * (confirmed_flush set: it decodes every transaction that commits from
 * then on).  A cheap scan of max_replication_slots entries.
 */
bool
EventsDecodingActive(void)
{
	ReplicationSlot *slot;
	bool		active = false;

	if (wal_level < WAL_LEVEL_LOGICAL || max_replication_slots == 0)
		return false;

	LWLockAcquire(ReplicationSlotControlLock, LW_SHARED);
	slot = SearchNamedReplicationSlot(EVENTS_SLOT_NAME, false);
	if (slot != NULL)
	{
		SpinLockAcquire(&slot->mutex);
		active = slot->data.database == MyDatabaseId &&
			!XLogRecPtrIsInvalid(slot->data.confirmed_flush);
		SpinLockRelease(&slot->mutex);
	}
	LWLockRelease(ReplicationSlotControlLock);
	return active;
}

/*
 * The queue row is written without the executor (src/direct.c) while
 * omni.event_queue is as installed: it is on every stock change's path.
 */
static const DirectColumn queue_columns[] = {
	{"seq", INT8OID}, {"channel", TEXTOID}, {"payload", JSONBOID},
	{"created_at", TIMESTAMPTZOID}
};

static const char *
ValidateQueue(Relation rel, DirectCache *cache)
{
	cache->sequence = get_relname_relid("event_queue_seq", RelationGetNamespace(rel));
	if (!OidIsValid(cache->sequence))
		return "its sequence omni.event_queue_seq is missing";
	return NULL;
}

static DirectCache queue_cache = {
	.relname = "event_queue",
	.columns = queue_columns, .ncolumns = lengthof(queue_columns),
	.trigger_kind = TRIGGER_TYPE_INSERT,
	.validate = ValidateQueue
};

/*
 * omni.event_queue opened for a direct write, or NULL: the session's
 * settings forbid it, or the table is not as installed (queue_cache.problem)
 */
static Relation
QueueOpenDirect(void)
{
	if (!DirectSessionAllows())
		return NULL;
	return DirectOpen(&queue_cache, RowExclusiveLock);
}

static bool
QueueEventDirect(const char *channel, const char *payload)
{
	Relation	rel = QueueOpenDirect();
	Datum		values[4];
	bool		nulls[4] = {0};

	if (rel == NULL)
		return false;
	values[0] = Int64GetDatum(nextval_internal(queue_cache.sequence, false));
	values[1] = CStringGetTextDatum(channel);
	values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(payload));
	values[3] = TimestampTzGetDatum(GetCurrentTimestamp());
	DirectInsert(&queue_cache, rel, values, nulls);
	table_close(rel, NoLock);
	return true;
}

/*
 * Can this transaction record an event without running SQL: in decoding
 * mode, or while omni.event_queue can be written directly?  NULL if so,
 * else why not.  omni.reserve asks before its fast path, which runs as the
 * caller and must run no SQL (src/stock.c).  The queue stays locked, as
 * the write will lock it.
 */
const char *
OmniEventsDirectProblem(void)
{
	Relation	rel;

	if (EventsDecodingActive())
		return NULL;
	rel = QueueOpenDirect();
	if (rel == NULL)
		return DirectSessionAllows() ?
			psprintf("omni.event_queue: %s", queue_cache.problem) :
			"this session's settings use the SQL path";
	table_close(rel, NoLock);
	return NULL;
}

static void
QueueEvent(const char *channel, const char *payload)
{
	Datum		values[2];
	int			rc;

	if (QueueEventDirect(channel, payload))
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	{
		Oid			types[2] = {TEXTOID, TEXTOID};

		OmniKeepPlan(&queue_plan, "INSERT INTO omni.event_queue (channel, payload) "
					 "VALUES ($1, $2::pg_catalog.jsonb)", 2, types);
	}
	values[0] = CStringGetTextDatum(channel);
	values[1] = CStringGetTextDatum(payload);
	rc = SPI_execute_plan(queue_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not queue event: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * Record one event of this transaction.  payload is a JSON object without
 * "event_id" (the numberer adds it); the caller keeps it small.
 */
void
OmniEmitEvent(const char *channel, const char *payload)
{
	size_t		len = strlen(payload);

	if (len > EVENT_PAYLOAD_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event payload too long for channel \"%s\"", channel),
				 errdetail("The payload has %zu bytes; the limit is %d.",
						   len, EVENT_PAYLOAD_MAX),
				 errhint("NOTIFY refuses payloads of 8000 bytes: send keys, not documents.")));

	if (EventsDecodingActive())
	{
		char		prefix[NAMEDATALEN + 32];

		snprintf(prefix, sizeof(prefix), "%s%s", EVENTS_MESSAGE_PREFIX, channel);
		(void) LogLogicalMessage(prefix, payload, len, true);
	}
	else
		QueueEvent(channel, payload);
	events_pending = true;
}

/*
 * Refuse a channel that omni.event_channels does not list (22023).
 */
void
OmniCheckEventChannel(const char *channel)
{
	static SPIPlanPtr plan = NULL;
	Datum		value = CStringGetTextDatum(channel);
	bool		known;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	{
		Oid			type = TEXTOID;

		OmniKeepPlan(&plan, "SELECT 1 FROM omni.event_channels WHERE channel = $1",
					 1, &type);
	}
	if (SPI_execute_plan(plan, &value, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up event channel");
	known = SPI_processed > 0;
	SPI_finish();
	if (!known)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown event channel \"%s\"", channel),
				 errdetail("Event channels are listed in omni.event_channels."),
				 errhint("Register it first: INSERT INTO omni.event_channels (channel, description) VALUES (...).")));
}

/*
 * omni.emit_event(channel text, payload jsonb): the generic way to add an
 * event from SQL or PL/pgSQL.  The channel must be registered in
 * omni.event_channels; the payload must be a JSON object.
 */
PG_FUNCTION_INFO_V1(omni_emit_event);
Datum
omni_emit_event(PG_FUNCTION_ARGS)
{
	char	   *channel;
	Jsonb	   *payload;
	char	   *json;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event channel and payload must not be null")));
	channel = text_to_cstring(PG_GETARG_TEXT_PP(0));
	payload = PG_GETARG_JSONB_P(1);

	if (!JB_ROOT_IS_OBJECT(payload) || JB_ROOT_IS_SCALAR(payload))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event payload must be a JSON object"),
				 errhint("Wrap the value: jsonb_build_object('value', ...).")));
	OmniCheckEventChannel(channel);
	json = JsonbToCString(NULL, &payload->root, VARSIZE(payload));
	OmniEmitEvent(channel, json);
	PG_RETURN_VOID();
}

/*
 * omni.events_worker_serves(): true when the events worker runs and serves
 * the current database (omni.events_since() then leaves the numbering to
 * it).  VOLATILE: the worker can start or stop at any moment.
 */
PG_FUNCTION_INFO_V1(omni_events_worker_serves);
Datum
omni_events_worker_serves(PG_FUNCTION_ARGS)
{
	bool		serves = false;

	if (omni_events_shared != NULL)
	{
		SpinLockAcquire(&omni_events_shared->mutex);
		serves = omni_events_shared->worker_pid != 0 &&
			omni_events_shared->database == MyDatabaseId;
		SpinLockRelease(&omni_events_shared->mutex);
	}
	PG_RETURN_BOOL(serves);
}

void
OmniEventsInit(void)
{
	/*
	 * Read once, when the worker starts: a change takes a server restart.
	 * Not PGC_POSTMASTER, which PostgreSQL refuses (FATAL) when the library
	 * is loaded by CREATE EXTENSION rather than preloaded.
	 */
	DefineCustomStringVariable("omni.events_database",
							   "Database whose events the events worker numbers and NOTIFYs (read at server start).",
							   "Other databases number their events when omni.events_since() is called.",
							   &omni_events_database,
							   "omnichannel",
							   PGC_SIGHUP,
							   0,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("omni.events_naptime",
							"Longest sleep of the events worker between two looks at the log.",
							"Commits wake it at once; this bounds the delay of anything else (COMMIT PREPARED, a missed wake-up).",
							&omni_events_naptime,
							1000, 10, 60000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	RegisterXactCallback(EventsXactCallback, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = EventsShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = EventsShmemStartup;
	EventsRegisterWorker();
}
