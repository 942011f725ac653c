/*-------------------------------------------------------------------------
 *
 * phone_parse_test.c
 *	  Standalone tests for the phone number parser (src/types/phone_parse.c).
 *
 * Build and run from the project root:
 *
 *	  cc -Wall -Wextra -Werror -std=c99 -I src/types \
 *		  test/unit/phone_parse_test.c src/types/phone_parse.c -o /tmp/pt
 *	  /tmp/pt
 *
 * Prints one line per failed case, then "N passed, N failed"; exits
 * non-zero if anything failed.  Building with -fsanitize=address,undefined
 * is recommended: the fuzz part hands the parser exactly-sized heap copies
 * of its inputs so that any read past the NUL is caught.
 *
 * test/unit/phone_parse_test.c
 *
 *-------------------------------------------------------------------------
 */
#include "phone_parse.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LENGTHOF(array) (sizeof(array) / sizeof((array)[0]))

static int	n_passed = 0;
static int	n_failed = 0;

static void
check(bool ok, const char *fmt,...)
{
	va_list		args;

	if (ok)
	{
		n_passed++;
		return;
	}
	n_failed++;
	printf("FAIL: ");
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	printf("\n");
}

static const char *
error_name(OmniPhoneError err)
{
	switch (err)
	{
		case OMNI_PHONE_OK:
			return "OK";
		case OMNI_PHONE_EMPTY:
			return "EMPTY";
		case OMNI_PHONE_BAD_CHARACTER:
			return "BAD_CHARACTER";
		case OMNI_PHONE_TOO_SHORT:
			return "TOO_SHORT";
		case OMNI_PHONE_TOO_LONG:
			return "TOO_LONG";
		case OMNI_PHONE_UNKNOWN_CALLING_CODE:
			return "UNKNOWN_CALLING_CODE";
		case OMNI_PHONE_BAD_COUNTRY:
			return "BAD_COUNTRY";
	}
	return "(out of range)";
}

typedef struct ParseCase
{
	const char *input;
	const char *country;
	OmniPhoneError err;
	uint64_t	value;			/* when err is OMNI_PHONE_OK */
} ParseCase;

#define OK(in, cty, val)	{in, cty, OMNI_PHONE_OK, UINT64_C(val)}
#define ERR(in, cty, e)		{in, cty, OMNI_PHONE_##e, 0}

static const ParseCase parse_cases[] = {
	/* international format */
	OK("+55 11 91234-5678", NULL, 5511912345678),
	OK("+1 212 555 0100", NULL, 12125550100),
	OK("+1 (212) 555-0100", "GB", 12125550100),
	OK("+44 20 7946 0018", NULL, 442079460018),
	OK("+44 (0)20 7946 0018", NULL, 442079460018),
	OK("+44(0)2079460018", "US", 442079460018),
	OK("+39 06 1234 5678", NULL, 390612345678),
	OK("+39 312 345 6789", NULL, 393123456789),
	OK("+33 (0)1 23 45 67 89", NULL, 33123456789),
	OK("+49 (0)30 123456", NULL, 4930123456),
	OK("+36 06 1 234 5678", NULL, 3612345678),
	OK("+7 701 123 4567", NULL, 77011234567),
	OK("+61 4 1234 5678", NULL, 61412345678),
	OK("+86 10 1234 5678", NULL, 861012345678),
	OK("+91 98765 43210", NULL, 919876543210),
	OK("+880 1712-345678", NULL, 8801712345678),
	OK("+852 2123 4567", NULL, 85221234567),
	OK("+599 9 123 4567", NULL, 59991234567),
	OK("+262 262 12 34 56", NULL, 262262123456),
	OK("+383 44 123 456", NULL, 38344123456),
	OK("+250 (0)788 123 456", NULL, 250788123456),
	OK("+250 0612 3456", NULL, 25006123456),	/* Rwandan 06 numbers */
	OK("+683 4002", NULL, 6834002),	/* Niue: 4-digit numbers */
	OK("+800 1234 5678", NULL, 80012345678),	/* non-geographic */
	OK("+ 44 20 7946 0018", NULL, 442079460018),
	OK(" \t+44 20 7946 0018 \t\r\n", NULL, 442079460018),
	OK("+44.20.7946.0018", NULL, 442079460018),
	OK("+44/20/7946/0018", NULL, 442079460018),

	/* national format */
	OK("(212) 555-0100", "US", 12125550100),
	OK("1-212-555-0100", "US", 12125550100),
	OK("212.555.0100", "US", 12125550100),
	OK("1 (800) 555 0100", "CA", 18005550100),
	OK("020 7946 0018", "GB", 442079460018),
	OK("020 7946 0018", "gb", 442079460018),
	OK("020 7946 0018", "Gb", 442079460018),
	OK("0044 20 7946 0018", "GB", 442079460018),
	OK("011 44 20 7946 0018", "US", 442079460018),
	OK("(11) 91234-5678", "BR", 5511912345678),
	OK("011 91234 5678", "BR", 5511912345678),
	OK("0 21 11 91234 5678", "BR", 5511912345678),	/* carrier 21 */
	OK("0021 44 20 7946 0018", "BR", 442079460018),	/* carrier 21 */
	OK("030 123456", "DE", 4930123456),
	OK("06 1234 5678", "IT", 390612345678),
	OK("8 (495) 123-45-67", "RU", 74951234567),
	OK("8 800 555 35 35", "RU", 78005553535),
	OK("800 555 35 35", "RU", 78005553535),
	OK("810 44 20 7946 0018", "RU", 442079460018),
	OK("8 701 123 4567", "kz", 77011234567),
	OK("8 017 123 45 67", "BY", 375171234567),
	OK("0011 44 20 7946 0018", "AU", 442079460018),
	OK("(02) 9876 5432", "AU", 61298765432),
	OK("1300 123 456", "AU", 611300123456),
	OK("03-1234-5678", "JP", 81312345678),
	OK("090-1234-5678", "JP", 819012345678),
	OK("010 1 212 555 0100", "JP", 12125550100),
	OK("06 1 234 5678", "HU", 3612345678),
	OK("01 55 1234 5678", "MX", 525512345678),
	OK("044 55 1234 5678", "MX", 525512345678),
	OK("55 1234 5678", "MX", 525512345678),
	OK("01.23.45.67.89", "FR", 33123456789),
	OK("612 345 678", "ES", 34612345678),
	OK("0 612 34567", "LT", 37061234567),
	OK("8 612 34567", "LT", 37061234567),
	OK("0788 123 456", "RW", 250788123456),
	OK("0612 3456", "RW", 25006123456),
	OK("010 1234 5678", "CN", 861012345678),
	OK("098765 43210", "IN", 919876543210),
	OK("1800 180 1234", "IN", 9118001801234),
	OK("02-312-3456", "KR", 8223123456),
	OK("001 1 212 555 0100", "KR", 12125550100),
	OK("001 44 20 7946 0018", "HK", 442079460018),
	OK("001 212 555 0100", "HK", 12125550100),	/* "00" + 1 212... */
	OK("0269 61 23 45", "YT", 262269612345),
	OK("+44 20 7946 0018", "", 442079460018),

	/* errors */
	ERR("", "US", EMPTY),
	ERR("   ", "US", EMPTY),
	ERR(" \t\r\n ", NULL, EMPTY),
	ERR(NULL, "US", EMPTY),
	ERR("abc", "US", BAD_CHARACTER),
	ERR("555-CALL", "US", BAD_CHARACTER),
	ERR("+44 20 7946 0018 x12", NULL, BAD_CHARACTER),
	ERR("+44 20 7946 0018 ext 12", NULL, BAD_CHARACTER),
	ERR("++44 20 7946 0018", NULL, BAD_CHARACTER),
	ERR("12+34", "US", BAD_CHARACTER),
	ERR("(+44) 20 7946 0018", NULL, BAD_CHARACTER),
	ERR("+44 20 7946 0018#", NULL, BAD_CHARACTER),
	ERR("*100#", "US", BAD_CHARACTER),
	ERR("212,555,0100", "US", BAD_CHARACTER),
	ERR("+44\t20 7946 0018", NULL, BAD_CHARACTER),
	ERR("+44 20\n7946 0018", NULL, BAD_CHARACTER),
	ERR("+44 20 7946 0018\x01", NULL, BAD_CHARACTER),
	ERR("\xc2\xa0+44 20 7946 0018", NULL, BAD_CHARACTER),
	ERR("+44 20 7946 0018\xe2\x80\x8b", NULL, BAD_CHARACTER),
	ERR("+44 \xd9\xa2\xd9\xa0 7946 0018", NULL, BAD_CHARACTER),
	ERR("+", NULL, TOO_SHORT),
	ERR("+4", NULL, TOO_SHORT),
	ERR("+44", NULL, TOO_SHORT),
	ERR("()", "US", TOO_SHORT),
	ERR("- - -", "US", TOO_SHORT),
	ERR("12", "US", TOO_SHORT),
	ERR("00", "GB", TOO_SHORT),
	ERR("+1 212 555 010", NULL, TOO_SHORT),
	ERR("+44 1234", NULL, TOO_SHORT),
	ERR("+1234567890123456", NULL, TOO_LONG),
	ERR("+1 212 555 01000", NULL, TOO_LONG),
	ERR("+33 1 23 45 67 890", NULL, TOO_LONG),
	ERR("+33 0 0 1 23 45 67 8", NULL, TOO_LONG),	/* stray extra 0 */
	ERR("1234567890123456789012345678901234567890", "US", TOO_LONG),
	ERR("+999 123", NULL, UNKNOWN_CALLING_CODE),
	ERR("+999 1234 5678", NULL, UNKNOWN_CALLING_CODE),
	ERR("+0 123 4567", NULL, UNKNOWN_CALLING_CODE),
	ERR("+379 1234 5678", NULL, UNKNOWN_CALLING_CODE),
	ERR("+259 1234 5678", NULL, UNKNOWN_CALLING_CODE),
	ERR("00 999 1234 5678", "FR", UNKNOWN_CALLING_CODE),
	ERR("020 7946 0018", "XX", BAD_COUNTRY),
	ERR("020 7946 0018", "U", BAD_COUNTRY),
	ERR("020 7946 0018", "USA", BAD_COUNTRY),
	ERR("+44 20 7946 0018", "XX", BAD_COUNTRY),
	ERR("020 7946 0018", NULL, BAD_COUNTRY),
	ERR("020 7946 0018", "", BAD_COUNTRY),
	ERR("020 7946 0018", "\xc7\xa7", BAD_COUNTRY),
	ERR("abc", "ZZ", BAD_COUNTRY),
};

static void
test_parse_cases(void)
{
	size_t		i;

	for (i = 0; i < LENGTHOF(parse_cases); i++)
	{
		const ParseCase *c = &parse_cases[i];
		uint64_t	value = UINT64_C(777);
		OmniPhoneError err;

		err = omni_phone_parse(c->input, c->country, &value);
		if (c->err == OMNI_PHONE_OK)
			check(err == OMNI_PHONE_OK && value == c->value,
				  "parse(\"%s\", %s): got %s %" PRIu64 ", expected %" PRIu64,
				  c->input ? c->input : "(null)",
				  c->country ? c->country : "(null)",
				  error_name(err), value, c->value);
		else
			check(err == c->err && value == UINT64_C(777),
				  "parse(\"%s\", %s): got %s %" PRIu64 ", expected %s",
				  c->input ? c->input : "(null)",
				  c->country ? c->country : "(null)",
				  error_name(err), value, error_name(c->err));
	}

	/* result may be NULL */
	check(omni_phone_parse("+44 20 7946 0018", NULL, NULL) == OMNI_PHONE_OK,
		  "parse with NULL result pointer");
}

static void
test_format(void)
{
	char		buf[32];
	int			len;

	len = omni_phone_format(UINT64_C(442079460018), buf, 17);
	check(len == 13 && strcmp(buf, "+442079460018") == 0,
		  "format(442079460018) = %d \"%s\"", len, buf);

	len = omni_phone_format(UINT64_C(123456789012345), buf, 17);
	check(len == 16 && strcmp(buf, "+123456789012345") == 0,
		  "format(15 digits, 17 bytes) = %d \"%s\"", len, buf);

	len = omni_phone_format(UINT64_C(442079460018), buf, 14);
	check(len == 13 && strcmp(buf, "+442079460018") == 0,
		  "format into exactly-sized buffer = %d \"%s\"", len, buf);

	strcpy(buf, "junk");
	len = omni_phone_format(UINT64_C(442079460018), buf, 13);
	check(len == -1 && buf[0] == '\0',
		  "format into short buffer = %d \"%s\"", len, buf);

	len = omni_phone_format(UINT64_C(442079460018), NULL, 0);
	check(len == -1, "format into NULL buffer = %d", len);

	len = omni_phone_format(UINT64_MAX, buf, 22);
	check(len == 21 && strcmp(buf, "+18446744073709551615") == 0,
		  "format(UINT64_MAX) = %d \"%s\"", len, buf);

	len = omni_phone_format(0, buf, sizeof(buf));
	check(len == 2 && strcmp(buf, "+0") == 0,
		  "format(0) = %d \"%s\"", len, buf);
}

static void
test_calling_code(void)
{
	static const struct
	{
		uint64_t	value;
		int			cc;
		int			nsn;
	}			cases[] = {
		{UINT64_C(12125550100), 1, 10},
		{UINT64_C(74951234567), 7, 10},
		{UINT64_C(442079460018), 44, 10},
		{UINT64_C(5511912345678), 55, 11},
		{UINT64_C(8801712345678), 880, 10},
		{UINT64_C(80012345678), 800, 8},
		{UINT64_C(6834002), 683, 4},
		{UINT64_C(2474123), 247, 4},
		{UINT64_C(44), 0, 0},	/* nothing after the code */
		{UINT64_C(999123), 0, 0},
		{UINT64_C(2591234), 0, 0},
		{UINT64_C(0), 0, 0},
	};
	size_t		i;

	for (i = 0; i < LENGTHOF(cases); i++)
	{
		int			cc = omni_phone_calling_code(cases[i].value);
		int			nsn = omni_phone_nsn_length(cases[i].value);

		check(cc == cases[i].cc && nsn == cases[i].nsn,
			  "calling_code/nsn_length(%" PRIu64 ") = %d/%d, expected %d/%d",
			  cases[i].value, cc, nsn, cases[i].cc, cases[i].nsn);
	}

	check(omni_phone_digit_count(0) == 1 &&
		  omni_phone_digit_count(UINT64_C(442079460018)) == 12 &&
		  omni_phone_digit_count(UINT64_MAX) == 20,
		  "digit_count");
}

static void
test_region(void)
{
	static const struct
	{
		uint64_t	value;
		const char *region;
	}			cases[] = {
		{UINT64_C(12125550100), "US"},
		{UINT64_C(74951234567), "RU"},
		{UINT64_C(442079460018), "GB"},
		{UINT64_C(5511912345678), "BR"},
		{UINT64_C(61298765432), "AU"},
		{UINT64_C(4722123456), "NO"},
		{UINT64_C(212522123456), "MA"},
		{UINT64_C(262262123456), "RE"},
		{UINT64_C(590590123456), "GP"},
		{UINT64_C(59991234567), "CW"},
		{UINT64_C(390612345678), "IT"},
		{UINT64_C(8801712345678), "BD"},
		{UINT64_C(38344123456), "XK"},
		{UINT64_C(24741234), "SH"},
		{UINT64_C(80012345678), NULL},
		{UINT64_C(882123456789), NULL},
		{UINT64_C(99912345678), NULL},
		{UINT64_C(0), NULL},
	};
	size_t		i;

	for (i = 0; i < LENGTHOF(cases); i++)
	{
		const char *region = omni_phone_region(cases[i].value);
		bool		ok;

		if (cases[i].region == NULL)
			ok = region == NULL;
		else
			ok = region != NULL && strcmp(region, cases[i].region) == 0;
		check(ok, "region(%" PRIu64 ") = %s, expected %s",
			  cases[i].value, region ? region : "NULL",
			  cases[i].region ? cases[i].region : "NULL");
	}
}

static void
test_countries(void)
{
	static const char *const known[] = {
		"US", "us", "Gb", "gB", "BR", "DE", "XK", "AX", "SJ", "VA", "AQ",
		"UM", "PN", "TF", "GS", "ZW"
	};
	static const char *const unknown[] = {
		"XX", "U", "USA", "", "U1", "1U", "ZZ", "BV", "HM", "AC", "EU",
		"U ", " U", "\xe9\xe9", "UK"
	};
	size_t		i;

	for (i = 0; i < LENGTHOF(known); i++)
		check(omni_phone_country_known(known[i]),
			  "country_known(\"%s\") should be true", known[i]);
	for (i = 0; i < LENGTHOF(unknown); i++)
		check(!omni_phone_country_known(unknown[i]),
			  "country_known(\"%s\") should be false", unknown[i]);
	check(!omni_phone_country_known(NULL), "country_known(NULL)");

	check(omni_phone_country_calling_code("br") == 55 &&
		  omni_phone_country_calling_code("CA") == 1 &&
		  omni_phone_country_calling_code("KZ") == 7 &&
		  omni_phone_country_calling_code("BD") == 880 &&
		  omni_phone_country_calling_code("XX") == 0 &&
		  omni_phone_country_calling_code(NULL) == 0,
		  "country_calling_code");

	check(omni_phone_tables_valid(), "omni_phone_tables_valid()");
}

static void
test_messages(void)
{
	int			e;

	for (e = OMNI_PHONE_OK; e <= OMNI_PHONE_BAD_COUNTRY + 1; e++)
	{
		const char *msg = omni_phone_error_message((OmniPhoneError) e);
		size_t		len = msg ? strlen(msg) : 0;

		check(msg != NULL && len > 0 &&
			  msg[0] >= 'a' && msg[0] <= 'z' && msg[len - 1] != '.',
			  "error_message(%d) = \"%s\"", e, msg ? msg : "(null)");
	}
	check(strcmp(omni_phone_error_message(OMNI_PHONE_TOO_LONG),
				 omni_phone_error_message(OMNI_PHONE_TOO_SHORT)) != 0,
		  "distinct error messages");
}

/*
 * Fuzzing.  A fixed-seed xorshift64* PRNG keeps runs reproducible.
 */
static uint64_t prng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t
prng_next(void)
{
	prng_state ^= prng_state >> 12;
	prng_state ^= prng_state << 25;
	prng_state ^= prng_state >> 27;
	return prng_state * UINT64_C(0x2545F4914F6CDD1D);
}

static unsigned int
prng_below(unsigned int n)
{
	return (unsigned int) (prng_next() % n);
}

/* Default countries tried by the fuzzer, including bad ones */
static const char *const fuzz_countries[] = {
	NULL, "", "XX", "U", "USA", "us", "US", "CA", "GB", "DE", "FR", "IT",
	"ES", "BR", "RU", "KZ", "BY", "HU", "MX", "LT", "RW", "AU", "CX", "JP",
	"KR", "HK", "TH", "CN", "IN", "CV", "WS", "CU", "MH", "PW", "NU", "SH",
	"PN", "VA", "GG", "XK", "AR", "CO", "SG", "IL", "MU"
};

static const char fuzz_interesting[] = "0123456789+-. /()\t\r\n x#*,";

#define FUZZ_RANDOM_INPUTS		200000
#define FUZZ_MUTATED_INPUTS		100000

static char
fuzz_interesting_char(void)
{
	return fuzz_interesting[prng_below(sizeof(fuzz_interesting) - 1)];
}

static const char *
fuzz_country(void)
{
	return fuzz_countries[prng_below(LENGTHOF(fuzz_countries))];
}

/*
 * Build a random NUL-free byte string of length 0..64 into a heap buffer of
 * exactly that size plus the NUL, so that ASan flags any over-read.
 */
static char *
fuzz_make_input(size_t *lenp)
{
	size_t		len = prng_below(65);
	char	   *s = malloc(len + 1);
	unsigned int mode = prng_below(4);
	size_t		i;

	if (s == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	for (i = 0; i < len; i++)
	{
		unsigned int c;

		if (mode == 0)
			c = 1 + prng_below(255);	/* any byte but NUL */
		else if (mode == 1 || prng_below(10) == 0)
			c = (unsigned char) fuzz_interesting_char();
		else
			c = '0' + prng_below(10);	/* mostly digits: reach deep paths */
		s[i] = (char) c;
	}
	/* often start like a real number */
	if (len > 0 && mode >= 2 && prng_below(2) == 0)
		s[0] = '+';
	s[len] = '\0';
	*lenp = len;
	return s;
}

/* Mutate a known-good input: insert, delete or replace a few bytes */
static char *
fuzz_mutate(const char *base)
{
	size_t		len = strlen(base);
	char		tmp[256];
	int			edits = 1 + (int) prng_below(3);
	char	   *s;

	memcpy(tmp, base, len + 1);
	while (edits-- > 0)
	{
		unsigned int op = prng_below(3);
		size_t		pos = len > 0 ? prng_below((unsigned int) len) : 0;
		char		c = (char) (1 + prng_below(255));

		if (prng_below(2) == 0)
			c = fuzz_interesting_char();
		if (op == 0 && len + 1 < sizeof(tmp))
		{
			memmove(tmp + pos + 1, tmp + pos, len - pos + 1);
			tmp[pos] = c;
			len++;
		}
		else if (op == 1 && len > 0)
		{
			memmove(tmp + pos, tmp + pos + 1, len - pos);
			len--;
		}
		else if (len > 0)
			tmp[pos] = c;
	}
	s = malloc(len + 1);
	if (s == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(s, tmp, len + 1);
	return s;
}

/* Exactly-sized heap copy of a default country (or NULL) */
static char *
fuzz_copy(const char *s)
{
	char	   *copy;

	if (s == NULL)
		return NULL;
	copy = malloc(strlen(s) + 1);
	if (copy == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	strcpy(copy, s);
	return copy;
}

static void
print_escaped(const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
}

/*
 * Check the invariants on one input; returns false (after printing the
 * first few problems) if one does not hold.
 */
static bool
fuzz_one(const char *input, const char *country)
{
	static int	reported = 0;
	uint64_t	value = UINT64_C(777);
	uint64_t	again = UINT64_C(777);
	uint64_t	round = UINT64_C(777);
	OmniPhoneError err;
	OmniPhoneError err2;
	const char *problem = NULL;

	err = omni_phone_parse(input, country, &value);
	err2 = omni_phone_parse(input, country, &again);

	if (err != err2 || value != again)
		problem = "not deterministic";
	else if (err < OMNI_PHONE_OK || err > OMNI_PHONE_BAD_COUNTRY)
		problem = "error code out of range";
	else if (err != OMNI_PHONE_OK)
	{
		if (value != UINT64_C(777))
			problem = "result written on error";
	}
	else
	{
		char		buf[OMNI_PHONE_FORMAT_BUFLEN];
		int			digits = omni_phone_digit_count(value);
		int			len = omni_phone_format(value, buf, sizeof(buf));

		if (digits < 7 || digits > OMNI_PHONE_MAX_DIGITS)
			problem = "result has a bad number of digits";
		else if (omni_phone_calling_code(value) == 0)
			problem = "result has no calling code";
		else if (omni_phone_nsn_length(value) < 4)
			problem = "result has a short NSN";
		else if (len != digits + 1)
			problem = "format length";
		else if (omni_phone_parse(buf, NULL, &round) != OMNI_PHONE_OK ||
				 round != value)
			problem = "formatted result does not parse back to itself";
	}

	if (problem == NULL)
		return true;
	if (reported++ < 20)
	{
		printf("FAIL: fuzz: %s: input \"", problem);
		print_escaped(input);
		printf("\" country %s: %s %" PRIu64 "\n",
			   country ? country : "(null)", error_name(err), value);
	}
	return false;
}

static void
test_fuzz(void)
{
	int			i;
	int			bad_random = 0;
	int			bad_mutated = 0;
	int			bad_valid = 0;
	int			n_ok = 0;

	/* random byte strings */
	for (i = 0; i < FUZZ_RANDOM_INPUTS; i++)
	{
		size_t		len;
		char	   *input = fuzz_make_input(&len);
		char	   *country = fuzz_copy(fuzz_country());
		uint64_t	v;

		if (!fuzz_one(input, country))
			bad_random++;
		if (omni_phone_parse(input, country, &v) == OMNI_PHONE_OK)
			n_ok++;
		free(input);
		free(country);
	}
	check(bad_random == 0, "fuzz: %d of %d random inputs broke an invariant",
		  bad_random, FUZZ_RANDOM_INPUTS);
	/* make sure the fuzzer is not just producing garbage */
	check(n_ok > 1000, "fuzz: only %d random inputs parsed", n_ok);

	/* mutations of the test inputs */
	for (i = 0; i < FUZZ_MUTATED_INPUTS; i++)
	{
		const ParseCase *c = &parse_cases[prng_below(LENGTHOF(parse_cases))];
		char	   *input;
		char	   *country;

		if (c->input == NULL)
			continue;
		input = fuzz_mutate(c->input);
		country = fuzz_copy(prng_below(4) == 0 ? fuzz_country() : c->country);
		if (!fuzz_one(input, country))
			bad_mutated++;
		free(input);
		free(country);
	}
	check(bad_mutated == 0, "fuzz: %d of %d mutated inputs broke an invariant",
		  bad_mutated, FUZZ_MUTATED_INPUTS);

	/* every valid case under every fuzz country: round trip etc. */
	for (i = 0; i < (int) LENGTHOF(parse_cases); i++)
	{
		size_t		j;

		if (parse_cases[i].input == NULL)
			continue;
		for (j = 0; j < LENGTHOF(fuzz_countries); j++)
		{
			char	   *input = fuzz_copy(parse_cases[i].input);
			char	   *country = fuzz_copy(fuzz_countries[j]);

			if (!fuzz_one(input, country))
				bad_valid++;
			free(input);
			free(country);
		}
	}
	check(bad_valid == 0, "fuzz: %d case/country pairs broke an invariant",
		  bad_valid);
}

int
main(void)
{
	test_parse_cases();
	test_format();
	test_calling_code();
	test_region();
	test_countries();
	test_messages();
	test_fuzz();

	printf("%d passed, %d failed\n", n_passed, n_failed);
	return n_failed == 0 ? 0 : 1;
}
