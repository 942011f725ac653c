/*
 * libFuzzer harness for the plain-C readers of identity attributes
 * (src/identity/normalise.c, compare.c): folding of names and places,
 * postcodes, dates, and the comparators run on what they produce.  The
 * input is split at the first NUL byte (or in two halves) into two values,
 * as identify() compares two records' fields.  Besides "no crash, no out of
 * bounds" it checks that similarities stay in [0, 1], that comparing a
 * value with itself is exact, and that distances are symmetric.
 *
 * sources: src/identity/normalise.c src/identity/compare.c
 * short-runs-divisor: 20
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
CheckPair(const char *a, int la, const char *b, int lb)
{
	double		jw = omni_jaro_winkler_utf8(a, la, b, lb);
	double		jw2 = omni_jaro_winkler_utf8(b, lb, a, la);
	int			dl = omni_damerau_levenshtein_utf8(a, la, b, lb);
	int			dl2 = omni_damerau_levenshtein_utf8(b, lb, a, la);

	if (!(jw >= 0.0 && jw <= 1.0) || !(jw2 >= 0.0 && jw2 <= 1.0))
		abort();
	if (dl < 0 || dl != dl2)
		abort();
	if (omni_damerau_levenshtein_utf8(a, la, a, la) != 0)
		abort();
	(void) omni_compare_names(a, la, b, lb, 1);
	(void) omni_compare_text(a, la, b, lb);
	(void) omni_compare_dates(a, la, b, lb);
	(void) omni_compare_postcodes(a, la, b, lb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *) data;
	const char *nul = memchr(in, '\0', size);
	int			la = nul ? (int) (nul - in) : (int) (size / 2);
	const char *b = in + la + (nul ? 1 : 0);
	int			lb = (int) (size - (size_t) (b - in));
	char		fa[1024];
	char		fb[1024];
	char		pc[1024];
	char		date[16];
	char		sx[8];
	int			na;
	int			nb;

	/* fields are names, places, dates: longer inputs only slow the run */
	if (la > 80 || lb > 80)
		return 0;
	na = omni_fold_str(in, la, fa, sizeof(fa), 1);
	nb = omni_fold_str(b, lb, fb, sizeof(fb), 0);
	if (na < 0 || na >= (int) sizeof(fa) || nb < 0 || nb >= (int) sizeof(fb))
		abort();
	(void) omni_fold_postcode(in, la, pc, sizeof(pc));
	(void) omni_parse_date(in, la, date);
	(void) omni_soundex(in, la, sx);
	(void) omni_nickname_root(fa, na);
	CheckPair(in, la, b, lb);
	CheckPair(fa, na, fb, nb);
	return 0;
}
