/*-------------------------------------------------------------------------
 *
 * lines_reader.c
 *	  Validation of an order's "lines" document from a stream of JSON events.
 *
 * The reader is a push parser: it keeps only the nesting (one bit per
 * level), the state of the line object being read and the lines accepted
 * so far, so it never looks back at the document.  Because the order of
 * the errors is part of the contract (the array first, then each line's
 * shape in line order, then, in the server, unknown SKUs, then repeated
 * SKUs), the first shape error is only remembered, and reported by
 * omni_lines_finish() once the element count is known.
 *
 * Within one object the last value of a repeated key counts, as jsonb
 * keeps it; keys of nested objects are not the line's.
 *
 *-------------------------------------------------------------------------
 */
#include "orders/lines_reader.h"

#include <string.h>

enum
{
	LK_OTHER, LK_SKU, LK_QTY
};

/* state kept in the reader but not part of its result */
#define SHAPE_NONE OMNI_LINES_OK

static void
SetObject(OmniLinesReader *r, int depth, bool is_object)
{
	uint64_t	bit = (uint64_t) 1 << (depth % 64);

	if (is_object)
		r->is_object[depth / 64] |= bit;
	else
		r->is_object[depth / 64] &= ~bit;
}

static bool
IsObject(const OmniLinesReader *r, int depth)
{
	return (r->is_object[depth / 64] >> (depth % 64)) & 1;
}

void
omni_lines_init(OmniLinesReader *r)
{
	r->error = OMNI_LINES_OK;
	r->line = 0;
	r->first_line = 0;
	r->count = 0;
	r->top_type = NULL;
	r->nlines = 0;
	r->depth = 0;
	r->done = false;
	r->want_value = false;
	r->malformed = false;
	r->top_is_array = false;
	r->key = LK_OTHER;
	r->shape_error = SHAPE_NONE;
	r->shape_line = 0;
	r->dup_line = 0;
	r->dup_first = 0;
	r->sku_type = -1;
	r->sku = NULL;
	r->sku_len = 0;
	r->qty_type = -1;
	r->qty = NULL;
	r->qty_len = 0;
	memset(r->seen, 0, sizeof(r->seen));
}

static bool
IsDigit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The number is read exactly, digit by digit, whatever its notation: a
 * double would call 2147483647.0000000001 an integer.  Once the leading
 * and trailing zeros are set aside, the value is an integer when the last
 * non-zero digit's place is units or above, and fits when the first one's
 * place is at most 10^9 (then there are at most ten digits to add up).
 */
bool
omni_lines_read_qty(const char *text, size_t len, int32_t *qty)
{
	size_t		i = 0;
	size_t		int_start;
	size_t		int_len;
	size_t		frac_start = 0;
	size_t		frac_len = 0;
	bool		negative = false;
	int64_t		exp = 0;
	int64_t		first = -1;		/* digit indexes in int part + fraction */
	int64_t		last = -1;
	int64_t		ndigits;
	int64_t		place;
	int64_t		value = 0;

	if (i < len && text[i] == '-')
	{
		negative = true;
		i++;
	}
	int_start = i;
	while (i < len && IsDigit(text[i]))
		i++;
	int_len = i - int_start;
	/* JSON: one or more digits, no leading zero */
	if (int_len == 0 || (int_len > 1 && text[int_start] == '0'))
		return false;
	if (i < len && text[i] == '.')
	{
		frac_start = ++i;
		while (i < len && IsDigit(text[i]))
			i++;
		frac_len = i - frac_start;
		if (frac_len == 0)
			return false;
	}
	if (i < len && (text[i] == 'e' || text[i] == 'E'))
	{
		bool		exp_negative = false;
		size_t		exp_start;

		i++;
		if (i < len && (text[i] == '+' || text[i] == '-'))
			exp_negative = text[i++] == '-';
		exp_start = i;
		while (i < len && IsDigit(text[i]))
		{
			/* past 10^15 the answer no longer changes: saturate */
			if (exp < 1000000000000000)
				exp = exp * 10 + (text[i] - '0');
			i++;
		}
		if (i == exp_start)
			return false;
		if (exp_negative)
			exp = -exp;
	}
	if (i != len)
		return false;

	ndigits = (int64_t) (int_len + frac_len);
	for (int64_t k = 0; k < ndigits; k++)
	{
		char		c = k < (int64_t) int_len ? text[int_start + k] :
			text[frac_start + (k - (int64_t) int_len)];

		if (c != '0')
		{
			if (first < 0)
				first = k;
			last = k;
		}
	}
	if (first < 0 || negative)
		return false;			/* zero, or below it */
	/* the place (power of ten) of digit k is int_len - 1 - k + exp */
	if ((int64_t) int_len - 1 - last + exp < 0)
		return false;			/* a fraction */
	if ((int64_t) int_len - 1 - first + exp > 9)
		return false;			/* 10^10 or more */
	for (int64_t k = first; k <= last; k++)
	{
		char		c = k < (int64_t) int_len ? text[int_start + k] :
			text[frac_start + (k - (int64_t) int_len)];

		value = value * 10 + (c - '0');
	}
	/* then the zeros after the last non-zero digit, down to units */
	for (place = (int64_t) int_len - 1 - last + exp; place > 0; place--)
		value *= 10;
	if (value > OMNI_LINES_QTY_MAX)
		return false;
	*qty = (int32_t) value;
	return true;
}

static uint32_t
HashSku(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char) s[i]) * 16777619u;
	return h;
}

/* Accepts the line just read; remembers the first SKU seen twice */
static void
AddLine(OmniLinesReader *r, int32_t qty)
{
	OmniLine   *l = &r->lines[r->nlines];
	uint32_t	slot = HashSku(r->sku, r->sku_len) & (OMNI_LINES_SEEN_SLOTS - 1);

	l->sku = r->sku;
	l->sku_len = r->sku_len;
	l->qty = qty;
	r->nlines++;
	for (;; slot = (slot + 1) & (OMNI_LINES_SEEN_SLOTS - 1))
	{
		int			idx = r->seen[slot];

		if (idx == 0)
		{
			r->seen[slot] = (uint16_t) r->nlines;
			return;
		}
		if (r->lines[idx - 1].sku_len == l->sku_len &&
			memcmp(r->lines[idx - 1].sku, l->sku, l->sku_len) == 0)
		{
			/* lines are read in order: the first repetition is the first found */
			if (r->dup_line == 0)
			{
				r->dup_first = idx;
				r->dup_line = r->nlines;
			}
			return;
		}
	}
}

static void
ShapeError(OmniLinesReader *r, OmniLinesError err)
{
	if (r->shape_error == SHAPE_NONE)
	{
		r->shape_error = err;
		r->shape_line = r->count;
	}
}

/* The line object closed: its checks, in omni.parse_lines' order */
static void
EndLine(OmniLinesReader *r)
{
	int32_t		qty;

	/* once a line is wrong or there are too many, no other line matters */
	if (r->shape_error != SHAPE_NONE || r->count > OMNI_LINES_MAX)
		return;
	if (r->sku_type != OMNI_JSON_STRING)
		ShapeError(r, OMNI_LINES_NO_SKU);
	else if (r->qty_type != OMNI_JSON_NUMBER)
		ShapeError(r, OMNI_LINES_QTY_NOT_NUMBER);
	else if (!omni_lines_read_qty(r->qty, r->qty_len, &qty))
		ShapeError(r, OMNI_LINES_BAD_QTY);
	else
		AddLine(r, qty);
}

static const char *
TypeName(OmniJsonEvent ev)
{
	switch (ev)
	{
		case OMNI_JSON_BEGIN_ARRAY:
			return "array";
		case OMNI_JSON_BEGIN_OBJECT:
			return "object";
		case OMNI_JSON_STRING:
			return "string";
		case OMNI_JSON_NUMBER:
			return "number";
		case OMNI_JSON_TRUE:
		case OMNI_JSON_FALSE:
			return "boolean";
		default:
			return "null";
	}
}

/* A value (scalar or container) where the current level expects one */
static void
Value(OmniLinesReader *r, OmniJsonEvent ev, const char *text, size_t len)
{
	bool		container = ev == OMNI_JSON_BEGIN_ARRAY || ev == OMNI_JSON_BEGIN_OBJECT;

	if (r->depth > 0 && IsObject(r, r->depth) && !r->want_value)
	{
		r->malformed = true;	/* a value without its key */
		return;
	}
	if (r->depth == 0)
	{
		r->top_type = TypeName(ev);
		r->top_is_array = ev == OMNI_JSON_BEGIN_ARRAY;
	}
	else if (r->top_is_array && r->depth == 1)
	{
		/* an element of the lines array */
		if (r->count < INT32_MAX)
			r->count++;
		if (ev != OMNI_JSON_BEGIN_OBJECT)
			ShapeError(r, OMNI_LINES_NOT_OBJECT);
		else
		{
			r->sku_type = -1;
			r->qty_type = -1;
		}
	}
	else if (r->top_is_array && r->depth == 2 && IsObject(r, 2))
	{
		/* a value of the line object */
		if (r->key == LK_SKU)
		{
			r->sku_type = (int) ev;
			r->sku = text;
			r->sku_len = len;
		}
		else if (r->key == LK_QTY)
		{
			r->qty_type = (int) ev;
			r->qty = text;
			r->qty_len = len;
		}
	}

	r->want_value = false;
	if (container)
	{
		if (r->depth + 1 >= OMNI_LINES_MAX_DEPTH)
		{
			r->malformed = true;
			return;
		}
		r->depth++;
		SetObject(r, r->depth, ev == OMNI_JSON_BEGIN_OBJECT);
	}
	else if (r->depth == 0)
		r->done = true;
}

void
omni_lines_event(OmniLinesReader *r, OmniJsonEvent ev, const char *text, size_t len)
{
	if (r->malformed)
		return;
	if (r->done)
	{
		r->malformed = true;	/* something after the document */
		return;
	}
	switch (ev)
	{
		case OMNI_JSON_KEY:
			if (r->depth == 0 || !IsObject(r, r->depth) || r->want_value)
			{
				r->malformed = true;
				return;
			}
			r->want_value = true;
			if (r->depth == 2 && r->top_is_array)
			{
				if (len == 3 && memcmp(text, "sku", 3) == 0)
					r->key = LK_SKU;
				else if (len == 3 && memcmp(text, "qty", 3) == 0)
					r->key = LK_QTY;
				else
					r->key = LK_OTHER;
			}
			return;
		case OMNI_JSON_END_ARRAY:
		case OMNI_JSON_END_OBJECT:
			if (r->depth == 0 || r->want_value ||
				IsObject(r, r->depth) != (ev == OMNI_JSON_END_OBJECT))
			{
				r->malformed = true;
				return;
			}
			if (r->depth == 2 && r->top_is_array && ev == OMNI_JSON_END_OBJECT)
				EndLine(r);
			r->depth--;
			if (r->depth == 0)
				r->done = true;
			return;
		case OMNI_JSON_BEGIN_ARRAY:
		case OMNI_JSON_BEGIN_OBJECT:
		case OMNI_JSON_STRING:
		case OMNI_JSON_NUMBER:
		case OMNI_JSON_TRUE:
		case OMNI_JSON_FALSE:
		case OMNI_JSON_NULL:
			Value(r, ev, text, len);
			return;
	}
	r->malformed = true;		/* not an event at all */
}

OmniLinesError
omni_lines_finish(OmniLinesReader *r)
{
	OmniLinesError err;

	if (r->malformed || !r->done)
		err = OMNI_LINES_MALFORMED;
	else if (!r->top_is_array)
		err = OMNI_LINES_NOT_ARRAY;
	else if (r->count < 1 || r->count > OMNI_LINES_MAX)
		err = OMNI_LINES_BAD_COUNT;
	else if (r->shape_error != SHAPE_NONE)
	{
		err = r->shape_error;
		r->line = r->shape_line;
	}
	else if (r->dup_line != 0)
	{
		err = OMNI_LINES_REPEATED_SKU;
		r->line = r->dup_line;
		r->first_line = r->dup_first;
	}
	else
		err = OMNI_LINES_OK;
	if (err != OMNI_LINES_OK && err != OMNI_LINES_REPEATED_SKU)
		r->nlines = 0;
	r->error = err;
	return err;
}
