/*-------------------------------------------------------------------------
 *
 * omni-listen.c
 *	  Print every omnichannel event once, in order, one JSON object a line.
 *
 *	  omni-listen [-d CONNINFO] [-c CHANNEL]... [--since ID] [--state-file PATH]
 *
 * On start it replays the log from the last event id it was given (--since,
 * or the id kept in the state file), then LISTENs.  A NOTIFY only wakes it:
 * it then reads omni.events_since(last id), so what it prints is always the
 * log, in id order, with nothing skipped and nothing twice.  Ids are handed
 * out after commit by one numberer at a time, so the log never grows
 * behind an id already printed.  When the connection drops it reconnects
 * with backoff and replays what it missed.
 *
 * LISTEN comes before the replay on every connection, so an event that
 * commits between the two is caught by the NOTIFY that follows it.
 *
 * Exit codes: 0 stopped by SIGTERM or SIGINT; 1 a failure that retrying
 * cannot fix (an SQL error other than a lost connection, stdout or the
 * state file unwritable); 2 bad usage.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libpq-fe.h"

#define EXIT_STOPPED	0
#define EXIT_FAILURE_	1
#define EXIT_USAGE		2

#define MAX_CHANNELS	64
#define BATCH_SIZE		1000
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	10000
#define IDLE_REPLAY_MS	30000	/* replay now and then even without NOTIFY */

typedef struct Options
{
	const char *conninfo;
	const char *channels[MAX_CHANNELS];
	int			nchannels;
	int64_t		since;
	bool		since_given;
	const char *state_file;
	bool		timing;
} Options;

static volatile sig_atomic_t stop_requested = 0;

static const char *progname = "omni-listen";

static void Log(const char *fmt,...) __attribute__((format(printf, 1, 2)));
static void UsageError(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

static void
HandleStop(int signo)
{
	stop_requested = 1;
}

static void
Log(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
Usage(FILE *out)
{
	fprintf(out,
			"%s prints every omnichannel event once, in order, one JSON object a line.\n"
			"\n"
			"Usage:\n"
			"  %s [-d CONNINFO] [-c CHANNEL]... [--since ID] [--state-file PATH]\n"
			"\n"
			"Options:\n"
			"  -d, --dbname=CONNINFO    database to connect to (a name or a libpq connection\n"
			"                           string; default: the PG* environment variables)\n"
			"  -c, --channel=CHANNEL    print only this channel (omni_stock, omni_price,\n"
			"                           omni_order, ...); repeat for several; default: all\n"
			"      --since=ID           replay the events after this event id first\n"
			"                           (0: the whole log); overrides the state file\n"
			"      --state-file=PATH    keep the last event id printed in PATH and start\n"
			"                           from it next time\n"
			"      --timing             add created_at and received_at (epoch seconds)\n"
			"                           to each line, to measure delivery latency\n"
			"  -h, --help               show this help and exit\n"
			"\n"
			"Every line is the event's payload (with \"event_id\") plus \"event_channel\", the NOTIFY\n"
			"channel it came on; lines come in event_id order.\n"
			"The connection is retried with backoff; SIGTERM or SIGINT stops it (exit 0).\n"
			"Exit codes: 0 stopped, 1 failure, 2 bad usage.\n",
			progname, progname);
}

static void
UsageError(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"%s --help\" for more information.\n", progname);
	exit(EXIT_USAGE);
}

static bool
ParseEventId(const char *s, int64_t *id)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return false;
	*id = (int64_t) v;
	return true;
}

static bool
ValidChannel(const char *s)
{
	size_t		n = strlen(s);

	if (n == 0 || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static void
ParseOptions(int argc, char **argv, Options *opt)
{
	static const struct option longopts[] = {
		{"dbname", required_argument, NULL, 'd'},
		{"channel", required_argument, NULL, 'c'},
		{"since", required_argument, NULL, 's'},
		{"state-file", required_argument, NULL, 'f'},
		{"timing", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			c;

	memset(opt, 0, sizeof(*opt));
	opt->conninfo = "";
	while ((c = getopt_long(argc, argv, "d:c:h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'd':
				opt->conninfo = optarg;
				break;
			case 'c':
				if (!ValidChannel(optarg))
					UsageError("invalid channel name \"%s\" (lower-case letters, digits, underscores)", optarg);
				if (opt->nchannels == MAX_CHANNELS)
					UsageError("at most %d channels", MAX_CHANNELS);
				opt->channels[opt->nchannels++] = optarg;
				break;
			case 's':
				if (!ParseEventId(optarg, &opt->since))
					UsageError("invalid --since \"%s\": an event id, 0 or more", optarg);
				opt->since_given = true;
				break;
			case 'f':
				opt->state_file = optarg;
				break;
			case 't':
				opt->timing = true;
				break;
			case 'h':
				Usage(stdout);
				exit(0);
			default:
				fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
				exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		UsageError("unexpected argument \"%s\"", argv[optind]);
}

/* The last event id kept in the state file; 0 when there is none yet */
static int64_t
ReadState(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		buf[64];
	int64_t		id;

	if (f == NULL)
	{
		if (errno == ENOENT)
			return 0;
		Log("could not read state file \"%s\": %s", path, strerror(errno));
		exit(EXIT_FAILURE_);
	}
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!ParseEventId(buf, &id))
	{
		Log("state file \"%s\" does not hold an event id: \"%s\"", path, buf);
		exit(EXIT_FAILURE_);
	}
	return id;
}

/* Replace the state file atomically: write a temporary file, rename it */
static void
WriteState(const char *path, int64_t id)
{
	char		tmp[4096];
	FILE	   *f;

	if (path == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%" PRId64 "\n", id) < 0 || fflush(f) != 0 ||
		fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0)
	{
		Log("could not write state file \"%s\": %s", path, strerror(errno));
		exit(EXIT_FAILURE_);
	}
}

/* Sleep, waking early on SIGTERM/SIGINT */
static void
SleepMs(int ms)
{
	if (!stop_requested)
		(void) poll(NULL, 0, ms);
}

/*
 * Is it worth reconnecting?  Yes when the connection broke (a libpq error
 * carries no SQLSTATE, or there is no result at all), or for server errors
 * that pass: 08 connection exception, 57P01-57P03 shutdown, crash, cannot
 * connect now, 53 insufficient resources, 40 serialization or deadlock.
 * Any other SQL error (no omni.events_since here, say) is final.
 */
static bool
ConnectionLost(PGconn *conn, PGresult *res)
{
	const char *state;

	if (PQstatus(conn) != CONNECTION_OK || res == NULL)
		return true;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state == NULL)
		return true;
	return strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
		strncmp(state, "53", 2) == 0 || strncmp(state, "40", 2) == 0;
}

typedef enum Outcome
{
	OK,
	RECONNECT,
	FATAL
} Outcome;

static Outcome
Exec(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	Outcome		out = OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		out = ConnectionLost(conn, res) ? RECONNECT : FATAL;
		Log("%s", PQerrorMessage(conn));
	}
	PQclear(res);
	return out;
}

/* LISTEN to the chosen channels, or to every channel the database lists */
static Outcome
Listen(PGconn *conn, const Options *opt)
{
	char		sql[256];
	Outcome		out;

	if (opt->nchannels > 0)
	{
		for (int i = 0; i < opt->nchannels; i++)
		{
			snprintf(sql, sizeof(sql), "LISTEN %s", opt->channels[i]);	/* validated */
			if ((out = Exec(conn, sql)) != OK)
				return out;
		}
		return OK;
	}
	/* the channel names come from omni.event_channels, quoted by the server */
	return Exec(conn,
				"DO $$ DECLARE c text; BEGIN"
				" FOR c IN SELECT channel FROM omni.event_channels LOOP"
				" EXECUTE format('LISTEN %I', c); END LOOP; END $$");
}

static double
Now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Print every event after *last, batch by batch, and advance *last (also
 * over events of channels not asked for).  The state file is written after
 * stdout was flushed, so it never runs ahead of what was printed.
 */
static Outcome
Replay(PGconn *conn, const Options *opt, int64_t *last)
{
	static const char *sql =
		"SELECT e.event_id,"
		"       $2::text[] IS NULL OR e.channel = ANY ($2::text[]),"
		"       (pg_catalog.jsonb_build_object('event_channel', e.channel) || e.payload ||"
		"        CASE WHEN $4 THEN pg_catalog.jsonb_build_object('created_at',"
		"             extract(epoch FROM e.created_at)) ELSE '{}' END)::text"
		"  FROM omni.events_since($1, NULL, $3) e ORDER BY e.event_id";
	char		since[32];
	char		limit[16];
	char		channels[MAX_CHANNELS * 66 + 3];
	const char *params[4];

	if (opt->nchannels > 0)
	{
		strcpy(channels, "{");
		for (int i = 0; i < opt->nchannels; i++)
		{
			if (i > 0)
				strcat(channels, ",");
			strcat(channels, opt->channels[i]);
		}
		strcat(channels, "}");
	}
	snprintf(limit, sizeof(limit), "%d", BATCH_SIZE);
	params[1] = opt->nchannels > 0 ? channels : NULL;
	params[2] = limit;
	params[3] = opt->timing ? "true" : "false";

	for (;;)
	{
		PGresult   *res;
		int			rows;
		double		received;

		snprintf(since, sizeof(since), "%" PRId64, *last);
		params[0] = since;
		res = PQexecParams(conn, sql, 4, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			Outcome		out = ConnectionLost(conn, res) ? RECONNECT : FATAL;

			Log("could not read events: %s", PQerrorMessage(conn));
			PQclear(res);
			return out;
		}
		received = Now();
		rows = PQntuples(res);
		for (int i = 0; i < rows; i++)
		{
			if (PQgetvalue(res, i, 1)[0] != 't')
				continue;
			if (opt->timing)
			{
				char	   *json = PQgetvalue(res, i, 2);
				size_t		len = strlen(json);

				/* the object ends with '}': add received_at before it */
				printf("%.*s, \"received_at\": %.6f}\n", (int) len - 1, json, received);
			}
			else
				puts(PQgetvalue(res, i, 2));
		}
		if (rows > 0)
		{
			ParseEventId(PQgetvalue(res, rows - 1, 0), last);
			if (fflush(stdout) != 0 || ferror(stdout))
			{
				Log("could not write to stdout: %s", strerror(errno));
				PQclear(res);
				exit(EXIT_FAILURE_);
			}
			WriteState(opt->state_file, *last);
		}
		PQclear(res);
		if (rows < BATCH_SIZE || stop_requested)
			return OK;
	}
}

/* Drop the NOTIFYs libpq has received; were there any? */
static bool
DrainNotifies(PGconn *conn)
{
	PGnotify   *n;
	bool		any = false;

	while ((n = PQnotifies(conn)) != NULL)
	{
		any = true;
		PQfreemem(n);
	}
	return any;
}

/*
 * Wait on the socket for NOTIFYs; replay whenever one (or a timeout) comes.
 * A NOTIFY that arrives while a replay query runs is kept by libpq without
 * making the socket readable again, so check libpq's list before waiting.
 */
static Outcome
ListenLoop(PGconn *conn, const Options *opt, int64_t *last)
{
	struct pollfd pfd;
	Outcome		out;

	pfd.fd = PQsocket(conn);
	pfd.events = POLLIN;
	while (!stop_requested)
	{
		int			rc;

		if (!DrainNotifies(conn))
		{
			rc = poll(&pfd, 1, IDLE_REPLAY_MS);
			if (rc < 0)
			{
				if (errno == EINTR)
					continue;
				Log("poll failed: %s", strerror(errno));
				return FATAL;
			}
			if (rc > 0)
			{
				if (!PQconsumeInput(conn))
				{
					Log("connection lost: %s", PQerrorMessage(conn));
					return RECONNECT;
				}
				if (!DrainNotifies(conn))
					continue;	/* something else arrived; wait again */
			}
		}
		if ((out = Replay(conn, opt, last)) != OK)
			return out;
	}
	return OK;
}

/*
 * -d takes, as psql's does, a database name or a connection string (or
 * URI): with expand_dbname, libpq reads the value as either.
 */
static PGconn *
Connect(const char *dbname)
{
	const char *const keywords[] = {"dbname", NULL};
	const char *const values[] = {dbname, NULL};

	return PQconnectdbParams(keywords, values, 1);
}

int
main(int argc, char **argv)
{
	Options		opt;
	struct sigaction sa;
	int64_t		last;
	int			backoff = BACKOFF_MIN_MS;

	ParseOptions(argc, argv, &opt);
	last = opt.since_given ? opt.since : (opt.state_file ? ReadState(opt.state_file) : 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = HandleStop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;			/* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	while (!stop_requested)
	{
		PGconn	   *conn = Connect(opt.conninfo);
		Outcome		out;

		if (PQstatus(conn) != CONNECTION_OK)
		{
			Log("could not connect (retrying in %d ms): %s", backoff, PQerrorMessage(conn));
			PQfinish(conn);
			SleepMs(backoff);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		out = Listen(conn, &opt);
		if (out == OK)
			out = Replay(conn, &opt, &last);
		if (out == OK)
		{
			backoff = BACKOFF_MIN_MS;
			out = ListenLoop(conn, &opt, &last);
		}
		PQfinish(conn);
		if (out == FATAL)
			return EXIT_FAILURE_;
		if (out == RECONNECT)
		{
			SleepMs(backoff);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		}
	}
	return EXIT_STOPPED;
}
