/*-------------------------------------------------------------------------
 *
 * compare.c
 *	  String, date and postcode comparators for identity matching.
 *
 * Plain C: no PostgreSQL header and no allocation (callers pass work
 * space), so the unit test links this file alone.  Strings are UTF-8 and
 * are compared by code point, so "São" and "Sao" differ by one character,
 * not two bytes; the matcher folds accents away before it gets here.
 *
 *-------------------------------------------------------------------------
 */
#include "identity/identity.h"

#include <string.h>

/*
 * Decode UTF-8 into code points, at most max of them.  A malformed byte is
 * taken as one code point of its own value: the server has validated its
 * text already, and a comparator must not fail on what a test feeds it.
 */
int
omni_utf8_decode(const char *s, int len, uint32_t *out, int max)
{
	const unsigned char *p = (const unsigned char *) s;
	int			i = 0,
				n = 0;

	while (i < len && n < max)
	{
		unsigned char c = p[i];
		int			extra;
		uint32_t	cp;

		if (c < 0x80)
			extra = 0, cp = c;
		else if ((c & 0xE0) == 0xC0)
			extra = 1, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			extra = 2, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			extra = 3, cp = c & 0x07;
		else
			extra = 0, cp = c;
		if (i + extra >= len)	/* truncated sequence */
			extra = 0, cp = c;
		for (int k = 1; k <= extra; k++)
		{
			if ((p[i + k] & 0xC0) != 0x80)
			{
				extra = 0;
				cp = c;
				break;
			}
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		out[n++] = cp;
		i += extra + 1;
	}
	return n;
}

/*
 * Jaro similarity: characters that agree within a window of half the
 * longer length, penalised by half the number of those found out of order.
 */
double
omni_jaro_cp(const uint32_t *a, int la, const uint32_t *b, int lb)
{
	unsigned char amatch[OMNI_ID_MAXCHARS];
	unsigned char bmatch[OMNI_ID_MAXCHARS];
	int			window,
				m = 0,
				t = 0,
				k = 0;

	if (la == 0 && lb == 0)
		return 1.0;
	if (la == 0 || lb == 0)
		return 0.0;
	if (la > OMNI_ID_MAXCHARS)
		la = OMNI_ID_MAXCHARS;
	if (lb > OMNI_ID_MAXCHARS)
		lb = OMNI_ID_MAXCHARS;

	window = (la > lb ? la : lb) / 2 - 1;
	if (window < 0)
		window = 0;
	memset(amatch, 0, la);
	memset(bmatch, 0, lb);

	for (int i = 0; i < la; i++)
	{
		int			lo = i - window > 0 ? i - window : 0;
		int			hi = i + window + 1 < lb ? i + window + 1 : lb;

		for (int j = lo; j < hi; j++)
		{
			if (!bmatch[j] && a[i] == b[j])
			{
				amatch[i] = bmatch[j] = 1;
				m++;
				break;
			}
		}
	}
	if (m == 0)
		return 0.0;

	/* count matched characters that appear in a different order */
	for (int i = 0; i < la; i++)
	{
		if (!amatch[i])
			continue;
		while (!bmatch[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	return ((double) m / la + (double) m / lb + (double) (m - t / 2) / m) / 3.0;
}

/*
 * Jaro-Winkler: Jaro raised for a common prefix of up to four characters
 * (scale 0.1), applied as Winkler did only when Jaro exceeds 0.7, so that
 * two unrelated strings are not lifted by a shared initial.
 */
double
omni_jaro_winkler_cp(const uint32_t *a, int la, const uint32_t *b, int lb)
{
	double		j = omni_jaro_cp(a, la, b, lb);
	int			prefix = 0;

	if (j <= 0.7)
		return j;
	while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
		prefix++;
	return j + prefix * 0.1 * (1.0 - j);
}

double
omni_jaro_winkler_utf8(const char *a, int la, const char *b, int lb)
{
	uint32_t	ca[OMNI_ID_MAXCHARS];
	uint32_t	cb[OMNI_ID_MAXCHARS];
	int			na = omni_utf8_decode(a, la, ca, OMNI_ID_MAXCHARS);
	int			nb = omni_utf8_decode(b, lb, cb, OMNI_ID_MAXCHARS);

	return omni_jaro_winkler_cp(ca, na, cb, nb);
}

/* ints of work space omni_damerau_levenshtein_cp needs for these lengths */
int
omni_damerau_levenshtein_work_size(int la, int lb)
{
	return (la + 2) * (lb + 2) + 2 * (la + lb) + 2;
}

/*
 * Damerau-Levenshtein distance, the unrestricted kind (Lowrance and
 * Wagner): insertions, deletions, substitutions and transpositions of two
 * characters even when other edits fall between them, so "CA" -> "ABC" is
 * 2, where the restricted "optimal string alignment" distance gives 3.
 *
 * The table of the last row where each character was seen needs an
 * alphabet index: the characters are first mapped to small integers.
 */
int
omni_damerau_levenshtein_cp(const uint32_t *a, int la, const uint32_t *b, int lb,
							int *work)
{
	int			cols = lb + 2;
	int		   *d = work;
	int		   *ia = d + (la + 2) * cols;	/* alphabet index of a[i] */
	int		   *ib = ia + la;		/* alphabet index of b[j] */
	int		   *da = ib + lb;		/* last row of each letter */
	uint32_t	alpha[2 * OMNI_ID_MAXCHARS + 2];
	int			nalpha = 0;
	int			inf = la + lb;

	if (la == 0)
		return lb;
	if (lb == 0)
		return la;

	for (int s = 0; s < 2; s++)
	{
		const uint32_t *str = s == 0 ? a : b;
		int			len = s == 0 ? la : lb;
		int		   *idx = s == 0 ? ia : ib;

		for (int i = 0; i < len; i++)
		{
			int			k;

			for (k = 0; k < nalpha && alpha[k] != str[i]; k++)
				;
			if (k == nalpha)
				alpha[nalpha++] = str[i];
			idx[i] = k;
		}
	}
	for (int k = 0; k < nalpha; k++)
		da[k] = 0;

#define D(i, j) d[(i) * cols + (j)]
	D(0, 0) = inf;
	for (int i = 0; i <= la; i++)
	{
		D(i + 1, 0) = inf;
		D(i + 1, 1) = i;
	}
	for (int j = 0; j <= lb; j++)
	{
		D(0, j + 1) = inf;
		D(1, j + 1) = j;
	}
	for (int i = 1; i <= la; i++)
	{
		int			db = 0;

		for (int j = 1; j <= lb; j++)
		{
			int			i1 = da[ib[j - 1]];
			int			j1 = db;
			int			cost = 1;
			int			best;

			if (ia[i - 1] == ib[j - 1])
			{
				cost = 0;
				db = j;
			}
			best = D(i, j) + cost;
			if (D(i + 1, j) + 1 < best)
				best = D(i + 1, j) + 1;
			if (D(i, j + 1) + 1 < best)
				best = D(i, j + 1) + 1;
			if (D(i1, j1) + (i - i1 - 1) + 1 + (j - j1 - 1) < best)
				best = D(i1, j1) + (i - i1 - 1) + 1 + (j - j1 - 1);
			D(i + 1, j + 1) = best;
		}
		da[ia[i - 1]] = i;
	}
	return D(la + 1, lb + 1);
#undef D
}

/*
 * The UTF-8 entry point used by the matcher, for the short strings of a
 * person record: longer input is cut to 64 characters so the work space
 * fits on the stack.
 */
#define DL_SHORT 64
int
omni_damerau_levenshtein_utf8(const char *a, int la, const char *b, int lb)
{
	uint32_t	ca[DL_SHORT];
	uint32_t	cb[DL_SHORT];
	int			work[(DL_SHORT + 2) * (DL_SHORT + 2) + 4 * DL_SHORT + 2];
	int			na = omni_utf8_decode(a, la, ca, DL_SHORT);
	int			nb = omni_utf8_decode(b, lb, cb, DL_SHORT);

	return omni_damerau_levenshtein_cp(ca, na, cb, nb, work);
}

/*
 * Damerau-Levenshtein distance at most 1 (equal, or one substitution,
 * insertion, deletion or swap of neighbours), in one pass: the comparators
 * ask only this, millions of times in resolve_identities.  Bytes are
 * characters in ASCII; other text takes the full distance.
 */
int
omni_within_one_edit(const char *a, int la, const char *b, int lb)
{
	int			p = 0;

	if (la - lb > 1 || lb - la > 1)
		return 0;
	for (int i = 0; i < la; i++)
		if ((unsigned char) a[i] >= 0x80)
			return omni_damerau_levenshtein_utf8(a, la, b, lb) <= 1;
	for (int i = 0; i < lb; i++)
		if ((unsigned char) b[i] >= 0x80)
			return omni_damerau_levenshtein_utf8(a, la, b, lb) <= 1;
	while (p < la && p < lb && a[p] == b[p])
		p++;
	if (la == lb)
	{
		if (p == la)
			return 1;
		if (memcmp(a + p + 1, b + p + 1, la - p - 1) == 0)
			return 1;			/* substitution */
		return p + 1 < la && a[p] == b[p + 1] && a[p + 1] == b[p] &&
			memcmp(a + p + 2, b + p + 2, la - p - 2) == 0;	/* swap */
	}
	if (la > lb)
		return memcmp(a + p + 1, b + p, la - p - 1) == 0;
	return memcmp(a + p, b + p + 1, lb - p - 1) == 0;
}

/*
 * American Soundex: the first letter, then up to three digits for the
 * consonant classes that follow; vowels separate equal codes, H and W do
 * not.  Only ASCII letters count (callers fold accents first).  Writes a
 * NUL-terminated code of four characters into out[5], or "" when the input
 * has no letter; returns its length.
 */
int
omni_soundex(const char *s, int len, char *out)
{
	/* codes of A..Z; '0' is a vowel (separates), '-' is H/W (does not) */
	static const char codes[] = "01230120022455012623010202";
	int			n = 0;
	char		last = 0;

	for (int i = 0; i < len && n < 4; i++)
	{
		char		c = s[i];
		char		code;

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c < 'A' || c > 'Z')
			continue;
		code = codes[c - 'A'];
		if (c == 'H' || c == 'W')
			code = '-';
		if (n == 0)
		{
			out[n++] = c;
			last = code;
			continue;
		}
		if (code == '-')
			continue;
		if (code != '0' && code != last)
			out[n++] = code;
		last = code;
	}
	if (n == 0)
	{
		out[0] = '\0';
		return 0;
	}
	while (n < 4)
		out[n++] = '0';
	out[4] = '\0';
	return 4;
}

/*
 * Common English diminutives and their formal names, so that "Bill" can
 * agree with "William".  Kept short on purpose: a long list starts to tie
 * different people together.
 */
static const char *const nicknames[][2] = {
	{"abby", "abigail"}, {"al", "albert"}, {"alex", "alexander"},
	{"andy", "andrew"}, {"beth", "elizabeth"}, {"betty", "elizabeth"},
	{"bill", "william"}, {"billy", "william"}, {"bob", "robert"},
	{"bobby", "robert"}, {"cathy", "catherine"}, {"charlie", "charles"},
	{"chris", "christopher"}, {"chuck", "charles"}, {"dan", "daniel"},
	{"danny", "daniel"}, {"dave", "david"}, {"debbie", "deborah"},
	{"dick", "richard"}, {"ed", "edward"}, {"eddie", "edward"},
	{"fred", "frederick"}, {"greg", "gregory"}, {"jack", "john"},
	{"jake", "jacob"}, {"jim", "james"}, {"jimmy", "james"},
	{"joe", "joseph"}, {"johnny", "john"}, {"jon", "jonathan"},
	{"kate", "katherine"}, {"katie", "katherine"}, {"ken", "kenneth"},
	{"larry", "lawrence"}, {"liz", "elizabeth"}, {"maggie", "margaret"},
	{"matt", "matthew"}, {"meg", "margaret"}, {"mike", "michael"},
	{"nick", "nicholas"}, {"pat", "patricia"}, {"peggy", "margaret"},
	{"pete", "peter"}, {"rich", "richard"}, {"rick", "richard"},
	{"rob", "robert"}, {"ron", "ronald"}, {"sam", "samuel"},
	{"sandy", "sandra"}, {"steve", "stephen"}, {"sue", "susan"},
	{"ted", "edward"}, {"tom", "thomas"}, {"tommy", "thomas"},
	{"tony", "anthony"}, {"will", "william"}, {"zeca", "jose"},
};

const char *
omni_nickname_root(const char *name, int len)
{
	for (size_t i = 0; i < sizeof(nicknames) / sizeof(nicknames[0]); i++)
	{
		const char *nick = nicknames[i][0];

		if ((int) strlen(nick) == len && memcmp(nick, name, len) == 0)
			return nicknames[i][1];
	}
	return NULL;
}

static int
NicknameAgree(const char *a, int la, const char *b, int lb)
{
	const char *ra = omni_nickname_root(a, la);
	const char *rb = omni_nickname_root(b, lb);

	if (ra && rb)
		return strcmp(ra, rb) == 0;
	if (ra)
		return (int) strlen(ra) == lb && memcmp(ra, b, lb) == 0;
	if (rb)
		return (int) strlen(rb) == la && memcmp(rb, a, la) == 0;
	return 0;
}

/*
 * Scanned and OCR'd forms: letter groups a reader confuses ("rn" and "m",
 * "cl" and "d", "iii" and "m", "ri" and "n", "vv" and "w") and digits read
 * for letters ("0" o, "1" l, "5" s) written the same way, so that
 * "tumer" = "turner", "siiiith" = "smith", "lawnclale" = "lawndale".
 * Returns the length written to out (at most len bytes).
 */
static int
OcrCanonical(const char *s, int len, char *out)
{
	int			n = 0;

	for (int i = 0; i < len;)
	{
		char		c = s[i];
		char		d = i + 1 < len ? s[i + 1] : '\0';

		if (c == 'i' && d == 'i' && i + 2 < len && s[i + 2] == 'i')
		{
			out[n++] = 'm';
			i += 3;
		}
		else if ((c == 'r' && d == 'n') || (c == 'c' && d == 'l') ||
				 (c == 'r' && d == 'i') || (c == 'v' && d == 'v'))
		{
			out[n++] = c == 'r' ? (d == 'n' ? 'm' : 'n') : (c == 'c' ? 'd' : 'w');
			i += 2;
		}
		else
		{
			out[n++] = c == '0' ? 'o' : c == '1' ? 'l' : c == '5' ? 's' : c;
			i++;
		}
	}
	return n;
}

/*
 * Close once read the way a scanner misreads: the OCR forms of the two
 * strings are equal or (five letters or more) one edit apart, and the
 * reading changed something
 * (else the plain comparison has said all there is).
 */
static int
OcrClose(const char *a, int la, const char *b, int lb)
{
	char		ca[OMNI_ID_MAXCHARS * 4];
	char		cb[OMNI_ID_MAXCHARS * 4];
	int			na,
				nb;

	if (la > (int) sizeof(ca) || lb > (int) sizeof(cb))
		return 0;
	na = OcrCanonical(a, la, ca);
	nb = OcrCanonical(b, lb, cb);
	if (na == la && nb == lb && memcmp(ca, a, la) == 0 && memcmp(cb, b, lb) == 0)
		return 0;
	if (na == nb && memcmp(ca, cb, na) == 0)
		return 1;
	/* a typo besides the misreading, in a word long enough to tell */
	return na >= 5 && nb >= 5 && omni_within_one_edit(ca, na, cb, nb);
}

/*
 * Names (already folded): exact; close (Jaro-Winkler >= 0.92, one edit, a
 * known diminutive, or the same once OCR confusions are read alike); weak (Jaro-Winkler >= 0.80 or the same Soundex);
 * else none.  How much each level is worth is the model's business (EM),
 * not this function's.
 */
int
omni_compare_names(const char *a, int la, const char *b, int lb, int nicknames_on)
{
	char		sa[5],
				sb[5];
	double		jw;

	if (la == 0 || lb == 0)
		return OMNI_LEVEL_NULL;
	if (la == lb && memcmp(a, b, la) == 0)
		return OMNI_LEVEL_EXACT;
	jw = omni_jaro_winkler_utf8(a, la, b, lb);
	/* one edit apart needs lengths at most one apart: skip the table otherwise */
	if (jw >= 0.92 || (nicknames_on && NicknameAgree(a, la, b, lb)) ||
		omni_within_one_edit(a, la, b, lb) ||
		OcrClose(a, la, b, lb))
		return OMNI_LEVEL_CLOSE;
	if (jw >= 0.80)
		return OMNI_LEVEL_WEAK;
	if (omni_soundex(a, la, sa) > 0 && omni_soundex(b, lb, sb) > 0 &&
		strcmp(sa, sb) == 0)
		return OMNI_LEVEL_WEAK;
	return OMNI_LEVEL_NONE;
}

/* City, address: exact; Jaro-Winkler >= 0.92, one edit or OCR-close; >= 0.80; else none */
int
omni_compare_text(const char *a, int la, const char *b, int lb)
{
	double		jw;

	if (la == 0 || lb == 0)
		return OMNI_LEVEL_NULL;
	if (la == lb && memcmp(a, b, la) == 0)
		return OMNI_LEVEL_EXACT;
	jw = omni_jaro_winkler_utf8(a, la, b, lb);
	/* one edit in a word of four letters or more, as for names */
	if (jw >= 0.92 || OcrClose(a, la, b, lb) ||
		(la >= 4 && lb >= 4 && omni_within_one_edit(a, la, b, lb)))
		return OMNI_LEVEL_CLOSE;
	if (jw >= 0.80)
		return OMNI_LEVEL_WEAK;
	return OMNI_LEVEL_NONE;
}

/* s without its spaces, into out (at most OMNI_ID_MAXCHARS bytes); returns the length */
static int
WithoutSpaces(const char *s, int len, char *out)
{
	int			n = 0;

	for (int i = 0; i < len && n < OMNI_ID_MAXCHARS; i++)
		if (s[i] != ' ')
			out[n++] = s[i];
	return n;
}

/*
 * A street (or a whole address without a house number): as
 * omni_compare_text, and a slipped or lost space ("walker crescent",
 * "walkercrescent", "walk ercrescent") is close too, with or without a
 * typo besides.
 */
static int
CompareStreet(const char *a, int la, const char *b, int lb)
{
	char		ca[OMNI_ID_MAXCHARS];
	char		cb[OMNI_ID_MAXCHARS];
	int			na,
				nb,
				level = omni_compare_text(a, la, b, lb);

	if (level == OMNI_LEVEL_NULL || level >= OMNI_LEVEL_CLOSE)
		return level;
	na = WithoutSpaces(a, la, ca);
	nb = WithoutSpaces(b, lb, cb);
	if ((na != la || nb != lb) && na >= 4 && nb >= 4 &&
		omni_within_one_edit(ca, na, cb, nb))
		return OMNI_LEVEL_CLOSE;
	return level;
}

/* The house number: the first word when it starts with a digit; returns its length */
static int
HouseNumber(const char *s, int len)
{
	int			n = 0;

	if (len == 0 || s[0] < '0' || s[0] > '9')
		return 0;
	while (n < len && s[n] != ' ')
		n++;
	return n;
}

/*
 * Street addresses (folded): the house number and the street are weighed
 * apart, since they fail apart: another house in the same street is a
 * neighbour, not a typo ("21 la perouse street" and "123 la perouse
 * street" read alike as text), and the same number with the street
 * missing or mistyped is evidence still.
 *	exact: the same;
 *	close: the same number and the street close (a typo, a slipped
 *		   space), a number of two digits or more mistyped in one place
 *		   (15/51, 207/201) in the same street, or the same street with
 *		   the number missing on one side;
 *	weak: the same number, the street missing, other or hardly alike;
 *		  another number in the same street; the street close with a
 *		  number missing;
 *	none: else.
 * Without a house number on either side the whole is compared as a street.
 */
int
omni_compare_address(const char *a, int la, const char *b, int lb)
{
	int			ha,
				hb,
				sa,
				sb,
				street;
	const char *ra,
			   *rb;

	if (la == 0 || lb == 0)
		return OMNI_LEVEL_NULL;
	if (la == lb && memcmp(a, b, la) == 0)
		return OMNI_LEVEL_EXACT;
	ha = HouseNumber(a, la);
	hb = HouseNumber(b, lb);
	if (ha == 0 && hb == 0)
		return CompareStreet(a, la, b, lb);
	/* the streets, after the numbers and their space */
	ra = a + (ha < la ? ha + 1 : la);
	sa = ha < la ? la - ha - 1 : 0;
	rb = b + (hb < lb ? hb + 1 : lb);
	sb = hb < lb ? lb - hb - 1 : 0;
	if (ha == 0 || hb == 0)
	{
		/* a number on one side only: the street alone */
		street = CompareStreet(ha ? ra : a, ha ? sa : la, hb ? rb : b, hb ? sb : lb);
		if (street == OMNI_LEVEL_EXACT)
			return OMNI_LEVEL_CLOSE;
		return street == OMNI_LEVEL_CLOSE ? OMNI_LEVEL_WEAK : OMNI_LEVEL_NONE;
	}
	street = (sa == 0 || sb == 0) ? OMNI_LEVEL_NULL : CompareStreet(ra, sa, rb, sb);
	if (ha == hb && memcmp(a, b, ha) == 0)
		return street >= OMNI_LEVEL_CLOSE ? OMNI_LEVEL_CLOSE : OMNI_LEVEL_WEAK;
	if (street >= OMNI_LEVEL_CLOSE)
		return ha == hb && ha >= 2 && omni_within_one_edit(a, ha, b, hb) ?
			OMNI_LEVEL_CLOSE : OMNI_LEVEL_WEAK;
	return OMNI_LEVEL_NONE;
}

/*
 * Dates as YYYYMMDD: exact; close when one digit is wrong, two adjacent
 * digits are swapped, or day and month are swapped (the US/European mix-up);
 * weak on the same year; else none.
 */
int
omni_compare_dates(const char *a, int la, const char *b, int lb)
{
	if (la == 0 || lb == 0)
		return OMNI_LEVEL_NULL;
	if (la == lb && memcmp(a, b, la) == 0)
		return OMNI_LEVEL_EXACT;
	if (la == 8 && lb == 8)
	{
		int			diff = 0;

		for (int i = 0; i < 8; i++)
			diff += a[i] != b[i];
		if (diff == 1)
			return OMNI_LEVEL_CLOSE;
		if (memcmp(a, b, 4) == 0 && memcmp(a + 4, b + 6, 2) == 0 &&
			memcmp(a + 6, b + 4, 2) == 0)
			return OMNI_LEVEL_CLOSE;
	}
	if (omni_within_one_edit(a, la, b, lb))
		return OMNI_LEVEL_CLOSE;
	if (la >= 4 && lb >= 4 && memcmp(a, b, 4) == 0)
		return OMNI_LEVEL_WEAK;
	return OMNI_LEVEL_NONE;
}

/*
 * Postcodes: exact; close on one edit (a typo); weak when all but the last
 * two characters agree (the same district in most national schemes: US ZIP
 * 3-digit area, UK outward code, Brazilian CEP prefix); else none.
 */
int
omni_compare_postcodes(const char *a, int la, const char *b, int lb)
{
	int			common = 0;
	int			longer = la > lb ? la : lb;

	if (la == 0 || lb == 0)
		return OMNI_LEVEL_NULL;
	if (la == lb && memcmp(a, b, la) == 0)
		return OMNI_LEVEL_EXACT;
	if (omni_within_one_edit(a, la, b, lb))
		return OMNI_LEVEL_CLOSE;
	while (common < la && common < lb && a[common] == b[common])
		common++;
	if (common >= 3 && common >= longer - 2)
		return OMNI_LEVEL_WEAK;
	return OMNI_LEVEL_NONE;
}
