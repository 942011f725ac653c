/*-------------------------------------------------------------------------
 *
 * normalise.c
 *	  Folding of what a channel typed into the form the matcher compares.
 *
 * Plain C, no allocation: the caller gives the output buffer.  Names and
 * places are folded to lower-case ASCII where a Latin letter has an
 * obvious base ("São Paulo" -> "sao paulo", "Müller" -> "muller",
 * "Straße" -> "strasse"), apostrophes vanish ("O'Brien" -> "obrien") and
 * every other run of punctuation or space becomes one space.
 *
 *-------------------------------------------------------------------------
 */
#include "identity/identity.h"

#include <string.h>

/*
 * Base letters of U+00C0..U+017F, one entry per code point; "?" marks a
 * separator (multiplication and division signs), two-letter entries are
 * ligatures and Thorn.
 */
static const char *const latin_base[] = {
	/* U+00C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00D0 */ "d", "n", "o", "o", "o", "o", "o", "?", "o", "u", "u", "u", "u", "y", "th", "ss",
	/* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", "?", "o", "u", "u", "u", "u", "y", "th", "y",
	/* U+0100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	/* U+0110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	/* U+0120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	/* U+0130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	/* U+0140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	/* U+0150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	/* U+0160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	/* U+0170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

static int
IsApostrophe(uint32_t cp)
{
	return cp == '\'' || cp == '`' || cp == 0x2019 || cp == 0x2018 || cp == 0x00B4;
}

/* Append bytes unless the buffer is full; returns the new length */
static int
Put(char *out, int n, int outsize, const char *s, int len)
{
	if (n + len >= outsize)
		return n;
	memcpy(out + n, s, len);
	return n + len;
}

/* Encode one code point as UTF-8 into buf; returns its length */
static int
EncodeUtf8(uint32_t cp, char *buf)
{
	if (cp < 0x80)
		return buf[0] = (char) cp, 1;
	if (cp < 0x800)
	{
		buf[0] = (char) (0xC0 | (cp >> 6));
		buf[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		buf[0] = (char) (0xE0 | (cp >> 12));
		buf[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		buf[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (char) (0xF0 | (cp >> 18));
	buf[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	buf[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	buf[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Fold a name or a place; digits are kept when keep_digits (addresses,
 * and names too, since OCR turns letters into digits and "dos5" is closer
 * to "doss" than "dos" is).  Other scripts pass through unchanged.  Writes
 * a NUL-terminated string and returns its length.
 */
int
omni_fold_str(const char *in, int len, char *out, int outsize, int keep_digits)
{
	uint32_t	cps[4 * OMNI_ID_MAXCHARS];
	int			ncp = omni_utf8_decode(in, len, cps, 4 * OMNI_ID_MAXCHARS);
	int			n = 0;
	int			pending_space = 0;

	if (outsize <= 0)
		return 0;
	for (int i = 0; i < ncp; i++)
	{
		uint32_t	cp = cps[i];
		char		buf[4];
		const char *s = NULL;
		int			slen = 0;

		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if ((cp >= 'a' && cp <= 'z') || (keep_digits && cp >= '0' && cp <= '9'))
		{
			buf[0] = (char) cp;
			s = buf;
			slen = 1;
		}
		else if (cp >= 0xC0 && cp <= 0x17F && latin_base[cp - 0xC0][0] != '?')
		{
			s = latin_base[cp - 0xC0];
			slen = (int) strlen(s);
		}
		else if (IsApostrophe(cp))
			continue;
		else if (cp >= 0x0370)
		{
			/* another script (Greek, Cyrillic, CJK...): keep as typed */
			slen = EncodeUtf8(cp, buf);
			s = buf;
		}

		if (s == NULL)
		{
			pending_space = n > 0;
			continue;
		}
		/* stop when full rather than end on a space or half a letter */
		if (n + pending_space + slen >= outsize)
			break;
		if (pending_space)
			n = Put(out, n, outsize, " ", 1);
		pending_space = 0;
		n = Put(out, n, outsize, s, slen);
	}
	out[n] = '\0';
	return n;
}

/*
 * Postcodes: ASCII letters (upper case) and digits only: "01310-100" ->
 * "01310100"; one look-alike letter in a numeric code read as its digit
 */
int
omni_fold_postcode(const char *in, int len, char *out, int outsize)
{
	int			n = 0;
	int			letters = 0,
				letter_at = -1;

	if (outsize <= 0)
		return 0;

	for (int i = 0; i < len && n < outsize - 1; i++)
	{
		char		c = in[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c >= 'A' && c <= 'Z')
		{
			letters++;
			letter_at = n;
		}
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			out[n++] = c;
	}
	out[n] = '\0';

	/*
	 * A numeric postcode with one letter among four or more digits is a
	 * scanned or typed digit read as its look-alike ("27S34" for 27534,
	 * "2O110" for 20110): read it back.  Codes with letters of their own
	 * (SW1A 1AA, 1234 AB, K1A 0B1) have two or more and are left alone.
	 */
	if (letters == 1 && n >= 5)
	{
		const char *from = "OQDILZSGTB";
		const char *to = "0001125678";
		const char *hit = strchr(from, out[letter_at]);

		if (hit != NULL)
			out[letter_at] = to[hit - from];
	}
	return n;
}

/*
 * Birth dates: YYYY-MM-DD (also with '/' or '.', or a time after it) or
 * YYYYMMDD, written as YYYYMMDD into out[9].  Month and day are not
 * checked against the calendar: a date with a typo ("1981-13-05") is still
 * evidence the comparator can weigh.  Returns 8, or 0 when unreadable.
 */
int
omni_parse_date(const char *in, int len, char *out)
{
	char		d[8];
	int			n = 0;
	int			i = 0;

	while (i < len && (in[i] == ' ' || in[i] == '\t'))
		i++;
	for (; i < len && n < 8; i++)
	{
		char		c = in[i];

		if (c >= '0' && c <= '9')
			d[n++] = c;
		else if ((c == '-' || c == '/' || c == '.') && (n == 4 || n == 6))
			continue;
		else
			break;
	}
	/* after eight digits only a time or the end may follow */
	if (n != 8 || (i < len && in[i] >= '0' && in[i] <= '9'))
		return 0;
	memcpy(out, d, 8);
	out[8] = '\0';
	return 8;
}
