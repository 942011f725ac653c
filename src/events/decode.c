/*-------------------------------------------------------------------------
 *
 * decode.c
 *	  Decoding mode: writers record events as transactional logical
 *	  messages; the events worker reads them from the logical slot
 *	  "omni_events" with a decoding context it keeps open, in commit order,
 *	  committed transactions only, and publishes them.
 *
 * The output plugin (the library itself: the slot's plugin is
 * "omnichannel") writes one line per event message:
 *
 *	 <commit end LSN> <commit time, int64 microseconds> <channel> <payload>
 *
 * Other messages and every row change are ignored.  The plugin is usable
 * from SQL too (pg_logical_slot_peek_changes('omni_events', NULL, NULL)).
 *
 * Exactly once.  The worker publishes decoded events and records the
 * commit LSN it reached in omni.events_decoded in the same transaction,
 * and only then confirms that position to the slot.  After a crash the
 * slot may hand out transactions again; those at or below the recorded
 * LSN are skipped.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlogutils.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "replication/logical.h"
#include "replication/decode.h"
#include "replication/output_plugin.h"
#include "replication/slot.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/snapmgr.h"

#include "events/events.h"

/* ---- the output plugin ---- */

PGDLLEXPORT extern void _PG_output_plugin_init(OutputPluginCallbacks *cb);

static void
PluginStartup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;
}

static void
PluginBegin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
}

static void
PluginChange(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			 Relation relation, ReorderBufferChange *change)
{
}

static void
PluginCommit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
}

static void
PluginMessage(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			  XLogRecPtr message_lsn, bool transactional, const char *prefix,
			  Size message_size, const char *message)
{
	size_t		plen = strlen(EVENTS_MESSAGE_PREFIX);

	if (!transactional || strncmp(prefix, EVENTS_MESSAGE_PREFIX, plen) != 0)
		return;
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfo(ctx->out, "%X/%X " INT64_FORMAT " %s ",
					 LSN_FORMAT_ARGS(txn->end_lsn),
					 (int64) txn->xact_time.commit_time, prefix + plen);
	appendBinaryStringInfo(ctx->out, message, message_size);
	OutputPluginWrite(ctx, true);
}

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = PluginStartup;
	cb->begin_cb = PluginBegin;
	cb->change_cb = PluginChange;
	cb->commit_cb = PluginCommit;
	cb->message_cb = PluginMessage;
}

/* ---- the worker's side ---- */

typedef struct DecodedEvent
{
	XLogRecPtr	end_lsn;
	TimestampTz commit_time;
	char	   *channel;
	char	   *payload;
} DecodedEvent;

static LogicalDecodingContext *decoding_ctx = NULL;
static MemoryContext decoded_cxt = NULL;	/* holds decoded_events */
static List *decoded_events = NIL;
static XLogRecPtr decoded_upto = InvalidXLogRecPtr;

static void
CollectPrepareWrite(LogicalDecodingContext *ctx, XLogRecPtr lsn,
					TransactionId xid, bool last_write)
{
	resetStringInfo(ctx->out);
}

/* parse one line of the plugin into decoded_events */
static void
CollectWrite(LogicalDecodingContext *ctx, XLogRecPtr lsn,
			 TransactionId xid, bool last_write)
{
	MemoryContext old = MemoryContextSwitchTo(decoded_cxt);
	DecodedEvent *ev = palloc(sizeof(DecodedEvent));
	char	   *line = pstrdup(ctx->out->data);
	char	   *fields[4];
	char	   *p = line;
	int			i;
	uint32		hi,
				lo;

	for (i = 0; i < 3; i++)
	{
		fields[i] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			elog(ERROR, "malformed event message \"%s\"", line);
		*p++ = '\0';
	}
	fields[3] = p;
	if (sscanf(fields[0], "%X/%X", &hi, &lo) != 2)
		elog(ERROR, "malformed event message LSN \"%s\"", fields[0]);
	ev->end_lsn = ((uint64) hi) << 32 | lo;
	ev->commit_time = (TimestampTz) strtoll(fields[1], NULL, 10);
	ev->channel = fields[2];
	ev->payload = fields[3];
	decoded_events = lappend(decoded_events, ev);
	MemoryContextSwitchTo(old);
}

/*
 * Create the slot if it is missing.  Its own transaction: a slot cannot be
 * created by a transaction that wrote.
 */
void
EventsEnsureSlot(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT 1 FROM pg_catalog.pg_replication_slots"
					" WHERE slot_name = '" EVENTS_SLOT_NAME "'", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up the events slot");
	if (SPI_processed == 0)
	{
		ereport(LOG,
				(errmsg("omnichannel events worker: creating logical replication slot \"%s\"",
						EVENTS_SLOT_NAME)));
		if (SPI_execute("SELECT pg_catalog.pg_create_logical_replication_slot('"
						EVENTS_SLOT_NAME "', 'omnichannel')", false, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not create the events slot");
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* Acquire the slot and open a decoding context kept for the worker's life */
void
EventsDecodeStart(void)
{
	MemoryContext old;

	decoded_cxt = AllocSetContextCreate(TopMemoryContext, "omni decoded events",
										ALLOCSET_DEFAULT_SIZES);
	ReplicationSlotAcquire(EVENTS_SLOT_NAME, true);
	old = MemoryContextSwitchTo(TopMemoryContext);
	decoding_ctx = CreateDecodingContext(InvalidXLogRecPtr, NIL, false,
										 XL_ROUTINE(.page_read = read_local_xlog_page,
													.segment_open = wal_segment_open,
													.segment_close = wal_segment_close),
										 CollectPrepareWrite, CollectWrite, NULL);
	MemoryContextSwitchTo(old);
	XLogBeginRead(decoding_ctx->reader, MyReplicationSlot->data.restart_lsn);
}

/*
 * Read the WAL flushed so far (at most max_events events).  Stops early,
 * with events in hand, near the end of the flushed WAL: the next record
 * may not be complete yet and reading it would wait for its flush.
 * Returns how many events are waiting to be published.
 */
int
EventsDecodeRound(int max_events)
{
	XLogReaderState *reader = decoding_ctx->reader;
	XLogRecPtr	end_of_wal = GetFlushRecPtr(NULL);
	MemoryContext old;
	int			n;

	/*
	 * The reader keeps an oversized record in memory allocated when it was
	 * read and frees it on the next read: read in the context's memory, not
	 * in the worker's loop context that is reset each turn.
	 */
	old = MemoryContextSwitchTo(decoding_ctx->context);

	while (reader->EndRecPtr < end_of_wal || XLogRecPtrIsInvalid(reader->EndRecPtr))
	{
		char	   *errm = NULL;
		XLogRecord *record;

		if (decoded_events != NIL &&
			(list_length(decoded_events) >= max_events ||
			 end_of_wal - reader->EndRecPtr < XLOG_BLCKSZ))
			break;
		record = XLogReadRecord(reader, &errm);
		if (errm)
			elog(ERROR, "could not read WAL for events: %s", errm);
		if (record != NULL)
			LogicalDecodingProcessRecord(decoding_ctx, reader);
		CHECK_FOR_INTERRUPTS();
		end_of_wal = GetFlushRecPtr(NULL);
	}
	decoded_upto = reader->EndRecPtr;
	n = list_length(decoded_events);
	MemoryContextSwitchTo(old);
	return n;
}

/*
 * Publish what was decoded (called inside the worker's transaction, which
 * already holds the numberer's lock): log, in one statement, each event
 * not published before a crash, NOTIFY it, and remember the commit LSN
 * reached.  Returns how many were published.
 */
int
EventsPublishDecoded(void)
{
	static SPIPlanPtr log_plan = NULL;
	static SPIPlanPtr state_plan = NULL;
	XLogRecPtr	done = InvalidXLogRecPtr;
	XLogRecPtr	reached = InvalidXLogRecPtr;
	ListCell   *lc;
	bool		isnull;
	int			n = 0;
	int			max = list_length(decoded_events);
	Datum	   *channels;
	Datum	   *payloads;
	Datum	   *times;
	Datum		args[3];
	uint64		i;

	if (decoded_events == NIL)
		return 0;
	if (log_plan == NULL)
	{
		Oid			types[3] = {TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID};
		Oid			state_type = PG_LSNOID;

		log_plan = SPI_prepare(
			"SELECT l.channel, l.payload::text"
			"  FROM omni.log_events($1, $2::pg_catalog.jsonb[], $3) l ORDER BY l.event_id",
			3, types);
		state_plan = SPI_prepare(
			"INSERT INTO omni.events_decoded AS d (slot_name, confirmed_lsn)"
			" VALUES ('" EVENTS_SLOT_NAME "', $1)"
			" ON CONFLICT (slot_name) DO UPDATE SET confirmed_lsn = excluded.confirmed_lsn", 1, &state_type);
		if (log_plan == NULL || state_plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(log_plan);
		SPI_keepplan(state_plan);
	}

	if (SPI_execute("SELECT confirmed_lsn FROM omni.events_decoded WHERE slot_name = '"
					EVENTS_SLOT_NAME "'", false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read omni.events_decoded");
	if (SPI_processed == 1)
		done = DatumGetLSN(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

	channels = palloc(sizeof(Datum) * max);
	payloads = palloc(sizeof(Datum) * max);
	times = palloc(sizeof(Datum) * max);
	foreach(lc, decoded_events)
	{
		DecodedEvent *ev = (DecodedEvent *) lfirst(lc);

		reached = ev->end_lsn;
		if (ev->end_lsn <= done)
			continue;			/* published before a crash */
		channels[n] = CStringGetTextDatum(ev->channel);
		payloads[n] = CStringGetTextDatum(ev->payload);
		times[n] = TimestampTzGetDatum(ev->commit_time);
		n++;
	}
	if (n > 0)
	{
		args[0] = PointerGetDatum(construct_array(channels, n, TEXTOID, -1, false, TYPALIGN_INT));
		args[1] = PointerGetDatum(construct_array(payloads, n, TEXTOID, -1, false, TYPALIGN_INT));
		args[2] = PointerGetDatum(construct_array(times, n, TIMESTAMPTZOID, sizeof(TimestampTz),
												  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		if (SPI_execute_plan(log_plan, args, NULL, false, 0) != SPI_OK_SELECT ||
			SPI_processed != (uint64) n)
			elog(ERROR, "could not log %d decoded events", n);
		for (i = 0; i < SPI_processed; i++)
			Async_Notify(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1),
						 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));
	}
	if (reached > done)
	{
		Datum		arg = LSNGetDatum(reached);

		if (SPI_execute_plan(state_plan, &arg, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not record the decoded position");
	}
	return n;
}

/*
 * A process that holds a logical slot is flagged PROC_IN_LOGICAL_DECODING,
 * and other backends leave flagged processes out of their snapshots: a
 * transaction of ours that writes while flagged would look committed to
 * them before it is, and its rows could be pruned as aborted.  So the
 * worker drops the flag for its publishing transaction (it holds no xid
 * while decoding) and takes it back after commit.
 */
void
EventsSetDecodingFlag(bool decoding)
{
	LWLockAcquire(ProcArrayLock, LW_EXCLUSIVE);
	if (decoding)
		MyProc->statusFlags |= PROC_IN_LOGICAL_DECODING;
	else
		MyProc->statusFlags &= ~PROC_IN_LOGICAL_DECODING;
	ProcGlobal->statusFlags[MyProc->pgxactoff] = MyProc->statusFlags;
	LWLockRelease(ProcArrayLock);
}

/*
 * After the publishing transaction committed: tell the slot it may forget
 * what we read, and drop the events in hand.
 */
void
EventsDecodeConfirm(void)
{
	if (!XLogRecPtrIsInvalid(decoded_upto) &&
		decoded_upto > MyReplicationSlot->data.confirmed_flush)
	{
		LogicalConfirmReceivedLocation(decoded_upto);
		ReplicationSlotMarkDirty();	/* a clean shutdown saves the position */
	}
	decoded_events = NIL;
	MemoryContextReset(decoded_cxt);
}
