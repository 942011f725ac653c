/*
 * Unit tests of lines_reader.c, run outside the server with the sanitizers
 * (scripts/unit-test.sh).  Documents are written in a small JSON dialect
 * turned into events by Feed() below: enough JSON for the rules (no escapes,
 * no blanks inside tokens), and it passes whatever it reads, so that
 * malformed sequences can be written too.  Prints one line per failure and
 * a summary.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orders/lines_reader.h"

static int	passed = 0;
static int	failed = 0;
static OmniLinesReader reader;

static void
Feed(OmniLinesReader *r, const char *doc)
{
	const char *p = doc;

	omni_lines_init(r);
	while (*p)
	{
		if (*p == '[')
			omni_lines_event(r, OMNI_JSON_BEGIN_ARRAY, NULL, 0), p++;
		else if (*p == ']')
			omni_lines_event(r, OMNI_JSON_END_ARRAY, NULL, 0), p++;
		else if (*p == '{')
			omni_lines_event(r, OMNI_JSON_BEGIN_OBJECT, NULL, 0), p++;
		else if (*p == '}')
			omni_lines_event(r, OMNI_JSON_END_OBJECT, NULL, 0), p++;
		else if (*p == '"')
		{
			const char *s = ++p;
			const char *q;

			while (*p && *p != '"')
				p++;
			q = *p ? p + 1 : p;
			while (*q == ' ')
				q++;
			if (*q == ':')
				omni_lines_event(r, OMNI_JSON_KEY, s, (size_t) (p - s)), p = q + 1;
			else
				omni_lines_event(r, OMNI_JSON_STRING, s, (size_t) (p - s)), p = *p ? p + 1 : p;
		}
		else if (*p == '-' || (*p >= '0' && *p <= '9'))
		{
			const char *s = p;

			while (*p && strchr("-+.eE0123456789", *p))
				p++;
			omni_lines_event(r, OMNI_JSON_NUMBER, s, (size_t) (p - s));
		}
		else if (strncmp(p, "true", 4) == 0)
			omni_lines_event(r, OMNI_JSON_TRUE, NULL, 0), p += 4;
		else if (strncmp(p, "false", 5) == 0)
			omni_lines_event(r, OMNI_JSON_FALSE, NULL, 0), p += 5;
		else if (strncmp(p, "null", 4) == 0)
			omni_lines_event(r, OMNI_JSON_NULL, NULL, 0), p += 4;
		else
			p++;
	}
	omni_lines_finish(r);
}

static void
check(int ok, const char *doc, const char *what)
{
	if (ok)
		passed++;
	else
	{
		printf("FAIL %s: %s (error %d, line %d, first %d, count %d, nlines %d)\n",
			   doc, what, (int) reader.error, reader.line, reader.first_line,
			   reader.count, reader.nlines);
		failed++;
	}
}

/* The document reads as an error about "line" (0: no line) */
static void
expect_err(const char *doc, OmniLinesError err, int line)
{
	Feed(&reader, doc);
	check(reader.error == err && reader.line == line, doc, "wrong verdict");
}

/* The document reads as these lines: "SKU:qty SKU:qty ..." */
static void
expect_lines(const char *doc, const char *want)
{
	char		got[4096] = "";
	size_t		len = 0;

	Feed(&reader, doc);
	for (int i = 0; i < reader.nlines && len < sizeof(got) - 64; i++)
		len += (size_t) snprintf(got + len, sizeof(got) - len, "%s%.*s:%d", i ? " " : "",
								 (int) reader.lines[i].sku_len, reader.lines[i].sku,
								 (int) reader.lines[i].qty);
	check(reader.error == OMNI_LINES_OK && strcmp(got, want) == 0, doc, got);
}

static void
expect_qty(const char *text, int ok, int32_t want)
{
	int32_t		qty = -1;
	int			got = omni_lines_read_qty(text, strlen(text), &qty);

	if (got == ok && (!ok || qty == want))
		passed++;
	else
	{
		printf("FAIL read_qty(\"%s\"): %d %d, want %d %d\n", text, got, (int) qty, ok, (int) want);
		failed++;
	}
}

/* n copies of a line, the SKUs numbered from 1 */
static char *
ManyLines(int n, const char *qty)
{
	char	   *doc = malloc((size_t) n * 48 + 8);
	size_t		len = 0;

	doc[len++] = '[';
	for (int i = 1; i <= n; i++)
		len += (size_t) sprintf(doc + len, "%s{\"sku\":\"S%d\",\"qty\":%s}", i > 1 ? "," : "", i, qty);
	doc[len++] = ']';
	doc[len] = '\0';
	return doc;
}

int
main(void)
{
	char	   *doc;

	/* accepted */
	expect_lines("[{\"sku\":\"S1\",\"qty\":1}]", "S1:1");
	expect_lines("[{\"qty\":3,\"sku\":\"S1\"},{\"sku\":\"S2\",\"qty\":2,\"note\":\"x\"}]", "S1:3 S2:2");
	expect_lines("[{\"sku\":\"S1\",\"qty\":2.0}]", "S1:2");
	expect_lines("[{\"sku\":\"S1\",\"qty\":1e3}]", "S1:1000");
	expect_lines("[{\"sku\":\"S1\",\"qty\":2147483647}]", "S1:2147483647");
	expect_lines("[{\"sku\":\"\",\"qty\":1}]", ":1");	/* the catalogue refuses it */
	/* nested "sku" and "qty" keys are not the line's */
	expect_lines("[{\"sku\":\"S1\",\"qty\":1,\"x\":{\"sku\":5,\"qty\":0}}]", "S1:1");
	/* a repeated key: the last value counts, as in jsonb */
	expect_lines("[{\"sku\":5,\"qty\":0,\"sku\":\"S1\",\"qty\":4}]", "S1:4");
	/* SKUs are compared byte for byte */
	expect_lines("[{\"sku\":\"S1\",\"qty\":1},{\"sku\":\"s1\",\"qty\":1},{\"sku\":\"S1 \",\"qty\":1}]",
				 "S1:1 s1:1 S1 :1");

	/* the document */
	expect_err("{\"sku\":\"S1\",\"qty\":1}", OMNI_LINES_NOT_ARRAY, 0);
	check(strcmp(reader.top_type, "object") == 0, "object", "top_type");
	expect_err("\"x\"", OMNI_LINES_NOT_ARRAY, 0);
	check(strcmp(reader.top_type, "string") == 0, "string", "top_type");
	expect_err("12", OMNI_LINES_NOT_ARRAY, 0);
	check(strcmp(reader.top_type, "number") == 0, "number", "top_type");
	expect_err("false", OMNI_LINES_NOT_ARRAY, 0);
	check(strcmp(reader.top_type, "boolean") == 0, "boolean", "top_type");
	expect_err("null", OMNI_LINES_NOT_ARRAY, 0);
	check(strcmp(reader.top_type, "null") == 0, "null", "top_type");
	expect_err("[]", OMNI_LINES_BAD_COUNT, 0);
	check(reader.count == 0, "[]", "count");

	/* the count: 1000 lines pass, 1001 do not, whatever is in them */
	doc = ManyLines(1000, "1");
	Feed(&reader, doc);
	check(reader.error == OMNI_LINES_OK && reader.nlines == 1000, "1000 lines", "accepted");
	free(doc);
	doc = ManyLines(1001, "1");
	expect_err(doc, OMNI_LINES_BAD_COUNT, 0);
	check(reader.count == 1001 && reader.nlines == 0, "1001 lines", "count");
	free(doc);
	doc = ManyLines(1500, "0");
	expect_err(doc, OMNI_LINES_BAD_COUNT, 0);
	check(reader.count == 1500, "1500 bad lines", "count before shape");
	free(doc);

	/* each line's shape, in this order */
	expect_err("[5]", OMNI_LINES_NOT_OBJECT, 1);
	expect_err("[{\"sku\":\"S1\",\"qty\":1},[]]", OMNI_LINES_NOT_OBJECT, 2);
	expect_err("[{\"sku\":\"S1\",\"qty\":1},null]", OMNI_LINES_NOT_OBJECT, 2);
	expect_err("[{}]", OMNI_LINES_NO_SKU, 1);
	expect_err("[{\"qty\":0}]", OMNI_LINES_NO_SKU, 1);	/* sku before qty */
	expect_err("[{\"sku\":1,\"qty\":1}]", OMNI_LINES_NO_SKU, 1);
	expect_err("[{\"sku\":null,\"qty\":1}]", OMNI_LINES_NO_SKU, 1);
	expect_err("[{\"sku\":[\"S1\"],\"qty\":1}]", OMNI_LINES_NO_SKU, 1);
	expect_err("[{\"sku\":\"S1\"}]", OMNI_LINES_QTY_NOT_NUMBER, 1);
	expect_err("[{\"sku\":\"S1\",\"qty\":\"1\"}]", OMNI_LINES_QTY_NOT_NUMBER, 1);
	expect_err("[{\"sku\":\"S1\",\"qty\":true}]", OMNI_LINES_QTY_NOT_NUMBER, 1);
	expect_err("[{\"sku\":\"S1\",\"qty\":{\"n\":1}}]", OMNI_LINES_QTY_NOT_NUMBER, 1);
	expect_err("[{\"sku\":\"S1\",\"qty\":0}]", OMNI_LINES_BAD_QTY, 1);
	expect_err("[{\"sku\":\"S1\",\"qty\":-1}]", OMNI_LINES_BAD_QTY, 1);
	expect_err("[{\"sku\":\"S1\",\"qty\":1.5}]", OMNI_LINES_BAD_QTY, 1);
	expect_err("[{\"sku\":\"S1\",\"qty\":2147483648}]", OMNI_LINES_BAD_QTY, 1);
	/* the first wrong line, and the shape before a repeated SKU */
	expect_err("[{\"sku\":\"S1\",\"qty\":1},{\"sku\":\"S1\",\"qty\":1},{\"sku\":\"S2\",\"qty\":0},5]",
			   OMNI_LINES_BAD_QTY, 3);

	/* repeated SKUs: the first repetition, named by both its lines */
	expect_err("[{\"sku\":\"S1\",\"qty\":1},{\"sku\":\"S1\",\"qty\":2}]", OMNI_LINES_REPEATED_SKU, 2);
	check(reader.first_line == 1 && reader.nlines == 2, "S1 S1", "first_line, lines kept");
	expect_err("[{\"sku\":\"A\",\"qty\":1},{\"sku\":\"B\",\"qty\":1},{\"sku\":\"B\",\"qty\":1},{\"sku\":\"A\",\"qty\":1}]",
			   OMNI_LINES_REPEATED_SKU, 3);
	check(reader.first_line == 2, "A B B A", "first_line");
	expect_err("[{\"sku\":\"C\",\"qty\":1},{\"sku\":\"B\",\"qty\":1},{\"sku\":\"C\",\"qty\":1},{\"sku\":\"B\",\"qty\":1}]",
			   OMNI_LINES_REPEATED_SKU, 3);
	check(reader.first_line == 1, "C B C B", "first_line");

	/* sequences no JSON document gives */
	expect_err("", OMNI_LINES_MALFORMED, 0);
	expect_err("[{\"sku\":\"S1\",\"qty\":1}", OMNI_LINES_MALFORMED, 0);
	expect_err("[{\"sku\":\"S1\",\"qty\":1}]]", OMNI_LINES_MALFORMED, 0);
	expect_err("[{\"sku\":\"S1\",\"qty\":1}][]", OMNI_LINES_MALFORMED, 0);
	expect_err("[{\"sku\":\"S1\",\"qty\":1]}", OMNI_LINES_MALFORMED, 0);
	expect_err("[{\"sku\":\"S1\" \"qty\" 1}]", OMNI_LINES_MALFORMED, 0);	/* values without keys */
	expect_err("[{\"sku\":}]", OMNI_LINES_MALFORMED, 0);	/* a key without its value */
	expect_err("[\"sku\":1]", OMNI_LINES_MALFORMED, 0);	/* a key in an array */
	expect_err("\"sku\":", OMNI_LINES_MALFORMED, 0);
	/* malformed wins over every other verdict */
	expect_err("[5", OMNI_LINES_MALFORMED, 0);
	{
		static char deep[2 * OMNI_LINES_MAX_DEPTH + 3];

		memset(deep, '[', OMNI_LINES_MAX_DEPTH);
		memset(deep + OMNI_LINES_MAX_DEPTH, ']', OMNI_LINES_MAX_DEPTH);
		expect_err(deep, OMNI_LINES_MALFORMED, 0);
		memset(deep, 0, sizeof(deep));
		memset(deep, '[', OMNI_LINES_MAX_DEPTH - 1);
		memset(deep + OMNI_LINES_MAX_DEPTH - 1, ']', OMNI_LINES_MAX_DEPTH - 1);
		expect_err(deep, OMNI_LINES_NOT_OBJECT, 1);
	}

	/* quantities: JSON numbers, or numeric_out's text, equal to an integer */
	expect_qty("1", 1, 1);
	expect_qty("2.0", 1, 2);
	expect_qty("2.000000000000000000000000", 1, 2);
	expect_qty("1e3", 1, 1000);
	expect_qty("1E+3", 1, 1000);
	expect_qty("10e-1", 1, 1);
	expect_qty("0.5e1", 1, 5);
	expect_qty("0.000000000000000000001e21", 1, 1);
	expect_qty("21474836.47e2", 1, 2147483647);
	expect_qty("2147483647", 1, 2147483647);
	expect_qty("2147483647.0", 1, 2147483647);
	expect_qty("1e9", 1, 1000000000);
	expect_qty("-0", 0, 0);
	expect_qty("0", 0, 0);
	expect_qty("0.0", 0, 0);
	expect_qty("0e5", 0, 0);
	expect_qty("-1", 0, 0);
	expect_qty("-2.0", 0, 0);
	expect_qty("1.5", 0, 0);
	expect_qty("1e-1", 0, 0);
	expect_qty("2147483648", 0, 0);
	expect_qty("2147483647.0000000001", 0, 0);
	expect_qty("1e10", 0, 0);
	expect_qty("4294967297", 0, 0);
	expect_qty("99999999999999999999999999", 0, 0);
	expect_qty("1e999999999999999999999999", 0, 0);
	expect_qty("1e-999999999999999999999999", 0, 0);
	/* not JSON numbers */
	expect_qty("", 0, 0);
	expect_qty("-", 0, 0);
	expect_qty("01", 0, 0);
	expect_qty("+1", 0, 0);
	expect_qty("1.", 0, 0);
	expect_qty(".1", 0, 0);
	expect_qty("1e", 0, 0);
	expect_qty("1e+", 0, 0);
	expect_qty(" 1", 0, 0);
	expect_qty("1 ", 0, 0);
	expect_qty("0x10", 0, 0);
	expect_qty("NaN", 0, 0);
	expect_qty("Infinity", 0, 0);

	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
