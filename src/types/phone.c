/*-------------------------------------------------------------------------
 *
 * phone.c
 *	  The omni.phone type: a telephone number in E.164.
 *
 * E.164 has at most 15 digits and never starts with 0, so the digits read
 * as one integer lose nothing: the type is 8 bytes, passed by value, and
 * compares and hashes like an int8.  Its order is therefore numeric
 * (+1... before +44... before +5511...), which is a total order and all
 * that btree needs; output is always "+digits".
 *
 * The parsing rules (calling codes, trunk prefixes, lengths) live in
 * phone_parse.c, plain C callable outside the server.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"

#include "types/phone_parse.h"

#define DatumGetPhone(d)		((uint64) DatumGetInt64(d))
#define PhoneGetDatum(p)		Int64GetDatum((int64) (p))
#define PG_GETARG_PHONE(n)		DatumGetPhone(PG_GETARG_DATUM(n))
#define PG_RETURN_PHONE(p)		return PhoneGetDatum(p)

char	   *omni_default_country = NULL;

/* Largest E.164 value: 15 digits */
#define PHONE_MAX	UINT64CONST(999999999999999)

static uint64
PhoneFromCString(const char *str, const char *country)
{
	uint64		result = 0;
	OmniPhoneError err;

	err = omni_phone_parse(str, country, &result);
	if (err == OMNI_PHONE_BAD_COUNTRY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown country code \"%s\"", country),
				 errdetail("A country is an ISO 3166-1 alpha-2 code such as \"US\", \"GB\" or \"BR\".")));
	if (err != OMNI_PHONE_OK)
	{
		char		reason[128];

		/* the parser's messages start lower case; a detail is a sentence */
		strlcpy(reason, omni_phone_error_message(err), sizeof(reason));
		if (reason[0] >= 'a' && reason[0] <= 'z')
			reason[0] += 'A' - 'a';
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"",
						"omni.phone", str),
				 country ?
				 errdetail("%s; numbers without \"+\" are read as national numbers of %s.",
						   reason, country) :
				 errdetail("%s.", reason),
				 errhint("Write an international number such as \"+55 11 91234-5678\", or set omni.default_country for national ones.")));
	}
	return result;
}

PG_FUNCTION_INFO_V1(omni_phone_in);
Datum
omni_phone_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_PHONE(PhoneFromCString(PG_GETARG_CSTRING(0),
									 omni_default_country));
}

/* omni.parse_phone(text, country): the same, with an explicit country */
PG_FUNCTION_INFO_V1(omni_parse_phone);
Datum
omni_parse_phone(PG_FUNCTION_ARGS)
{
	char	   *str = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *country = text_to_cstring(PG_GETARG_TEXT_PP(1));

	PG_RETURN_PHONE(PhoneFromCString(str, country));
}

PG_FUNCTION_INFO_V1(omni_phone_out);
Datum
omni_phone_out(PG_FUNCTION_ARGS)
{
	char		buf[OMNI_PHONE_FORMAT_BUFLEN];

	omni_phone_format(PG_GETARG_PHONE(0), buf, sizeof(buf));
	PG_RETURN_CSTRING(pstrdup(buf));
}

/*
 * Binary input is checked as strictly as text: a value that no text could
 * produce (no calling code, too many digits) is refused.
 */
PG_FUNCTION_INFO_V1(omni_phone_recv);
Datum
omni_phone_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int64		v = pq_getmsgint64(buf);
	char		text[OMNI_PHONE_FORMAT_BUFLEN];

	if (v <= 0 || (uint64) v > PHONE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type %s: " INT64_FORMAT,
						"omni.phone", v),
				 errdetail("An E.164 number has 1 to 15 digits.")));
	/* re-parse its E.164 text so binary values obey every textual rule */
	omni_phone_format((uint64) v, text, sizeof(text));
	PG_RETURN_PHONE(PhoneFromCString(text, NULL));
}

PG_FUNCTION_INFO_V1(omni_phone_send);
Datum
omni_phone_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) PG_GETARG_PHONE(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

#define PHONE_CMP_FUNC(name, op) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BOOL(PG_GETARG_PHONE(0) op PG_GETARG_PHONE(1)); \
}

PHONE_CMP_FUNC(omni_phone_eq, ==)
PHONE_CMP_FUNC(omni_phone_ne, !=)
PHONE_CMP_FUNC(omni_phone_lt, <)
PHONE_CMP_FUNC(omni_phone_le, <=)
PHONE_CMP_FUNC(omni_phone_gt, >)
PHONE_CMP_FUNC(omni_phone_ge, >=)

PG_FUNCTION_INFO_V1(omni_phone_cmp);
Datum
omni_phone_cmp(PG_FUNCTION_ARGS)
{
	uint64		a = PG_GETARG_PHONE(0);
	uint64		b = PG_GETARG_PHONE(1);

	PG_RETURN_INT32((a > b) - (a < b));
}

/* Hash like int8 so that the two types' hash functions agree */
PG_FUNCTION_INFO_V1(omni_phone_hash);
Datum
omni_phone_hash(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(hashint8, PG_GETARG_DATUM(0));
}

PG_FUNCTION_INFO_V1(omni_phone_hash_extended);
Datum
omni_phone_hash_extended(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall2(hashint8extended, PG_GETARG_DATUM(0),
							   PG_GETARG_DATUM(1));
}

PG_FUNCTION_INFO_V1(omni_phone_country_code);
Datum
omni_phone_country_code(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(omni_phone_calling_code(PG_GETARG_PHONE(0)));
}

/* The national significant number: the digits after the calling code */
PG_FUNCTION_INFO_V1(omni_phone_national_number);
Datum
omni_phone_national_number(PG_FUNCTION_ARGS)
{
	uint64		p = PG_GETARG_PHONE(0);
	char		buf[OMNI_PHONE_FORMAT_BUFLEN];
	int			len = omni_phone_format(p, buf, sizeof(buf));
	int			nsn = omni_phone_nsn_length(p);

	/* buf is "+", the calling code, then the national number */
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf + len - nsn, nsn));
}

PG_FUNCTION_INFO_V1(omni_phone_get_region);
Datum
omni_phone_get_region(PG_FUNCTION_ARGS)
{
	const char *r = omni_phone_region(PG_GETARG_PHONE(0));

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(r));
}

/*
 * omni.default_country must name a country we know, upper-cased so that
 * SHOW gives one spelling whatever the user typed.
 */
static bool
CheckDefaultCountry(char **newval, void **extra, GucSource source)
{
	char	   *p;

	if (*newval == NULL || !omni_phone_country_known(*newval))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("A country is an ISO 3166-1 alpha-2 code such as \"US\", \"GB\" or \"BR\".");
		return false;
	}
	for (p = *newval; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p += 'A' - 'a';
	return true;
}

void
OmniTypesInit(void)
{
	DefineCustomStringVariable("omni.default_country",
							   "Country whose national format is assumed for phone numbers without \"+\".",
							   "An ISO 3166-1 alpha-2 code, such as US, GB or BR.",
							   &omni_default_country,
							   "US",
							   PGC_USERSET,
							   0,
							   CheckDefaultCountry,
							   NULL,
							   NULL);
}
