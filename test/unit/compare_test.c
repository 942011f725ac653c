/*
 * Unit tests of src/identity/compare.c, run outside the server with the
 * sanitizers (scripts/unit-test.sh): known values of each comparator, then
 * a fixed-seed random loop checking the properties a metric must keep.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"

static int	passed = 0;
static int	failed = 0;

static void
check(int ok, const char *what)
{
	if (ok)
		passed++;
	else
	{
		failed++;
		printf("FAIL %s\n", what);
	}
}

static void
expect_jw(const char *a, const char *b, double want)
{
	double		got = omni_jaro_winkler_utf8(a, (int) strlen(a), b, (int) strlen(b));
	char		msg[200];

	snprintf(msg, sizeof(msg), "jaro_winkler(%s, %s) = %.4f, want %.4f", a, b, got, want);
	check(fabs(got - want) < 0.0005, msg);
}

static void
expect_dl(const char *a, const char *b, int want)
{
	int			got = omni_damerau_levenshtein_utf8(a, (int) strlen(a), b, (int) strlen(b));
	char		msg[200];

	snprintf(msg, sizeof(msg), "damerau_levenshtein(%s, %s) = %d, want %d", a, b, got, want);
	check(got == want, msg);
}

static void
expect_soundex(const char *a, const char *want)
{
	char		out[5];
	char		msg[200];

	omni_soundex(a, (int) strlen(a), out);
	snprintf(msg, sizeof(msg), "soundex(%s) = %s, want %s", a, out, want);
	check(strcmp(out, want) == 0, msg);
}

static int
level(int (*cmp) (const char *, int, const char *, int), const char *a, const char *b)
{
	return cmp(a, (int) strlen(a), b, (int) strlen(b));
}

static int
name_level(const char *a, const char *b)
{
	return omni_compare_names(a, (int) strlen(a), b, (int) strlen(b), 1);
}

/* Levenshtein without transpositions, the textbook way, to bound DL from above */
static int
levenshtein(const char *a, const char *b)
{
	int			la = (int) strlen(a),
				lb = (int) strlen(b);
	int			prev[64],
				cur[64];

	for (int j = 0; j <= lb; j++)
		prev[j] = j;
	for (int i = 1; i <= la; i++)
	{
		cur[0] = i;
		for (int j = 1; j <= lb; j++)
		{
			int			v = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			cur[j] = v;
		}
		memcpy(prev, cur, sizeof(int) * (lb + 1));
	}
	return prev[lb];
}

int
main(void)
{
	/* Jaro-Winkler: the values of Winkler (1990) and every textbook */
	expect_jw("MARTHA", "MARHTA", 0.9611);
	expect_jw("DWAYNE", "DUANE", 0.8400);
	expect_jw("DIXON", "DICKSONX", 0.8133);
	expect_jw("JELLYFISH", "SMELLYFISH", 0.8963);
	expect_jw("abc", "abc", 1.0);
	expect_jw("", "", 1.0);
	expect_jw("abc", "", 0.0);
	expect_jw("abc", "xyz", 0.0);
	/* by character, not byte: one differing letter out of three */
	expect_jw("São", "Sao", omni_jaro_winkler_utf8("Sxo", 3, "Sao", 3));

	/* Damerau-Levenshtein, unrestricted */
	expect_dl("CA", "ABC", 2);
	expect_dl("kitten", "sitting", 3);
	expect_dl("abcdef", "abcdfe", 1);
	expect_dl("19810507", "19810570", 1);
	expect_dl("", "abc", 3);
	expect_dl("abc", "", 3);
	expect_dl("same", "same", 0);
	expect_dl("Müller", "Muller", 1);

	/* Soundex: the examples of the US National Archives */
	expect_soundex("Robert", "R163");
	expect_soundex("Rupert", "R163");
	expect_soundex("Rubin", "R150");
	expect_soundex("Ashcraft", "A261");
	expect_soundex("Tymczak", "T522");
	expect_soundex("Pfister", "P236");
	expect_soundex("Honeyman", "H555");
	expect_soundex("Lee", "L000");
	expect_soundex("123", "");

	/* field comparators */
	check(name_level("william", "william") == OMNI_LEVEL_EXACT, "names exact");
	check(name_level("bill", "william") == OMNI_LEVEL_CLOSE, "nickname bill = william");
	check(name_level("jonathon", "jonathan") == OMNI_LEVEL_CLOSE, "one-letter typo is close");
	check(name_level("smith", "smyth") >= OMNI_LEVEL_WEAK, "smith ~ smyth");
	check(name_level("anna", "peter") == OMNI_LEVEL_NONE, "different names");
	check(name_level("", "peter") == OMNI_LEVEL_NULL, "missing name is null");
	check(level(omni_compare_dates, "19810507", "19810507") == OMNI_LEVEL_EXACT, "date exact");
	check(level(omni_compare_dates, "19810507", "19810705") == OMNI_LEVEL_CLOSE, "day/month swap");
	check(level(omni_compare_dates, "19810507", "19810508") == OMNI_LEVEL_CLOSE, "one-digit typo");
	check(level(omni_compare_dates, "19810507", "18910507") == OMNI_LEVEL_CLOSE, "transposed digits");
	check(level(omni_compare_dates, "19810507", "19811224") == OMNI_LEVEL_WEAK, "same year");
	check(level(omni_compare_dates, "19810507", "19650101") == OMNI_LEVEL_NONE, "other date");
	check(level(omni_compare_postcodes, "27284", "27284") == OMNI_LEVEL_EXACT, "postcode exact");
	check(level(omni_compare_postcodes, "27284", "27248") == OMNI_LEVEL_CLOSE, "postcode swap");
	check(level(omni_compare_postcodes, "27284", "27211") == OMNI_LEVEL_WEAK, "postcode area");
	check(level(omni_compare_postcodes, "27284", "90210") == OMNI_LEVEL_NONE, "postcode other");
	check(level(omni_compare_text, "charlotte", "charlo6te") == OMNI_LEVEL_CLOSE, "city typo");
	/* OCR confusions: rn/m, cl/d, iii/m, ri/n read alike */
	check(level(omni_compare_text, "lawndale", "lawnclale") == OMNI_LEVEL_CLOSE, "city OCR cl/d");
	check(name_level("tumer", "turner") == OMNI_LEVEL_CLOSE, "name OCR rn/m");
	check(name_level("siiiith", "smith") == OMNI_LEVEL_CLOSE, "name OCR iii/m");
	check(name_level("heriry", "henry") == OMNI_LEVEL_CLOSE, "name OCR ri/n");
	check(name_level("ranclolph", "randoph") == OMNI_LEVEL_CLOSE, "name OCR and a typo");
	check(name_level("turner", "tanner") != OMNI_LEVEL_CLOSE, "OCR reading is not any edit");
	check(level(omni_compare_text, "9", "5") == OMNI_LEVEL_NONE, "short: a misread digit is not a typo too");
	/* addresses: the house number and the street weighed apart */
	check(level(omni_compare_address, "21 la perouse street", "21 la perouse street") == OMNI_LEVEL_EXACT,
		  "address exact");
	check(level(omni_compare_address, "13 walker crescent", "13 walkercrescent") == OMNI_LEVEL_CLOSE,
		  "address: a lost space");
	check(level(omni_compare_address, "16 walker crescent", "16 walkercerscent") == OMNI_LEVEL_CLOSE,
		  "address: a lost space and a swap");
	check(level(omni_compare_address, "15 hensman street", "51 hensman street") == OMNI_LEVEL_CLOSE,
		  "address: house number digits swapped");
	check(level(omni_compare_address, "17 stephen street", "stephen street") == OMNI_LEVEL_CLOSE,
		  "address: the number missing on one side");
	check(level(omni_compare_address, "21 la perouse street", "123 la perouse street") == OMNI_LEVEL_WEAK,
		  "address: another house in the street is a neighbour");
	check(level(omni_compare_address, "3 fawkner street", "8 fawkner street") == OMNI_LEVEL_WEAK,
		  "address: one-digit numbers are not a typo apart");
	check(level(omni_compare_address, "6 madigan street", "6") == OMNI_LEVEL_WEAK,
		  "address: the same number, the street missing");
	check(level(omni_compare_address, "60 archibald street", "60 tepper circuit") == OMNI_LEVEL_WEAK,
		  "address: the same number, another street");
	check(level(omni_compare_address, "84", "85") == OMNI_LEVEL_NONE, "address: two other numbers");
	check(level(omni_compare_address, "9 archdall street", "4 hodgkinson street") == OMNI_LEVEL_NONE,
		  "address: other");
	check(level(omni_compare_address, "", "4 hodgkinson street") == OMNI_LEVEL_NULL, "address missing");

	/* properties over random strings (fixed seed) */
	srand(20261123);
	for (int iter = 0; iter < 3000; iter++)
	{
		char		a[20],
					b[20],
					c[20];
		int			la = rand() % 12,
					lb = rand() % 12,
					lc = rand() % 12;
		double		jab,
					jba;
		int			dab,
					dba,
					dbc,
					dac;

		for (int i = 0; i < la; i++)
			a[i] = "abcde"[rand() % 5];
		for (int i = 0; i < lb; i++)
			b[i] = "abcde"[rand() % 5];
		for (int i = 0; i < lc; i++)
			c[i] = "abcde"[rand() % 5];
		a[la] = b[lb] = c[lc] = '\0';
		jab = omni_jaro_winkler_utf8(a, la, b, lb);
		jba = omni_jaro_winkler_utf8(b, lb, a, la);
		dab = omni_damerau_levenshtein_utf8(a, la, b, lb);
		dba = omni_damerau_levenshtein_utf8(b, lb, a, la);
		dbc = omni_damerau_levenshtein_utf8(b, lb, c, lc);
		dac = omni_damerau_levenshtein_utf8(a, la, c, lc);
		if (omni_within_one_edit(a, la, b, lb) != (dab <= 1))
		{
			printf("FAIL within_one_edit \"%s\" \"%s\": dl %d\n", a, b, dab);
			failed++;
		}
		else
			passed++;
		if (jab < 0.0 || jab > 1.0 || fabs(jab - jba) > 1e-9 ||
			dab != dba || dac > dab + dbc || (dab == 0) != (strcmp(a, b) == 0) ||
			dab > levenshtein(a, b) || dab < abs(la - lb))
		{
			printf("FAIL random \"%s\" \"%s\" \"%s\": jw %f/%f dl %d/%d/%d/%d lev %d\n",
				   a, b, c, jab, jba, dab, dba, dbc, dac, levenshtein(a, b));
			failed++;
		}
		else
			passed++;
	}

	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
