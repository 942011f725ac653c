/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The events worker: numbers committed events, appends them to
 *	  omni.events and NOTIFYs, in one transaction per batch, after the
 *	  writers committed, so no writer ever waits on the notify queue.
 *
 * One worker, registered when the library is preloaded, serves the
 * database named by omni.events_database (default "omnichannel").  Until
 * the extension exists there it only sleeps; CREATE EXTENSION in any other
 * database is unaffected (there, omni.events_since() numbers the events
 * itself).  Writers set its latch when they commit, so it reacts at once;
 * omni.events_naptime bounds its sleep otherwise.
 *
 * With wal_level = logical it creates (once) and holds the logical slot
 * "omni_events" and reads the writers' event messages from it
 * (src/events/decode.c); otherwise, or if the slot cannot be created, it
 * works from omni.event_queue.  Each turn: decode what was flushed, then
 * one transaction that takes the numberer's lock, numbers and logs the
 * queue and the decoded events, NOTIFYs, and records the decoded position;
 * after its commit, confirm that position to the slot.
 *
 * Any error (the extension dropped under it, for one) ends the process;
 * the postmaster starts it again a second later.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "replication/slot.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "events/events.h"

void
EventsRegisterWorker(void)
{
	BackgroundWorker worker;

	if (IsBinaryUpgrade)
		return;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;	/* seconds: after an error or a missing database */
	strlcpy(worker.bgw_library_name, "omnichannel", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "omni_events_worker_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "omnichannel events worker", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "omnichannel events worker", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

static void
PublishWorker(bool running)
{
	SpinLockAcquire(&omni_events_shared->mutex);
	omni_events_shared->worker_pid = running ? MyProcPid : 0;
	omni_events_shared->database = running ? MyDatabaseId : InvalidOid;
	omni_events_shared->latch = running ? MyLatch : NULL;
	SpinLockRelease(&omni_events_shared->mutex);
}

static void
WorkerExit(int code, Datum arg)
{
	PublishWorker(false);
}

static void
BeginWork(const char *activity)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

static void
EndWork(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

static bool
ExtensionInstalled(void)
{
	bool		installed;

	StartTransactionCommand();
	installed = OidIsValid(get_extension_oid("omnichannel", true));
	CommitTransactionCommand();
	return installed;
}

/*
 * Number and publish what is in omni.event_queue; in decoding mode also
 * what was decoded, after it, under the same lock.  Returns how many.
 */
static int
PublishBatch(bool decoding)
{
	bool		isnull;
	int			published;

	if (decoding)
		EventsSetDecodingFlag(false);	/* see decode.c: we are about to write */
	BeginWork("SELECT omni.flush_events(true)");
	if (SPI_execute("SELECT omni.flush_events(true)", false, 1) != SPI_OK_SELECT)
		elog(ERROR, "omni.flush_events() failed");
	published = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 1, &isnull));
	if (decoding)
		published += EventsPublishDecoded();
	EndWork();
	if (decoding)
	{
		EventsSetDecodingFlag(true);
		EventsDecodeConfirm();
	}
	return published;
}

/* Can this server decode?  Then make sure our slot exists. */
static bool
SetUpDecoding(void)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (wal_level < WAL_LEVEL_LOGICAL || max_replication_slots == 0)
	{
		ereport(LOG,
				(errmsg("omnichannel events worker: queue mode (wal_level is not logical)"),
				 errhint("Set wal_level = logical for events recorded without a shared table.")));
		return false;
	}
	PG_TRY();
	{
		EventsEnsureSlot();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		if (MyReplicationSlot != NULL)
			ReplicationSlotRelease();	/* drops a slot left half-created */
		ereport(WARNING,
				(errmsg("omnichannel events worker: queue mode, the slot \"%s\" could not be created",
						EVENTS_SLOT_NAME)));
		return false;
	}
	PG_END_TRY();
	EventsDecodeStart();
	return true;
}

static void
HandleInterrupts(void)
{
	CHECK_FOR_INTERRUPTS();
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
}

static void
Sleep(long timeout)
{
	int			rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_POSTMASTER_DEATH,
							   timeout, PG_WAIT_EXTENSION);

	if (rc & WL_POSTMASTER_DEATH)
		proc_exit(1);
}

void
omni_events_worker_main(Datum arg)
{
	MemoryContext loop_context;
	bool		decoding;
	bool		first = true;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(omni_events_database, NULL, 0);
	pgstat_report_appname("omnichannel events worker");

	before_shmem_exit(WorkerExit, (Datum) 0);
	PublishWorker(true);

	/* nothing to serve until the extension exists here */
	while (!ExtensionInstalled())
	{
		HandleInterrupts();
		Sleep(Max(omni_events_naptime, 1000));
		ResetLatch(MyLatch);
	}
	/* what waited in the queue meanwhile (before we hold a slot: see decode.c) */
	(void) PublishBatch(false);
	decoding = SetUpDecoding();
	SpinLockAcquire(&omni_events_shared->mutex);
	omni_events_shared->decoding = decoding;
	SpinLockRelease(&omni_events_shared->mutex);

	loop_context = AllocSetContextCreate(TopMemoryContext, "omni events worker loop",
										 ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		int			published;
		int			decoded = 0;

		HandleInterrupts();
		/* reset before the work: a commit during the batch wakes us again */
		ResetLatch(MyLatch);
		MemoryContextSwitchTo(loop_context);
		if (decoding)
		{
			decoded = EventsDecodeRound(10000);
			/* the first turn also publishes what was queued before the slot */
			published = (decoded > 0 || first) ? PublishBatch(true) : 0;
			first = false;
			if (decoded == 0)
				EventsDecodeConfirm();
		}
		else
			published = PublishBatch(false);
		MemoryContextSwitchTo(TopMemoryContext);
		MemoryContextReset(loop_context);

		if (published > 0 || decoded > 0)
			continue;			/* more may have committed meanwhile */
		Sleep(omni_events_naptime);
	}
}
