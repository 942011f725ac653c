/*-------------------------------------------------------------------------
 *
 * lines_reader.h
 *	  The rules of an order's "lines" document, in plain C.
 *
 * A document is fed to the reader as a sequence of JSON events (begin and
 * end of arrays and objects, keys, scalars with numbers as text), as a
 * JsonbIterator or a JSON parser produces them.  The reader enforces what
 * omni.parse_lines() promises: an array of 1 to 1000 objects, each with a
 * string "sku" and a "qty" that is a JSON number equal to an integer in
 * 1..2147483647 (2.0 and 1e3 are such numbers), each SKU on one line only.
 *
 * No PostgreSQL headers and no allocation, so the same code runs in the
 * server (src/orders/lines.c) and in the fuzzing harness.  Strings are not
 * copied: what the caller passes must outlive the reader.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINES_READER_H
#define LINES_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OMNI_LINES_MAX		1000
#define OMNI_LINES_QTY_MAX	2147483647
#define OMNI_LINES_SEEN_SLOTS	2048	/* a power of two, > 2 * OMNI_LINES_MAX */

/*
 * Nesting the reader can follow; deeper documents are OMNI_LINES_MALFORMED.
 * PostgreSQL's JSON parser stops far earlier (max_stack_depth), and the
 * server only feeds the first three levels anyway.
 */
#define OMNI_LINES_MAX_DEPTH	4096

typedef enum OmniJsonEvent
{
	OMNI_JSON_BEGIN_ARRAY,
	OMNI_JSON_END_ARRAY,
	OMNI_JSON_BEGIN_OBJECT,
	OMNI_JSON_END_OBJECT,
	OMNI_JSON_KEY,
	OMNI_JSON_STRING,
	OMNI_JSON_NUMBER,			/* text: the number as JSON or numeric_out writes it */
	OMNI_JSON_TRUE,
	OMNI_JSON_FALSE,
	OMNI_JSON_NULL
} OmniJsonEvent;

/*
 * What is wrong, in the order omni.parse_lines reports it.  The shape
 * errors come before anything the catalogue knows (unknown SKUs, checked by
 * the server), which comes before OMNI_LINES_REPEATED_SKU: a reader that
 * says REPEATED_SKU has also read every line, so the caller can look the
 * SKUs up first.
 */
typedef enum OmniLinesError
{
	OMNI_LINES_OK = 0,
	OMNI_LINES_NOT_ARRAY,		/* top_type: the document's JSON type */
	OMNI_LINES_BAD_COUNT,		/* count: 0 or more than 1000 elements */
	OMNI_LINES_NOT_OBJECT,		/* line: the element is not an object */
	OMNI_LINES_NO_SKU,			/* line: "sku" absent or not a string */
	OMNI_LINES_QTY_NOT_NUMBER,	/* line: "qty" absent or not a number */
	OMNI_LINES_BAD_QTY,			/* line: "qty" not an integer in 1..INT_MAX */
	OMNI_LINES_REPEATED_SKU,	/* line: second line of a SKU; first_line */
	OMNI_LINES_MALFORMED		/* events no JSON document produces */
} OmniLinesError;

typedef struct OmniLine
{
	const char *sku;
	size_t		sku_len;
	int32_t		qty;
} OmniLine;

typedef struct OmniLinesReader
{
	/* result, valid after omni_lines_finish() */
	OmniLinesError error;
	int			line;			/* 1-based line the error is about */
	int			first_line;		/* REPEATED_SKU: where the SKU came first */
	int			count;			/* elements of the top-level array */
	const char *top_type;		/* NOT_ARRAY: "object", "string", ... */
	int			nlines;			/* lines read (all of them when OK or
								 * REPEATED_SKU) */
	OmniLine	lines[OMNI_LINES_MAX];

	/* parsing state */
	int			depth;			/* open containers */
	bool		done;			/* the top-level value is complete */
	bool		want_value;		/* in an object, after a key */
	bool		malformed;
	bool		top_is_array;
	int			key;			/* the line object's current key: LK_* */
	uint64_t	is_object[OMNI_LINES_MAX_DEPTH / 64];	/* per level */

	/* the line being read (its object is at depth 2) */
	int			sku_type;		/* last "sku" value: OmniJsonEvent, or -1 */
	const char *sku;
	size_t		sku_len;
	int			qty_type;		/* last "qty" value: OmniJsonEvent, or -1 */
	const char *qty;
	size_t		qty_len;

	/* the first shape error, and the first SKU seen twice */
	OmniLinesError shape_error;
	int			shape_line;
	int			dup_line;
	int			dup_first;

	/* SKUs seen: open addressing, line index + 1, 0 for a free slot */
	uint16_t	seen[OMNI_LINES_SEEN_SLOTS];
} OmniLinesReader;

extern void omni_lines_init(OmniLinesReader *r);

/* One event; text and len only for KEY, STRING and NUMBER */
extern void omni_lines_event(OmniLinesReader *r, OmniJsonEvent ev,
							 const char *text, size_t len);

/* The verdict, also left in r->error */
extern OmniLinesError omni_lines_finish(OmniLinesReader *r);

/*
 * Is "text" a JSON number (or numeric_out's output) equal to an integer in
 * 1..OMNI_LINES_QTY_MAX?  Then *qty is it.
 */
extern bool omni_lines_read_qty(const char *text, size_t len, int32_t *qty);

#endif							/* LINES_READER_H */
