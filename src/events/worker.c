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
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
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

/*
 * One batch: number and publish everything that committed.  Returns how
 * many events it published, or -1 when the extension is not installed.
 */
static int
FlushBatch(void)
{
	int			moved = -1;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (OidIsValid(get_extension_oid("omnichannel", true)))
	{
		bool		isnull;

		pgstat_report_activity(STATE_RUNNING, "SELECT omni.flush_events(true)");
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute("SELECT omni.flush_events(true)", false, 1) != SPI_OK_SELECT)
			elog(ERROR, "omni.flush_events() failed");
		moved = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 1, &isnull));
		SPI_finish();
	}
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	return moved;
}

void
omni_events_worker_main(Datum arg)
{
	MemoryContext loop_context;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(omni_events_database, NULL, 0);
	pgstat_report_appname("omnichannel events worker");

	before_shmem_exit(WorkerExit, (Datum) 0);
	PublishWorker(true);

	loop_context = AllocSetContextCreate(TopMemoryContext, "omni events worker loop",
										 ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		int			moved;
		int			rc;
		long		timeout = omni_events_naptime;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		/* reset before the work: a commit during the batch wakes us again */
		ResetLatch(MyLatch);
		MemoryContextSwitchTo(loop_context);
		moved = FlushBatch();
		MemoryContextSwitchTo(TopMemoryContext);
		MemoryContextReset(loop_context);

		if (moved > 0)
			continue;			/* more may have committed meanwhile */
		if (moved < 0)
			timeout = Max(timeout, 5000);	/* no extension here yet */

		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_POSTMASTER_DEATH,
					   timeout, PG_WAIT_EXTENSION);
		if (rc & WL_POSTMASTER_DEATH)
			proc_exit(1);
	}
}
