/*-------------------------------------------------------------------------
 *
 * phone_parse.h
 *	  Phone number parser producing E.164 numbers as 64-bit integers.
 *
 * This module is plain C99 with no PostgreSQL dependencies and no dynamic
 * allocation, so that it can be linked into the server, into standalone
 * unit tests and into fuzzing harnesses alike.  All functions are pure
 * (they only read static tables and their arguments) and thread safe.
 *
 * An E.164 number is represented by its digits read as a decimal integer,
 * without the leading '+': "+44 20 7946 0018" is 442079460018.  Calling
 * codes never start with 0, so no information is lost.
 *
 * src/types/phone_parse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OMNI_PHONE_PARSE_H
#define OMNI_PHONE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest E.164 number, in digits, not counting the '+' */
#define OMNI_PHONE_MAX_DIGITS		15

/* Buffer size that omni_phone_format() always fits in for valid numbers */
#define OMNI_PHONE_FORMAT_BUFLEN	(OMNI_PHONE_MAX_DIGITS + 2)

typedef enum OmniPhoneError
{
	OMNI_PHONE_OK = 0,
	OMNI_PHONE_EMPTY,			/* nothing but blanks */
	OMNI_PHONE_BAD_CHARACTER,	/* a letter or other character not allowed */
	OMNI_PHONE_TOO_SHORT,
	OMNI_PHONE_TOO_LONG,		/* more than 15 digits in E.164, or national
								 * part longer than the country allows */
	OMNI_PHONE_UNKNOWN_CALLING_CODE,	/* +NNN that is no assigned country
										 * calling code */
	OMNI_PHONE_BAD_COUNTRY		/* default_country is not a known ISO 3166
								 * alpha-2 code */
} OmniPhoneError;

/*
 * Parse "input" (NUL-terminated, any bytes) into E.164 digits as an integer
 * (e.g. +442079460018 -> 442079460018).  default_country: ISO 3166-1
 * alpha-2 (case-insensitive) used for national-format numbers; NULL or ""
 * means "no default", in which case only international input ("+..." ) is
 * accepted and national input fails with OMNI_PHONE_BAD_COUNTRY.  A
 * non-empty default_country that is not known fails with
 * OMNI_PHONE_BAD_COUNTRY whatever the input.
 *
 * *result is written only on success; result may be NULL to just validate.
 *
 * Every value this returns parses back to itself when formatted with
 * omni_phone_format() and parsed again without a default country, which
 * is what the type's text output/input round trip relies on.
 */
extern OmniPhoneError omni_phone_parse(const char *input,
									   const char *default_country,
									   uint64_t *result);

/*
 * Message (English, lower case first letter, no final period) for an error
 * code.  Never returns NULL.
 */
extern const char *omni_phone_error_message(OmniPhoneError err);

/* true if code is a known ISO alpha-2 country (case-insensitive) */
extern bool omni_phone_country_known(const char *alpha2);

/* Calling code of a known country (case-insensitive), 0 if unknown */
extern int	omni_phone_country_calling_code(const char *alpha2);

/*
 * Country calling code of an E.164 value (longest-prefix match, e.g. 1, 44,
 * 55, 880), 0 if none.  At least one digit must follow the calling code.
 */
extern int	omni_phone_calling_code(uint64_t e164);

/*
 * Number of decimal digits of the national significant number: total
 * digits minus calling code digits; 0 if the value has no known calling
 * code.
 */
extern int	omni_phone_nsn_length(uint64_t e164);

/* Number of decimal digits of a value (1 for 0) */
extern int	omni_phone_digit_count(uint64_t value);

/*
 * Format an E.164 value as "+digits" into buf, NUL-terminated.  Returns
 * the length written, not counting the NUL.  buf needs
 * OMNI_PHONE_FORMAT_BUFLEN (17) bytes for any valid number, 22 for any
 * uint64_t; if buflen is too small, nothing but an empty string (when
 * buflen > 0) is written and -1 is returned.
 */
extern int	omni_phone_format(uint64_t e164, char *buf, size_t buflen);

/*
 * ISO alpha-2 region for an E.164 value when unambiguous from the calling
 * code (e.g. 44 -> "GB", 55 -> "BR"); for shared codes the main one (1 ->
 * "US", 7 -> "RU", 44 -> "GB", 61 -> "AU", 47 -> "NO", 212 -> "MA",
 * 262 -> "RE", 590 -> "GP", 599 -> "CW"), NULL if unknown or
 * non-geographic (800, 808, 870, 878, 881, 882, 883, 888, 979).  The
 * result is a static upper-case string.
 */
extern const char *omni_phone_region(uint64_t e164);

/*
 * Consistency check of the built-in tables (sorted, prefix-free calling
 * codes, every country's code assigned, sane length bounds, shared codes
 * coherent with their main country).  Meant for tests; returns true if
 * the tables are sound.
 */
extern bool omni_phone_tables_valid(void);

#endif							/* OMNI_PHONE_PARSE_H */
