/*
 * libFuzzer harness for the order-lines reader (src/orders/lines_reader.c),
 * the rules behind omni.parse_lines, route and place_order.
 *
 * The first byte picks how the rest becomes JSON events:
 *	 even: a lenient JSON lexer (brackets, braces, "strings", "keys": ,
 *		   numbers as written, true/false/null) that never checks the
 *		   structure, so unbalanced and misplaced events reach the reader;
 *	 odd:  a byte code of events, with shortcuts to reach the limits within
 *		   a short input: a whole valid line, fresh SKUs, well-known keys
 *		   and numbers, and "repeat the last K events N times".
 * Either way the reader sees sequences no JSON parser would produce.
 *
 * Besides "no crash, no out of bounds, no undefined behaviour" it checks:
 * accepted lines number 1 to 1000, each qty in 1..INT_MAX and no SKU twice;
 * errors name a line within the array; a repeated SKU names two lines with
 * the same SKU and none repeated before; the accepted lines, written out
 * again as events (keys in the other order), read back the same; and the
 * quantity reader agrees with strtod/strtoll where they are exact.
 *
 * sources: src/orders/lines_reader.c
 * short-runs-divisor: 10
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orders/lines_reader.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EVENTS 8192	/* 1001 whole lines take 6,008 */

typedef struct Event
{
	OmniJsonEvent ev;
	const char *text;
	size_t		len;
	int			fresh;			/* a fresh SKU each time it is replayed */
} Event;

static Event events[MAX_EVENTS];
static int	nevents;
static char fresh_pool[MAX_EVENTS * 8];
static int	nfresh;

static OmniLinesReader reader;
static OmniLinesReader again;

static const char *const keys[] = {"sku", "qty", "SKU", "sku\0", "q"};
static const char *const numbers[] = {
	"1", "2.0", "1e3", "1E+3", "0", "-1", "-0", "0.5", "1.5", "2147483647",
	"2147483648", "2147483647.0", "2147483647.0000000001", "21474836.47e2",
	"1e9", "1e10", "10e-1", "0.1e1", "1e-1", "00", "01", "1.", ".1", "1e",
	"-", "1e999999999999999999999", "1e-999999999999999999", "NaN",
	"Infinity", "0.000000000000000000000000000000000000001e39", "4e9", "",
	"1.00000000000000000000000000", "100000000000000000000000e-23"
};
static const char *const strings[] = {"S1", "S2", "", "sku", "S1 ", "s1"};

static void
Push(OmniJsonEvent ev, const char *text, size_t len, int fresh)
{
	if (nevents >= MAX_EVENTS)
		return;
	events[nevents].ev = ev;
	events[nevents].text = text;
	events[nevents].len = len;
	events[nevents].fresh = fresh;
	nevents++;
}

static const char *
FreshSku(size_t *len)
{
	char	   *s = &fresh_pool[(nfresh % MAX_EVENTS) * 8];

	*len = (size_t) snprintf(s, 8, "f%d", nfresh++);
	return s;
}

static void
PushFresh(void)
{
	size_t		len;
	const char *s = FreshSku(&len);

	Push(OMNI_JSON_STRING, s, len, 1);
}

static void
LexJson(const uint8_t *d, size_t n)
{
	size_t		i = 0;

	while (i < n && nevents < MAX_EVENTS)
	{
		char		c = (char) d[i];

		if (c == '[')
			Push(OMNI_JSON_BEGIN_ARRAY, NULL, 0, 0), i++;
		else if (c == ']')
			Push(OMNI_JSON_END_ARRAY, NULL, 0, 0), i++;
		else if (c == '{')
			Push(OMNI_JSON_BEGIN_OBJECT, NULL, 0, 0), i++;
		else if (c == '}')
			Push(OMNI_JSON_END_OBJECT, NULL, 0, 0), i++;
		else if (c == '"')
		{
			size_t		start = ++i;
			size_t		end;
			size_t		j;

			while (i < n && d[i] != '"')
				i += d[i] == '\\' ? 2 : 1;
			end = i < n ? i : n;
			i = end + 1;
			for (j = i; j < n && (d[j] == ' ' || d[j] == '\n'); j++)
				;
			if (j < n && d[j] == ':')
			{
				Push(OMNI_JSON_KEY, (const char *) d + start, end - start, 0);
				i = j + 1;
			}
			else
				Push(OMNI_JSON_STRING, (const char *) d + start, end - start, 0);
		}
		else if (c == '-' || (c >= '0' && c <= '9'))
		{
			size_t		start = i;

			while (i < n && (d[i] == '-' || d[i] == '+' || d[i] == '.' || d[i] == 'e' ||
							 d[i] == 'E' || (d[i] >= '0' && d[i] <= '9')))
				i++;
			Push(OMNI_JSON_NUMBER, (const char *) d + start, i - start, 0);
		}
		else if (c == 't' || c == 'f' || c == 'n')
		{
			Push(c == 't' ? OMNI_JSON_TRUE : c == 'f' ? OMNI_JSON_FALSE : OMNI_JSON_NULL,
				 NULL, 0, 0);
			while (i < n && d[i] >= 'a' && d[i] <= 'z')
				i++;
		}
		else
			i++;				/* blanks, commas, colons, anything else */
	}
}

/* Up to len raw bytes of the input from *i on */
static const char *
Take(const uint8_t *d, size_t n, size_t *i, size_t *len)
{
	size_t		at = *i < n ? *i : n;

	if (*len > n - at)
		*len = n - at;
	*i = at + *len;
	return (const char *) d + at;
}

static void
DecodeEvents(const uint8_t *d, size_t n)
{
	size_t		i = 0;

	while (i < n && nevents < MAX_EVENTS)
	{
		uint8_t		b = d[i++];
		uint8_t		arg = i < n ? d[i] : 0;

		switch (b % 12)
		{
			case 0:
				Push(OMNI_JSON_BEGIN_ARRAY, NULL, 0, 0);
				break;
			case 1:
				Push(OMNI_JSON_END_ARRAY, NULL, 0, 0);
				break;
			case 2:
				Push(OMNI_JSON_BEGIN_OBJECT, NULL, 0, 0);
				break;
			case 3:
				Push(OMNI_JSON_END_OBJECT, NULL, 0, 0);
				break;
			case 4:				/* key: a known one, or raw bytes */
				i++;
				if (arg < 128)
					Push(OMNI_JSON_KEY, keys[arg % 5], arg % 5 == 3 ? 4 : strlen(keys[arg % 5]), 0);
				else
				{
					size_t		len = (size_t) (arg - 128) % 16;
					const char *s = Take(d, n, &i, &len);

					Push(OMNI_JSON_KEY, s, len, 0);
				}
				break;
			case 5:				/* string: fresh, known, or raw bytes */
				i++;
				if (arg < 64)
					PushFresh();
				else if (arg < 128)
					Push(OMNI_JSON_STRING, strings[arg % 6], strlen(strings[arg % 6]), 0);
				else
				{
					size_t		len = (size_t) (arg - 128) % 32;
					const char *s = Take(d, n, &i, &len);

					Push(OMNI_JSON_STRING, s, len, 0);
				}
				break;
			case 6:				/* number: known, or raw bytes */
				i++;
				if (arg < 128)
				{
					const char *s = numbers[arg % (sizeof(numbers) / sizeof(numbers[0]))];

					Push(OMNI_JSON_NUMBER, s, strlen(s), 0);
				}
				else
				{
					size_t		len = (size_t) (arg - 128) % 24;
					const char *s = Take(d, n, &i, &len);

					Push(OMNI_JSON_NUMBER, s, len, 0);
				}
				break;
			case 7:
				Push(OMNI_JSON_TRUE, NULL, 0, 0);
				break;
			case 8:
				Push(OMNI_JSON_FALSE, NULL, 0, 0);
				break;
			case 9:
				Push(OMNI_JSON_NULL, NULL, 0, 0);
				break;
			case 10:			/* a whole line: fresh SKU, known qty */
				{
					const char *q;

					i++;
					q = numbers[arg % 4 == 0 ? arg % (sizeof(numbers) / sizeof(numbers[0])) : 0];
					Push(OMNI_JSON_BEGIN_OBJECT, NULL, 0, 0);
					Push(OMNI_JSON_KEY, "sku", 3, 0);
					PushFresh();
					Push(OMNI_JSON_KEY, "qty", 3, 0);
					Push(OMNI_JSON_NUMBER, q, strlen(q), 0);
					Push(OMNI_JSON_END_OBJECT, NULL, 0, 0);
					break;
				}
			case 11:			/* repeat the last k events, times times */
				{
					int			k = 1 + arg % 32;
					int			times = (i + 1 < n ? d[i + 1] : 0) * 5;
					int			from = nevents - k;

					i += 2;
					if (from < 0)
						break;
					for (int t = 0; t < times && nevents + k <= MAX_EVENTS; t++)
						for (int e = 0; e < k; e++)
						{
							Event		copy = events[from + e];

							if (copy.fresh)
								PushFresh();
							else
								Push(copy.ev, copy.text, copy.len, 0);
						}
					break;
				}
		}
	}
}

static int
SkuCmp(const void *a, const void *b)
{
	const OmniLine *x = *(const OmniLine *const *) a;
	const OmniLine *y = *(const OmniLine *const *) b;
	size_t		n = x->sku_len < y->sku_len ? x->sku_len : y->sku_len;
	int			c = n ? memcmp(x->sku, y->sku, n) : 0;

	if (c != 0)
		return c;
	return x->sku_len < y->sku_len ? -1 : x->sku_len > y->sku_len;
}

static int
SameSku(const OmniLine *x, const OmniLine *y)
{
	return x->sku_len == y->sku_len && (x->sku_len == 0 || memcmp(x->sku, y->sku, x->sku_len) == 0);
}

/* Lines [0, n) hold no SKU twice */
static int
Distinct(const OmniLinesReader *r, int n)
{
	static const OmniLine *sorted[OMNI_LINES_MAX];

	for (int i = 0; i < n; i++)
		sorted[i] = &r->lines[i];
	qsort(sorted, (size_t) n, sizeof(sorted[0]), SkuCmp);
	for (int i = 1; i < n; i++)
		if (SkuCmp(&sorted[i - 1], &sorted[i]) == 0)
			return 0;
	return 1;
}

/* The lines read, written out again (qty first), must read back the same */
static void
RoundTrip(const OmniLinesReader *r)
{
	static char qty_text[OMNI_LINES_MAX][16];
	OmniLinesError err;

	omni_lines_init(&again);
	omni_lines_event(&again, OMNI_JSON_BEGIN_ARRAY, NULL, 0);
	for (int i = 0; i < r->nlines; i++)
	{
		int			len = snprintf(qty_text[i], sizeof(qty_text[i]), "%d", (int) r->lines[i].qty);

		omni_lines_event(&again, OMNI_JSON_BEGIN_OBJECT, NULL, 0);
		omni_lines_event(&again, OMNI_JSON_KEY, "qty", 3);
		omni_lines_event(&again, OMNI_JSON_NUMBER, qty_text[i], (size_t) len);
		omni_lines_event(&again, OMNI_JSON_KEY, "sku", 3);
		omni_lines_event(&again, OMNI_JSON_STRING, r->lines[i].sku, r->lines[i].sku_len);
		omni_lines_event(&again, OMNI_JSON_END_OBJECT, NULL, 0);
	}
	omni_lines_event(&again, OMNI_JSON_END_ARRAY, NULL, 0);
	err = omni_lines_finish(&again);
	if (err != r->error || again.nlines != r->nlines || again.line != r->line ||
		again.first_line != r->first_line)
		abort();
	for (int i = 0; i < r->nlines; i++)
		if (again.lines[i].qty != r->lines[i].qty || !SameSku(&again.lines[i], &r->lines[i]))
			abort();
}

static void
CheckVerdict(const OmniLinesReader *r)
{
	switch (r->error)
	{
		case OMNI_LINES_OK:
			if (r->count < 1 || r->count > OMNI_LINES_MAX || r->nlines != r->count)
				abort();
			for (int i = 0; i < r->nlines; i++)
				if (r->lines[i].qty < 1 || (r->lines[i].sku == NULL && r->lines[i].sku_len > 0))
					abort();
			if (!Distinct(r, r->nlines))
				abort();
			RoundTrip(r);
			break;
		case OMNI_LINES_REPEATED_SKU:
			if (r->count < 1 || r->count > OMNI_LINES_MAX || r->nlines != r->count)
				abort();
			if (r->first_line < 1 || r->first_line >= r->line || r->line > r->count)
				abort();
			if (!SameSku(&r->lines[r->first_line - 1], &r->lines[r->line - 1]))
				abort();
			if (!Distinct(r, r->line - 1))
				abort();
			for (int i = 0; i < r->nlines; i++)
				if (r->lines[i].qty < 1)
					abort();
			RoundTrip(r);
			break;
		case OMNI_LINES_NOT_ARRAY:
			if (r->top_type == NULL || strcmp(r->top_type, "array") == 0 || r->nlines != 0)
				abort();
			break;
		case OMNI_LINES_BAD_COUNT:
			if ((r->count >= 1 && r->count <= OMNI_LINES_MAX) || r->nlines != 0)
				abort();
			break;
		case OMNI_LINES_NOT_OBJECT:
		case OMNI_LINES_NO_SKU:
		case OMNI_LINES_QTY_NOT_NUMBER:
		case OMNI_LINES_BAD_QTY:
			if (r->line < 1 || r->line > r->count || r->count > OMNI_LINES_MAX || r->nlines != 0)
				abort();
			break;
		case OMNI_LINES_MALFORMED:
			if (r->nlines != 0)
				abort();
			break;
		default:
			abort();
	}
}

/* The quantity reader against the C library, where that is exact */
static void
CheckQty(const uint8_t *d, size_t n)
{
	char		buf[64];
	int32_t		qty = 0;
	int			ok = omni_lines_read_qty((const char *) d, n, &qty);
	size_t		digits = 0;

	if (n >= sizeof(buf))
		return;
	memcpy(buf, d, n);
	buf[n] = '\0';
	if (ok)
	{
		if (qty < 1)
			abort();
		/* few significant digits: a double holds the value exactly */
		for (size_t i = 0; i < n && buf[i] != 'e' && buf[i] != 'E'; i++)
			digits += buf[i] >= '0' && buf[i] <= '9';
		if (digits <= 15 && strtod(buf, NULL) != (double) qty)
			abort();
	}
	/* plain decimal integers: strtoll decides */
	if (n >= 1 && n <= 12 && buf[0] != '0' && strspn(buf, "0123456789") == n)
	{
		long long	v = strtoll(buf, NULL, 10);
		int			want = v >= 1 && v <= INT_MAX;

		if (ok != want || (ok && qty != v))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OmniLinesReader *r = &reader;

	if (size < 1)
		return 0;
	nevents = 0;
	nfresh = 0;
	if (data[0] % 2 == 0)
		LexJson(data + 1, size - 1);
	else
		DecodeEvents(data + 1, size - 1);

	omni_lines_init(r);
	for (int i = 0; i < nevents; i++)
		omni_lines_event(r, events[i].ev, events[i].text, events[i].len);
	if (omni_lines_finish(r) != r->error)
		abort();
	CheckVerdict(r);
	CheckQty(data + 1, size - 1);
	return 0;
}
