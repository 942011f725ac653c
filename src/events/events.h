/*-------------------------------------------------------------------------
 *
 * events.h
 *	  Internals shared by the files of the events part (src/events.c,
 *	  src/events/ files).  Other parts only see OmniEventsInit().
 *
 * How an event travels:
 *
 *	 writer transaction                      events worker (one database)
 *	 ------------------                      ----------------------------
 *	 trigger -> OmniEmitEvent()
 *	   queue mode: INSERT omni.event_queue   omni.flush_events(): under one
 *	   decoding mode: logical message          lock, number the committed
 *	 COMMIT -> SetLatch(worker)                events, INSERT omni.events,
 *	                                           pg_notify, COMMIT
 *
 * Event ids are handed out after commit by one numberer at a time, so a
 * reader never sees event n+1 without event n (no late-commit gap).
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_EVENTS_H
#define OMNI_EVENTS_H

#include "postgres.h"

#include "storage/latch.h"
#include "storage/spin.h"

/* NOTIFY refuses payloads of 8000 bytes; keep room for "event_id" */
#define EVENT_PAYLOAD_MAX	7900

/* the logical replication slot the worker reads in decoding mode */
#define EVENTS_SLOT_NAME	"omni_events"

/* State shared between writers and the events worker */
typedef struct EventsShared
{
	slock_t		mutex;
	pid_t		worker_pid;		/* 0 when no worker runs */
	Oid			database;		/* database the worker serves */
	Latch	   *latch;			/* set it to wake the worker */
	bool		decoding;		/* the worker reads the slot */
} EventsShared;

extern EventsShared *omni_events_shared;

/* settings (src/events.c) */
extern char *omni_events_database;
extern int	omni_events_naptime;

/* src/events.c */
extern void OmniEmitEvent(const char *channel, const char *payload);
extern bool EventsDecodingActive(void);
extern void OmniCheckEventChannel(const char *channel);

/* prefix of our logical messages: "omnichannel.event:" + channel */
#define EVENTS_MESSAGE_PREFIX	"omnichannel.event:"

/* src/events/decode.c */
extern void EventsEnsureSlot(void);
extern void EventsDecodeStart(void);
extern int	EventsDecodeRound(int max_events);
extern int	EventsPublishDecoded(void);
extern void EventsDecodeConfirm(void);
extern void EventsSetDecodingFlag(bool decoding);

/* src/events/worker.c */
extern void EventsRegisterWorker(void);
PGDLLEXPORT extern void omni_events_worker_main(Datum arg);

#endif							/* OMNI_EVENTS_H */
